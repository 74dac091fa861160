package command

import (
	"strconv"
	"testing"
)

// TestScanPassesAHashTagWithManyKeys: the keys of one hash tag share a
// placement hash, and a SCAN cursor is a hash position, so SCAN must not
// stop inside them (it would restart there for ever).
func TestScanPassesAHashTagWithManyKeys(t *testing.T) {
	f := newFixture(t)
	want := map[string]bool{}
	for i := range 40 {
		k := "{tag}:" + strconv.Itoa(i)
		f.do("SET", k, "v")
		want[k] = true
	}
	for i := range 10 {
		k := "plain:" + strconv.Itoa(i)
		f.do("SET", k, "v")
		want[k] = true
	}
	got := map[string]bool{}
	cursor := "0"
	for calls := 0; ; calls++ {
		if calls > 100 {
			t.Fatalf("SCAN COUNT 5 did not finish in 100 calls; cursor %s, %d of %d keys", cursor, len(got), len(want))
		}
		r := f.do("SCAN", cursor, "COUNT", "5")
		if len(r.Elems) != 2 {
			t.Fatalf("SCAN reply %s", r)
		}
		for _, k := range r.Elems[1].Elems {
			got[string(k.Bytes)+k.Str] = true
		}
		if cursor = string(r.Elems[0].Bytes) + r.Elems[0].Str; cursor == "0" {
			break
		}
	}
	if len(got) != len(want) {
		t.Fatalf("SCAN returned %d distinct keys, want %d", len(got), len(want))
	}
}
