package command

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// scanOpts are SCAN's MATCH, COUNT and TYPE options.
type scanOpts struct {
	match []byte // nil: everything
	count int64  // 10 by default
	typ   string // "": any type; else TYPE's name (an unknown one matches nothing)
}

func parseScanOpts(args [][]byte) (scanOpts, resp.Reply) {
	o := scanOpts{count: 10}
	for j := 0; j < len(args); j += 2 {
		if j+1 >= len(args) {
			return o, errSyntax
		}
		switch v := args[j+1]; strings.ToLower(string(args[j])) {
		case "match":
			o.match = v
			if string(v) == "*" { // as Redis: "*" matches even the empty key
				o.match = nil
			}
		case "count":
			n, ok := resp.ParseInt(v)
			if !ok {
				return o, errNotInteger
			}
			if n < 1 {
				return o, errSyntax
			}
			o.count = n
		case "type":
			o.typ = strings.ToLower(string(v))
		default:
			return o, errSyntax
		}
	}
	return o, resp.Reply{}
}

// scanVisitFactor bounds a SCAN call's work: it visits at most COUNT times
// this many stored keys (tombstones and non-matching keys included), so a
// sparse keyspace answers with few or no keys and a cursor, as Redis does.
const scanVisitFactor = 10

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
func (d *Dispatcher) scan(s *Session, args [][]byte) resp.Reply {
	cursor, ok := parseCursor(args[1])
	if !ok {
		return errInvalidCur
	}
	o, r := parseScanOpts(args[2:])
	if r.IsError() {
		return r
	}
	var keys []resp.Reply
	budget := o.count * scanVisitFactor
	if o.count > 1<<40 {
		budget = o.count
	}
	now := d.env.KV.Now()
	var last uint64 // placement hash of the last key visited
	visited := false
	next, err := d.env.KV.Scan(s.Context(), cursor, func(key []byte, set version.Set) bool {
		h := ring.Hash(key)
		// The cursor is a hash position, and the keys of one hash tag share
		// a hash: stop only between hashes, or the next call would start
		// again at this one (and never pass a tag with many keys).
		if (budget <= 0 || int64(len(keys)) >= o.count) && (!visited || h != last) {
			return false
		}
		last, visited = h, true
		budget--
		if d.wanted(key, set, now, o) {
			keys = append(keys, resp.Bulk(clone(key)))
		}
		return true
	})
	if err != nil {
		return errorReply(err)
	}
	if keys == nil {
		keys = []resp.Reply{}
	}
	return resp.Array(resp.BulkString(strconv.FormatUint(next, 10)), resp.Array(keys...))
}

// parseCursor reads a SCAN cursor as Redis's parseScanCursorOrReply does
// with strtoul: an optional sign ("-1" wraps to the last cursor), decimal
// digits that fit 64 bits, nothing before or after; the empty string is 0.
func parseCursor(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	neg := b[0] == '-'
	if b[0] == '-' || b[0] == '+' {
		b = b[1:]
	}
	c, err := strconv.ParseUint(string(b), 10, 64) // no sign of its own
	if err != nil {
		return 0, false
	}
	if neg {
		c = -c
	}
	return c, true
}

// wanted reports whether a scanned key is live and matches o.
func (d *Dispatcher) wanted(key []byte, set version.Set, now int64, o scanOpts) bool {
	w, live := set.Winner(now)
	if !live || (o.typ != "" && o.typ != typeName(w.Kind)) {
		return false
	}
	return o.match == nil || globMatch(o.match, key, false)
}

// KEYS pattern: a full scan.
func (d *Dispatcher) keys(s *Session, args [][]byte) resp.Reply {
	keys := []resp.Reply{}
	now := d.env.KV.Now()
	o := scanOpts{match: args[1]}
	if string(o.match) == "*" {
		o.match = nil
	}
	_, err := d.env.KV.Scan(s.Context(), 0, func(key []byte, set version.Set) bool {
		if d.wanted(key, set, now, o) {
			keys = append(keys, resp.Bulk(clone(key)))
		}
		return true
	})
	if err != nil {
		return errorReply(err)
	}
	return resp.Array(keys...)
}

// RANDOMKEY: the first live key at or after a random hash position,
// wrapping around once; nil if there is none.
func (d *Dispatcher) randomkey(s *Session, _ [][]byte) resp.Reply {
	now := d.env.KV.Now()
	var found []byte
	visit := func(key []byte, set version.Set) bool {
		if _, live := set.Winner(now); live {
			found = clone(key)
			return false
		}
		return true
	}
	start := rand.Uint64()
	if _, err := d.env.KV.Scan(s.Context(), start, visit); err != nil {
		return errorReply(err)
	}
	if found == nil {
		if _, err := d.env.KV.Scan(s.Context(), 0, visit); err != nil {
			return errorReply(err)
		}
	}
	if found == nil {
		return resp.Null()
	}
	return resp.Bulk(found)
}
