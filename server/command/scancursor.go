package command

import (
	"bytes"
	"container/list"
	"encoding/binary"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// HSCAN, SSCAN and ZSCAN walk a key's elements in member order, so their
// cursor has to say after which member to resume. Clients treat a cursor
// as an opaque decimal string, but many parse it as a number: some as a
// signed 64-bit integer, some (JavaScript's) as a double. So every cursor
// handed out is below 2^53, and:
//
//   - 0 starts a scan, and a reply's cursor 0 ends it, as in Redis;
//   - a member of at most scanDirectMax (6) bytes is written into the
//     cursor itself: bit 52 set, bits 48-50 the length, then the bytes,
//     big-endian from bit 47 (unused bits zero). Such a cursor resumes on
//     any node, any time;
//   - a longer member is remembered in the dispatcher's bounded table
//     (least recently used out first) under a random cursor below 2^52,
//     with the key it was handed out for.
//
// A cursor this node does not know (evicted, issued by another node or
// before a restart, or made up) restarts the scan from the first member.
// SCAN's guarantees hold: a member present for the whole scan is returned
// at least once (a restart may return some twice), and a scan ends as
// long as its cursors stay in the table (scanMaxCursors recent scans).

// The cursor table's bounds and the direct cursors' layout.
const (
	scanMaxCursors = 8192    // cursors the table remembers
	scanMaxBytes   = 8 << 20 // bytes of keys and members it holds
	scanDirect     = 1 << 52 // the bit of a cursor that holds its member
	scanDirectMax  = 6       // the longest member a cursor holds
	scanCursorEnd  = 1 << 53 // every cursor handed out is below this
)

// scanCursors maps the cursors of HSCAN, SSCAN and ZSCAN to the (key,
// member) they resume after. A Dispatcher owns one.
type scanCursors struct {
	mu    sync.Mutex
	order *list.List // of *scanEntry, most recent first
	byID  map[uint64]*list.Element
	bytes int
}

type scanEntry struct {
	id         uint64
	key, after []byte
}

func newScanCursors() *scanCursors {
	return &scanCursors{order: list.New(), byID: map[uint64]*list.Element{}}
}

// cursor returns the cursor that resumes key's scan after member.
func (t *scanCursors) cursor(key, member []byte) uint64 {
	if len(member) > scanDirectMax {
		return t.put(key, member)
	}
	return directCursor(member)
}

// resume returns the member cursor resumes key's scan after: nil to
// start from the first (cursor 0, or one not known).
func (t *scanCursors) resume(key []byte, cursor uint64) []byte {
	switch {
	case cursor == 0 || cursor >= scanCursorEnd:
		return nil
	case cursor&scanDirect == 0:
		return t.get(cursor, key)
	}
	n := int(cursor >> 48 & 0xf)
	if n > scanDirectMax {
		return nil
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], cursor)
	member := clone(b[2 : 2+n])
	if directCursor(member) != cursor {
		return nil // bytes past the length: not a cursor ringkv made
	}
	return member
}

// directCursor is the cursor that holds member (scanDirectMax bytes at most).
func directCursor(member []byte) uint64 {
	var b [8]byte
	copy(b[2:], member)
	return scanDirect | uint64(len(member))<<48 | binary.BigEndian.Uint64(b[:])
}

// put remembers (key, after) and returns its cursor.
func (t *scanCursors) put(key, after []byte) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	id := uint64(0)
	for id == 0 || t.byID[id] != nil {
		id = rand.Uint64N(scanDirect)
	}
	e := &scanEntry{id: id, key: clone(key), after: clone(after)}
	t.byID[id] = t.order.PushFront(e)
	t.bytes += len(e.key) + len(e.after)
	for t.order.Len() > 1 && (t.order.Len() > scanMaxCursors || t.bytes > scanMaxBytes) {
		old := t.order.Remove(t.order.Back()).(*scanEntry)
		delete(t.byID, old.id)
		t.bytes -= len(old.key) + len(old.after)
	}
	return id
}

// get returns the member cursor id resumes after, if it is known for key.
func (t *scanCursors) get(id uint64, key []byte) []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	el := t.byID[id]
	if el == nil {
		return nil
	}
	e := el.Value.(*scanEntry)
	if !bytes.Equal(e.key, key) {
		return nil
	}
	t.order.MoveToFront(el)
	return e.after
}

// elemScan is a parsed HSCAN, SSCAN or ZSCAN: the collection (open:
// close it), the member to resume after (nil: the first), MATCH and COUNT.
type elemScan struct {
	c     *coll
	after []byte
	match []byte // nil: every member
	count int64
}

// openScan parses "CMD key cursor [MATCH pattern] [COUNT count]" in
// Redis's order of checks: the cursor, the key's type, then the options,
// which a missing key never reaches (it answers an empty scan). When ok
// is false, r is the answer and nothing is left open.
func (d *Dispatcher) openScan(s *Session, args [][]byte, kind version.Kind) (sc elemScan, r resp.Reply, ok bool) {
	cursor, ok := parseCursor(args[2])
	if !ok {
		return sc, errInvalidCur, false
	}
	c, err := d.openColl(s, args[1], kind, lockNone)
	if err != nil {
		return sc, errorReply(err), false
	}
	if !c.exists() {
		c.close()
		return sc, scanAnswer(0, nil), false
	}
	if sc.match, sc.count, r = parseElemScanOpts(args[3:]); r.IsError() {
		c.close()
		return sc, r, false
	}
	sc.c, sc.after = c, d.scans.resume(args[1], cursor)
	return sc, resp.Reply{}, true
}

// scanAnswer is a SCAN-family reply: the next cursor, then the elements.
func scanAnswer(next uint64, elems []resp.Reply) resp.Reply {
	if elems == nil {
		elems = []resp.Reply{}
	}
	return resp.Array(resp.BulkString(strconv.FormatUint(next, 10)), resp.Array(elems...))
}

// parseElemScanOpts parses the MATCH and COUNT of HSCAN, SSCAN and ZSCAN
// as Redis's scanGenericCommand does for a key's elements (no TYPE).
func parseElemScanOpts(args [][]byte) (match []byte, count int64, r resp.Reply) {
	count = 10
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return nil, 0, errSyntax
		}
		switch v := args[i+1]; strings.ToLower(string(args[i])) {
		case "match":
			match = v
			if string(v) == "*" {
				match = nil
			}
		case "count":
			n, ok := resp.ParseInt(v)
			if !ok {
				return nil, 0, errNotInteger
			}
			if n < 1 {
				return nil, 0, errSyntax
			}
			count = n
		default:
			return nil, 0, errSyntax
		}
	}
	return match, count, resp.Reply{}
}
