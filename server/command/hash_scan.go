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

// HSCAN walks a hash in field order, so its cursor has to say after which
// field to resume. Redis clients treat the cursor as an opaque decimal
// string, but many parse it as an unsigned 64-bit integer, so it must fit
// one. The scheme:
//
//   - 0 starts a scan, and a reply's cursor 0 ends it, as in Redis;
//   - a field of at most 7 bytes is written into the cursor itself: bit 63
//     set, bits 56-58 the length, then the bytes, big-endian from bit 55
//     (unused bits zero). Such a cursor resumes on any node, any time;
//   - a longer field is remembered in a bounded table (least recently used
//     out first, per process) under a random cursor below 2^63, with the
//     key it was handed out for.
//
// A cursor this node does not know (evicted, issued by another node or
// before a restart, or made up) restarts the scan from the first field.
// SCAN's guarantees hold: a field present for the whole scan is returned
// at least once (a restart may return some twice), and a scan ends as
// long as its cursors stay in the table (hscanMaxCursors recent scans).

// hscanMaxCursors and hscanMaxBytes bound the cursor table.
const (
	hscanMaxCursors = 8192
	hscanMaxBytes   = 8 << 20
	hscanDirect     = 1 << 63 // a cursor that holds its field
	hscanDirectMax  = 7       // the longest field a cursor holds
)

// hscanTable maps cursors to the (key, field) they resume after.
type hscanTable struct {
	mu    sync.Mutex
	order *list.List // of *hscanEntry, most recent first
	byID  map[uint64]*list.Element
	bytes int
}

type hscanEntry struct {
	id         uint64
	key, after []byte
}

var hscanCursors = &hscanTable{order: list.New(), byID: map[uint64]*list.Element{}}

// put remembers (key, after) and returns its cursor.
func (t *hscanTable) put(key, after []byte) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	id := rand.Uint64() &^ hscanDirect
	for id == 0 || t.byID[id] != nil {
		id = rand.Uint64() &^ hscanDirect
	}
	e := &hscanEntry{id: id, key: clone(key), after: clone(after)}
	t.byID[id] = t.order.PushFront(e)
	t.bytes += len(e.key) + len(e.after)
	for t.order.Len() > 1 && (t.order.Len() > hscanMaxCursors || t.bytes > hscanMaxBytes) {
		old := t.order.Remove(t.order.Back()).(*hscanEntry)
		delete(t.byID, old.id)
		t.bytes -= len(old.key) + len(old.after)
	}
	return id
}

// get returns the field cursor id resumes after, if it is known for key.
func (t *hscanTable) get(id uint64, key []byte) ([]byte, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	el := t.byID[id]
	if el == nil {
		return nil, false
	}
	e := el.Value.(*hscanEntry)
	if !bytes.Equal(e.key, key) {
		return nil, false
	}
	t.order.MoveToFront(el)
	return e.after, true
}

// hscanCursor is the cursor that resumes key's scan after field.
func hscanCursor(key, field []byte) uint64 {
	if len(field) > hscanDirectMax {
		return hscanCursors.put(key, field)
	}
	return hscanDirectCursor(field)
}

// hscanResume returns the field cursor resumes after: nil to start from
// the first (cursor 0, or one not known).
func hscanResume(key []byte, cursor uint64) []byte {
	switch {
	case cursor == 0:
		return nil
	case cursor&hscanDirect == 0:
		after, _ := hscanCursors.get(cursor, key)
		return after
	}
	n := int(cursor >> 56 & 0x7f)
	if n > hscanDirectMax {
		return nil
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], cursor)
	field := clone(b[1 : 1+n])
	if hscanDirectCursor(field) != cursor {
		return nil // bytes past the length: not a cursor ringkv made
	}
	return field
}

// hscanDirectCursor is the cursor that holds field (hscanDirectMax bytes at most).
func hscanDirectCursor(field []byte) uint64 {
	var b [8]byte
	copy(b[1:], field)
	return hscanDirect | uint64(len(field))<<56 | binary.BigEndian.Uint64(b[:])
}

// hscanOpts parses HSCAN's MATCH and COUNT as Redis's scanGenericCommand.
func hscanOpts(args [][]byte) (match []byte, count int64, r resp.Reply) {
	count = 10
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return nil, 0, errSyntax
		}
		switch strings.ToLower(string(args[i])) {
		case "count":
			n, ok := resp.ParseInt(args[i+1])
			if !ok {
				return nil, 0, errNotInteger
			}
			if n < 1 {
				return nil, 0, errSyntax
			}
			count = n
		case "match":
			match = args[i+1]
			if string(match) == "*" {
				match = nil
			}
		default:
			return nil, 0, errSyntax
		}
	}
	return match, count, resp.Reply{}
}

// HSCAN key cursor [MATCH pattern] [COUNT count]: visits COUNT fields
// after the cursor's, answers those MATCH keeps (field, value, ...) and
// the cursor of the last one visited, 0 when none is left.
func (d *Dispatcher) hscan(s *Session, args [][]byte) resp.Reply {
	cursor, ok := parseCursor(args[2])
	if !ok {
		return errInvalidCur
	}
	c, err := d.openColl(s, args[1], version.KindHash, false)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		return resp.Array(resp.BulkString("0"), resp.Array())
	}
	match, count, r := hscanOpts(args[3:])
	if r.IsError() {
		return r
	}
	out := []resp.Reply{}
	var last []byte
	var visited int64
	more := false
	err = c.each(hscanResume(args[1], cursor), func(field []byte, live []*version.Sibling) bool {
		v, ok := fieldValue(live)
		if !ok {
			return true
		}
		if visited == count {
			more = true
			return false
		}
		visited++
		last = clone(field)
		if match == nil || globMatch(match, field, false) {
			out = append(out, resp.Bulk(clone(field)), resp.Bulk(clone(v)))
		}
		return true
	})
	if err != nil {
		return errorReply(err)
	}
	next := uint64(0)
	if more {
		next = hscanCursor(args[1], last)
	}
	return resp.Array(resp.BulkString(strconv.FormatUint(next, 10)), resp.Array(out...))
}
