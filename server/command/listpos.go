package command

import (
	"hash/fnv"
	"math"

	"github.com/ringkv/ringkv/replica/version"
)

// List positions. A list element is an element record whose member is a
// position identifier: members sort in byte order, and that order is the
// list's order. An identifier is a position p followed by a tag naming the
// command that made it (the dot of its header write: actor and counter),
// so two coordinators that pick the same p for concurrent pushes still
// make two distinct elements, ordered by their tags the same way on every
// replica.
//
// Every identifier byte is in [1, 255] and an identifier's last byte is at
// least 2 (the tag's last byte). With that alphabet there is always a
// byte string strictly between two identifiers (between), because a
// position can be extended past the shorter one.
//
// The common cases stay short: p is usually an integer in an
// order-preserving, prefix-free encoding (posInt); RPUSH takes the last
// element's integer plus one, LPUSH the first's minus one, LINSERT the
// midpoint of its neighbours' integers when they differ by two or more.
// Only LINSERT between adjacent integers extends the position past the
// integer (a byte or so per such insert).

// posInt encodes n so that byte order is integer order and no encoding is
// a prefix of another: a header byte 0x80+k (n >= 0) or 0x80-k (n < 0),
// k the number of base-255 digits of |n|, then the digits big-endian,
// stored as digit+1 (n >= 0) or 255-digit (n < 0, so that a larger
// magnitude sorts first). Every byte is in [1, 255].
func posInt(n int64) []byte {
	neg := n < 0
	var mag uint64
	if neg {
		mag = uint64(-(n + 1)) + 1 // |MinInt64| without overflow
	} else {
		mag = uint64(n)
	}
	var digits [9]byte
	k := 0
	for {
		digits[k] = byte(mag % 255)
		mag /= 255
		k++
		if mag == 0 {
			break
		}
	}
	out := make([]byte, 0, k+1)
	if neg {
		out = append(out, byte(0x80-k))
	} else {
		out = append(out, byte(0x80+k))
	}
	for i := k - 1; i >= 0; i-- {
		if neg {
			out = append(out, 255-digits[i])
		} else {
			out = append(out, digits[i]+1)
		}
	}
	return out
}

// posHead decodes the integer an identifier starts with, if it starts
// with posInt's canonical encoding of one (no leading zero digit).
func posHead(id []byte) (int64, bool) {
	if len(id) == 0 {
		return 0, false
	}
	h := int(id[0])
	neg := h < 0x80
	k := h - 0x80
	if neg {
		k = 0x80 - h
	}
	if k < 1 || k > 8 || len(id) < 1+k || (neg && k == 1 && id[1] == 255) { // "-0"
		return 0, false
	}
	var mag uint64
	for i := 1; i <= k; i++ {
		var d uint64
		if neg {
			d = uint64(255 - id[i])
		} else {
			if id[i] == 0 {
				return 0, false
			}
			d = uint64(id[i] - 1)
		}
		if d > 254 || (i == 1 && d == 0 && k > 1) {
			return 0, false
		}
		if mag > (math.MaxUint64-d)/255 {
			return 0, false
		}
		mag = mag*255 + d
	}
	if neg {
		if mag > 1<<63 {
			return 0, false
		}
		return int64(-mag), true // -(1<<63) wraps to MinInt64
	}
	if mag > math.MaxInt64 {
		return 0, false
	}
	return int64(mag), true
}

// posAfter returns a position p with last < p+tag for every tag: the
// position of an element pushed after last (nil: the list is empty).
func posAfter(last []byte) []byte {
	if last == nil {
		return posInt(0)
	}
	if n, ok := posHead(last); ok && n < math.MaxInt64 {
		return posInt(n + 1)
	}
	return bytesAfter(last)
}

// posBefore returns a position p with p+tag < first for every tag: the
// position of an element pushed before first (nil: the list is empty).
func posBefore(first []byte) []byte {
	if first == nil {
		return posInt(0)
	}
	if n, ok := posHead(first); ok && n > math.MinInt64 {
		return posInt(n - 1)
	}
	return bytesBefore(first)
}

// posBetween returns a position p with a < p+tag < b for every tag; a nil
// a is the list's start, a nil b its end. a < b.
func posBetween(a, b []byte) []byte {
	switch {
	case a == nil:
		return posBefore(b)
	case b == nil:
		return posAfter(a)
	}
	na, oka := posHead(a)
	nb, okb := posHead(b)
	if oka && okb && nb > na && uint64(nb-na) >= 2 {
		return posInt(na + int64(uint64(nb-na)/2))
	}
	return bytesBetween(a, b)
}

// bytesBetween is posBetween over any identifiers (a < b): at the first
// byte where they differ, a byte strictly between theirs if there is one,
// else a's prefix through that byte extended past a.
func bytesBetween(a, b []byte) []byte {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(a) { // a is a proper prefix of b
		return append(clone(a), bytesBefore(b[i:])...)
	}
	if int(b[i])-int(a[i]) >= 2 {
		return append(clone(a[:i]), byte((int(a[i])+int(b[i]))/2))
	}
	return append(clone(a[:i+1]), bytesAfter(a[i+1:])...)
}

// bytesAfter returns q > r, not necessarily an integer position: r up to
// its first byte below 255, that byte raised halfway to 256 (or r plus
// 0x80 when every byte is 255).
func bytesAfter(r []byte) []byte {
	for j, c := range r {
		if c < 255 {
			return append(clone(r[:j]), byte((int(c)+256)/2))
		}
	}
	return append(clone(r), 0x80)
}

// bytesBefore returns a non-empty q < r that is not a prefix of r (so q
// plus anything stays below r): r up to its first byte of 2 or more, that
// byte halved; a byte too small to halve (2, 3) becomes 1 followed by
// 0x80, leaving room for the next inserts at the same place (else each
// would add a byte). r ends with a byte >= 2 (an identifier's suffix).
func bytesBefore(r []byte) []byte {
	for j, c := range r {
		switch {
		case c >= 4:
			return append(clone(r[:j]), c/2)
		case c >= 2:
			return append(clone(r[:j]), 1, 0x80)
		}
	}
	// Unreachable for identifiers; keep the order anyway by going below r
	// as far as the alphabet allows.
	return append(clone(r), 1)
}

// posTag is the identifier suffix of the elements one command makes: the
// FNV-64 of the header write's actor (9 base-254 digits), its counter
// (base-254 digits), and the counter's digit count + 2, so the tag reads
// back from the end and two distinct dots never yield one identifier.
// Every byte is in [2, 255].
func posTag(d version.Dot) []byte {
	h := fnv.New64a()
	h.Write([]byte(d.Node))
	out := make([]byte, 0, 20)
	out = appendBase254(out, h.Sum64(), 9)
	n := len(out)
	out = appendBase254(out, d.Counter, 0)
	return append(out, byte(len(out)-n+2))
}

// appendBase254 appends v's base-254 digits (as digit+2) big-endian, at
// least width of them.
func appendBase254(b []byte, v uint64, width int) []byte {
	var digits [9]byte
	k := 0
	for v > 0 || k < width || k == 0 {
		digits[k] = byte(v%254) + 2
		v /= 254
		k++
	}
	for i := k - 1; i >= 0; i-- {
		b = append(b, digits[i])
	}
	return b
}

// posID is an identifier: position p then tag.
func posID(p, tag []byte) []byte {
	return append(clone(p), tag...)
}
