package command

import (
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// HSCAN key cursor [MATCH pattern] [COUNT count]: visits COUNT fields
// after the cursor's, answers those MATCH keeps (field, value, ...) and
// the cursor of the last one visited (scancursor.go), 0 when none is left.
func (d *Dispatcher) hscan(s *Session, args [][]byte) resp.Reply {
	sc, r, ok := d.openScan(s, args, version.KindHash)
	if !ok {
		return r
	}
	defer sc.c.close()
	out := []resp.Reply{}
	var last []byte
	var visited int64
	more := false
	err := sc.c.each(sc.after, func(field []byte, live []*version.Sibling) bool {
		v, ok := fieldValue(live)
		if !ok {
			return true
		}
		if visited == sc.count {
			more = true
			return false
		}
		visited++
		last = clone(field)
		if sc.match == nil || globMatch(sc.match, field, false) {
			out = append(out, resp.Bulk(clone(field)), resp.Bulk(clone(v)))
		}
		return true
	})
	if err != nil {
		return errorReply(err)
	}
	next := uint64(0)
	if more {
		next = d.scans.cursor(args[1], last)
	}
	return scanAnswer(next, out)
}
