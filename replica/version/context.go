package version

import (
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"slices"
)

// Context is a causal history: every write of each node up to VV[node],
// plus the single writes in Dots beyond that. The dots are what a plain
// version vector cannot say: "saw (a,2) but not (a,1)", which is what a
// writer knows right after a blind write next to a sibling it never saw.
// Contexts are kept normalised: no dot the VV covers, none that extends
// the VV contiguously.
type Context struct {
	VV   VV
	Dots []Dot // sorted, each beyond VV[node]+1
}

// Covers reports whether the write d is in the history.
func (c Context) Covers(d Dot) bool {
	if c.VV.Covers(d) {
		return true
	}
	_, found := slices.BinarySearchFunc(c.Dots, d, cmpDot)
	return found
}

// Max returns the highest counter of node the history knows.
func (c Context) Max(node string) uint64 {
	m := c.VV.Get(node)
	for _, d := range c.Dots {
		if d.Node == node {
			m = max(m, d.Counter)
		}
	}
	return m
}

// IsZero reports whether the history is empty.
func (c Context) IsZero() bool { return len(c.VV) == 0 && len(c.Dots) == 0 }

// Join returns the union of both histories.
func (c Context) Join(o Context) Context {
	if len(c.Dots) == 0 && len(o.Dots) == 0 {
		return Context{VV: c.VV.Join(o.VV)}
	}
	dots := append(slices.Clone(c.Dots), o.Dots...)
	slices.SortFunc(dots, cmpDot)
	return normalize(c.VV.Join(o.VV), slices.Compact(dots))
}

// With returns the history plus the single write d.
func (c Context) With(d Dot) Context {
	if c.VV.Get(d.Node)+1 == d.Counter && len(c.Dots) == 0 {
		return Context{VV: c.VV.With(d)}
	}
	return c.Join(Context{Dots: []Dot{d}})
}

// Descends reports whether c has seen everything o has. (A normalised c
// holds no dot right after its VV, so its VV alone must reach o's.)
func (c Context) Descends(o Context) bool {
	for _, e := range o.VV {
		if c.VV.Get(e.Node) < e.Counter {
			return false
		}
	}
	for _, d := range o.Dots {
		if !c.Covers(d) {
			return false
		}
	}
	return true
}

// Equal reports whether both are the same normalised history.
func (c Context) Equal(o Context) bool {
	return c.VV.Equal(o.VV) && slices.Equal(c.Dots, o.Dots)
}

// normalize folds dots into vv where they extend it and drops those it
// covers. dots must be sorted and unique.
func normalize(vv VV, dots []Dot) Context {
	var keep []Dot
	for _, d := range dots {
		switch have := vv.Get(d.Node); {
		case d.Counter <= have:
		case d.Counter == have+1:
			vv = vv.With(d)
		default:
			keep = append(keep, d)
		}
	}
	// A fold may make an earlier-kept dot of the same node contiguous.
	if len(keep) > 0 && len(keep) < len(dots) {
		return normalize(vv, keep)
	}
	return Context{VV: vv, Dots: keep}
}

func cmpDot(a, b Dot) int {
	switch {
	case a == b:
		return 0
	case a.Less(b):
		return -1
	}
	return 1
}

func (c Context) valid() bool {
	if !c.VV.valid() {
		return false
	}
	for i, d := range c.Dots {
		if d.Node == "" || d.Counter <= c.VV.Get(d.Node)+1 || (i > 0 && !c.Dots[i-1].Less(d)) {
			return false
		}
	}
	return true
}

func (c Context) appendBinary(dst []byte) []byte {
	dst = c.VV.appendBinary(dst)
	dst = binary.AppendUvarint(dst, uint64(len(c.Dots)))
	for _, d := range c.Dots {
		dst = appendString(dst, d.Node)
		dst = binary.AppendUvarint(dst, d.Counter)
	}
	return dst
}

func (d *decoder) context() Context {
	var c Context
	c.VV = d.vv()
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail()
		return Context{}
	}
	for i := uint64(0); i < n; i++ {
		c.Dots = append(c.Dots, Dot{Node: d.string(), Counter: d.uvarint()})
	}
	if d.err == nil && !c.valid() {
		d.fail()
	}
	return c
}

// contextFormat is the first byte of a decoded context token.
const contextFormat = 1

// maxContextLen bounds what DecodeContext accepts, in encoded characters.
const maxContextLen = 64 << 10

// EncodeContext renders c as an opaque, printable token (URL-safe base64
// of a format byte, the history and a CRC-32), safe to copy from
// redis-cli. The empty history encodes as "".
func EncodeContext(c Context) string {
	if c.IsZero() {
		return ""
	}
	b := c.appendBinary([]byte{contextFormat})
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeContext parses a token made by EncodeContext on any node. Anything
// else, including a token altered in transit, yields ErrBadContext.
func DecodeContext(s string) (Context, error) {
	if len(s) > maxContextLen {
		return Context{}, ErrBadContext
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 7 || b[0] != contextFormat {
		return Context{}, ErrBadContext
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return Context{}, ErrBadContext
	}
	d := decoder{b: body[1:]}
	c := d.context()
	if d.err != nil || len(d.b) != 0 || c.IsZero() {
		return Context{}, ErrBadContext
	}
	return c, nil
}
