// Package store defines outdial's persistence: the records, the Store interface and the
// errors every backend returns. It is the only code that writes SQL, in its backends
// store/sqlite (embedded default) and store/postgres, which share the versioned
// migrations in this package and are held to one behaviour by store/storetest.
package store
