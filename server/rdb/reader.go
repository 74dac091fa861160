package rdb

import (
	"encoding/binary"
	"strconv"
)

// Reader reads RDB lengths and strings. The first failure sticks: every
// later read returns zero values, and Bad reports it.
type Reader struct {
	b   []byte
	bad bool
}

// NewReader reads b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Bad reports whether a read failed (or Fail was called).
func (r *Reader) Bad() bool { return r.bad }

// Rest is what is left to read (nil after a failure).
func (r *Reader) Rest() []byte { return r.b }

// Fail marks the input bad, as a failed read does.
func (r *Reader) Fail() { r.bad, r.b = true, nil }

// Take returns the next n bytes.
func (r *Reader) Take(n uint64) []byte {
	if r.bad || n > uint64(len(r.b)) {
		r.Fail()
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

// Byte returns the next byte.
func (r *Reader) Byte() byte {
	if b := r.Take(1); b != nil {
		return b[0]
	}
	return 0
}

// LenOrEnc reads an RDB length; enc reports an 11xxxxxx special string
// encoding, whose number is then returned.
func (r *Reader) LenOrEnc() (n uint64, enc bool) {
	b := r.Byte()
	switch b >> 6 {
	case 0:
		return uint64(b & 0x3f), false
	case 1:
		return uint64(b&0x3f)<<8 | uint64(r.Byte()), false
	case 3:
		return uint64(b & 0x3f), true
	}
	switch b {
	case 0x80:
		if v := r.Take(4); v != nil {
			return uint64(binary.BigEndian.Uint32(v)), false
		}
	case 0x81:
		if v := r.Take(8); v != nil {
			return binary.BigEndian.Uint64(v), false
		}
	default:
		r.Fail()
	}
	return 0, false
}

// Len reads a plain length.
func (r *Reader) Len() uint64 {
	n, enc := r.LenOrEnc()
	if enc {
		r.Fail()
	}
	return n
}

// Count reads a collection's element count; each element takes at least
// min bytes, so a count the rest of the input cannot hold fails here,
// before anything is allocated for it.
func (r *Reader) Count(min int) int {
	n := r.Len()
	if n == 0 || n > uint64(len(r.b)/min) {
		r.Fail()
		return 0
	}
	return int(n)
}

// Str reads an RDB string: raw, integer-encoded or LZF-compressed.
func (r *Reader) Str() []byte {
	n, enc := r.LenOrEnc()
	if !enc {
		return r.Take(n)
	}
	switch n {
	case 0:
		return strconv.AppendInt(nil, int64(int8(r.Byte())), 10)
	case 1:
		if v := r.Take(2); v != nil {
			return strconv.AppendInt(nil, int64(int16(binary.LittleEndian.Uint16(v))), 10)
		}
	case 2:
		if v := r.Take(4); v != nil {
			return strconv.AppendInt(nil, int64(int32(binary.LittleEndian.Uint32(v))), 10)
		}
	case 3:
		clen, ulen := r.Len(), r.Len()
		in := r.Take(clen)
		if r.bad {
			return nil
		}
		out, ok := DecompressLZF(in, ulen)
		if !ok {
			r.Fail()
		}
		return out
	default:
		r.Fail()
	}
	return nil
}
