// Package lists owns contact lists (CSV import and API sync), DNC lists and scrubbing,
// and agent mapping lists: validation and normalisation of phone numbers to E.164,
// field mapping and the limits on list sizes.
//
// Imports stream: a CSV (UTF-8, optional BOM, LF or CRLF, quoted fields with embedded
// commas, quotes and newlines) is read row by row, validated on GOMAXPROCS workers (phone
// numbers by libphonenumber's rules and metadata, its patterns matched by digit automata
// built from the same regular expressions: same answers, about 8x faster) and
// written by the store in one transaction (PostgreSQL COPY, SQLite batched INSERTs), so
// memory does not grow with the file. Bad rows are rejected with row, column, value and
// fix; the default keeps the good rows and stores the rejected ones as a report, strict
// mode writes nothing. Duplicate numbers within a list are rejected (or counted, when
// duplicates are allowed).
//
// DNC lists: one is global at a time (the store seeds "Default Global DNC"); Scrub
// removes numbers on the global list and then on the campaign's lists, Blocked checks
// one number at dial time and fails closed. Entries may expire.
//
// API-integrated contact lists fetch JSON from the customer's endpoint (Integration)
// with an injected HTTP client and clock; secrets are sealed with AES-GCM (Sealer)
// under a key derived from security.secret_key; each fetch writes a List Management
// Log row. Campaigns mark the lists they use through store.Lists.LinkList, which makes
// DeleteList refuse and turns API schema changes into warnings.
//
// It persists through the store interfaces and must not write SQL or speak HTTP (other
// than fetching integration endpoints through the injected Doer).
package lists
