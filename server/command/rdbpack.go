package command

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"

	"github.com/ringkv/ringkv/resp"
)

// Redis's packed encodings, as RDB strings carry them: listpack (Redis 7),
// ziplist (older versions) and intset. Decoders return nil, false on any
// malformed input; they check what Redis's shallow validation checks
// (header sizes, entries inside the buffer, the end marker), not the
// back-lengths and previous-entry lengths Redis only checks when
// sanitize-dump-payload is on.

// packInt is a listpack's or ziplist's integer entry as a string.
func packInt(v int64) []byte { return strconv.AppendInt(nil, v, 10) }

// signExtend reads the low bits of u as a two's-complement number.
func signExtend(u uint64, bits uint) int64 {
	return int64(u<<(64-bits)) >> (64 - bits)
}

// lpAppendEntry appends one listpack entry: a canonical integer in the
// smallest integer encoding, anything else as a string, then the entry's
// back-length.
func lpAppendEntry(out, s []byte) []byte {
	start := len(out)
	if v, ok := resp.ParseInt(s); ok {
		switch {
		case v >= 0 && v <= 127:
			out = append(out, byte(v))
		case v >= -4096 && v <= 4095:
			u := uint64(v) & 0x1fff
			out = append(out, 0xc0|byte(u>>8), byte(u))
		case v == int64(int16(v)):
			out = binary.LittleEndian.AppendUint16(append(out, 0xf1), uint16(v))
		case v >= -1<<23 && v < 1<<23:
			u := uint32(v)
			out = append(out, 0xf2, byte(u), byte(u>>8), byte(u>>16))
		case v == int64(int32(v)):
			out = binary.LittleEndian.AppendUint32(append(out, 0xf3), uint32(v))
		default:
			out = binary.LittleEndian.AppendUint64(append(out, 0xf4), uint64(v))
		}
	} else {
		switch n := len(s); {
		case n < 64:
			out = append(out, 0x80|byte(n))
		case n < 4096:
			out = append(out, 0xe0|byte(n>>8), byte(n))
		default:
			out = binary.LittleEndian.AppendUint32(append(out, 0xf0), uint32(n))
		}
		out = append(out, s...)
	}
	return lpAppendBacklen(out, uint64(len(out)-start))
}

// lpAppendBacklen appends an entry's length, read backwards: 7 bits a
// byte, most significant first, every byte but the first with bit 7 set.
func lpAppendBacklen(out []byte, l uint64) []byte {
	var tmp [5]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte(l & 127)
		l >>= 7
		if l == 0 || i == 0 {
			break
		}
	}
	for j := i + 1; j < len(tmp); j++ {
		tmp[j] |= 128
	}
	return append(out, tmp[i:]...)
}

// encodeListpack builds a listpack of entries.
func encodeListpack(entries [][]byte) []byte {
	out := make([]byte, 6, 7+16*len(entries))
	for _, e := range entries {
		out = lpAppendEntry(out, e)
	}
	out = append(out, 0xff)
	binary.LittleEndian.PutUint32(out, uint32(len(out)))
	binary.LittleEndian.PutUint16(out[4:], uint16(min(len(entries), 65535)))
	return out
}

// lpBacklenSize is the size of the back-length of an entry of l bytes.
func lpBacklenSize(l int) int {
	switch {
	case l < 128:
		return 1
	case l < 16384:
		return 2
	case l < 2097152:
		return 3
	case l < 268435456:
		return 4
	}
	return 5
}

// decodeListpack returns a listpack's entries.
func decodeListpack(lp []byte) ([][]byte, bool) {
	if len(lp) < 7 || binary.LittleEndian.Uint32(lp) != uint32(len(lp)) || lp[len(lp)-1] != 0xff {
		return nil, false
	}
	var out [][]byte
	p := lp[6 : len(lp)-1]
	for len(p) > 0 {
		e, size, ok := lpEntry(p)
		if !ok {
			return nil, false
		}
		size += lpBacklenSize(size)
		if size > len(p) {
			return nil, false
		}
		out, p = append(out, e), p[size:]
	}
	if n := binary.LittleEndian.Uint16(lp[4:]); n != 65535 && int(n) != len(out) {
		return nil, false
	}
	return out, true
}

// lpEntry decodes the listpack entry at p[0]: its value and its size
// without the back-length.
func lpEntry(p []byte) ([]byte, int, bool) {
	b := p[0]
	fixed := func(n int) ([]byte, bool) {
		if len(p) < 1+n {
			return nil, false
		}
		var u uint64
		for i := n; i >= 1; i-- {
			u = u<<8 | uint64(p[i])
		}
		return packInt(signExtend(u, uint(8*n))), true
	}
	str := func(hdr int, n uint64) ([]byte, int, bool) {
		if n > uint64(len(p)-hdr) {
			return nil, 0, false
		}
		return p[hdr : hdr+int(n)], hdr + int(n), true
	}
	switch {
	case b < 0x80:
		return packInt(int64(b)), 1, true
	case b < 0xc0:
		return str(1, uint64(b&0x3f))
	case b < 0xe0:
		if len(p) < 2 {
			return nil, 0, false
		}
		return packInt(signExtend(uint64(b&0x1f)<<8|uint64(p[1]), 13)), 2, true
	case b < 0xf0:
		if len(p) < 2 {
			return nil, 0, false
		}
		return str(2, uint64(b&0x0f)<<8|uint64(p[1]))
	case b == 0xf0:
		if len(p) < 5 {
			return nil, 0, false
		}
		return str(5, uint64(binary.LittleEndian.Uint32(p[1:])))
	case b >= 0xf1 && b <= 0xf4:
		n := map[byte]int{0xf1: 2, 0xf2: 3, 0xf3: 4, 0xf4: 8}[b]
		v, ok := fixed(n)
		return v, 1 + n, ok
	}
	return nil, 0, false
}

// decodeZiplist returns a ziplist's entries (Redis before 7).
func decodeZiplist(zl []byte) ([][]byte, bool) {
	if len(zl) < 11 || binary.LittleEndian.Uint32(zl) != uint32(len(zl)) || zl[len(zl)-1] != 0xff {
		return nil, false
	}
	var out [][]byte
	tail := int(binary.LittleEndian.Uint32(zl[4:])) // the last entry's offset
	last := 10
	p := zl[10 : len(zl)-1]
	for len(p) > 0 {
		last = len(zl) - 1 - len(p)
		if p[0] == 0xfe { // prevlen: 1 byte, or 0xfe and 4 bytes
			if len(p) < 5 {
				return nil, false
			}
			p = p[5:]
		} else {
			p = p[1:]
		}
		if len(p) == 0 {
			return nil, false
		}
		e, size, ok := zlEntry(p)
		if !ok {
			return nil, false
		}
		out, p = append(out, e), p[size:]
	}
	if n := binary.LittleEndian.Uint16(zl[8:]); (n != 65535 && int(n) != len(out)) || tail != last {
		return nil, false
	}
	return out, true
}

// zlEntry decodes the ziplist entry encoding and data at p[0].
func zlEntry(p []byte) ([]byte, int, bool) {
	b := p[0]
	str := func(hdr int, n uint64) ([]byte, int, bool) {
		if len(p) < hdr || n > uint64(len(p)-hdr) {
			return nil, 0, false
		}
		return p[hdr : hdr+int(n)], hdr + int(n), true
	}
	integer := func(n int) ([]byte, int, bool) {
		if len(p) < 1+n {
			return nil, 0, false
		}
		var u uint64
		for i := n; i >= 1; i-- {
			u = u<<8 | uint64(p[i])
		}
		return packInt(signExtend(u, uint(8*n))), 1 + n, true
	}
	switch {
	case b>>6 == 0:
		return str(1, uint64(b&0x3f))
	case b>>6 == 1:
		if len(p) < 2 {
			return nil, 0, false
		}
		return str(2, uint64(b&0x3f)<<8|uint64(p[1]))
	case b == 0x80:
		if len(p) < 5 {
			return nil, 0, false
		}
		return str(5, uint64(binary.BigEndian.Uint32(p[1:])))
	case b == 0xc0:
		return integer(2)
	case b == 0xd0:
		return integer(4)
	case b == 0xe0:
		return integer(8)
	case b == 0xf0:
		return integer(3)
	case b == 0xfe:
		return integer(1)
	case b > 0xf0 && b < 0xfe:
		return packInt(int64(b&0x0f) - 1), 1, true
	}
	return nil, 0, false
}

// encodeIntset builds an intset of vs (sorted, distinct), in the
// narrowest width that holds them all.
func encodeIntset(vs []int64) []byte {
	width := 2
	for _, v := range vs {
		switch {
		case v != int64(int32(v)):
			width = 8
		case v != int64(int16(v)):
			width = max(width, 4)
		}
	}
	out := binary.LittleEndian.AppendUint32(nil, uint32(width))
	out = binary.LittleEndian.AppendUint32(out, uint32(len(vs)))
	for _, v := range vs {
		switch width {
		case 2:
			out = binary.LittleEndian.AppendUint16(out, uint16(v))
		case 4:
			out = binary.LittleEndian.AppendUint32(out, uint32(v))
		default:
			out = binary.LittleEndian.AppendUint64(out, uint64(v))
		}
	}
	return out
}

// decodeIntset returns an intset's members as strings.
func decodeIntset(is []byte) ([][]byte, bool) {
	if len(is) < 8 {
		return nil, false
	}
	width := binary.LittleEndian.Uint32(is)
	n := uint64(binary.LittleEndian.Uint32(is[4:]))
	if (width != 2 && width != 4 && width != 8) || uint64(len(is)-8) != n*uint64(width) {
		return nil, false
	}
	out := make([][]byte, 0, n)
	vs := make([]int64, 0, n)
	for p := is[8:]; len(p) > 0; p = p[width:] {
		var v int64
		switch width {
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(p)))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(p)))
		default:
			v = int64(binary.LittleEndian.Uint64(p))
		}
		vs = append(vs, v)
		out = append(out, packInt(v))
	}
	if !slices.IsSorted(vs) || len(slices.Compact(slices.Clone(vs))) != len(vs) {
		return nil, false // Redis's intsetValidateIntegrity: ascending, no duplicates
	}
	return out, true
}

// d2string formats a score as Redis's d2string does (listpack zsets hold
// scores so): integral values in (-2^52, 2^52) as integers, others as
// %.17g.
func d2string(v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return []byte("inf")
	case math.IsInf(v, -1):
		return []byte("-inf")
	case v == 0 && math.Signbit(v):
		return []byte("-0")
	case v > -4503599627370495 && v < 4503599627370496 && v == math.Trunc(v):
		return strconv.AppendInt(nil, int64(v), 10)
	}
	return strconv.AppendFloat(nil, v, 'g', 17, 64)
}
