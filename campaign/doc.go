// Package campaign owns voice campaigns: their lifecycle, schedules, contactable hours,
// dispositions and retry rules, and the per-node dialing engine that ties pacing, sip,
// media, amd and agents together.
//
// It talks to the outside world only through small interfaces it defines (a Dialer, a
// Clock, a Store). It must not write SQL or speak HTTP.
package campaign
