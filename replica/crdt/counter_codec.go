package crdt

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/ringkv/ringkv/replica/version"
)

// errMalformed is DecodeCounter's error for bytes AppendBinary did not make.
var errMalformed = errors.New("crdt: malformed counter payload")

// Payload mode bytes (stored: never renumber).
const (
	modeInt   byte = 1
	modeFloat byte = 2
)

// AppendBinary appends c's encoding to b: mode, base, stamp, then the seen
// and absorbed totals, each sorted by actor, then the removed totals if
// there are any (a payload without them encodes as before they existed).
// While the encoders write version.FormatLegacy (version.WritesRemovals)
// the removed totals are joined into the absorbed ones instead: the
// payload's value is the same, its bytes are what a FormatLegacy node
// decodes, and what a DEL removed counts again if a concurrent base wins
// (the double count of releases before removal records).
func (c Counter) AppendBinary(b []byte) []byte {
	if len(c.removed) > 0 && !version.WritesRemovals() {
		c.absorbed, c.removed = joinTotals(c.absorbed, c.removed), nil
	}
	if c.float {
		b = append(b, modeFloat)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.baseF))
	} else {
		b = append(b, modeInt)
		b = binary.AppendVarint(b, c.base)
	}
	b = binary.AppendVarint(b, c.stamp.Time)
	b = appendString(b, c.stamp.Node)
	b = binary.AppendUvarint(b, c.stamp.Counter)
	b = c.appendTotals(b, c.seen)
	b = c.appendTotals(b, c.absorbed)
	if len(c.removed) > 0 {
		b = c.appendTotals(b, c.removed)
	}
	return b
}

func (c Counter) appendTotals(b []byte, ts []total) []byte {
	b = binary.AppendUvarint(b, uint64(len(ts)))
	for _, t := range ts {
		b = appendString(b, t.actor)
		if c.float {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(t.pf))
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(t.nf))
		} else {
			b = binary.AppendUvarint(b, t.p)
			b = binary.AppendUvarint(b, t.n)
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// DecodeCounter decodes a payload AppendBinary made, with or without
// removed totals. It refuses trailing bytes, an empty removed list,
// unsorted or repeated actors, NaN and negative float totals.
func DecodeCounter(b []byte) (Counter, error) {
	d := decoder{b: b}
	var c Counter
	switch d.byte() {
	case modeInt:
		c.base = d.varint()
	case modeFloat:
		c.float = true
		c.baseF = d.float()
		if math.IsNaN(c.baseF) {
			d.fail()
		}
	default:
		d.fail()
	}
	c.stamp.Time = d.varint()
	c.stamp.Node = d.string()
	c.stamp.Counter = d.uvarint()
	c.seen = d.totals(c.float)
	c.absorbed = d.totals(c.float)
	if len(d.b) > 0 && !d.bad {
		if c.removed = d.totals(c.float); len(c.removed) == 0 {
			d.fail() // an empty list is written as none
		}
	}
	if d.bad || len(d.b) != 0 {
		return Counter{}, errMalformed
	}
	return c, nil
}

// decoder reads fields off b; after the first error every read is zero.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) fail() { d.bad, d.b = true, nil }

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) float() float64 {
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return f
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) totals(float bool) []total {
	n := d.uvarint()
	if n > uint64(len(d.b)) { // every total takes at least a byte
		d.fail()
		return nil
	}
	var ts []total
	for i := uint64(0); i < n && !d.bad; i++ {
		t := total{actor: d.string()}
		if float {
			t.pf, t.nf = d.float(), d.float()
			if !(t.pf >= 0) || !(t.nf >= 0) {
				d.fail()
			}
		} else {
			t.p, t.n = d.uvarint(), d.uvarint()
		}
		if len(ts) > 0 && ts[len(ts)-1].actor >= t.actor {
			d.fail()
		}
		ts = append(ts, t)
	}
	return ts
}
