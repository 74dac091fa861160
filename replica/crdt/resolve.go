package crdt

import (
	"math"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// IsString reports whether a sibling of kind k is read as a string (TYPE
// answers "string"): plain bytes or a counter.
func IsString(k version.Kind) bool {
	return k == version.KindString || k == version.KindCounter
}

// Value is what a plain key's record resolves to.
type Value struct {
	Kind   version.Kind     // the Winner's kind (IsString: a string)
	Bytes  []byte           // what GET answers (a counter's decimal)
	Expiry int64            // the Winner's expiry, Unix ms; 0: none
	Winner *version.Sibling // the live sibling with the highest (Time, Node)
	// Counter is the resolved counter when a live sibling is a counter and
	// the winning base is a number, else nil. A rewrite of the key (EXPIRE,
	// RENAME) writes it whole, so no increment is lost.
	Counter *Counter
}

// Resolve resolves a plain key's record at now: ok is false if no sibling
// is live. A collection header (Winner's Kind not IsString) resolves to its
// Winner's payload as is. Otherwise, if a live sibling is a counter, Bytes
// is the counter resolved over the live siblings less what the removals
// among s removed (resolveSet), unless the winning base is a string that
// is not an integer: then Bytes is that string. If every live sibling is
// a plain string holding a valid HyperLogLog, Bytes is their merge
// (MergeHLL), so concurrent PFADDs all count.
func Resolve(s version.Set, now int64) (v Value, ok bool) {
	w, ok := s.Winner(now)
	if !ok {
		return Value{}, false
	}
	v = Value{Kind: w.Kind, Bytes: w.Value, Expiry: w.Expiry, Winner: w}
	if !IsString(w.Kind) {
		return v, true
	}
	if !hasCounter(s, now) {
		if len(s) > 1 {
			if b, ok := liveHLLMerge(s, now); ok {
				v.Bytes = b // concurrent PFADDs: their registers' maximum
			}
		}
		return v, true // a plain string: no allocation on GET's path
	}
	live := s.Live(now)
	c, _, err := resolveSet(s, now)
	if err == nil {
		v.Bytes, v.Counter = c.Bytes(), &c
	} else if cs, err := candidates(live, false); err == nil {
		if b := pick(cs); b != nil && b.sib.Kind == version.KindString {
			v.Bytes = b.sib.Value
		}
	}
	return v, true
}

// hasCounter reports whether a live sibling of s is a counter.
func hasCounter(s version.Set, now int64) bool {
	for i := range s {
		if s[i].Kind == version.KindCounter && s[i].Live(now) {
			return true
		}
	}
	return false
}

// ResolveCounter merges the counter (KindCounter) and base (KindString)
// siblings among live, ignoring other kinds: the base of the highest base
// stamp, and per actor the highest totals (seen and removed). A plain
// sibling is a base with its write's stamp that absorbed nothing; if it
// wins but is not a number in the mode, the error is ErrNotInteger
// (ErrNotFloat in float mode). The result does not depend on live's order.
func ResolveCounter(live []*version.Sibling, float bool) (Counter, error) {
	cs, err := candidates(live, float)
	if err != nil {
		return Counter{}, err
	}
	c, _, err := resolve(cs, float, removal{})
	return c, err
}

// resolveSet is ResolveCounter (int mode) over s's live siblings at now,
// less what the removals among s removed (removals): bases stamped at or
// below the highest base a removal saw are gone (a plain sibling's base is
// its own write, which no removal concurrent with it saw), and the totals
// the removals saw join the removed totals (Counter.removed), so those
// increments no longer count whatever base wins; the increments they did
// not see still add up. With no surviving base the counter counts from 0
// (fresh is true; so with no live base at all), its stamp just above the
// removed ones. Resolution is a function of the set, so merges stay
// commutative, associative and idempotent.
func resolveSet(s version.Set, now int64) (c Counter, fresh bool, err error) {
	cs, err := candidates(s.Live(now), false)
	if err != nil {
		return Counter{}, false, err
	}
	return resolve(cs, false, removals(s, now))
}

// resolve merges cs less rm (see resolveSet).
func resolve(cs []candidate, float bool, rm removal) (Counter, bool, error) {
	out := Counter{float: float, seen: rm.seen, removed: rm.seen}
	for _, c := range cs {
		out.seen = joinTotals(out.seen, c.c.seen)
		out.removed = joinTotals(out.removed, c.c.removed)
	}
	if rm.ok {
		kept := make([]candidate, 0, len(cs))
		for _, c := range cs {
			if c.sib.Kind == version.KindString || rm.stamp.Less(c.st) {
				kept = append(kept, c)
			}
		}
		cs = kept
	}
	b := pick(cs)
	if b == nil {
		if rm.ok { // every base was removed: count from 0 above them
			out.stamp = Stamp{rm.stamp.Time, rm.stamp.Node, rm.stamp.Counter + 1}
		}
		return out, true, nil
	}
	out.stamp = b.st
	// A plain base left below a removal's stamp is stamped above it, so a
	// write carrying it on (superseding the removal) still wins over the
	// bases the removal removed (fresh: the writer restamps it).
	below := rm.ok && !rm.stamp.Less(b.st)
	if below {
		out.stamp = Stamp{rm.stamp.Time, rm.stamp.Node, rm.stamp.Counter + 1}
	}
	if b.sib.Kind == version.KindCounter {
		out.base, out.baseF, out.absorbed = b.c.base, b.c.baseF, b.c.absorbed
		return out, below, nil
	}
	var ok bool
	if float {
		out.baseF, ok = resp.ParseFloat(b.sib.Value)
		if !ok || math.IsNaN(out.baseF) {
			return Counter{}, false, ErrNotFloat
		}
	} else if out.base, ok = resp.ParseInt(b.sib.Value); !ok {
		return Counter{}, false, ErrNotInteger
	}
	return out, below, nil
}

// removal is what the removals of a record removed: the highest base
// stamp they saw and the per-actor totals (ok false if there are none).
type removal struct {
	stamp Stamp
	seen  []total
	ok    bool
}

// removals reads the removals among s at now: the counter siblings that
// are not live, that is tombstones keeping a removal record (a DEL's,
// Removal) and expired counters (before or after Set.Expire, which keeps
// their payload), each read as the base stamp and totals it removed.
// A record that does not decode is skipped, the same on every replica.
func removals(s version.Set, now int64) removal {
	var rm removal
	for i := range s {
		sb := &s[i]
		if sb.Kind != version.KindCounter || sb.Live(now) {
			continue
		}
		c, err := DecodeCounter(sb.Value)
		if err != nil {
			continue
		}
		if !rm.ok || rm.stamp.Less(c.stamp) {
			rm.stamp, rm.ok = c.stamp, true
		}
		rm.seen = joinTotals(rm.seen, c.seen)
	}
	return rm
}

// candidate is a sibling that holds a base: a plain one (c is zero) or a
// decoded counter.
type candidate struct {
	sib *version.Sibling
	st  Stamp
	c   Counter
}

// candidates decodes the plain and counter siblings among live.
func candidates(live []*version.Sibling, float bool) ([]candidate, error) {
	var cs []candidate
	for _, sb := range live {
		switch sb.Kind {
		case version.KindString:
			cs = append(cs, candidate{sib: sb, st: Stamp{sb.Time, sb.Dot.Node, sb.Dot.Counter}})
		case version.KindCounter:
			c, err := DecodeCounter(sb.Value)
			if err != nil {
				return nil, err
			}
			if c.float != float {
				return nil, ErrMode
			}
			cs = append(cs, candidate{sib: sb, st: c.stamp, c: c})
		}
	}
	return cs, nil
}

// pick returns the candidate whose base wins: the highest stamp; on a tie
// (two bases with one stamp: a corrupted history) a counter over a plain
// sibling, then the higher encoding, so the choice is order-free.
func pick(cs []candidate) *candidate {
	var b *candidate
	for i := range cs {
		if c := &cs[i]; b == nil || b.st.Less(c.st) || (b.st == c.st && c.tieKey() > b.tieKey()) {
			b = c
		}
	}
	return b
}

func (c *candidate) tieKey() string {
	if c.sib.Kind == version.KindCounter {
		return "\x01" + string(c.c.AppendBinary(nil))
	}
	return "\x00" + string(c.sib.Value)
}

// joinTotals is the per-actor maximum of a and b (both sorted by actor).
func joinTotals(a, b []total) []total {
	out := make([]total, 0, max(len(a), len(b)))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i].actor < b[j].actor):
			out = append(out, a[i])
			i++
		case i == len(a) || b[j].actor < a[i].actor:
			out = append(out, b[j])
			j++
		default:
			out = append(out, total{actor: a[i].actor,
				p: max(a[i].p, b[j].p), n: max(a[i].n, b[j].n),
				pf: max(a[i].pf, b[j].pf), nf: max(a[i].nf, b[j].nf)})
			i++
			j++
		}
	}
	return out
}
