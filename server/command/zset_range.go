package command

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// Ranges of a sorted set: by rank, by score (zslParseRange's syntax) and
// by member (zslParseLexRange's), selected from the set's ordered view
// (zcache.go).

var (
	errZMinMaxFloat = resp.Err("ERR min or max is not a float")
	errZMinMaxLex   = resp.Err("ERR min or max not valid string range item")
)

// zScoreRange is a score interval; minex/maxex make an end open.
type zScoreRange struct {
	min, max     float64
	minex, maxex bool
}

// zRangeFloat parses one end of a score range as Redis's strtod there:
// leading spaces allowed, the empty string is 0, overflow gives ±inf.
func zRangeFloat(b []byte) (float64, bool) {
	s := strings.TrimLeft(string(b), " \t\n\v\f\r")
	if s == "" {
		return 0, true
	}
	if f, ok := resp.ParseFloat([]byte(s)); ok {
		return f, true
	}
	if f, err := strconv.ParseFloat(s, 64); errors.Is(err, strconv.ErrRange) {
		return f, true // strtod's overflow to ±inf or underflow to 0
	}
	return 0, false
}

func zParseScoreRange(min, max []byte) (r zScoreRange, ok bool) {
	end := func(b []byte) (float64, bool, bool) {
		ex := len(b) > 0 && b[0] == '('
		if ex {
			b = b[1:]
		}
		f, ok := zRangeFloat(b)
		return f, ex, ok
	}
	var ok1, ok2 bool
	r.min, r.minex, ok1 = end(min)
	r.max, r.maxex, ok2 = end(max)
	return r, ok1 && ok2
}

func (r zScoreRange) gteMin(f float64) bool {
	if r.minex {
		return f > r.min
	}
	return f >= r.min
}

func (r zScoreRange) lteMax(f float64) bool {
	if r.maxex {
		return f < r.max
	}
	return f <= r.max
}

// empty reports a range no score can fall in.
func (r zScoreRange) empty() bool {
	return r.min > r.max || (r.min == r.max && (r.minex || r.maxex))
}

// zLexEnd is one end of a lex range: inf -1 is "-", +1 is "+".
type zLexEnd struct {
	inf int
	val []byte
	ex  bool
}

func zParseLexEnd(b []byte) (zLexEnd, bool) {
	if len(b) == 0 {
		return zLexEnd{}, false
	}
	switch b[0] {
	case '+':
		return zLexEnd{inf: 1, ex: true}, len(b) == 1
	case '-':
		return zLexEnd{inf: -1, ex: true}, len(b) == 1
	case '(':
		return zLexEnd{val: b[1:], ex: true}, true
	case '[':
		return zLexEnd{val: b[1:]}, true
	}
	return zLexEnd{}, false
}

// zLexRange is a member interval.
type zLexRange struct{ min, max zLexEnd }

func zParseLexRange(min, max []byte) (zLexRange, bool) {
	a, ok1 := zParseLexEnd(min)
	b, ok2 := zParseLexEnd(max)
	return zLexRange{a, b}, ok1 && ok2
}

// cmp compares a member with an end (sdscmplex).
func (e zLexEnd) cmp(m []byte) int {
	if e.inf != 0 {
		return -e.inf
	}
	return bytes.Compare(m, e.val)
}

func (r zLexRange) gteMin(m []byte) bool {
	c := r.min.cmp(m)
	return c > 0 || (c == 0 && !r.min.ex)
}

func (r zLexRange) lteMax(m []byte) bool {
	c := r.max.cmp(m)
	return c < 0 || (c == 0 && !r.max.ex)
}

// empty is zslIsInLexRange's test of a range that is always empty.
func (r zLexRange) empty() bool {
	var c int
	switch a, b := r.min, r.max; {
	case a.inf == b.inf && a.inf != 0:
		c = 0
	case a.inf == -1 || b.inf == 1:
		c = -1
	case a.inf == 1 || b.inf == -1:
		c = 1
	default:
		c = bytes.Compare(a.val, b.val)
	}
	return c > 0 || (c == 0 && (r.min.ex || r.max.ex))
}

// Range kinds.
const (
	zByRank = iota
	zByScore
	zByLex
)

// zRangeQuery is a parsed ZRANGE (or its older forms).
type zRangeQuery struct {
	by            int
	rev           bool
	withScores    bool
	offset, limit int64 // limit -1: no limit
	start, stop   int64
	score         zScoreRange
	lex           zLexRange
}

// zRankBounds turns start, stop into indexes of a set of n members, as
// Redis sanitizes them; ok is false for an empty range.
func zRankBounds(start, stop int64, n int) (lo, hi int, ok bool) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if stop < 0 {
		stop += ln
	}
	start = max(start, 0)
	if start > stop || start >= ln {
		return 0, 0, false
	}
	stop = min(stop, ln-1)
	return int(start), int(stop), true
}

// zSelect picks q's range out of ents (sorted), in q's direction.
func zSelect(ents []zent, q zRangeQuery) []zent {
	n := len(ents)
	var out []zent
	if q.by == zByRank {
		lo, hi, ok := zRankBounds(q.start, q.stop, n)
		if !ok {
			return nil
		}
		for i := lo; i <= hi; i++ {
			if q.rev {
				out = append(out, ents[n-1-i])
			} else {
				out = append(out, ents[i])
			}
		}
		return out
	}
	if q.offset < 0 || (q.offset > 0 && q.offset >= int64(n)) {
		return nil
	}
	var i, step int
	var in func(e zent) bool
	switch {
	case q.by == zByScore && !q.rev:
		if q.score.empty() {
			return nil
		}
		i, step = slices.IndexFunc(ents, func(e zent) bool { return q.score.gteMin(e.score) }), 1
		in = func(e zent) bool { return q.score.lteMax(e.score) }
	case q.by == zByScore:
		if q.score.empty() {
			return nil
		}
		i, step = lastIndex(ents, func(e zent) bool { return q.score.lteMax(e.score) }), -1
		in = func(e zent) bool { return q.score.gteMin(e.score) }
	case !q.rev:
		i, step = zLexFirst(ents, q.lex), 1
		in = func(e zent) bool { return q.lex.lteMax(e.member) }
	default:
		i, step = zLexLast(ents, q.lex), -1
		in = func(e zent) bool { return q.lex.gteMin(e.member) }
	}
	if i < 0 || !in(ents[i]) {
		return nil
	}
	i += step * int(q.offset)
	for limit := q.limit; i >= 0 && i < n && limit != 0 && in(ents[i]); i += step {
		out = append(out, ents[i])
		limit--
	}
	return out
}

func lastIndex(ents []zent, f func(zent) bool) int {
	for i := len(ents) - 1; i >= 0; i-- {
		if f(ents[i]) {
			return i
		}
	}
	return -1
}

// zLexFirst is zzlFirstInLexRange: the first member (in score order) at
// or above the range's min, if it is not above its max; -1 if none.
func zLexFirst(ents []zent, r zLexRange) int {
	if !zLexAny(ents, r) {
		return -1
	}
	i := slices.IndexFunc(ents, func(e zent) bool { return r.gteMin(e.member) })
	if i < 0 || !r.lteMax(ents[i].member) {
		return -1
	}
	return i
}

// zLexLast is zzlLastInLexRange, from the end.
func zLexLast(ents []zent, r zLexRange) int {
	if !zLexAny(ents, r) {
		return -1
	}
	i := lastIndex(ents, func(e zent) bool { return r.lteMax(e.member) })
	if i < 0 || !r.gteMin(ents[i].member) {
		return -1
	}
	return i
}

// zLexAny is zzlIsInLexRange: the range is not empty, the last member is
// at or above its min and the first at or below its max.
func zLexAny(ents []zent, r zLexRange) bool {
	return !r.empty() && len(ents) > 0 && r.gteMin(ents[len(ents)-1].member) && r.lteMax(ents[0].member)
}

// parseZRange parses a ZRANGE-family call: the source key at args[at],
// the range after it, options after that (zrangeGenericCommand). by < 0
// and dirFree leave BYSCORE/BYLEX and REV to the options (ZRANGE,
// ZRANGESTORE).
func parseZRange(args [][]byte, at int, store bool, by int, rev, dirFree bool) (zRangeQuery, resp.Reply) {
	q := zRangeQuery{by: by, rev: rev, limit: -1}
	for j := at + 3; j < len(args); j++ {
		left := len(args) - j - 1
		switch opt := strings.ToLower(string(args[j])); {
		case !store && opt == "withscores":
			q.withScores = true
		case opt == "limit" && left >= 2:
			off, ok1 := resp.ParseInt(args[j+1])
			if !ok1 {
				return q, errNotInteger
			}
			lim, ok2 := resp.ParseInt(args[j+2])
			if !ok2 {
				return q, errNotInteger
			}
			q.offset, q.limit = off, lim
			j += 2
		case dirFree && opt == "rev":
			q.rev, dirFree = true, false
		case q.by < 0 && opt == "bylex":
			q.by = zByLex
		case q.by < 0 && opt == "byscore":
			q.by = zByScore
		default:
			return q, errSyntax
		}
	}
	if q.by < 0 {
		q.by = zByRank
	}
	switch {
	case q.limit != -1 && q.by == zByRank:
		return q, resp.Err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
	case q.withScores && q.by == zByLex:
		return q, resp.Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
	}
	lo, hi := args[at+1], args[at+2]
	if q.rev && q.by != zByRank {
		lo, hi = hi, lo
	}
	var ok bool
	switch q.by {
	case zByRank:
		var ok2 bool
		q.start, ok = resp.ParseInt(lo)
		q.stop, ok2 = resp.ParseInt(hi)
		if !ok || !ok2 {
			return q, errNotInteger
		}
	case zByScore:
		if q.score, ok = zParseScoreRange(lo, hi); !ok {
			return q, errZMinMaxFloat
		}
	default:
		if q.lex, ok = zParseLexRange(lo, hi); !ok {
			return q, errZMinMaxLex
		}
	}
	return q, resp.Reply{}
}

// zReadRange reads key and selects q's range; exists is false for a
// missing key.
func (d *Dispatcher) zReadRange(s *Session, key []byte, q zRangeQuery) (out []zent, exists bool, err error) {
	c, err := d.openZ(s, key, false)
	if err != nil {
		return nil, false, err
	}
	defer c.close()
	if !c.exists() {
		return nil, false, nil
	}
	v, err := c.view(true)
	if err != nil {
		return nil, true, err
	}
	return zSelectView(v, q), true, nil
}

// zrangeReply runs a parsed read-only range query.
func (d *Dispatcher) zrangeReply(s *Session, args [][]byte, by int, rev, dirFree bool) resp.Reply {
	q, r := parseZRange(args, 1, false, by, rev, dirFree)
	if r.IsError() {
		return r
	}
	out, _, err := d.zReadRange(s, args[1], q)
	if err != nil {
		return errorReply(err)
	}
	return zReply(s, out, q.withScores, zPairsByProto)
}

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
func (d *Dispatcher) zrangeCmd(s *Session, args [][]byte) resp.Reply {
	return d.zrangeReply(s, args, -1, false, true)
}

// ZREVRANGE key start stop [WITHSCORES]
func (d *Dispatcher) zrevrange(s *Session, args [][]byte) resp.Reply {
	return d.zrangeReply(s, args, zByRank, true, false)
}

// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
func (d *Dispatcher) zrangebyscore(s *Session, args [][]byte) resp.Reply {
	return d.zrangeReply(s, args, zByScore, false, false)
}

// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
func (d *Dispatcher) zrevrangebyscore(s *Session, args [][]byte) resp.Reply {
	return d.zrangeReply(s, args, zByScore, true, false)
}

// ZRANGEBYLEX key min max [LIMIT offset count]
func (d *Dispatcher) zrangebylex(s *Session, args [][]byte) resp.Reply {
	return d.zrangeReply(s, args, zByLex, false, false)
}

// ZREVRANGEBYLEX key max min [LIMIT offset count]
func (d *Dispatcher) zrevrangebylex(s *Session, args [][]byte) resp.Reply {
	return d.zrangeReply(s, args, zByLex, true, false)
}

// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
func (d *Dispatcher) zrangestore(s *Session, args [][]byte) resp.Reply {
	q, r := parseZRange(args, 2, true, -1, false, true)
	if r.IsError() {
		return r
	}
	out, _, err := d.zReadRange(s, args[2], q)
	if err != nil {
		return errorReply(err)
	}
	return d.zstore(s, args[1], out, "zrangestore")
}

// ZCOUNT key min max
func (d *Dispatcher) zcount(s *Session, args [][]byte) resp.Reply {
	r, ok := zParseScoreRange(args[2], args[3])
	if !ok {
		return errZMinMaxFloat
	}
	c, err := d.openZ(s, args[1], false)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	v, err := c.view(true)
	if err != nil {
		return errorReply(err)
	}
	lo, hi := v.scoreSpan(r)
	return resp.Int(int64(max(hi-lo+1, 0)))
}

// ZLEXCOUNT key min max
func (d *Dispatcher) zlexcount(s *Session, args [][]byte) resp.Reply {
	r, ok := zParseLexRange(args[2], args[3])
	if !ok {
		return errZMinMaxLex
	}
	out, _, err := d.zReadRange(s, args[1], zRangeQuery{by: zByLex, lex: r, limit: -1})
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(int64(len(out)))
}

// ZRANK key member
func (d *Dispatcher) zrank(s *Session, args [][]byte) resp.Reply { return d.zrankOf(s, args, false) }

// ZREVRANK key member
func (d *Dispatcher) zrevrank(s *Session, args [][]byte) resp.Reply { return d.zrankOf(s, args, true) }

func (d *Dispatcher) zrankOf(s *Session, args [][]byte, rev bool) resp.Reply {
	c, err := d.openZ(s, args[1], false)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		return resp.Null()
	}
	v, err := c.view(true)
	if err != nil {
		return errorReply(err)
	}
	i, ok := v.rank(args[2])
	switch {
	case !ok:
		return resp.Null()
	case rev:
		return resp.Int(int64(v.n - 1 - i))
	}
	return resp.Int(int64(i))
}

// ZREMRANGEBYRANK key start stop
func (d *Dispatcher) zremrangebyrank(s *Session, args [][]byte) resp.Reply {
	start, ok1 := resp.ParseInt(args[2])
	stop, ok2 := resp.ParseInt(args[3])
	if !ok1 || !ok2 {
		return errNotInteger
	}
	return d.zremRange(s, args[1], zRangeQuery{by: zByRank, start: start, stop: stop, limit: -1}, "zremrangebyrank")
}

// ZREMRANGEBYSCORE key min max
func (d *Dispatcher) zremrangebyscore(s *Session, args [][]byte) resp.Reply {
	r, ok := zParseScoreRange(args[2], args[3])
	if !ok {
		return errZMinMaxFloat
	}
	return d.zremRange(s, args[1], zRangeQuery{by: zByScore, score: r, limit: -1}, "zremrangebyscore")
}

// ZREMRANGEBYLEX key min max
func (d *Dispatcher) zremrangebylex(s *Session, args [][]byte) resp.Reply {
	r, ok := zParseLexRange(args[2], args[3])
	if !ok {
		return errZMinMaxLex
	}
	return d.zremRange(s, args[1], zRangeQuery{by: zByLex, lex: r, limit: -1}, "zremrangebylex")
}

// zremRange removes q's range from key.
func (d *Dispatcher) zremRange(s *Session, key []byte, q zRangeQuery, event string) resp.Reply {
	c, err := d.openZ(s, key, true)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		return resp.Int(0)
	}
	v, err := c.view(true)
	if err != nil {
		return errorReply(err)
	}
	if len(zSelectView(v, q)) == 0 {
		return resp.Int(0)
	}
	// A removal rewrites the header (zcache.go): beginPick.
	if err := c.beginPick(); err != nil {
		return errorReply(err)
	}
	gone, err := c.removePicks(func(v *zview) []zent { return zSelectView(v, q) })
	if err != nil {
		return errorReply(err)
	}
	removed := int64(len(gone))
	c.ok = true
	return d.zremoved(s, c, resp.Int(removed), removed, event)
}
