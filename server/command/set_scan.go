package command

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// SSCAN walks a set in member order. Redis's cursor is a position in its
// hash table; a member position is a byte string, and a cursor must be a
// decimal number, so each node keeps a bounded table from the cursors it
// handed out to the key and member to resume after. A cursor this node
// does not know (never issued here, forgotten after maxScanCursors newer
// ones, or issued by a node that restarted) restarts the scan from the
// first member: the client sees members again, never misses one. Members
// present for the whole scan are returned at least once, as Redis
// promises, as long as the client keeps talking to one node (the router
// runs reads where the client is connected). A small set of integers
// (Redis's intset) comes back whole, in numeric order, with cursor 0, as
// Redis answers it.

// maxScanCursors bounds a node's SSCAN cursor table.
const maxScanCursors = 4096

// scanCursors maps cursors to where their scan resumes.
type scanCursors struct {
	mu    sync.Mutex
	at    map[uint64]scanResume
	order []uint64 // issue order, a ring: the oldest is forgotten first
	next  int
}

type scanResume struct{ key, after []byte }

func newScanCursors(n int) *scanCursors {
	return &scanCursors{at: make(map[uint64]scanResume, n), order: make([]uint64, n)}
}

// issue returns a new cursor resuming key's scan after member.
func (t *scanCursors) issue(key, member []byte) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var c uint64
	for c == 0 || t.at[c].key != nil {
		c = 1 + rand.Uint64N(1<<53-1) // exact in a double, for any client
	}
	delete(t.at, t.order[t.next])
	t.order[t.next] = c
	t.next = (t.next + 1) % len(t.order)
	t.at[c] = scanResume{key: clone(key), after: clone(member)}
	return c
}

// resume returns the member key's scan resumes after for cursor, nil to
// start from the first member.
func (t *scanCursors) resume(key []byte, cursor uint64) []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.at[cursor]
	if !ok || !bytes.Equal(r.key, key) {
		return nil
	}
	return r.after
}

// SSCAN key cursor [MATCH pattern] [COUNT count]
func (d *Dispatcher) sscan(s *Session, args [][]byte, t *scanCursors) resp.Reply {
	cursor, ok := parseCursor(args[2])
	if !ok {
		return errInvalidCur
	}
	c, err := d.openColl(s, args[1], version.KindSet, false)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		return scanReply(0, nil)
	}
	match, count, r := parseSScanOpts(args[3:])
	if r.IsError() {
		return r
	}
	var after []byte
	if cursor != 0 {
		after = t.resume(args[1], cursor)
	}
	n := count
	if after == nil {
		n = max(count, maxIntsetEntries) // to see whether it is an intset
	}
	ms, more, err := window(c, after, int(min(n, 1<<30)))
	if err != nil {
		return errorReply(err)
	}
	if after == nil && !more {
		if o := redisOrder(ms); len(o) > 0 && isInts(o) {
			return scanReply(0, matching(o, match))
		}
	}
	if int64(len(ms)) > count {
		ms, more = ms[:count], true
	}
	var next uint64
	if more {
		next = t.issue(args[1], ms[len(ms)-1])
	}
	return scanReply(next, matching(ms, match))
}

// isInts reports whether every member is an integer (redisOrder sorted
// them numerically).
func isInts(ms [][]byte) bool {
	for _, m := range ms {
		if _, ok := resp.ParseInt(m); !ok {
			return false
		}
	}
	return true
}

func matching(ms [][]byte, match []byte) [][]byte {
	if match == nil {
		return ms
	}
	var out [][]byte
	for _, m := range ms {
		if globMatch(match, m, false) {
			out = append(out, m)
		}
	}
	return out
}

func scanReply(cursor uint64, ms [][]byte) resp.Reply {
	return resp.Array(resp.BulkString(strconv.FormatUint(cursor, 10)), resp.Array(memberBulks(ms)...))
}

// parseSScanOpts parses MATCH and COUNT as Redis's scanGenericCommand does
// for a key's elements (no TYPE).
func parseSScanOpts(args [][]byte) (match []byte, count int64, r resp.Reply) {
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
