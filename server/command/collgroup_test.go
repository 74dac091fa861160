package command

import (
	"testing"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/version"
)

// A pop chooses its element from facts read at the header it opened; if
// the header moved before the deferred header write (a coordinator
// elsewhere wrote it), that group writes nothing and the pop begins
// again with a fresh header write and facts, so it still pops the head.
func TestPopBeginsAgainWhenTheHeaderMoved(t *testing.T) {
	f := newFixture(t)
	f.do("RPUSH", "l", "a", "b", "c")
	hk := string(ring.InternalKey([]byte("l")))
	groups := 0
	f.kv.onGroup = func(m map[string]version.Set) {
		groups++
		if groups == 1 { // another coordinator re-stamps the header
			cur := m[hk]
			w, _ := cur.Winner(1 << 62)
			m[hk], _ = cur.Put("elsewhere", cur.Context(), *w, 0)
		}
	}
	if got := f.do("LPOP", "l").String(); got != `"a"` {
		t.Fatalf("LPOP = %s, want \"a\"", got)
	}
	if groups != 1 {
		t.Errorf("%d group writes, want 1 (refused, then the pop's own touch)", groups)
	}
	if got := f.do("LRANGE", "l", "0", "-1").String(); got != "1) \"b\"\n2) \"c\"" {
		t.Errorf("LRANGE = %q, want b c", got)
	}
	f.kv.onGroup = nil
	if got := f.do("RPOP", "l").String(); got != `"c"` {
		t.Errorf("RPOP = %s, want \"c\"", got)
	}
}

// A group refused by its element (HINCRBY of a field that is not an
// integer, ZINCRBY to NaN) leaves no trace: no header re-stamp, and a
// missing key stays missing.
func TestRefusedElementWritesNoHeader(t *testing.T) {
	f := newFixture(t)
	f.do("HSET", "h", "f", "notanumber")
	hk := string(ring.InternalKey([]byte("h")))
	before := f.kv.m[hk]
	if got := f.do("HINCRBY", "h", "f", "1").String(); got != "(error) ERR hash value is not an integer" {
		t.Fatalf("HINCRBY = %s", got)
	}
	if after := f.kv.m[hk]; !after.Equal(before) {
		t.Errorf("the refused HINCRBY re-stamped the header: %v -> %v", before, after)
	}
	f.do("ZADD", "z", "INCR", "+inf", "m")
	if got := f.do("ZINCRBY", "z", "-inf", "m").String(); got != "(error) ERR resulting score is not a number (NaN)" {
		t.Fatalf("ZINCRBY = %s", got)
	}
	f.do("DEL", "z")
	if got := f.do("ZINCRBY", "z2", "nan", "m").String(); got != "(error) ERR value is not a valid float" {
		t.Fatalf("ZINCRBY nan = %s", got)
	}
	if _, ok := f.kv.m[string(ring.InternalKey([]byte("z2")))]; ok {
		t.Error("a refused ZINCRBY created z2's header")
	}
}

// A push too: its position was chosen from facts read at the header it
// opened, so a header moved meanwhile makes it begin again; every value
// lands, in order, once.
func TestPushBeginsAgainWhenTheHeaderMoved(t *testing.T) {
	f := newFixture(t)
	f.do("RPUSH", "l", "a")
	hk := string(ring.InternalKey([]byte("l")))
	groups := 0
	f.kv.onGroup = func(m map[string]version.Set) {
		groups++
		if groups == 1 {
			cur := m[hk]
			w, _ := cur.Winner(1 << 62)
			m[hk], _ = cur.Put("elsewhere", cur.Context(), *w, 0)
		}
	}
	if got := f.do("RPUSH", "l", "b", "c").String(); got != "(integer) 3" {
		t.Fatalf("RPUSH = %s", got)
	}
	if got := f.do("LPUSH", "l", "z").String(); got != "(integer) 4" {
		t.Fatalf("LPUSH = %s", got)
	}
	if groups != 2 {
		t.Errorf("%d group writes, want 2 (RPUSH's refused, LPUSH's)", groups)
	}
	if got := f.do("LRANGE", "l", "0", "-1").String(); got != "1) \"z\"\n2) \"a\"\n3) \"b\"\n4) \"c\"" {
		t.Errorf("LRANGE = %q, want z a b c", got)
	}
}

// ZPOPMIN writes the header with its first removal, one group, where it
// wrote the header alone first; and a header moved since the view was
// read (another coordinator added a lower member) makes the group write
// nothing and the pop pick again from a fresh view, so it pops that
// member.
func TestZpopWritesTheHeaderWithItsRemoval(t *testing.T) {
	f := newFixture(t)
	f.do("ZADD", "z", "1", "a", "2", "b", "3", "c")
	f.do("ZADD", "y", "0", "x")
	groups := 0
	f.kv.onGroup = func(map[string]version.Set) { groups++ }
	if got := f.do("ZPOPMIN", "z").String(); got != "1) \"a\"\n2) \"1\"" {
		t.Fatalf("ZPOPMIN = %q", got)
	}
	if groups != 1 {
		t.Errorf("ZPOPMIN wrote %d groups, want 1 (header and removal)", groups)
	}

	hk := string(ring.InternalKey([]byte("z")))
	groups = 0
	f.kv.onGroup = func(m map[string]version.Set) {
		groups++
		if groups > 1 {
			return
		}
		// Elsewhere: z's header re-stamped, and member x at score 0.
		cur := m[hk]
		w, _ := cur.Winner(1 << 62)
		m[hk], _ = cur.Put("elsewhere", cur.Context(), *w, 0)
		x := ring.ElementKey(ring.ElemZSet, []byte("y"), []byte("x"))
		m[string(ring.ElementKey(ring.ElemZSet, []byte("z"), []byte("x")))] = m[string(x)]
	}
	if got := f.do("ZPOPMIN", "z").String(); got != "1) \"x\"\n2) \"0\"" {
		t.Fatalf("ZPOPMIN after the header moved = %q, want x", got)
	}
	f.kv.onGroup = nil
	if got := f.do("ZRANGE", "z", "0", "-1").String(); got != "1) \"b\"\n2) \"c\"" {
		t.Errorf("ZRANGE = %q, want b c", got)
	}
}

// ZPOPMIN of count and ZREMRANGEBYSCORE remove their members with the
// header as one group write, not one write each; a range that matches
// nothing writes nothing.
func TestZsetRemovalsOfManyAreOneWrite(t *testing.T) {
	f := newFixture(t)
	f.do("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f")
	writes := f.kv.takeWrites
	writes()
	if got := f.do("ZPOPMIN", "z", "3").String(); got != "1) \"a\"\n2) \"1\"\n3) \"b\"\n4) \"2\"\n5) \"c\"\n6) \"3\"" {
		t.Fatalf("ZPOPMIN z 3 = %q", got)
	}
	if w := writes(); w != 1 {
		t.Errorf("ZPOPMIN z 3 made %d writes, want 1", w)
	}
	if got := f.do("ZREMRANGEBYSCORE", "z", "10", "20").String(); got != "(integer) 0" {
		t.Fatalf("ZREMRANGEBYSCORE z 10 20 = %q", got)
	}
	if w := writes(); w != 0 {
		t.Errorf("a ZREMRANGEBYSCORE that matched nothing made %d writes", w)
	}
	if got := f.do("ZREMRANGEBYSCORE", "z", "4", "5").String(); got != "(integer) 2" {
		t.Fatalf("ZREMRANGEBYSCORE z 4 5 = %q", got)
	}
	if w := writes(); w != 1 {
		t.Errorf("ZREMRANGEBYSCORE of 2 made %d writes, want 1", w)
	}
	if got := f.do("ZRANGE", "z", "0", "-1", "WITHSCORES").String(); got != "1) \"f\"\n2) \"6\"" {
		t.Errorf("ZRANGE = %q, want f 6", got)
	}
}
