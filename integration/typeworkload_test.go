package integration

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"
)

// typeWorkload drives the data types on both sides of a partition and
// checks their merge rules after healing (DESIGN.md, "Data types that
// converge"):
//   - set: each side SADDs its own members; a member added before the
//     split is SREMoved on the majority side and SADDed again on the
//     minority side (the add wins); one removed by the minority side only
//     stays removed;
//   - hash: both sides HSET one shared field (one value wins, the same on
//     every node) and their own fields (all kept), and HINCRBY one field
//     (the increments add up); a field incremented before the split is
//     HDELed on the majority side while the minority side increments it:
//     it ends at the minority's increments (the HDEL removed those it saw);
//   - sorted set: both sides ZINCRBY one member (adds up) and ZADD their
//     own members (all kept, with their scores); a member ZREMed on the
//     majority side while the minority ZINCRBYs it, as the hash field;
//   - list: both sides RPUSH their own elements (all kept, in one order on
//     every node, each side's own order kept);
//   - stream: both sides XADD with auto IDs: every acknowledged entry is
//     kept with its fields, and XLEN counts them all (unless both sides
//     handed out one ID in the same millisecond: then one of the two
//     entries stands, as README's "Streams" says).
type typeWorkload struct {
	setAdded   map[string]bool // acknowledged SADDs that must survive
	setRemoved map[string]bool // removed by a side and never re-added
	fields     map[string]string
	hincr      int64 // acknowledged HINCRBY increments
	zincr      float64
	// The field and member removed on the majority side while the minority
	// increments them: the minority's acknowledged increments, and whether
	// the removals were acknowledged (if not, the check cannot tell).
	delIncr, remIncr int64
	deleted, remd    bool
	zmembers         map[string]float64
	pushed           map[string][]string // side → its acknowledged RPUSHes, in order
	xadded           map[string][]string // stream entry ID → the acknowledged XADDs' values
	counts           map[string]int      // acknowledged commands by side
	failed           int
}

const (
	twSet, twHash, twZSet, twList, twStream = "tw:set", "tw:hash", "tw:zset", "tw:list", "tw:stream"
)

func newTypeWorkload() *typeWorkload {
	return &typeWorkload{setAdded: map[string]bool{}, setRemoved: map[string]bool{}, fields: map[string]string{},
		zmembers: map[string]float64{}, pushed: map[string][]string{}, xadded: map[string][]string{}, counts: map[string]int{}}
}

// run is one round of side's commands through n.
func (w *typeWorkload) run(t *testing.T, n *container, side string, round int) {
	t.Helper()
	ctx := context.Background()
	ok := func(err error, what string) bool {
		if err != nil {
			w.failed++
			t.Logf("%s via %s (%s): %v", what, n.name, side, err)
			return false
		}
		w.counts[side]++
		return true
	}
	if side == "pre" {
		for _, m := range []string{"readd", "gone"} {
			if ok(n.cl.SAdd(ctx, twSet, m).Err(), "SADD") {
				w.setAdded[m] = true
			}
		}
		ok(n.cl.HIncrBy(ctx, twHash, "del", 10).Err(), "HINCRBY del")
		ok(n.cl.ZIncrBy(ctx, twZSet, 10, "rem").Err(), "ZINCRBY rem")
		return
	}
	if round == 0 && side == "major" {
		w.deleted = ok(n.cl.HDel(ctx, twHash, "del").Err(), "HDEL del")
		w.remd = ok(n.cl.ZRem(ctx, twZSet, "rem").Err(), "ZREM rem")
	}
	if side == "minor" {
		if ok(n.cl.HIncrBy(ctx, twHash, "del", 1).Err(), "HINCRBY del") {
			w.delIncr++
		}
		if ok(n.cl.ZIncrBy(ctx, twZSet, 1, "rem").Err(), "ZINCRBY rem") {
			w.remIncr++
		}
	}
	m := fmt.Sprintf("%s-%d", side, round)
	if ok(n.cl.SAdd(ctx, twSet, m).Err(), "SADD") {
		w.setAdded[m] = true
	}
	if round == 0 && side == "major" {
		// The minority side adds it again concurrently: the add wins.
		if ok(n.cl.SRem(ctx, twSet, "readd").Err(), "SREM") {
			delete(w.setAdded, "readd")
		}
	}
	if round == 1 && side == "minor" && ok(n.cl.SAdd(ctx, twSet, "readd").Err(), "SADD") {
		w.setAdded["readd"] = true
	}
	if round == 0 && side == "minor" && ok(n.cl.SRem(ctx, twSet, "gone").Err(), "SREM") {
		delete(w.setAdded, "gone")
		w.setRemoved["gone"] = true
	}
	if ok(n.cl.HSet(ctx, twHash, "shared", m).Err(), "HSET shared") {
		w.fields["shared"] = "?" // one of the sides' values
	}
	if ok(n.cl.HSet(ctx, twHash, "f-"+m, m).Err(), "HSET") {
		w.fields["f-"+m] = m
	}
	if ok(n.cl.HIncrBy(ctx, twHash, "n", 1).Err(), "HINCRBY") {
		w.hincr++
	}
	if ok(n.cl.ZIncrBy(ctx, twZSet, 1.5, "common").Err(), "ZINCRBY") {
		w.zincr += 1.5
	}
	if ok(n.cl.ZAdd(ctx, twZSet, redis.Z{Score: float64(round), Member: m}).Err(), "ZADD") {
		w.zmembers[m] = float64(round)
	}
	if ok(n.cl.RPush(ctx, twList, m).Err(), "RPUSH") {
		w.pushed[side] = append(w.pushed[side], m)
	}
	if id, err := n.cl.XAdd(ctx, &redis.XAddArgs{Stream: twStream, Values: []string{"by", m}}).Result(); ok(err, "XADD") {
		w.xadded[id] = append(w.xadded[id], m)
	}
}

// check reads every type through every node: lost counts acknowledged
// writes a node's answer misses (or a rule it breaks), diverged the nodes
// whose answer differs from the first's.
func (w *typeWorkload) check(ctx context.Context, nodes []*container) (lost, diverged int, detail []string) {
	var first string
	for i, n := range nodes {
		set, err1 := n.cl.SMembers(ctx, twSet).Result()
		hash, err2 := n.cl.HGetAll(ctx, twHash).Result()
		zs, err3 := n.cl.ZRangeWithScores(ctx, twZSet, 0, -1).Result()
		list, err4 := n.cl.LRange(ctx, twList, 0, -1).Result()
		entries, err5 := n.cl.XRange(ctx, twStream, "-", "+").Result()
		xlen, err6 := n.cl.XLen(ctx, twStream).Result()
		if err := firstErr(err1, err2, err3, err4, err5, err6); err != nil {
			return 1, 0, []string{fmt.Sprintf("%s: %v", n.name, err)}
		}
		slices.Sort(set)
		have := map[string]bool{}
		for _, m := range set {
			have[m] = true
		}
		for m := range w.setAdded {
			if !have[m] {
				lost++
				detail = append(detail, fmt.Sprintf("%s: SADD %s missing", n.name, m))
			}
		}
		for m := range w.setRemoved {
			if have[m] {
				lost++
				detail = append(detail, fmt.Sprintf("%s: removed %s is back", n.name, m))
			}
		}
		for f, v := range w.fields {
			if got, ok := hash[f]; !ok || (v != "?" && got != v) {
				lost++
				detail = append(detail, fmt.Sprintf("%s: field %s = %q, want %q", n.name, f, got, v))
			}
		}
		if want := strconv.FormatInt(w.delIncr, 10); w.deleted && hash["del"] != want {
			lost++
			detail = append(detail, fmt.Sprintf("%s: field del = %q after HDEL || HINCRBY, want %s", n.name, hash["del"], want))
		}
		if hash["n"] != strconv.FormatInt(w.hincr, 10) {
			lost++
			detail = append(detail, fmt.Sprintf("%s: HINCRBY total %s, want %d", n.name, hash["n"], w.hincr))
		}
		scores := map[string]float64{}
		for _, z := range zs {
			scores[z.Member.(string)] = z.Score
		}
		if w.remd && scores["rem"] != float64(w.remIncr) {
			lost++
			detail = append(detail, fmt.Sprintf("%s: member rem = %v after ZREM || ZINCRBY, want %d", n.name, scores["rem"], w.remIncr))
		}
		if scores["common"] != w.zincr {
			lost++
			detail = append(detail, fmt.Sprintf("%s: ZINCRBY total %v, want %v", n.name, scores["common"], w.zincr))
		}
		for m, sc := range w.zmembers {
			if got, ok := scores[m]; !ok || got != sc {
				lost++
				detail = append(detail, fmt.Sprintf("%s: zset member %s = %v, want %v", n.name, m, got, sc))
			}
		}
		pos := map[string]int{}
		for j, e := range list {
			pos[e] = j
		}
		for side, els := range w.pushed {
			for j, e := range els {
				p, ok := pos[e]
				if !ok {
					lost++
					detail = append(detail, fmt.Sprintf("%s: RPUSH %s (%s) missing", n.name, e, side))
				} else if j > 0 && p < pos[els[j-1]] {
					lost++
					detail = append(detail, fmt.Sprintf("%s: %s's pushes out of order", n.name, side))
				}
			}
		}
		got := map[string]string{}
		for _, e := range entries {
			got[e.ID] = fmt.Sprint(e.Values["by"])
		}
		for id, vals := range w.xadded {
			if v, ok := got[id]; !ok || !slices.Contains(vals, v) {
				lost++
				detail = append(detail, fmt.Sprintf("%s: XADD %s (%v) = %q", n.name, id, vals, v))
			}
		}
		if xlen != int64(len(entries)) && !w.xcollided() {
			lost++
			detail = append(detail, fmt.Sprintf("%s: XLEN %d with %d entries", n.name, xlen, len(entries)))
		}
		view := fmt.Sprint(set, sortedMap(hash), zs, list, entries, xlen)
		if i == 0 {
			first = view
		} else if view != first {
			diverged++
			detail = append(detail, fmt.Sprintf("%s differs from %s", n.name, nodes[0].name))
		}
	}
	return lost, diverged, detail
}

// xcollided reports whether both sides were handed one stream ID.
func (w *typeWorkload) xcollided() bool {
	for _, vals := range w.xadded {
		if len(vals) > 1 {
			return true
		}
	}
	return false
}

func sortedMap(m map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+m[k])
	}
	return out
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
