package version

import "bytes"

// Dot names one write: the Counter-th event coordinated by Node for a key.
type Dot struct {
	Node    string
	Counter uint64
}

// Less orders dots by node, then counter.
func (d Dot) Less(o Dot) bool {
	if d.Node != o.Node {
		return d.Node < o.Node
	}
	return d.Counter < o.Counter
}

// Sibling is one version of a key: a value or a tombstone, with its causal
// stamp (Dot and Past), the coordinator's wall clock and an optional expiry.
type Sibling struct {
	Dot   Dot
	Past  Context // context the write was made with
	Value []byte  // nil for a plain tombstone
	// Kind is how Value is read; KindString for a plain value. A tombstone
	// is KindString with no Value, or keeps a removal record: KindCounter
	// with the counter totals and base stamp it removed (replica/crdt), so
	// a counter sibling concurrent with it counts only what it had not seen.
	Kind      Kind
	Enc       StrEnc // how Redis would hold the string (strenc.go); StrEncAuto on a tombstone
	Tombstone bool
	Time      int64 // coordinator's wall clock, Unix ms
	Expiry    int64 // Unix ms; 0 means no expiry
}

// Live reports whether s holds a value that has not expired at now (Unix ms).
func (s *Sibling) Live(now int64) bool {
	return !s.Tombstone && (s.Expiry == 0 || s.Expiry > now)
}

// newer reports whether s wins over o in GET's resolution: the higher
// (Time, Node), then the higher counter, so every node picks the same one.
func (s *Sibling) newer(o *Sibling) bool {
	if s.Time != o.Time {
		return s.Time > o.Time
	}
	if s.Dot.Node != o.Dot.Node {
		return s.Dot.Node > o.Dot.Node
	}
	return s.Dot.Counter > o.Dot.Counter
}

// Set is a key's sibling set: its concurrent versions sorted by Dot. The
// empty Set is a key with no history.
type Set []Sibling

// Context returns the causal context that covers every sibling in s: the
// join of their pasts and dots. It is what VGET hands to clients.
func (s Set) Context() Context {
	var c Context
	for i := range s {
		c = c.Join(s[i].Past).With(s[i].Dot)
	}
	return c
}

// maxCounter returns the highest counter of node that s knows of.
func (s Set) maxCounter(node string) uint64 {
	var m uint64
	for i := range s {
		m = max(m, s[i].Past.Max(node))
		if s[i].Dot.Node == node {
			m = max(m, s[i].Dot.Counter)
		}
	}
	return m
}

// Winner returns the sibling a plain GET answers at now: among the live
// siblings, the one with the highest (Time, Node). ok is false if none is live.
func (s Set) Winner(now int64) (w *Sibling, ok bool) {
	for i := range s {
		if s[i].Live(now) && (w == nil || s[i].newer(w)) {
			w = &s[i]
		}
	}
	return w, w != nil
}

// Live returns the live siblings at now in s's (deterministic) order.
func (s Set) Live(now int64) []*Sibling {
	var out []*Sibling
	for i := range s {
		if s[i].Live(now) {
			out = append(out, &s[i])
		}
	}
	return out
}

// HasLive reports whether any sibling holds a value, ignoring expiry.
func (s Set) HasLive() bool {
	for i := range s {
		if !s[i].Tombstone {
			return true
		}
	}
	return false
}

// MinExpiry returns the earliest expiry among value siblings, 0 if none.
func (s Set) MinExpiry() int64 {
	var m int64
	for i := range s {
		if e := s[i].Expiry; !s[i].Tombstone && e != 0 && (m == 0 || e < m) {
			m = e
		}
	}
	return m
}

// Put is a coordinator's write: node makes a new sibling nv under the causal
// context ctx. Siblings ctx covers are replaced; the others stay as
// concurrent siblings. The new dot's counter exceeds every counter of node
// known to s or ctx, and floor: node's counter floor, the highest counter
// of its dots on keys whose histories were reaped. Reaping (and a write
// that superseded a reaped tombstone) can make s forget some of node's
// dots, never one above the floor, so counters above it are fresh. The
// write also claims node's counters up to floor, keeping the history one
// contiguous vector, unless s holds a sibling of node at or below the
// floor that ctx does not cover: a concurrent write that must survive. Put
// returns the new set and the new sibling's dot. s is not modified.
func (s Set) Put(node string, ctx Context, nv Sibling, floor uint64) (Set, Dot) {
	known := max(s.maxCounter(node), ctx.Max(node))
	nv.Past = ctx // clocks are never changed in place (VV)
	nv.Dot = Dot{Node: node, Counter: max(known, floor) + 1}
	if floor > 0 && s.ownCovered(node, floor, ctx) {
		nv.Past = nv.Past.Join(Context{VV: VV{{node, floor}}})
	}
	return s.Merge(Set{nv}), nv.Dot
}

// ownCovered reports whether ctx covers every sibling of node in s with a
// counter at or below floor.
func (s Set) ownCovered(node string, floor uint64, ctx Context) bool {
	for i := range s {
		if d := s[i].Dot; d.Node == node && d.Counter <= floor && !ctx.Covers(d) {
			return false
		}
	}
	return true
}

// Merge returns the sync of s and o: every sibling of either, minus those
// another sibling's past covers. It is commutative, associative and
// idempotent. Neither input is modified.
func (s Set) Merge(o Set) Set {
	union := make(Set, 0, len(s)+len(o))
	i, j := 0, 0
	for i < len(s) || j < len(o) {
		switch {
		case j == len(o) || (i < len(s) && s[i].Dot.Less(o[j].Dot)):
			union = append(union, s[i])
			i++
		case i == len(s) || o[j].Dot.Less(s[i].Dot):
			union = append(union, o[j])
			j++
		default:
			union = append(union, pick(&s[i], &o[j]))
			i++
			j++
		}
	}
	out := union[:0]
	for k := range union {
		if !obsolete(union, k) {
			out = append(out, union[k])
		}
	}
	return out
}

// pick chooses between two copies of the same write. They differ only when
// one replica already turned an expired value into a tombstone; otherwise
// the choice is by content so that Merge stays commutative.
func pick(a, b *Sibling) Sibling {
	if a.Tombstone != b.Tombstone {
		if a.Tombstone {
			return *a
		}
		return *b
	}
	if a.Kind != b.Kind {
		if a.Kind > b.Kind {
			return *a
		}
		return *b
	}
	if c := bytes.Compare(a.Value, b.Value); c != 0 || a.Enc == b.Enc {
		if c >= 0 {
			return *a
		}
		return *b
	}
	if a.Enc > b.Enc {
		return *a
	}
	return *b
}

// obsolete reports whether another sibling in u has seen u[k]'s write.
func obsolete(u Set, k int) bool {
	for i := range u {
		if i != k && u[i].Past.Covers(u[k].Dot) {
			return true
		}
	}
	return false
}

// Expire turns the value siblings that have expired at now into tombstones
// with the same stamps, freeing their bytes while keeping causality. An
// expired counter keeps its (small) payload as the tombstone's removal
// record, so resolution reads it the same before and after: what expired
// stays removed from a concurrent counter sibling (replica/crdt). It
// returns s unchanged (and false) if nothing expired.
func (s Set) Expire(now int64) (Set, bool) {
	changed := false
	var out Set
	for i := range s {
		if !s[i].Tombstone && s[i].Expiry != 0 && s[i].Expiry <= now {
			if !changed {
				out = append(Set(nil), s...)
				changed = true
			}
			out[i].Tombstone, out[i].Enc = true, StrEncAuto
			if out[i].Kind != KindCounter {
				out[i].Value, out[i].Kind = nil, KindString
			}
		}
	}
	if !changed {
		return s, false
	}
	return out, true
}

// DropBefore returns s without the siblings written at or before t (Unix
// ms): what a FLUSHALL at t removed must not come back through a replica
// that missed it. s is returned as is when nothing is dropped.
func (s Set) DropBefore(t int64) Set {
	if t == 0 {
		return s
	}
	for i := range s {
		if s[i].Time <= t {
			out := append(Set(nil), s[:i]...)
			for _, sb := range s[i+1:] {
				if sb.Time > t {
					out = append(out, sb)
				}
			}
			return out
		}
	}
	return s
}

// Equal reports whether s and o hold the same siblings.
func (s Set) Equal(o Set) bool {
	if len(s) != len(o) {
		return false
	}
	for i := range s {
		a, b := &s[i], &o[i]
		if a.Dot != b.Dot || !a.Past.Equal(b.Past) || a.Tombstone != b.Tombstone ||
			a.Time != b.Time || a.Expiry != b.Expiry || a.Kind != b.Kind || a.Enc != b.Enc || !bytes.Equal(a.Value, b.Value) {
			return false
		}
	}
	return true
}

// Tombstones reports whether s is non-empty and holds tombstones only.
func (s Set) Tombstones() bool { return len(s) > 0 && !s.HasLive() }
