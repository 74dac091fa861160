package version

import (
	"encoding/binary"
	"io"
	"math/bits"
)

// Streaming a large set's encoding. AppendBinary builds the whole
// encoding in one buffer: for a set holding a 512 MB value that is a
// second copy of the value next to the set itself. WriteBinary writes the
// same bytes to w with the values written from the siblings' own slices,
// so the only extra memory is one sibling's header at a time; EncodedLen
// says how long the encoding is before it is written (a blob's size and
// checksum, engine/blob.go).

// EncodedLen returns len(s.AppendBinary(nil)) without encoding s (and
// without allocating: every write asks it). Like AppendBinary and
// WriteBinary it reads the write format (WritesRemovals) when called: if
// that changes between a call to EncodedLen and one to WriteBinary (it
// changes once in a process's life, when the last ring member advertises
// FormatRemovals), the two differ by the removal records of s's
// tombstones, if it has any.
func (s Set) EncodedLen() int {
	rec := WritesRemovals()
	n := 1 + uvarintLen(uint64(len(s)))
	for i := range s {
		sb := &s[i]
		n += strLen(sb.Dot.Node) + uvarintLen(sb.Dot.Counter) + 1 + varintLen(sb.Time)
		if sb.encKind(rec) != KindString {
			n++
		}
		if sb.Expiry != 0 {
			n += varintLen(sb.Expiry)
		}
		n += uvarintLen(uint64(len(sb.Past.VV)))
		for _, e := range sb.Past.VV {
			n += strLen(e.Node) + uvarintLen(e.Counter)
		}
		n += uvarintLen(uint64(len(sb.Past.Dots)))
		for _, d := range sb.Past.Dots {
			n += strLen(d.Node) + uvarintLen(d.Counter)
		}
		if sb.encValue(rec) {
			n += uvarintLen(uint64(len(sb.Value))) + len(sb.Value)
		}
	}
	return n
}

// WriteBinary writes s.AppendBinary(nil) to w and returns the bytes
// written; values are written as they are, not copied.
func (s Set) WriteBinary(w io.Writer) (int64, error) {
	rec := WritesRemovals()
	var hdr []byte
	hdr = append(hdr, setFormat)
	hdr = binary.AppendUvarint(hdr, uint64(len(s)))
	var total int64
	for i := range s {
		hdr = s[i].appendHeader(hdr, rec)
		if !s[i].encValue(rec) || len(s[i].Value) == 0 {
			continue // the header alone; the next sibling's follows it
		}
		n, err := w.Write(hdr)
		total += int64(n)
		if err != nil {
			return total, err
		}
		n, err = w.Write(s[i].Value)
		total += int64(n)
		if err != nil {
			return total, err
		}
		hdr = hdr[:0]
	}
	if len(hdr) > 0 {
		n, err := w.Write(hdr)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// appendHeader appends sb's encoding up to its value bytes: its dot,
// flags, kind, times, past and (for a value) the value's length.
func (sb *Sibling) appendHeader(dst []byte, rec bool) []byte {
	kind := sb.encKind(rec)
	dst = appendString(dst, sb.Dot.Node)
	dst = binary.AppendUvarint(dst, sb.Dot.Counter)
	var flags byte
	if sb.Tombstone {
		flags |= flagTombstone
	}
	if sb.Expiry != 0 {
		flags |= flagExpiry
	}
	if kind != KindString {
		flags |= flagKind
	}
	if !sb.Tombstone {
		flags |= byte(sb.Enc) << flagEncShift & flagEncMask
	}
	dst = append(dst, flags)
	if flags&flagKind != 0 {
		dst = append(dst, byte(kind))
	}
	dst = binary.AppendVarint(dst, sb.Time)
	if sb.Expiry != 0 {
		dst = binary.AppendVarint(dst, sb.Expiry)
	}
	dst = sb.Past.appendBinary(dst)
	if sb.encValue(rec) {
		dst = binary.AppendUvarint(dst, uint64(len(sb.Value)))
	}
	return dst
}

// hasValue reports whether sb's encoding carries its Value: a value does,
// and so does a tombstone with a Kind (a removal record, Sibling.Kind);
// a plain tombstone has none.
func (sb *Sibling) hasValue() bool { return !sb.Tombstone || sb.Kind != KindString }

// encKind is the Kind sb is encoded with: a tombstone's removal record
// only when rec (WritesRemovals), else none, as FormatLegacy has it.
func (sb *Sibling) encKind(rec bool) Kind {
	if sb.Tombstone && !rec {
		return KindString
	}
	return sb.Kind
}

// encValue reports whether sb's encoding carries its Value: hasValue,
// with a tombstone's record dropped unless rec.
func (sb *Sibling) encValue(rec bool) bool { return !sb.Tombstone || (rec && sb.Kind != KindString) }

func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

// varintLen is the length of binary.AppendVarint's encoding of v.
func varintLen(v int64) int {
	ux := uint64(v) << 1
	if v < 0 {
		ux = ^ux
	}
	return uvarintLen(ux)
}

// strLen is the length of appendString's encoding of s.
func strLen(s string) int { return uvarintLen(uint64(len(s))) + len(s) }

// DecodeOwnedSet is DecodeSet for a b that is the caller's alone, read
// with spare capacity after its encoding: the last sibling's value (the
// last bytes of the encoding) keeps that capacity, so an APPEND to it
// grows it in place instead of copying the value (a 512 MB value's read
// copy and new value are one buffer). Appending writes only past the
// value's length, so the set as decoded still reads the same; but two
// appends to the same value would share those bytes, so only the one
// owner of b may append.
func DecodeOwnedSet(b []byte) (Set, error) {
	s, err := DecodeSet(b)
	if err != nil || len(s) == 0 {
		return s, err
	}
	if sb := &s[len(s)-1]; !sb.Tombstone {
		sb.Value = b[len(b)-len(sb.Value) : len(b) : cap(b)]
	}
	return s, nil
}
