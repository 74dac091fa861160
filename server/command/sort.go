package command

import (
	"bytes"
	"slices"
	"strings"

	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// SORT and SORT_RO sort a list, set or sorted set as Redis 7 does:
// numerically (ties by the element's bytes) or ALPHA, by the elements or
// by the values that BY's pattern names, and reply with the elements or
// the values GET's patterns name, or STORE them as a list. The elements
// are read through the type's own commands. In a cluster (more than one
// member) a BY or GET pattern must name keys of the sorted key's
// partition, by a hash tag, as Redis Cluster 7.4+ requires of slots.

// sortCommands are SORT and SORT_RO.
func (d *Dispatcher) sortCommands() []*Command {
	sort := spec("sort", -2, Write|DenyOOM|Atomic, 1, 1, 1, "generic", d.sort)
	sort.Keys = sortKeys
	return []*Command{sort, spec("sort_ro", -2, ReadOnly, 1, 1, 1, "generic", d.sortRO)}
}

// sortKeys are SORT's keys: the sorted key and the last STORE destination,
// found as Redis's sortGetKeys finds them (skipping LIMIT's, GET's and
// BY's arguments, whatever else the line holds).
func sortKeys(args [][]byte) [][]byte {
	keys := [][]byte{args[1]}
	var store []byte
	for j := 2; j < len(args); j++ {
		switch strings.ToLower(string(args[j])) {
		case "limit":
			j += 2
		case "get", "by":
			j++
		case "store":
			if j+1 < len(args) {
				store = args[j+1]
				j++
			}
		}
	}
	if store != nil {
		keys = append(keys, store)
	}
	return keys
}

// sortOpts is a parsed SORT line.
type sortOpts struct {
	desc, alpha, dontsort bool
	start, count          int64 // LIMIT; count -1: all
	by                    []byte
	gets                  [][]byte
	store                 []byte
}

const (
	errSortByCluster  = "ERR BY option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots."
	errSortGetCluster = "ERR GET option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots."
)

// parseSort reads SORT's options in order; the first bad one answers.
func (d *Dispatcher) parseSort(args [][]byte, readonly bool) (sortOpts, resp.Reply) {
	o := sortOpts{count: -1}
	key := args[1]
	cluster := d.clustered()
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		switch opt := strings.ToLower(string(args[j])); {
		case opt == "asc":
			o.desc = false
		case opt == "desc":
			o.desc = true
		case opt == "alpha":
			o.alpha = true
		case opt == "limit" && left >= 2:
			start, ok1 := resp.ParseInt(args[j+1])
			count, ok2 := resp.ParseInt(args[j+2])
			if !ok1 || !ok2 {
				return o, errNotInteger
			}
			o.start, o.count = start, count
			j += 2
		case opt == "store" && left >= 1 && !readonly:
			o.store = args[j+1]
			j++
		case opt == "by" && left >= 1:
			o.by = args[j+1]
			o.dontsort = bytes.IndexByte(o.by, '*') < 0
			if !o.dontsort && cluster && !d.patternPlaced(key, o.by) {
				return o, resp.Err(errSortByCluster)
			}
			j++
		case opt == "get" && left >= 1:
			if cluster && string(args[j+1]) != "#" && !d.patternPlaced(key, args[j+1]) {
				return o, resp.Err(errSortGetCluster)
			}
			o.gets = append(o.gets, args[j+1])
			j++
		default:
			return o, errSyntax
		}
	}
	return o, resp.Reply{}
}

// patternPlaced reports whether every key pattern can form is placed with
// key: the pattern's hash tag comes before any wildcard or escape (or it
// has none and is one key), and it places in key's partition (Redis's
// patternHashSlot, compared by partition).
func (d *Dispatcher) patternPlaced(key, pattern []byte) bool {
	at := pattern
	open := -1
	for i, c := range pattern {
		switch {
		case c == '*' || c == '?' || c == '[' || c == '\\':
			return false
		case open == -1 && c == '{':
			open = i
		case open >= 0 && c == '}' && i == open+1:
			open = -2 // "{}": the whole pattern places
		case open >= 0 && c == '}':
			at = pattern[open : i+1]
		}
		if len(at) != len(pattern) {
			break
		}
	}
	return d.SamePartition([][]byte{key, at})
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination]
func (d *Dispatcher) sort(s *Session, args [][]byte) resp.Reply {
	o, r := d.parseSort(args, false)
	if r.IsError() {
		return r
	}
	if o.store != nil { // a read, then a write: alone on the node
		return d.exclusive(s, "multi", func() resp.Reply { return d.sortRun(s, args[1], o) })
	}
	if s.inExclusive {
		return d.sortRun(s, args[1], o)
	}
	release, kind, ok := d.gate.shared()
	if !ok {
		return errBusy(kind)
	}
	defer release()
	return d.sortRun(s, args[1], o)
}

// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
func (d *Dispatcher) sortRO(s *Session, args [][]byte) resp.Reply {
	o, r := d.parseSort(args, true)
	if r.IsError() {
		return r
	}
	return d.sortRun(s, args[1], o)
}

// sortItem is one element and what it sorts by.
type sortItem struct {
	elem  []byte
	score float64
	cmp   []byte // ALPHA BY: the value; nil if the key is missing
}

// sortRun sorts key's elements by o and answers or stores them.
func (d *Dispatcher) sortRun(s *Session, key []byte, o sortOpts) resp.Reply {
	kind, elems, err := d.sortElements(s, key)
	if err != nil {
		return errorReply(err)
	}
	if o.dontsort && kind == version.KindSet && o.store != nil {
		// Redis sorts a set's output when it is stored, for replication.
		o.dontsort, o.alpha, o.by = false, true, nil
	}
	items := make([]sortItem, len(elems))
	for i, e := range elems {
		items[i].elem = e
	}
	switch {
	case o.dontsort && o.desc && kind != version.KindSet:
		slices.Reverse(items)
	case !o.dontsort:
		if r := d.sortItems(s, items, o); r.IsError() {
			return r
		}
	}
	start, end := sortRange(o.start, o.count, int64(len(items)))
	items = items[start : end+1]
	var out [][]byte
	var nulls []bool // out[i] is a missing GET value
	for _, it := range items {
		if len(o.gets) == 0 {
			out, nulls = append(out, it.elem), append(nulls, false)
		}
		for _, g := range o.gets {
			v, ok, err := d.sortLookup(s, g, it.elem)
			if err != nil {
				return errorReply(err)
			}
			out, nulls = append(out, v), append(nulls, !ok)
		}
	}
	if o.store != nil {
		return d.sortStore(s, o.store, out)
	}
	reply := make([]resp.Reply, len(out))
	for i, v := range out {
		reply[i] = resp.Bulk(v)
		if nulls[i] {
			reply[i] = resp.Null()
		}
	}
	return resp.Array(reply...)
}

// sortRange is Redis's LIMIT arithmetic: the first and last index to
// answer (end < start: none).
func sortRange(limitStart, limitCount, n int64) (start, end int64) {
	start = min(max(limitStart, 0), n)
	limitCount = min(max(limitCount, -1), n)
	end = n - 1
	if limitCount >= 0 {
		end = start + limitCount - 1
	}
	if start >= n {
		return n, n - 1
	}
	return start, min(end, n-1)
}

// sortElements reads the elements of the list, set or sorted set at key
// (none if it is missing): a list's in order, a sorted set's by score, a
// set's by member.
func (d *Dispatcher) sortElements(s *Session, key []byte) (version.Kind, [][]byte, error) {
	val, ok, err := d.readValue(s, key)
	switch {
	case err != nil:
		return 0, nil, err
	case !ok:
		return version.KindList, nil, nil
	case val.Kind != version.KindList && val.Kind != version.KindSet && val.Kind != version.KindZSet:
		return 0, nil, &replyError{errWrongType}
	}
	args := readAllArgs(val.Kind, key)
	if val.Kind == version.KindZSet {
		args = args[:4] // no WITHSCORES
	}
	r := d.invoke(s, args...)
	if r.IsError() {
		return 0, nil, &replyError{r}
	}
	var elems [][]byte
	for _, e := range flatReply(r, nil) {
		elems = append(elems, replyBytes(e))
	}
	return val.Kind, elems, nil
}

// sortItems weighs and sorts items as Redis's sortCompare does.
func (d *Dispatcher) sortItems(s *Session, items []sortItem, o sortOpts) resp.Reply {
	convErr := false
	for i := range items {
		by, ok := items[i].elem, true
		if o.by != nil {
			var err error
			if by, ok, err = d.sortLookup(s, o.by, items[i].elem); err != nil {
				return errorReply(err)
			}
			if !ok {
				continue
			}
		}
		if o.alpha {
			if o.by != nil {
				items[i].cmp = by
			}
			continue
		}
		f, ok := sortScore(by)
		if !ok {
			convErr = true
		}
		items[i].score = f
	}
	if convErr {
		return resp.Err("ERR One or more scores can't be converted into double")
	}
	slices.SortStableFunc(items, func(a, b sortItem) int {
		c := sortCompare(a, b, o.alpha, o.by != nil)
		if o.desc {
			return -c
		}
		return c
	})
	return resp.Reply{}
}

func sortCompare(a, b sortItem, alpha, by bool) int {
	switch {
	case !alpha && a.score != b.score:
		if a.score > b.score {
			return 1
		}
		return -1
	case !alpha || !by:
		return bytes.Compare(a.elem, b.elem)
	case a.cmp == nil || b.cmp == nil:
		return b2c(a.cmp != nil) - b2c(b.cmp != nil)
	}
	return bytes.Compare(a.cmp, b.cmp)
}

func b2c(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sortScore reads a weight as Redis does (strtod, the whole string, no
// NaN, no overflow): C strings end at NUL, leading spaces are skipped,
// and the empty string is 0.
func sortScore(b []byte) (float64, bool) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 0 {
		return 0, true
	}
	if f, ok := resp.ParseFloat(bytes.TrimLeft(b, " \t\n\v\f\r")); ok {
		return f, true
	}
	return 0, false
}

// sortLookup is Redis's lookupKeyByPattern: "#" is the element itself;
// otherwise the first '*' is replaced by it, and "key->field" (text after
// the '*') reads a hash field. ok is false if there is no such string or
// field (or no '*').
func (d *Dispatcher) sortLookup(s *Session, pattern, elem []byte) ([]byte, bool, error) {
	if string(pattern) == "#" {
		return elem, true, nil
	}
	star := bytes.IndexByte(pattern, '*')
	if star < 0 {
		return nil, false, nil
	}
	keyPat, field := pattern, []byte(nil)
	if f := bytes.Index(pattern[star+1:], []byte("->")); f >= 0 && star+1+f+2 < len(pattern) {
		keyPat, field = pattern[:star+1+f], pattern[star+1+f+2:]
	}
	key := slices.Concat(keyPat[:star], elem, keyPat[star+1:])
	val, ok, err := d.readValue(s, key)
	switch {
	case err != nil || !ok:
		return nil, false, err
	case field == nil && crdt.IsString(val.Kind):
		return clone(val.Bytes), true, nil
	case field == nil || val.Kind != version.KindHash:
		return nil, false, nil
	}
	r := d.invoke(s, []byte("hget"), key, field)
	switch {
	case r.IsError():
		return nil, false, &replyError{r}
	case r.Kind != resp.KindBulk:
		return nil, false, nil
	}
	return replyBytes(r), true, nil
}

// sortStore replaces dest with a list of vals (missing values as empty
// strings), or deletes it if there are none, and answers the count.
func (d *Dispatcher) sortStore(s *Session, dest []byte, vals [][]byte) resp.Reply {
	if _, err := d.remove(s, dest); err != nil {
		return errorReply(err)
	}
	total := len(vals)
	for len(vals) > 0 {
		n := min(restoreBatch, len(vals))
		args := append([][]byte{[]byte("rpush"), dest}, vals[:n]...)
		for i := 2; i < len(args); i++ {
			if args[i] == nil {
				args[i] = []byte{}
			}
		}
		if r := d.invoke(s, args...); r.IsError() {
			return r
		}
		vals = vals[n:]
	}
	return resp.Int(int64(total))
}
