// Package campaign owns voice campaigns: their definitions and validation, the
// lifecycle (Ready, Active, Paused, Rerun, Completed as a table-driven state machine),
// schedules and recurrences, contactable hours in the contact's time zone under hard
// calling-hour limits, dispositions and retry rules, Auto-DNC, and the runs
// (instances) with their scrubbed call lists.
//
// The pure parts take time as an argument and do no I/O: Next (lifecycle),
// Contactable and ContactZone, Schedule.Occurrences and ScrubDue, NextAttempt, AutoDNC,
// Definition.Validate. Service ties them to the store: Create/Update/Clone/Delete/Act
// for managers, Tick for the scheduler, and for the dialing engine CheckDial (DNC and
// contactable hours right before each dial, failing closed), Finish (outcome, retry
// decision, Auto-DNC in one step) and CloseInFlightAsUnknown (crash recovery). Leasing
// records to a node and writing the attempt row before the INVITE are store calls
// (store.Campaigns: LeaseRecords, BeginAttempt, MarkAttempt).
//
// The per-node dialing engine is to live here too, on top of Service. It talks to the
// outside world only through small interfaces it defines (a Dialer, a Clock, a Store).
// It must not write SQL or speak HTTP.
package campaign
