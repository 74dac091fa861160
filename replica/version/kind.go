package version

// Kind says how a sibling's Value is read. Plain strings are KindString;
// the others are the data types that converge (DESIGN.md, "Data types that
// converge"), whose payloads package replica/crdt encodes and resolves. A
// tombstone has no kind.
type Kind uint8

// The kinds. Their numbers are stored: append new ones, never renumber.
const (
	KindString  Kind = iota // plain bytes: a string key, a hash field, a list element
	KindCounter             // a counter: base plus per-actor increments (crdt.Counter)
	KindHash                // a hash's header record
	KindSet                 // a set's header record
	KindZSet                // a sorted set's header record
	KindList                // a list's header record
	KindStream              // a stream's header record
)
