package version

import (
	"sync"
	"sync/atomic"
)

// Data formats: what a node's record encodings (Set.AppendBinary and its
// streaming forms, and replica/crdt's counter payloads) may hold. Nodes
// advertise the highest they read (cluster/membership's tag "fmt"), and a
// node writes a format only once every ring member reads it, so a rolling
// upgrade never hands a node bytes it cannot decode.
const (
	// FormatLegacy is what releases from before data formats were
	// advertised read and write (a member without the tag reads it): a
	// tombstone has no Kind and no Value, a counter payload ends with its
	// absorbed totals.
	FormatLegacy = 2
	// FormatRemovals adds removal records: a tombstone may keep a Kind
	// (KindCounter) and a Value (the counter totals a DEL or an expiry
	// removed), and a counter payload may end with its removed totals.
	FormatRemovals = 3
	// ReadFormat is the highest format this build decodes (it decodes
	// every lower one too): the one it advertises. Decoding never depends
	// on the write format.
	ReadFormat = FormatRemovals
)

// legacyHolds counts the holds (HoldLegacy) not yet released: while any
// is, the encoders write FormatLegacy. A process has one per server, so
// this is process-wide state, as the encoders it steers are; with no
// server (a library, a unit test) nothing holds and the encoders write
// ReadFormat.
var legacyHolds atomic.Int64

// HoldLegacy makes the encoders write FormatLegacy until the returned
// function is called (once or more: only the first call counts). A server
// holds from before it starts gossip until every ring member advertises
// ReadFormat, and never holds again: a format, once written, stays.
func HoldLegacy() (release func()) {
	legacyHolds.Add(1)
	var once sync.Once
	return func() { once.Do(func() { legacyHolds.Add(-1) }) }
}

// WriteFormat is the format the encoders write now: FormatLegacy while a
// HoldLegacy is held, else ReadFormat.
func WriteFormat() int {
	if legacyHolds.Load() > 0 {
		return FormatLegacy
	}
	return ReadFormat
}

// WritesRemovals reports whether the encoders write removal records
// (FormatRemovals): while not, a tombstone is encoded without its record
// and a counter payload without its removed totals (replica/crdt), the
// bytes a FormatLegacy node decodes.
func WritesRemovals() bool { return WriteFormat() >= FormatRemovals }
