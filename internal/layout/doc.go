// Package layout holds tests of the repository's structure as DESIGN.md lays it out:
// every package has a doc comment, and imports point down the dependency rules (pure
// packages reach no I/O, transport knows no domain, only store writes SQL).
package layout
