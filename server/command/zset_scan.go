package command

import (
	"math"
	"slices"
	"strconv"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// ZSCAN key cursor [MATCH pattern] [COUNT count]
//
// A small set (at most zscanSmall members, none longer than
// zscanSmallMember bytes: what Redis keeps as a listpack) is returned
// whole at cursor 0, in score order, as Redis does. A larger one is
// walked in member order, COUNT members per call, with the cursors of
// scancursor.go: a cursor the node does not know starts the walk again
// from the first member, so a member present throughout is returned at
// least once, and duplicates may occur.

const (
	zscanSmall       = 128
	zscanSmallMember = 64
)

// zscanScore is a score as ZSCAN of a listpack prints it (d2string): an
// integral score within ±2^62 as an integer, else %.17g.
func zscanScore(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) <= math.MaxInt64/2 {
		return strconv.FormatInt(int64(f), 10)
	}
	return zfmt(f)
}

func (d *Dispatcher) zscan(s *Session, args [][]byte) resp.Reply {
	sc, r, ok := d.openScan(s, args, version.KindZSet)
	if !ok {
		return r
	}
	defer sc.c.close()
	c, after, match, count := sc.c, sc.after, sc.match, sc.count
	// Walk up to max(count, zscanSmall)+1 members from the resume point.
	want := max(count, zscanSmall) + 1
	var ents []zent
	small := after == nil
	var ferr error
	err := c.each(after, func(member []byte, live []*version.Sibling) bool {
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
			next = d.scans.cursor(args[1], ents[len(ents)-1].member)
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
	return scanAnswer(next, out)
}
