// Package lists owns contact lists (CSV import and API sync), DNC lists and scrubbing,
// and agent mapping lists: validation and normalisation of phone numbers to E.164,
// field mapping and the limits on list sizes.
//
// It persists through the store interfaces and must not write SQL or speak HTTP.
package lists
