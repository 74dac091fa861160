package ring

import (
	"bytes"
	"encoding/binary"
)

// Internal keys. The layers below the command layer store records under
// internal keys: a user key that does not start with 0xFF is its own
// internal key (so existing data is unchanged), one that does is escaped
// as 0xFF 0x00 key, and a collection's element record (a hash field, a
// set member, a list position) is
//
//	0xFF kind uvarint(len(key)) key member
//
// where kind is an element kind byte (ElemHash ...), never 0x00. Records
// of one collection therefore share a prefix (ElementPrefix) and, through
// Hash, a placement hash: they sort together in storage and live on the
// same replicas as the collection's header record (the user key itself).
const internalMark = 0xFF

// Element kinds: the byte after the mark in an element record's key.
const (
	ElemHash   byte = 'h'
	ElemSet    byte = 's'
	ElemZSet   byte = 'z'
	ElemList   byte = 'l'
	ElemStream byte = 'x'
)

// InternalKey returns the internal key of user key k (k itself unless it
// starts with 0xFF).
func InternalKey(k []byte) []byte {
	if len(k) == 0 || k[0] != internalMark {
		return k
	}
	return append([]byte{internalMark, 0}, k...)
}

// UserKey returns the user key whose internal key is ik; ok is false for
// an element record (or a malformed internal key).
func UserKey(ik []byte) (k []byte, ok bool) {
	if len(ik) == 0 || ik[0] != internalMark {
		return ik, true
	}
	if len(ik) >= 2 && ik[1] == 0 {
		return ik[2:], true
	}
	return nil, false
}

// ElementPrefix is the prefix shared by the element records of kind of
// the collection at user key k.
func ElementPrefix(kind byte, k []byte) []byte {
	b := make([]byte, 0, 2+binary.MaxVarintLen64+len(k))
	b = append(b, internalMark, kind)
	b = binary.AppendUvarint(b, uint64(len(k)))
	return append(b, k...)
}

// ElementKey is the internal key of member's record in the collection of
// kind at user key k.
func ElementKey(kind byte, k, member []byte) []byte {
	return append(ElementPrefix(kind, k), member...)
}

// ParseElement splits an element record's key; ok is false for any other
// internal key.
func ParseElement(ik []byte) (kind byte, k, member []byte, ok bool) {
	if len(ik) < 3 || ik[0] != internalMark || ik[1] == 0 {
		return 0, nil, nil, false
	}
	n, w := binary.Uvarint(ik[2:])
	if w <= 0 || n > uint64(len(ik)-2-w) {
		return 0, nil, nil, false
	}
	rest := ik[2+w:]
	return ik[1], rest[:n], rest[n:], true
}

// IsElement reports whether ik is an element record's key.
func IsElement(ik []byte) bool {
	_, _, _, ok := ParseElement(ik)
	return ok
}

// Owner returns the user key that places internal key ik: the user key
// itself, or an element record's collection. ok is false when ik starts
// with the mark but is neither (it then places as itself).
func Owner(ik []byte) (k []byte, ok bool) {
	if k, ok := UserKey(ik); ok {
		return k, true
	}
	if _, k, _, ok := ParseElement(ik); ok {
		return k, true
	}
	return nil, false
}

// PrefixEnd returns the smallest key greater than every key with prefix
// p, or nil if there is none (p is all 0xFF).
func PrefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
