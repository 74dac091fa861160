package command

import (
	"hash/fnv"
	"testing"

	"github.com/ringkv/ringkv/cluster/ring"
)

// The expected replies are redis-server 7.0.15's for the same commands.

func TestSortSet(t *testing.T) {
	f := newFixture(t)
	f.script(`
> SADD s 3 10 2 1.5 -1
(integer) 5
> MSET w_3 1 w_10 5 w_2 3 n_3 three n_10 ten n_2 two n_1.5 onefive
OK
> HSET h_3 f x3
(integer) 1
> HSET h_2 f x2
(integer) 1
> SORT s
1) "-1"
2) "1.5"
3) "2"
4) "3"
5) "10"
> SORT s DESC
1) "10"
2) "3"
3) "2"
4) "1.5"
5) "-1"
> SORT s LIMIT 1 2
1) "1.5"
2) "2"
> SORT s ALPHA
1) "-1"
2) "1.5"
3) "10"
4) "2"
5) "3"
> SORT s BY w_*
1) "-1"
2) "1.5"
3) "3"
4) "2"
5) "10"
> SORT s BY w_* GET # GET n_* GET h_*->f
 1) "-1"
 2) (nil)
 3) (nil)
 4) "1.5"
 5) "onefive"
 6) (nil)
 7) "3"
 8) "three"
 9) "x3"
10) "2"
11) "two"
12) "x2"
13) "10"
14) "ten"
15) (nil)
> SORT s LIMIT 10 5
(empty array)
> SORT s LIMIT -5 2
1) "-1"
2) "1.5"
> SORT s LIMIT 2 -1
1) "2"
2) "3"
3) "10"
> SORT s BY w_*->f
1) "-1"
2) "1.5"
3) "10"
4) "2"
5) "3"
> SORT s GET h_*-> LIMIT 0 1
1) (nil)
> SORT s STORE d
(integer) 5
> LRANGE d 0 -1
1) "-1"
2) "1.5"
3) "2"
4) "3"
5) "10"
> SORT s BY nosort DESC STORE d2
(integer) 5
> LRANGE d2 0 -1
1) "3"
2) "2"
3) "10"
4) "1.5"
5) "-1"
> SORT s GET n_* ALPHA STORE d3
(integer) 5
> LRANGE d3 0 -1
1) ""
2) "onefive"
3) "ten"
4) "two"
5) "three"
> SORT missing
(empty array)
> SORT missing STORE d
(integer) 0
> EXISTS d
(integer) 0
> SORT n_3
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> SORT h_3
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> SORT s LIMIT 1
(error) ERR syntax error
> SORT s LIMIT a 1
(error) ERR value is not an integer or out of range
> SORT s FOO
(error) ERR syntax error
> SORT_RO s STORE d
(error) ERR syntax error
> SORT_RO s DESC LIMIT 0 2
1) "10"
2) "3"
> SADD bad a 1
(integer) 2
> SORT bad
(error) ERR One or more scores can't be converted into double
> SORT bad ALPHA
1) "1"
2) "a"
> SADD sp " 5" "" 7
(integer) 3
> SORT sp
1) ""
2) " 5"
3) "7"
`)
}

// TestSortStoreInTransaction: SORT ... STORE queued in MULTI runs inside
// EXEC's exclusive section without taking the gate again.
func TestSortStoreInTransaction(t *testing.T) {
	f := newFixture(t)
	f.script(`
> SADD s b a
(integer) 2
> MULTI
OK
> SORT s ALPHA STORE d
QUEUED
> SORT s ALPHA DESC
QUEUED
> EXEC
1) (integer) 2
2) 1) "b"
   2) "a"
> LRANGE d 0 -1
1) "a"
2) "b"
`)
}

func TestSortKeys(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sort", "k"}, "[k]"},
		{[]string{"sort", "k", "STORE", "d"}, "[k d]"},
		{[]string{"sort", "k", "store", "d", "STORE", "e"}, "[k e]"},
		{[]string{"sort", "k", "GET", "store", "LIMIT", "store", "x"}, "[k]"},
		{[]string{"sort", "k", "BY", "x", "STORE"}, "[k]"},
	} {
		args := make([][]byte, len(c.args))
		for i, a := range c.args {
			args[i] = []byte(a)
		}
		var got []string
		for _, k := range sortKeys(args) {
			got = append(got, string(k))
		}
		if s := "[" + join(got) + "]"; s != c.want {
			t.Errorf("%q: %s, want %s", c.args, s, c.want)
		}
	}
}

func join(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}

// tagTopology is a two-member ring of 64 partitions placed by hash tag.
type tagTopology struct{ fakeTopology }

func (tagTopology) Locate(key []byte) (int, []string, []string) {
	h := fnv.New32a()
	h.Write(ring.Tag(key))
	return int(h.Sum32() % 64), []string{"n1"}, nil
}

func (tagTopology) Serving([]byte) (string, [][2]string, []string) { return "n1", nil, nil }

func (tagTopology) Members() []Member { return []Member{{Name: "n1"}, {Name: "n2"}} }
func (tagTopology) Clustered() bool   { return true }

// TestSortCluster: in a cluster BY and GET patterns must name keys of the
// sorted key's partition by hash tag, as Redis Cluster 7.4+ requires of
// slots; GET # and a constant BY are always allowed.
func TestSortCluster(t *testing.T) {
	f := newFixture(t)
	f.env.Topology = tagTopology{}
	f.script(`
> SADD {u}:s 2 1
(integer) 2
> MSET {u}:w_1 9 {u}:w_2 3 {u}:n_1 one
OK
> SORT {u}:s BY {u}:w_* GET # GET {u}:n_*
1) "2"
2) (nil)
3) "1"
4) "one"
> SORT {u}:s BY nosort GET #
1) "1"
2) "2"
> SORT {u}:s BY w_*
(error) ERR BY option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.
> SORT {u}:s GET n_*
(error) ERR GET option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.
> SORT {u}:s BY {*}:w
(error) ERR BY option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.
> SORT {u}:s GET {}{u}*
(error) ERR GET option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.
> SORT {u}:s GET {v}:*
(error) ERR GET option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.
> SORT {u}:s GET n_* FOO
(error) ERR GET option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.
> SORT {u}:s FOO GET n_*
(error) ERR syntax error
`)
}

func TestSortList(t *testing.T) {
	f := newFixture(t)
	f.script(`
> RPUSH l 3 1 2 b
(integer) 4
> SORT l BY nosort
1) "3"
2) "1"
3) "2"
4) "b"
> SORT l BY nosort DESC
1) "b"
2) "2"
3) "1"
4) "3"
> SORT l BY nosort DESC LIMIT 1 2
1) "2"
2) "1"
> SORT l BY nosort LIMIT 1 2
1) "1"
2) "2"
> SORT l ALPHA
1) "1"
2) "2"
3) "3"
4) "b"
> SORT l
(error) ERR One or more scores can't be converted into double
> SORT l BY nosort GET # STORE dl
(integer) 4
> LRANGE dl 0 -1
1) "3"
2) "1"
3) "2"
4) "b"
> SORT l ALPHA DESC LIMIT 0 -1
1) "b"
2) "3"
3) "2"
4) "1"
> SORT l ALPHA STORE l
(integer) 4
> LRANGE l 0 -1
1) "1"
2) "2"
3) "3"
4) "b"
`)
}
