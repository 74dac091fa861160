package command

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// ZSCAN key cursor [MATCH pattern] [COUNT count]
//
// A small set (at most zscanSmall members, none longer than
// zscanSmallMember bytes: what Redis keeps as a listpack) is returned
// whole at cursor 0, in score order, as Redis does. A larger one is
// walked in member order, COUNT members per call; the cursor is a random
// decimal number this node maps to (key, last member returned) in a
// bounded table (zscanMaxCursors, oldest out first). A cursor the node
// does not know (evicted, from another node or before a restart) starts
// the walk again from the first member: SCAN's guarantee holds (a member
// present throughout is returned at least once), duplicates may occur.

const (
	zscanSmall       = 128
	zscanSmallMember = 64
	zscanMaxCursors  = 4096
)

type zscanPos struct{ key, after []byte }

// zscanTable remembers where the handed-out cursors resume.
type zscanTable struct {
	mu    sync.Mutex
	byID  map[uint64]zscanPos
	order []uint64 // FIFO of ids
}

var zscanCursors = &zscanTable{byID: map[uint64]zscanPos{}}

func (t *zscanTable) put(key, after []byte) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	id := uint64(0)
	for id == 0 || t.byID[id].key != nil {
		id = rand.Uint64N(math.MaxInt64) + 1
	}
	t.byID[id] = zscanPos{clone(key), clone(after)}
	t.order = append(t.order, id)
	for len(t.order) > zscanMaxCursors {
		delete(t.byID, t.order[0])
		t.order = t.order[1:]
	}
	return id
}

// get returns where cursor resumes on key; nil: from the start.
func (t *zscanTable) get(key []byte, cursor uint64) []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.byID[cursor]
	if !ok || string(p.key) != string(key) {
		return nil
	}
	return p.after
}

// zscanScore is a score as ZSCAN of a listpack prints it (d2string): an
// integral score within ±2^62 as an integer, else %.17g.
func zscanScore(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) <= math.MaxInt64/2 {
		return strconv.FormatInt(int64(f), 10)
	}
	return zfmt(f)
}

func (d *Dispatcher) zscan(s *Session, args [][]byte) resp.Reply {
	cursor, ok := parseCursor(args[2])
	if !ok {
		return errInvalidCur
	}
	c, err := d.openColl(s, args[1], version.KindZSet, false)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		return resp.Array(resp.BulkString("0"), resp.Array())
	}
	count := int64(10)
	var match []byte
	for i := 3; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return errSyntax
		}
		switch strings.ToLower(string(args[i])) {
		case "count":
			n, ok := resp.ParseInt(args[i+1])
			if !ok {
				return errNotInteger
			}
			if n < 1 {
				return errSyntax
			}
			count = n
		case "match":
			match = args[i+1]
			if string(match) == "*" {
				match = nil
			}
		default:
			return errSyntax
		}
	}
	var after []byte
	if cursor != 0 {
		after = zscanCursors.get(args[1], cursor)
	}
	// Walk up to max(count, zscanSmall)+1 members from the resume point.
	want := max(count, zscanSmall) + 1
	var ents []zent
	small := after == nil
	var ferr error
	err = c.each(after, func(member []byte, live []*version.Sibling) bool {
		f, ok, err := zscoreOf(live)
		if err != nil {
			ferr = err
			return false
		}
		if ok {
			ents = append(ents, zent{member: clone(member), score: f})
			small = small && len(member) <= zscanSmallMember
		}
		return int64(len(ents)) < want
	})
	if err == nil {
		err = ferr
	}
	if err != nil {
		return errorReply(err)
	}
	next := uint64(0)
	if small && len(ents) <= zscanSmall {
		slices.SortStableFunc(ents, zcmp)
	} else {
		small = false
		if int64(len(ents)) > count {
			ents = ents[:count]
			next = zscanCursors.put(args[1], ents[len(ents)-1].member)
		}
	}
	out := []resp.Reply{}
	for _, e := range ents {
		if match != nil && !globMatch(match, e.member, false) {
			continue
		}
		sc := zfmt(e.score)
		if small {
			sc = zscanScore(e.score)
		}
		out = append(out, resp.Bulk(e.member), resp.BulkString(sc))
	}
	return resp.Array(resp.BulkString(strconv.FormatUint(next, 10)), resp.Array(out...))
}
