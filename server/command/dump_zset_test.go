package command

import (
	"fmt"
	"testing"
)

func TestDumpRestoreZSet(t *testing.T) {
	f := newFixture(t)
	f.script(`
> ZADD z 1 a 2.5 b
(integer) 2
`)
	// redis-server's listpack for the same sorted set.
	for _, proto := range []int{2, 3} { // RESP3's ZRANGE answers doubles
		f.s.Proto = proto
		if got, want := f.dumpHex("z"), "1114140000000400816102010181620283322e3504ff0a00d44c6ea4f644d9d7"; got != want {
			t.Errorf("RESP%d: DUMP z = %s, want %s", proto, got, want)
		}
	}
	f.s.Proto = 2
	if got := f.restoreHex("z2", "0", f.dumpHex("z")); got != "OK" {
		t.Fatal(got)
	}
	// Past the listpack limits: a ZSET_2 of binary doubles, both ways.
	args := []string{"ZADD", "big"}
	for i := range 200 {
		args = append(args, fmt.Sprint(float64(i)/3), fmt.Sprint("m", i))
	}
	f.do(args...)
	f.do("ZADD", "big", "-inf", "low", "inf", "high")
	p := f.dumpHex("big")
	if p[:2] != "05" {
		t.Errorf("big zset dumped as type %s", p[:2])
	}
	if got := f.restoreHex("big2", "0", p); got != "OK" {
		t.Fatal(got)
	}
	f.script(`
> ZRANGE z2 0 -1 WITHSCORES
1) "a"
2) "1"
3) "b"
4) "2.5"
> ZCARD big2
(integer) 202
> ZSCORE big2 m100
"33.333333333333336"
> ZRANGE big2 0 0 WITHSCORES
1) "low"
2) "-inf"
> ZRANGE big2 -1 -1 WITHSCORES
1) "high"
2) "inf"
`)
}
