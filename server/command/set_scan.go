package command

import (
	"strconv"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// SSCAN key cursor [MATCH pattern] [COUNT count] walks a set in member
// order, with the cursors of scancursor.go. A small set of integers
// (Redis's intset) comes back whole, in numeric order, with cursor 0, as
// Redis answers it.
func (d *Dispatcher) sscan(s *Session, args [][]byte) resp.Reply {
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
	match, count, r := parseElemScanOpts(args[3:])
	if r.IsError() {
		return r
	}
	after := d.scans.resume(args[1], cursor)
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
		next = d.scans.cursor(args[1], ms[len(ms)-1])
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
