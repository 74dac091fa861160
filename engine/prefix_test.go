package engine

import (
	"bytes"
	"testing"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/version"
)

// TestPrefixWalksOneCollection: Prefix visits exactly the element records
// of one collection, in member order, resuming after a given key, and
// Len counts the collection once (its header), not per element.
func TestPrefixWalksOneCollection(t *testing.T) {
	db := openMem(t, testOptions(t))
	write := func(k []byte) {
		t.Helper()
		if _, err := db.Update(k, func(cur version.Set) (version.Set, bool, error) {
			return put(cur, "a", "v", 0), true, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	write([]byte("h"))   // header of hash h
	write([]byte("hx"))  // another user key
	write([]byte("{h}")) // shares h's hash
	members := []string{"", "a", "b", "b\x00", "c", "\xff\xff"}
	for _, m := range members {
		write(ring.ElementKey(ring.ElemHash, []byte("h"), []byte(m)))
		write(ring.ElementKey(ring.ElemHash, []byte("hx"), []byte(m)))
		write(ring.ElementKey(ring.ElemSet, []byte("h"), []byte(m)))
	}
	if got := db.Len(); got != 3 {
		t.Errorf("Len = %d, want 3 (element records are not keys)", got)
	}
	walk := func(after []byte, limit int) []string {
		var got []string
		err := db.Prefix(ring.ElementPrefix(ring.ElemHash, []byte("h")), after, func(k []byte, s version.Set) bool {
			kind, coll, m, ok := ring.ParseElement(k)
			if !ok || kind != ring.ElemHash || !bytes.Equal(coll, []byte("h")) {
				t.Errorf("Prefix visited %q", k)
			}
			got = append(got, string(m))
			return len(got) < limit
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := walk(nil, 100); !equalStrings(got, members) {
		t.Errorf("walk = %q, want %q", got, members)
	}
	first := walk(nil, 2)
	rest := walk(ring.ElementKey(ring.ElemHash, []byte("h"), []byte(first[1])), 100)
	if !equalStrings(append(first, rest...), members) {
		t.Errorf("resumed walk = %q + %q", first, rest)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
