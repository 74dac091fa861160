package command

import (
	"encoding/binary"
	"errors"
	"hash/crc64"
	"strconv"

	"github.com/ringkv/ringkv/resp"
)

// The RDB codec of DUMP and RESTORE: pure functions from one key's value
// to Redis's serialization and back. A DUMP payload is an RDB object (type
// byte, then the object), the RDB version (2 bytes, little-endian) and a
// CRC-64/Jones of everything before it (8 bytes, little-endian). This file
// holds the envelope, lengths and strings (with LZF); rdbpack.go the
// packed encodings (listpack, ziplist, intset); rdbobj.go the objects.
// Decoding never panics and bounds every allocation by the input's size.

// rdbVersion is the RDB version DUMP writes and the newest RESTORE reads
// (Redis 7.0's).
const rdbVersion = 10

// Errors of RESTORE's payload, with Redis's texts.
var (
	errDumpPayload = errors.New("ERR DUMP payload version or checksum are wrong")
	errBadData     = errors.New("ERR Bad data format")
)

// rdbCRC is the CRC-64 Redis uses (Jones polynomial, reflected).
var rdbCRC = crc64.MakeTable(0x95ac9329ac4bc9b5)

// crc64Jones is Redis's crc64(0, b): no initial or final inversion.
func crc64Jones(b []byte) uint64 { return ^crc64.Update(^uint64(0), rdbCRC, b) }

// sealDump appends the version and checksum to an RDB object.
func sealDump(obj []byte) []byte {
	obj = binary.LittleEndian.AppendUint16(obj, rdbVersion)
	return binary.LittleEndian.AppendUint64(obj, crc64Jones(obj))
}

// openDump checks a payload's version and checksum (Redis's
// verifyDumpPayload) and returns the RDB object it holds.
func openDump(p []byte) ([]byte, error) {
	if len(p) < 10 {
		return nil, errDumpPayload
	}
	n := len(p)
	if binary.LittleEndian.Uint16(p[n-10:]) > rdbVersion ||
		binary.LittleEndian.Uint64(p[n-8:]) != crc64Jones(p[:n-8]) {
		return nil, errDumpPayload
	}
	return p[:n-10], nil
}

// appendRDBLen appends an RDB length.
func appendRDBLen(out []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(out, byte(n))
	case n < 1<<14:
		return append(out, byte(n>>8)|0x40, byte(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(out, 0x80), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(out, 0x81), n)
}

// appendRDBString appends s as Redis's rdbSaveRawString does without
// compression: a canonical integer that fits in 32 bits as an integer
// encoding, anything else as length and bytes.
func appendRDBString(out, s []byte) []byte {
	if len(s) <= 11 {
		if v, ok := resp.ParseInt(s); ok {
			switch {
			case v == int64(int8(v)):
				return append(out, 0xc0, byte(v))
			case v == int64(int16(v)):
				return binary.LittleEndian.AppendUint16(append(out, 0xc1), uint16(v))
			case v == int64(int32(v)):
				return binary.LittleEndian.AppendUint32(append(out, 0xc2), uint32(v))
			}
		}
	}
	return append(appendRDBLen(out, uint64(len(s))), s...)
}

// rdbReader reads an RDB object. The first failure sticks: every later
// read returns zero values, and bad reports it.
type rdbReader struct {
	b   []byte
	bad bool
}

func (r *rdbReader) fail() { r.bad, r.b = true, nil }

// take returns the next n bytes.
func (r *rdbReader) take(n uint64) []byte {
	if r.bad || n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *rdbReader) byte() byte {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

// lenOrEnc reads an RDB length; enc reports an 11xxxxxx special string
// encoding, whose number is then returned.
func (r *rdbReader) lenOrEnc() (n uint64, enc bool) {
	b := r.byte()
	switch b >> 6 {
	case 0:
		return uint64(b & 0x3f), false
	case 1:
		return uint64(b&0x3f)<<8 | uint64(r.byte()), false
	case 3:
		return uint64(b & 0x3f), true
	}
	switch b {
	case 0x80:
		if v := r.take(4); v != nil {
			return uint64(binary.BigEndian.Uint32(v)), false
		}
	case 0x81:
		if v := r.take(8); v != nil {
			return binary.BigEndian.Uint64(v), false
		}
	default:
		r.fail()
	}
	return 0, false
}

// len reads a plain length.
func (r *rdbReader) len() uint64 {
	n, enc := r.lenOrEnc()
	if enc {
		r.fail()
	}
	return n
}

// count reads a collection's element count; each element takes at least
// min bytes, so a count the rest of the input cannot hold fails here,
// before anything is allocated for it.
func (r *rdbReader) count(min int) int {
	n := r.len()
	if n == 0 || n > uint64(len(r.b)/min) {
		r.fail()
		return 0
	}
	return int(n)
}

// str reads an RDB string: raw, integer-encoded or LZF-compressed.
func (r *rdbReader) str() []byte {
	n, enc := r.lenOrEnc()
	if !enc {
		return r.take(n)
	}
	switch n {
	case 0:
		return strconv.AppendInt(nil, int64(int8(r.byte())), 10)
	case 1:
		if v := r.take(2); v != nil {
			return strconv.AppendInt(nil, int64(int16(binary.LittleEndian.Uint16(v))), 10)
		}
	case 2:
		if v := r.take(4); v != nil {
			return strconv.AppendInt(nil, int64(int32(binary.LittleEndian.Uint32(v))), 10)
		}
	case 3:
		clen, ulen := r.len(), r.len()
		in := r.take(clen)
		if r.bad {
			return nil
		}
		out, ok := lzfDecompress(in, ulen)
		if !ok {
			r.fail()
		}
		return out
	default:
		r.fail()
	}
	return nil
}

// lzfMaxRatio bounds how much LZF can expand: a 3-byte back reference
// yields at most 264 bytes.
const lzfMaxRatio = 88

// lzfDecompress is liblzf's decoder; the output must be exactly size
// bytes (Redis's rdbLoadLzfStringObject).
func lzfDecompress(in []byte, size uint64) ([]byte, bool) {
	if size == 0 || size > uint64(len(in))*lzfMaxRatio+32 {
		return nil, false
	}
	out := make([]byte, 0, size)
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < 32 { // a literal run of ctrl+1 bytes
			n := ctrl + 1
			if i+n > len(in) || uint64(len(out)+n) > size {
				return nil, false
			}
			out = append(out, in[i:i+n]...)
			i += n
			continue
		}
		n := ctrl >> 5
		if n == 7 {
			if i >= len(in) {
				return nil, false
			}
			n += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, false
		}
		ref := len(out) - ((ctrl & 0x1f) << 8) - int(in[i]) - 1
		i++
		n += 2
		if ref < 0 || uint64(len(out)+n) > size {
			return nil, false
		}
		for k := 0; k < n; k++ { // byte by byte: the source may overlap the output
			out = append(out, out[ref+k])
		}
	}
	return out, uint64(len(out)) == size
}
