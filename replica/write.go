package replica

import (
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
)

// Change is what a command decides to write after seeing a key's current
// sibling set: a new value (or tombstone) under a causal context. Context
// names the siblings it supersedes: cur.Context() supersedes everything the
// coordinator holds (plain SET/DEL), nil makes a concurrent sibling (VSET
// without CONTEXT). The coordinator meets Context with the history its
// replicas hold, so a context cannot claim writes that were never issued.
type Change struct {
	Context version.Context
	Value   []byte
	Kind    version.Kind   // how Value is read (a counter, a collection's header ...)
	Enc     version.StrEnc // how Redis would hold a string value (raw after APPEND ...)
	// Delete writes a tombstone instead of a value. A Value with it is the
	// removal record the tombstone keeps (crdt.Removal: the counter totals
	// a DEL removed), of kind KindCounter whatever Kind says: a forwarded
	// delete (MethodApply) carries Value but not Kind. No Value: a plain
	// tombstone, encoded as before removal records existed.
	Delete bool
	Expiry int64 // Unix ms; 0 means none
}

// Sibling is the version ch writes at now (Unix ms), its values aliasing
// ch's; the coordinator stamps it with its dot.
func (ch *Change) Sibling(now int64) version.Sibling {
	if ch.Delete {
		if len(ch.Value) > 0 {
			return version.Sibling{Tombstone: true, Kind: version.KindCounter, Value: ch.Value, Time: now}
		}
		return version.Sibling{Tombstone: true, Time: now}
	}
	return version.Sibling{Value: ch.Value, Kind: ch.Kind, Enc: ch.Enc, Time: now, Expiry: ch.Expiry}
}

// UpdateFunc inspects the current set at now (Unix ms) and returns the
// change to make, or nil to leave the key untouched. It runs under the key's
// lock on the coordinating replica, so read-modify-write commands (INCR,
// APPEND, SET NX) are atomic there. It must not block.
type UpdateFunc func(cur version.Set, now int64) (*Change, error)

// WriteOptions tune one Update. The zero value is a blind write with the
// node's default quorums.
type WriteOptions struct {
	W  int // acknowledgements needed, fallbacks included; 0: the default W
	PW int // of which from primaries (strict quorum); 0: the default PW
	// Read makes the coordinator merge a quorum read (R, PR) into its own
	// copy before fn decides: for read-modify-write commands (INCR, SET NX,
	// DEL's reply ...) and writes under a client's context, so the decision
	// sees every acknowledged write even when this replica lagged.
	Read bool
	R    int // with Read: the read quorum; 0: the default R
	PR   int // with Read: primaries among R; 0: the default PR
}

// ReadOptions tune one Get, or one walk of a collection's elements.
type ReadOptions struct {
	R  int // answers needed, fallbacks included; 0: the default R
	PR int // of which from primaries; 0: the default PR
	// Header, for Elements and ElementsReverse, is the collection's
	// header as the caller resolved it under the collection's lock. A
	// walk of this node's copy alone drops the records its removal clock
	// covers (elementGC) without reading the header again: SPOP walked
	// the set and read its header for each pick. A header read earlier
	// holds a clock no newer than the stored one, so it drops no more
	// than the stored one would. nil: the walk reads the header.
	Header *crdt.Header
}

// Result is the outcome of an Update.
type Result struct {
	Set     version.Set     // the key's set after the write
	Dot     version.Dot     // the new sibling's dot; zero if nothing was written
	Context version.Context // what the writer has now seen: its context plus Dot
}

// Written reports whether the update wrote a new sibling.
func (r Result) Written() bool { return r.Dot.Counter != 0 }
