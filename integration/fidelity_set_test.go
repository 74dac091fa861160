package integration

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// setProbes cover every set command: normal use, edge cases and every
// error path. Sets of integers are compared byte for byte (Redis lists an
// intset in numeric order, and so does ringkv); sets of strings, which
// Redis lists in hash table order, by their elements; random replies by
// their type and size.
var setProbes = []probe{
	// SADD / SREM / SCARD / SISMEMBER / SMISMEMBER / SMEMBERS
	p("SADD", "i", "3", "1", "2", "10", "-5"), p("SADD", "i", "1", "7"), p("SMEMBERS", "i"), p("SCARD", "i"),
	p("SADD", "s", "b", "a", "c"), loose(sameSet, "SMEMBERS", "s"), p("SADD", "s", "a"), p("SCARD", "s"),
	p("SISMEMBER", "s", "a"), p("SISMEMBER", "s", "zz"), p("SISMEMBER", "missing", "a"),
	p("SMISMEMBER", "s", "a", "zz", "c"), p("SMISMEMBER", "missing", "a", "b"),
	p("SREM", "s", "a", "zz"), p("SREM", "missing", "a"), p("SREM", "s", "zz"), loose(sameSet, "SMEMBERS", "s"),
	p("SREM", "s", "b", "c"), p("EXISTS", "s"), p("SMEMBERS", "missing"), p("SCARD", "missing"),
	p("SADD", "e", ""), p("SMEMBERS", "e"), p("SISMEMBER", "e", ""), p("TYPE", "e"),
	p("SADD", "big", "9223372036854775807", "-9223372036854775808", "0", "01"), loose(sameSet, "SMEMBERS", "big"),
	p("SET", "str", "v"), p("SADD", "str", "a"), p("SREM", "str", "a"), p("SMEMBERS", "str"), p("SCARD", "str"),
	p("SISMEMBER", "str", "a"), p("SMISMEMBER", "str", "a"),
	p("SADD", "s"), p("SREM", "s"), p("SCARD"), p("SCARD", "s", "x"), p("SMEMBERS"), p("SISMEMBER", "s"),
	p("SMISMEMBER", "s"),
	p("SADD", "t", "x"), p("EXPIRE", "t", "100"), p("SADD", "t", "y"), p("TTL", "t"), p("SREM", "t", "x"), p("TTL", "t"),
	// SPOP
	p("SPOP", "missing"), p("SPOP", "missing", "3"), p("SPOP", "missing", "0"), p("SPOP", "missing", "-1"),
	p("SPOP", "i", "-1"), p("SPOP", "i", "x"), p("SPOP", "i", "1", "2"), p("SPOP", "str"), p("SPOP", "str", "1"),
	p("SPOP", "i", "0"), loose(sameKind, "SPOP", "i"), loose(sameKind, "SPOP", "i", "2"), p("SCARD", "i"),
	p("SADD", "one", "x"), p("SPOP", "one"), p("EXISTS", "one"), p("SADD", "one", "x"), p("SPOP", "one", "5"),
	p("EXISTS", "one"), p("SADD", "two", "1", "2"), p("SPOP", "two", "2"), p("EXISTS", "two"), p("SPOP"),
	// SRANDMEMBER
	p("SRANDMEMBER", "missing"), p("SRANDMEMBER", "missing", "3"), p("SRANDMEMBER", "missing", "-3"),
	p("SRANDMEMBER", "missing", "x"), p("SRANDMEMBER", "i", "x"), p("SRANDMEMBER", "i", "-9223372036854775808"),
	p("SRANDMEMBER", "i", "1", "2"), p("SRANDMEMBER", "str"), p("SRANDMEMBER", "str", "1"),
	p("SADD", "r", "1", "2", "3"), p("SRANDMEMBER", "r", "0"), p("SRANDMEMBER", "r", "3"), p("SRANDMEMBER", "r", "100"),
	loose(sameKind, "SRANDMEMBER", "r"), loose(sameKind, "SRANDMEMBER", "r", "2"), loose(sameKind, "SRANDMEMBER", "r", "-5"),
	p("SADD", "r1", "z"), p("SRANDMEMBER", "r1"), p("SRANDMEMBER", "r1", "-3"), p("SRANDMEMBER", "r1", "1"),
	p("SRANDMEMBER"), p("SCARD", "r"),
	// SMOVE
	p("SADD", "src", "1", "2"), p("SMOVE", "missing", "str", "1"), p("SMOVE", "src", "str", "1"),
	p("SMOVE", "str", "src", "1"), p("SMOVE", "src", "src", "1"), p("SMOVE", "src", "src", "9"),
	p("SMOVE", "src", "dst", "9"), p("EXISTS", "dst"), p("SMOVE", "src", "dst", "1"), p("SMEMBERS", "src"),
	p("SMEMBERS", "dst"), p("SADD", "dst", "2"), p("SMOVE", "src", "dst", "2"), p("EXISTS", "src"), p("SMEMBERS", "dst"),
	p("SMOVE", "src", "dst"), p("SMOVE", "src", "dst", "1", "2"),
	// SINTER / SUNION / SDIFF
	p("SADD", "a", "1", "2", "3", "4"), p("SADD", "b", "3", "4", "5"), p("SADD", "c", "x", "3"),
	p("SINTER", "a", "b"), p("SINTER", "a", "b", "c"), p("SINTER", "a"), p("SINTER", "a", "missing"),
	p("SINTER", "missing", "str"), p("SINTER", "a", "str"), p("SINTER"),
	p("SUNION", "a", "b"), loose(sameSet, "SUNION", "a", "b", "c"), p("SUNION", "missing"), p("SUNION", "a", "missing"),
	p("SUNION", "a", "str"), p("SUNION"),
	p("SDIFF", "a", "b"), p("SDIFF", "a", "b", "c"), p("SDIFF", "missing", "a"), p("SDIFF", "a", "missing"),
	p("SDIFF", "a", "a"), p("SDIFF", "str", "a"), p("SDIFF", "a", "str"), p("SDIFF"),
	// the STORE forms
	p("SINTERSTORE", "d1", "a", "b"), p("SMEMBERS", "d1"), p("SUNIONSTORE", "d1", "a", "b"), p("SMEMBERS", "d1"),
	p("SDIFFSTORE", "d1", "a", "b"), p("SMEMBERS", "d1"), p("EXPIRE", "d1", "100"), p("SUNIONSTORE", "d1", "b"),
	p("TTL", "d1"), p("SMEMBERS", "d1"), p("SINTERSTORE", "d1", "a", "missing"), p("EXISTS", "d1"),
	p("SINTERSTORE", "d1", "a", "missing"), p("SDIFFSTORE", "str2", "a", "a"), p("SET", "str2", "v"),
	p("SUNIONSTORE", "str2", "a"), p("TYPE", "str2"), p("SMEMBERS", "str2"), p("SINTERSTORE", "d2", "a", "str"),
	p("SUNIONSTORE", "a", "a", "b"), p("SMEMBERS", "a"), p("SDIFFSTORE", "a", "a", "c"), p("SMEMBERS", "a"),
	p("SINTERSTORE", "d2"), p("SUNIONSTORE", "d2"), p("SDIFFSTORE", "d2"), p("SET", "str3", "v"),
	p("SINTERSTORE", "str3", "missing"), p("EXISTS", "str3"),
	// SINTERCARD
	p("SINTERCARD", "2", "a", "b"), p("SINTERCARD", "2", "a", "b", "LIMIT", "1"), p("SINTERCARD", "2", "a", "b", "limit", "0"),
	p("SINTERCARD", "1", "a", "LIMIT", "2", "LIMIT", "100"), p("SINTERCARD", "1", "missing"), p("SINTERCARD", "2", "a", "missing"),
	p("SINTERCARD", "0", "a"), p("SINTERCARD", "-1", "a"), p("SINTERCARD", "x", "a"), p("SINTERCARD", "3", "a", "b"),
	p("SINTERCARD", "1", "a", "LIMIT", "-1"), p("SINTERCARD", "1", "a", "LIMIT", "x"), p("SINTERCARD", "1", "a", "LIMIT"),
	p("SINTERCARD", "1", "a", "FOO", "1"), p("SINTERCARD", "2", "a", "str"), p("SINTERCARD", "1"),
	// SSCAN
	p("SSCAN", "missing", "0"), p("SSCAN", "missing", "0", "FOO"), p("SSCAN", "missing", "x"), p("SSCAN", "a", "x"),
	p("SSCAN", "a", "0"), p("SSCAN", "a", "0", "COUNT", "1"), p("SSCAN", "a", "0", "MATCH", "2*"),
	p("SSCAN", "a", "0", "match", "*", "count", "100"), p("SSCAN", "a", "0", "COUNT", "0"), p("SSCAN", "a", "0", "COUNT", "x"),
	p("SSCAN", "a", "0", "COUNT", "-1"), p("SSCAN", "a", "0", "TYPE", "set"), p("SSCAN", "a", "0", "MATCH"),
	p("SSCAN", "a", "0", "FOO", "1"), p("SSCAN", "str", "0"), p("SSCAN", "r1", "0"), p("SSCAN", "r1", "0", "MATCH", "y"),
	loose(sameKind, "SSCAN", "c", "0"), p("SSCAN", "a"), p("SSCAN", "a", "-1"),
	// COMMAND GETKEYS of the key-spec'd forms
	p("COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b", "LIMIT", "1"), p("COMMAND", "GETKEYS", "SMOVE", "a", "b", "m"),
	p("COMMAND", "GETKEYS", "SINTERSTORE", "d", "a", "b"),
}

func init() { addFidelity("set", setProbes...) }

// TestSetCrossSlot: in a 3-node cluster, SMOVE and the STORE forms run
// whole at their keys' coordinator when the keys share a hash tag, from
// any node, and answer CROSSSLOT when the keys are in two partitions.
func TestSetCrossSlot(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	ctx := context.Background()
	a, b := "x0", ""
	la, err := c.Locate(c.Nodes[0], a)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 1000 && b == ""; i++ {
		if lb, err := c.Locate(c.Nodes[0], "x"+strconv.Itoa(i)); err == nil && lb.Partition != la.Partition {
			b = "x" + strconv.Itoa(i)
		}
	}
	cl := c.Client(c.Nodes[1])
	if err := cl.SAdd(ctx, a, "m").Err(); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]any{{"SMOVE", a, b, "m"}, {"SINTERSTORE", a, b}, {"SUNIONSTORE", b, a},
		{"SDIFFSTORE", a, a, b}, {"SINTER", a, b}} {
		if err := cl.Do(ctx, cmd...).Err(); err == nil || !strings.HasPrefix(err.Error(), "CROSSSLOT") {
			t.Errorf("%v over two partitions: %v, want CROSSSLOT", cmd, err)
		}
	}
	if ok, err := cl.SIsMember(ctx, a, "m").Result(); err != nil || !ok {
		t.Fatalf("SISMEMBER after the refused SMOVE = %v, %v", ok, err)
	}
	for i, n := range c.Nodes {
		cl := c.Client(n)
		src, dst := fmt.Sprintf("{s%d}src", i), fmt.Sprintf("{s%d}dst", i)
		if err := cl.SAdd(ctx, src, "m", "n").Err(); err != nil {
			t.Fatal(err)
		}
		if moved, err := cl.SMove(ctx, src, dst, "m").Result(); err != nil || !moved {
			t.Fatalf("node %d: tagged SMOVE = %v, %v", i+1, moved, err)
		}
		if got, err := cl.SUnionStore(ctx, fmt.Sprintf("{s%d}u", i), src, dst).Result(); err != nil || got != 2 {
			t.Fatalf("node %d: tagged SUNIONSTORE = %v, %v", i+1, got, err)
		}
		got, err := cl.SMembers(ctx, dst).Result()
		if err != nil || !slices.Equal(got, []string{"m"}) {
			t.Fatalf("node %d: SMEMBERS of the destination = %v, %v", i+1, got, err)
		}
	}
}
