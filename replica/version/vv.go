package version

import (
	"slices"
	"sort"
	"strings"
)

// Entry is one node's counter in a version vector.
type Entry struct {
	Node    string
	Counter uint64
}

// VV is a version vector: per node, the highest counter of that node's
// writes to one key that have been seen. Entries are sorted by Node with no
// duplicates and no zero counters; the zero value is the empty vector.
// A vector is never changed in place once made, so vectors (and the
// contexts and siblings that hold them) share their entries freely.
type VV []Entry

// Get returns node's counter, 0 if absent.
func (v VV) Get(node string) uint64 {
	i := sort.Search(len(v), func(i int) bool { return v[i].Node >= node })
	if i < len(v) && v[i].Node == node {
		return v[i].Counter
	}
	return 0
}

// Covers reports whether the event d is in the history v summarises.
func (v VV) Covers(d Dot) bool { return d.Counter <= v.Get(d.Node) }

// Join returns the pointwise maximum of v and o. When one of them
// already holds it, that one is returned, not a copy: vectors are never
// changed in place, and a write joins clocks that usually descend one
// another (VV.Join was a tenth of a collection write's allocated bytes).
func (v VV) Join(o VV) VV {
	switch {
	case v.Descends(o):
		return v
	case o.Descends(v):
		return o
	}
	out := make(VV, 0, len(v)+len(o))
	i, j := 0, 0
	for i < len(v) || j < len(o) {
		switch {
		case j == len(o) || (i < len(v) && v[i].Node < o[j].Node):
			out = append(out, v[i])
			i++
		case i == len(v) || o[j].Node < v[i].Node:
			out = append(out, o[j])
			j++
		default:
			out = append(out, Entry{v[i].Node, max(v[i].Counter, o[j].Counter)})
			i++
			j++
		}
	}
	return out
}

// With returns v joined with the single event d.
func (v VV) With(d Dot) VV {
	i, found := slices.BinarySearchFunc(v, d.Node, func(e Entry, n string) int { return strings.Compare(e.Node, n) })
	switch {
	case found && v[i].Counter >= d.Counter:
		return v
	case found:
		out := slices.Clone(v)
		out[i].Counter = d.Counter
		return out
	}
	out := make(VV, 0, len(v)+1)
	out = append(out, v[:i]...)
	out = append(out, Entry(d))
	return append(out, v[i:]...)
}

// Descends reports whether v has seen everything o has (v >= o pointwise).
func (v VV) Descends(o VV) bool {
	for _, e := range o {
		if v.Get(e.Node) < e.Counter {
			return false
		}
	}
	return true
}

// Equal reports whether v and o are the same vector.
func (v VV) Equal(o VV) bool {
	if len(v) != len(o) {
		return false
	}
	for i := range v {
		if v[i] != o[i] {
			return false
		}
	}
	return true
}

// valid reports whether v is in canonical form.
func (v VV) valid() bool {
	for i, e := range v {
		if e.Counter == 0 || e.Node == "" || (i > 0 && v[i-1].Node >= e.Node) {
			return false
		}
	}
	return true
}
