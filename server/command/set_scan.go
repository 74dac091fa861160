package command

import (
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// SSCAN key cursor [MATCH pattern] [COUNT count] walks a set in member
// order, with the cursors of scancursor.go. A small set of integers
// (Redis's intset) comes back whole, in numeric order, with cursor 0, as
// Redis answers it.
func (d *Dispatcher) sscan(s *Session, args [][]byte) resp.Reply {
	sc, r, ok := d.openScan(s, args, version.KindSet)
	if !ok {
		return r
	}
	defer sc.c.close()
	c, after, match, count := sc.c, sc.after, sc.match, sc.count
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
	return scanAnswer(cursor, memberBulks(ms))
}
