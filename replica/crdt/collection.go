package crdt

import (
	"encoding/binary"
	"errors"
	"slices"
	"unsafe"

	"github.com/ringkv/ringkv/replica/version"
)

// A collection (hash, set, sorted set, list) is a header record at its
// key plus one element record per field, member or list position
// (cluster/ring.ElementKey). The header's siblings carry the collection's
// kind, its TTL (the sibling's Expiry) and, as payload, a removal clock:
// the header versions whose elements were removed wholesale (DEL, expiry,
// a write of another type). Every command that writes elements first
// rewrites the header, and stamps each element it writes with that header
// write's dot; an element is live only while its stamp is not covered by
// the resolved removal clock. So DEL (a header tombstone) removes exactly
// the elements written under header versions the deleter saw, in one
// write whatever the collection's size, and elements written concurrently
// on another replica survive it (their header version is concurrent, so
// it stays live and uncovered).

// ErrCorruptPayload reports an undecodable header or element payload.
var ErrCorruptPayload = errors.New("crdt: corrupt collection payload")

// IsCollection reports whether k is a collection header's kind.
func IsCollection(k version.Kind) bool {
	return k == version.KindHash || k == version.KindSet || k == version.KindZSet || k == version.KindList ||
		k == version.KindStream
}

// Header is a collection header record resolved at a time.
type Header struct {
	// Kind is the winning sibling's kind (highest (Time, Node), as GET
	// picks): the key's type. KindString (with Live false) when nothing is
	// live.
	Kind version.Kind
	// Live reports a live winner; a live winner that is not a collection
	// (a string or counter) means the key holds another type.
	Live bool
	// Expiry is the winner's expiry (Unix ms), 0 for none.
	Expiry int64
	// Removed is the resolved removal clock: element stamps it covers are
	// dead.
	Removed version.Context
	// Context covers every sibling of the header record: what a header
	// write supersedes.
	Context version.Context
}

// ResolveHeader resolves a header record's sibling set at now. Live header
// siblings of the winning kind contribute their removal clocks; every
// other sibling (tombstones, expired versions, strings, counters, headers
// of a losing kind) contributes its own past and dot: what it removed or
// replaced.
func ResolveHeader(s version.Set, now int64) (Header, error) {
	h := Header{Context: s.Context()}
	if w, ok := s.Winner(now); ok {
		h.Kind, h.Live, h.Expiry = w.Kind, true, w.Expiry
	}
	for i := range s {
		sb := &s[i]
		if h.Live && sb.Live(now) && sb.Kind == h.Kind && IsCollection(sb.Kind) {
			rm, err := DecodeHeader(sb.Value)
			if err != nil {
				return Header{}, err
			}
			h.Removed = h.Removed.Join(rm)
			continue
		}
		h.Removed = h.Removed.Join(sb.Past).With(sb.Dot)
	}
	return h, nil
}

// EncodeHeader is a header sibling's payload: its removal clock.
func EncodeHeader(removed version.Context) []byte { return removed.AppendBinary(nil) }

// DecodeHeader decodes a header payload made by EncodeHeader.
func DecodeHeader(b []byte) (version.Context, error) {
	c, rest, err := version.DecodeContextPrefix(b)
	if err != nil || len(rest) != 0 {
		return version.Context{}, ErrCorruptPayload
	}
	return c, nil
}

// EncodeElement is an element sibling's payload: the dot of the header
// write it was made under, then body (the field's value, the member's
// score, the list element).
func EncodeElement(hdr version.Dot, body []byte) []byte {
	b := make([]byte, 0, 2*binary.MaxVarintLen64+len(hdr.Node)+len(body))
	b = binary.AppendUvarint(b, uint64(len(hdr.Node)))
	b = append(b, hdr.Node...)
	b = binary.AppendUvarint(b, hdr.Counter)
	return append(b, body...)
}

// DecodeElement splits an element payload.
func DecodeElement(b []byte) (hdr version.Dot, body []byte, err error) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n == 0 || n > uint64(len(b)-w) {
		return version.Dot{}, nil, ErrCorruptPayload
	}
	hdr.Node, b = string(b[w:w+int(n)]), b[w+int(n):]
	c, w := binary.Uvarint(b)
	if w <= 0 || c == 0 {
		return version.Dot{}, nil, ErrCorruptPayload
	}
	hdr.Counter = c
	return hdr, b[w:], nil
}

// decodeElementView is DecodeElement whose stamp's node is a view of b,
// not a copy: for a check (Covers) that keeps no part of it, as every
// element read makes one.
func decodeElementView(b []byte) (hdr version.Dot, body []byte, err error) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n == 0 || n > uint64(len(b)-w) {
		return version.Dot{}, nil, ErrCorruptPayload
	}
	hdr.Node, b = unsafe.String(&b[w], int(n)), b[w+int(n):]
	c, w := binary.Uvarint(b)
	if w <= 0 || c == 0 {
		return version.Dot{}, nil, ErrCorruptPayload
	}
	hdr.Counter = c
	return hdr, b[w:], nil
}

// LiveElements returns an element record's live siblings at now whose
// header stamp removed does not cover, each a copy whose Value is the
// element's body (the payload without its stamp), in the set's order,
// with the record's removal records folded into its counters
// (foldRemovals).
func LiveElements(s version.Set, now int64, removed version.Context) ([]*version.Sibling, error) {
	return liveElements(s, now, removed, false)
}

// LiveElementsOwned is LiveElements for a caller that owns s and does
// not read it again (a walk over records decoded for it): the siblings
// returned are s's own, their Values cut to the bodies, not copies. A
// walk of a collection spares an allocation per element.
func LiveElementsOwned(s version.Set, now int64, removed version.Context) ([]*version.Sibling, error) {
	return liveElements(s, now, removed, true)
}

func liveElements(s version.Set, now int64, removed version.Context, own bool) ([]*version.Sibling, error) {
	var out []*version.Sibling
	for i := range s {
		if !s[i].Live(now) {
			continue
		}
		hdr, body, err := decodeElementView(s[i].Value)
		if err != nil {
			return nil, err
		}
		if removed.Covers(hdr) {
			continue
		}
		sb := &s[i]
		if !own {
			cp := s[i]
			sb = &cp
		}
		sb.Value = body
		out = append(out, sb)
	}
	if len(out) > 0 && len(out) < len(s) {
		if err := foldRemovals(s, now, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LiveListElementsOwned is LiveListElements for a caller that owns s
// (LiveElementsOwned).
func LiveListElementsOwned(s version.Set, now int64, removed version.Context) ([]*version.Sibling, error) {
	if hasTombstone(s) {
		return nil, nil
	}
	return LiveElementsOwned(s, now, removed)
}

// LiveListElements is LiveElements for a list element's record, where
// remove wins: a tombstone in the record (a pop or LREM concurrent with
// an LSET of the element) leaves nothing live. A list element is never
// written again under its id once removed (a push makes a new id), so
// a value beside a tombstone can only be an LSET that did not see the
// removal, and a popped element must stay popped.
func LiveListElements(s version.Set, now int64, removed version.Context) ([]*version.Sibling, error) {
	if hasTombstone(s) {
		return nil, nil
	}
	return LiveElements(s, now, removed)
}

func hasTombstone(s version.Set) bool {
	return slices.ContainsFunc(s, func(sb version.Sibling) bool { return sb.Tombstone })
}

// Newest returns the live sibling GET would pick among live: the highest
// (Time, Node, Counter). nil if live is empty.
func Newest(live []*version.Sibling) *version.Sibling {
	var w *version.Sibling
	for _, sb := range live {
		if w == nil || sb.Time > w.Time || (sb.Time == w.Time && (sb.Dot.Node > w.Dot.Node ||
			(sb.Dot.Node == w.Dot.Node && sb.Dot.Counter > w.Dot.Counter))) {
			w = sb
		}
	}
	return w
}
