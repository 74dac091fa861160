package version

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Errors returned by the decoders.
var (
	ErrCorrupt    = errors.New("version: corrupt sibling set encoding")
	ErrBadContext = errors.New("version: malformed context")
)

// setFormat is the first byte of an encoded Set; bump it when the layout
// changes and keep decoding the old one.
const setFormat = 1

const (
	flagTombstone = 1 << iota
	flagExpiry
	flagKind // a Kind byte follows the flags
	flagEnc0 // bits 3-4: the sibling's StrEnc (0, none, in older encodings)
	flagEnc1
)

const (
	flagEncShift = 3
	flagEncMask  = flagEnc0 | flagEnc1
)

// AppendBinary appends s's encoding to dst: a format byte, then per sibling
// its dot, flags (with its StrEnc), an optional kind (a value that is not a
// plain string, or a tombstone keeping a removal record), time, optional
// expiry, past and value (none for a plain tombstone). Sets without
// removal records encode as before they existed, and so do sets with
// them while the encoders write FormatLegacy (WritesRemovals, format.go):
// their tombstones are encoded as plain ones.
func (s Set) AppendBinary(dst []byte) []byte {
	rec := WritesRemovals()
	dst = append(dst, setFormat)
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	for i := range s {
		dst = s[i].appendHeader(dst, rec) // bigval_stream.go
		if s[i].encValue(rec) {
			dst = append(dst, s[i].Value...)
		}
	}
	return dst
}

// DecodeSet decodes an encoding made by AppendBinary. Values alias b.
func DecodeSet(b []byte) (Set, error) {
	d := decoder{b: b}
	if d.byte() != setFormat {
		return nil, fmt.Errorf("%w: unknown format", ErrCorrupt)
	}
	n := d.uvarint()
	if d.err != nil || n > uint64(len(b)) {
		return nil, ErrCorrupt
	}
	s := make(Set, n)
	for i := range s {
		sb := &s[i]
		sb.Dot.Node = d.string()
		sb.Dot.Counter = d.uvarint()
		flags := d.byte()
		sb.Tombstone = flags&flagTombstone != 0
		if flags&flagKind != 0 {
			sb.Kind = Kind(d.byte())
			if sb.Kind == KindString {
				d.fail()
			}
		}
		sb.Enc = StrEnc(flags & flagEncMask >> flagEncShift)
		if flags&^(flagTombstone|flagExpiry|flagKind|flagEncMask) != 0 || sb.Enc >= strEncLimit ||
			(sb.Enc != StrEncAuto && sb.Tombstone) {
			d.fail()
		}
		sb.Time = d.varint()
		if flags&flagExpiry != 0 {
			sb.Expiry = d.varint()
		}
		sb.Past = d.context()
		if sb.hasValue() {
			sb.Value = d.bytes()
			if sb.Value == nil && d.err == nil {
				sb.Value = []byte{}
			}
		}
		if d.err == nil && (sb.Dot.Node == "" || sb.Dot.Counter == 0 || (i > 0 && !s[i-1].Dot.Less(sb.Dot))) {
			d.err = ErrCorrupt
		}
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, ErrCorrupt
	}
	return s, nil
}

func (v VV) appendBinary(dst []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(v)))
	for _, e := range v {
		dst = appendString(dst, e.Node)
		dst = binary.AppendUvarint(dst, e.Counter)
	}
	return dst
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// decoder reads varint-framed fields, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() { d.err, d.b = ErrCorrupt, nil }

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
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

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string { return string(d.bytes()) }

func (d *decoder) vv() VV {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	var v VV
	if n > 0 {
		v = make(VV, n)
	}
	for i := range v {
		v[i].Node = d.string()
		v[i].Counter = d.uvarint()
	}
	if d.err == nil && !v.valid() {
		d.fail()
	}
	return v
}
