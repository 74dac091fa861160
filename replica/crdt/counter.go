// Package crdt holds the payloads and resolution rules of the data types
// that converge (DESIGN.md, "Data types that converge"). Pure: it decodes
// sibling values and resolves a record's live siblings to one value, the
// same on every replica whatever the order the siblings arrived in.
package crdt

import (
	"errors"
	"math"
	"math/big"
	"slices"
	"strconv"

	"github.com/ringkv/ringkv/resp"
)

// Errors of counter arithmetic; server/command maps them to Redis's texts.
var (
	ErrNotInteger = errors.New("crdt: value is not an integer or out of range")
	ErrNotFloat   = errors.New("crdt: value is not a valid float")
	ErrOverflow   = errors.New("crdt: increment or decrement would overflow")
	ErrMode       = errors.New("crdt: counter of the other mode")
)

// Stamp orders base-setting writes (last writer wins): the write's wall
// clock, then its node, then its counter.
type Stamp struct {
	Time    int64
	Node    string
	Counter uint64
}

// Less orders stamps by (Time, Node, Counter).
func (s Stamp) Less(o Stamp) bool {
	if s.Time != o.Time {
		return s.Time < o.Time
	}
	if s.Node != o.Node {
		return s.Node < o.Node
	}
	return s.Counter < o.Counter
}

// total is one actor's monotone sums: p of its positive increments, n of
// the magnitudes of its negative ones (int mode), or pf and nf (float mode).
type total struct {
	actor  string
	p, n   uint64
	pf, nf float64
}

// Counter is a counter payload (KindCounter): a base set by the last
// base-setting write (SET, INCRBYFLOAT, ZADD), that write's stamp, the
// per-actor totals the payload's writer had seen (seen), those the base's
// writer had seen (absorbed) and those the writer knew a whole-key delete
// or an expiry had removed (removed). Its value is base plus what the
// totals grew past both absorbed and removed. Int mode (strings, hash
// fields) or float mode (sorted-set scores). The zero Counter is int
// mode, 0.
//
// absorbed belongs to the base (a SET that loses to a later base loses
// it); removed is joined over every sibling whatever base wins, so what a
// DEL removed stays removed after a later write superseded its tombstone.
type Counter struct {
	float    bool
	base     int64
	baseF    float64
	stamp    Stamp
	seen     []total // sorted by actor, unique
	absorbed []total // sorted by actor, unique
	removed  []total // sorted by actor, unique; each at most seen's
}

// NewFloat returns a float-mode counter holding 0.
func NewFloat() Counter { return Counter{float: true} }

// IsFloat reports whether c is in float mode.
func (c Counter) IsFloat() bool { return c.float }

// Stamp returns the stamp of the write that set c's base.
func (c Counter) Stamp() Stamp { return c.stamp }

// SetBase is an absorbing write in int mode: c's value becomes v; the
// totals seen so far are absorbed, so only increments this write did not
// see are added on top of v.
func (c Counter) SetBase(v int64, st Stamp) Counter {
	return Counter{base: v, stamp: st, seen: c.seen, absorbed: c.seen, removed: c.removed}
}

// SetBaseFloat is SetBase in float mode.
func (c Counter) SetBaseFloat(f float64, st Stamp) Counter {
	return Counter{float: true, baseF: f, stamp: st, seen: c.seen, absorbed: c.seen, removed: c.removed}
}

// Add increments c by n at actor, as INCRBY: ErrNotInteger if c's value
// is out of int64 range already, ErrOverflow if the result or the actor's
// total would be.
func (c Counter) Add(actor string, n int64) (Counter, error) {
	if c.float {
		return c, ErrMode
	}
	v, ok := c.Int()
	switch {
	case !ok:
		return c, ErrNotInteger
	case (n < 0 && v < math.MinInt64-n) || (n > 0 && v > math.MaxInt64-n):
		return c, ErrOverflow
	}
	t := c.find(actor)
	if n >= 0 {
		if t.p > math.MaxUint64-uint64(n) {
			return c, ErrOverflow
		}
		t.p += uint64(n)
	} else {
		m := uint64(-(n + 1)) + 1 // |n|, MinInt64 included
		if t.n > math.MaxUint64-m {
			return c, ErrOverflow
		}
		t.n += m
	}
	return c.with(t), nil
}

// AddFloat increments c by f at actor, as ZINCRBY; the caller checks the
// result for NaN or infinity.
func (c Counter) AddFloat(actor string, f float64) Counter {
	t := c.find(actor)
	if f >= 0 {
		t.pf += f
	} else {
		t.nf -= f
	}
	return c.with(t)
}

// find returns actor's seen total (zero if none).
func (c Counter) find(actor string) total {
	if i, ok := slices.BinarySearchFunc(c.seen, actor, byActor); ok {
		return c.seen[i]
	}
	return total{actor: actor}
}

func byActor(t total, a string) int {
	switch {
	case t.actor < a:
		return -1
	case t.actor > a:
		return 1
	}
	return 0
}

// with returns c with t as its actor's seen total; c is not modified.
func (c Counter) with(t total) Counter {
	i, ok := slices.BinarySearchFunc(c.seen, t.actor, byActor)
	seen := slices.Clone(c.seen)
	if ok {
		seen[i] = t
	} else {
		seen = slices.Insert(seen, i, t)
	}
	c.seen = seen
	return c
}

// deltas calls fn with, for each actor in order, how much its totals grew
// since the base was set and past what was removed (never negative).
func (c Counter) deltas(fn func(dp, dn uint64, dpf, dnf float64)) {
	j, k := 0, 0
	for _, t := range c.seen {
		for j < len(c.absorbed) && c.absorbed[j].actor < t.actor {
			j++
		}
		for k < len(c.removed) && c.removed[k].actor < t.actor {
			k++
		}
		var a total
		if j < len(c.absorbed) && c.absorbed[j].actor == t.actor {
			a = c.absorbed[j]
		}
		if k < len(c.removed) && c.removed[k].actor == t.actor {
			r := c.removed[k]
			a = total{p: max(a.p, r.p), n: max(a.n, r.n), pf: max(a.pf, r.pf), nf: max(a.nf, r.nf)}
		}
		fn(sub(t.p, a.p), sub(t.n, a.n), max(t.pf-a.pf, 0), max(t.nf-a.nf, 0))
	}
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// Int returns c's value in int mode; false if it is outside int64 (only
// concurrent increments merged together can take it there) or c is float.
func (c Counter) Int() (int64, bool) {
	if c.float {
		return 0, false
	}
	v, ok := c.base, true
	c.deltas(func(dp, dn uint64, _, _ float64) {
		if dp > math.MaxInt64 || dn > math.MaxInt64 {
			ok = false
			return
		}
		d := int64(dp) - int64(dn)
		if (d > 0 && v > math.MaxInt64-d) || (d < 0 && v < math.MinInt64-d) {
			ok = false
		}
		v += d
	})
	if ok {
		return v, true
	}
	b := c.big()
	return b.Int64(), b.IsInt64()
}

// big is c's int value computed without overflow.
func (c Counter) big() *big.Int {
	v := big.NewInt(c.base)
	var x big.Int
	c.deltas(func(dp, dn uint64, _, _ float64) {
		v.Add(v, x.SetUint64(dp))
		v.Sub(v, x.SetUint64(dn))
	})
	return v
}

// Float returns c's value in float mode (int mode: converted).
func (c Counter) Float() float64 {
	if !c.float {
		f, _ := c.big().Float64()
		return f
	}
	v := c.baseF
	c.deltas(func(_, _ uint64, dpf, dnf float64) { v += dpf - dnf })
	return v
}

// Bytes is the decimal text GET answers: %d in int mode, Redis's float
// formatting in float mode.
func (c Counter) Bytes() []byte {
	if c.float {
		return []byte(resp.FormatFloat(c.Float()))
	}
	if v, ok := c.Int(); ok {
		return strconv.AppendInt(nil, v, 10)
	}
	return []byte(c.big().String())
}
