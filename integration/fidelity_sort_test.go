package integration

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// sortProbes cover SORT and SORT_RO over lists, sets and sorted sets: numeric and
// ALPHA, ASC/DESC, LIMIT edges, BY (nosort, string weights, hash fields,
// missing keys), GET (#, strings, hash fields, missing), STORE, and every
// error. A set sorted BY nosort is compared by its elements: Redis lists
// it in its own encoding's order (an intset numerically, a hash table in
// hash order), ringkv by bytes. ALPHA BY ties are avoided: Redis's qsort
// leaves their order undefined.
var sortProbes = []probe{
	p("SADD", "s", "3", "10", "2", "1.5", "-1"),
	p("MSET", "w_3", "1", "w_10", "5", "w_2", "3", "w_-1", "4", "w_1.5", "2", "n_3", "three", "n_10", "ten", "n_2", "two",
		"n_1.5", "onefive"),
	p("HSET", "h_3", "f", "x3", "g", "3"), p("HSET", "h_2", "f", "x2", "g", "-3"),
	p("SORT", "s"), p("SORT", "s", "DESC"), p("SORT", "s", "ASC"), p("SORT", "s", "desc", "asc"),
	p("SORT", "s", "LIMIT", "1", "2"), p("SORT", "s", "ALPHA"), p("SORT", "s", "ALPHA", "DESC"),
	p("SORT", "s", "BY", "w_*"), p("SORT", "s", "BY", "w_*", "DESC"), p("SORT", "s", "BY", "w_*", "ALPHA"),
	p("SORT", "s", "BY", "w_*", "GET", "#", "GET", "n_*", "GET", "h_*->f"),
	p("SORT", "s", "BY", "h_*->g"), p("SORT", "s", "BY", "w_*->f"), p("SORT", "s", "BY", "missing_*"),
	p("SORT", "s", "GET", "h_*->"), p("SORT", "s", "GET", "nostar"), p("SORT", "s", "GET", "#", "GET", "#"),
	p("SORT", "s", "BY", "w_*", "LIMIT", "1", "3"), p("SORT", "s", "BY", "w_*", "LIMIT", "4", "10"),
	p("SORT", "s", "LIMIT", "10", "5"), p("SORT", "s", "LIMIT", "-5", "2"), p("SORT", "s", "LIMIT", "2", "-1"),
	p("SORT", "s", "LIMIT", "0", "0"), p("SORT", "s", "LIMIT", "5", "1"), p("SORT", "s", "LIMIT", "4", "1"),
	p("SORT", "s", "LIMIT", "9223372036854775807", "9223372036854775807"),
	p("SORT", "s", "LIMIT", "-9223372036854775808", "1"), p("SORT", "s", "LIMIT", "1", "2", "LIMIT", "0", "1"),
	loose(sameSet, "SORT", "s", "BY", "nosort"), p("SORT", "s", "BY", "nosort", "LIMIT", "0", "10", "GET", "n_*", "ALPHA", "STORE", "d"),
	p("LRANGE", "d", "0", "-1"), p("SORT", "s", "BY", "nosort", "DESC", "STORE", "d"), p("LRANGE", "d", "0", "-1"),
	p("SORT", "s", "STORE", "d"), p("LRANGE", "d", "0", "-1"), p("TYPE", "d"),
	p("SORT", "s", "GET", "n_*", "ALPHA", "STORE", "d"), p("LRANGE", "d", "0", "-1"),
	p("SET", "d2", "v"), p("EXPIRE", "d2", "100"), p("SORT", "s", "STORE", "d2"), p("TTL", "d2"), p("TYPE", "d2"),
	p("SORT", "missing"), p("SORT", "missing", "STORE", "d2"), p("EXISTS", "d2"), p("SORT_RO", "missing"),
	p("SORT", "s", "LIMIT", "5", "1", "STORE", "d"), p("EXISTS", "d"),
	p("SORT_RO", "s"), p("SORT_RO", "s", "BY", "w_*", "GET", "n_*", "DESC", "LIMIT", "0", "2"),
	// lists keep their order BY nosort, reversed by DESC
	p("RPUSH", "l", "3", "1", "2", "b", "1"),
	p("SORT", "l", "BY", "nosort"), p("SORT", "l", "BY", "nosort", "DESC"),
	p("SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"), p("SORT", "l", "BY", "nosort", "LIMIT", "1", "2"),
	p("SORT", "l", "ALPHA"), p("SORT", "l", "ALPHA", "DESC", "LIMIT", "0", "-1"), p("SORT", "l"),
	p("SORT", "l", "BY", "constant", "GET", "#", "STORE", "dl"), p("LRANGE", "dl", "0", "-1"),
	p("SORT", "l", "ALPHA", "STORE", "l"), p("LRANGE", "l", "0", "-1"),
	p("RPUSH", "nums", "10", "-2.5", "1e3", "0x10", "inf", "-inf", " 7", "", "3"), p("SORT", "nums"),
	p("SORT", "nums", "DESC"), p("RPUSH", "nan", "nan"), p("SORT", "nan"), p("RPUSH", "trail", "5 "), p("SORT", "trail"),
	p("RPUSH", "huge", "1e400"), p("SORT", "huge"), p("RPUSH", "ties", "b", "a", "c"), p("SORT", "ties", "BY", "nokey_*"),
	// sorted sets keep their score order BY nosort
	p("ZADD", "z", "1", "a", "2.5", "b", "-inf", "c", "1", "d"), p("MSET", "w_a", "3", "w_b", "1", "w_c", "2", "w_d", "0"),
	p("SORT", "z"), p("SORT", "z", "BY", "nosort"), p("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"),
	p("SORT", "z", "ALPHA"), p("SORT", "z", "BY", "w_*"), p("SORT", "z", "BY", "nosort", "LIMIT", "1", "10", "STORE", "dz"),
	p("LRANGE", "dz", "0", "-1"), p("SORT_RO", "z", "BY", "w_*", "DESC", "GET", "#", "GET", "w_*"),
	// errors, in Redis's order: options first, then the key's type
	p("SORT", "n_3"), p("SORT", "h_3"), p("SORT", "n_3", "FOO"), p("SORT", "s", "LIMIT", "1"),
	p("SORT", "s", "LIMIT", "a", "1"), p("SORT", "s", "LIMIT", "1", "b"), p("SORT", "s", "FOO"),
	p("SORT", "s", "BY"), p("SORT", "s", "GET"), p("SORT", "s", "STORE"), p("SORT_RO", "s", "STORE", "d"),
	p("SORT"), p("SORT_RO"), p("SORT", "n_3", "LIMIT", "0", "1", "STORE", "d"),
}

func init() { addFidelity("sort", sortProbes...) }

// TestSortCluster: in a 3-node cluster SORT runs from any node; BY and GET
// patterns must name keys of the sorted key's partition by its hash tag
// (refused otherwise with Redis Cluster's texts), STORE into another
// partition is CROSSSLOT, and DUMP/RESTORE move a key between nodes.
func TestSortCluster(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	ctx := context.Background()
	for i, n := range c.Nodes {
		cl := c.Client(n)
		l, w, nm, dst := fmt.Sprintf("{t%d}l", i), fmt.Sprintf("{t%d}w_*", i), fmt.Sprintf("{t%d}n_*", i), fmt.Sprintf("{t%d}d", i)
		if err := cl.RPush(ctx, l, "3", "1", "2").Err(); err != nil {
			t.Fatal(err)
		}
		for _, kv := range [][2]string{{"w_3", "1"}, {"w_1", "3"}, {"w_2", "2"}, {"n_1", "one"}} {
			if err := cl.Set(ctx, fmt.Sprintf("{t%d}%s", i, kv[0]), kv[1], 0).Err(); err != nil {
				t.Fatal(err)
			}
		}
		got, err := cl.Do(ctx, "SORT", l, "BY", w, "GET", "#", "GET", nm).Slice()
		if want := []any{"3", nil, "2", nil, "1", "one"}; err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("node %d: SORT BY/GET tagged = %v, %v; want %v", i+1, got, err, want)
		}
		for _, cmd := range []struct {
			args []any
			want string
		}{
			{[]any{"SORT", l, "BY", "w_*"}, "ERR BY option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots."},
			{[]any{"SORT_RO", l, "GET", "n_*"}, "ERR GET option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots."},
			{[]any{"SORT", l, "STORE", "elsewhere" + strconv.Itoa(i)}, "CROSSSLOT"},
		} {
			if err := cl.Do(ctx, cmd.args...).Err(); err == nil || !strings.HasPrefix(err.Error(), cmd.want) {
				t.Errorf("node %d: %v = %v, want %s", i+1, cmd.args, err, cmd.want)
			}
		}
		if n, err := cl.Do(ctx, "SORT", l, "DESC", "STORE", dst).Int(); err != nil || n != 3 {
			t.Errorf("node %d: SORT STORE tagged = %v, %v", i+1, n, err)
		}
		payload, err := cl.Dump(ctx, dst).Result()
		if err != nil {
			t.Fatal(err)
		}
		// RESTORE through every node: a node that does not coordinate
		// the key forwards it (it was refused between nodes).
		copyKey := fmt.Sprintf("copy%d", i)
		if err := cl.Restore(ctx, copyKey, 0, payload).Err(); err != nil {
			t.Fatalf("node %d: RESTORE = %v", i+1, err)
		}
		if got, err := cl.LRange(ctx, fmt.Sprintf("copy%d", i), 0, -1).Result(); err != nil || fmt.Sprint(got) != "[3 2 1]" {
			t.Errorf("node %d: the restored copy = %v, %v", i+1, got, err)
		}
	}
}
