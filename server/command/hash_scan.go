package command

import (
	"strconv"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// HSCAN key cursor [MATCH pattern] [COUNT count]: visits COUNT fields
// after the cursor's, answers those MATCH keeps (field, value, ...) and
// the cursor of the last one visited (scancursor.go), 0 when none is left.
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
	match, count, r := parseElemScanOpts(args[3:])
	if r.IsError() {
		return r
	}
	out := []resp.Reply{}
	var last []byte
	var visited int64
	more := false
	err = c.each(d.scans.resume(args[1], cursor), func(field []byte, live []*version.Sibling) bool {
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
		next = d.scans.cursor(args[1], last)
	}
	return resp.Array(resp.BulkString(strconv.FormatUint(next, 10)), resp.Array(out...))
}
