package engine

import (
	"bytes"
	"slices"
	"testing"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/version"
)

// TestPrefixReverseMirrorsPrefix: PrefixReverse visits exactly the keys
// Prefix visits, in the opposite order, stops where fn says, and resumes
// before a given key; neighbours sharing the hash stay out.
func TestPrefixReverseMirrorsPrefix(t *testing.T) {
	db := openMem(t, testOptions(t))
	write := func(k []byte) {
		t.Helper()
		if _, err := db.Update(k, func(cur version.Set) (version.Set, bool, error) {
			return put(cur, "a", "v", 0), true, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	write([]byte("l"))
	write([]byte("{l}"))
	members := []string{"\x01", "a", "b", "b\x00", "b\x01", "c", "\xff", "\xff\xff"}
	for _, m := range members {
		write(ring.ElementKey(ring.ElemList, []byte("l"), []byte(m)))
		write(ring.ElementKey(ring.ElemList, []byte("lx"), []byte(m)))
		write(ring.ElementKey(ring.ElemSet, []byte("l"), []byte(m)))
	}
	prefix := ring.ElementPrefix(ring.ElemList, []byte("l"))
	member := func(k []byte) string {
		kind, coll, m, ok := ring.ParseElement(k)
		if !ok || kind != ring.ElemList || !bytes.Equal(coll, []byte("l")) {
			t.Errorf("walk visited %q", k)
		}
		return string(m)
	}
	back := func(before []byte, limit int) []string {
		var got []string
		if err := db.PrefixReverse(prefix, before, func(k []byte, s version.Set) bool {
			got = append(got, member(k))
			return len(got) < limit
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	var fwd []string
	if err := db.Prefix(prefix, nil, func(k []byte, s version.Set) bool { fwd = append(fwd, member(k)); return true }); err != nil {
		t.Fatal(err)
	}
	rev := back(nil, 100)
	slices.Reverse(rev)
	if !slices.Equal(fwd, members) || !slices.Equal(rev, members) {
		t.Fatalf("forward %q, reverse reversed %q, want %q", fwd, rev, members)
	}
	// Pages: three at a time, each resuming before the last one seen.
	var paged []string
	var before []byte
	for {
		page := back(before, 3)
		paged = append(paged, page...)
		if len(page) < 3 {
			break
		}
		before = ring.ElementKey(ring.ElemList, []byte("l"), []byte(page[len(page)-1]))
	}
	slices.Reverse(paged)
	if !slices.Equal(paged, members) {
		t.Errorf("paged reverse walk = %q, want %q", paged, members)
	}
	// A bound that is not a stored key: everything below it.
	if got := back(ring.ElementKey(ring.ElemList, []byte("l"), []byte("b\x00\x00")), 100); !slices.Equal(got, []string{"b\x00", "b", "a", "\x01"}) {
		t.Errorf("walk before b\\x00\\x00 = %q", got)
	}
	// A bound at the first key: nothing.
	if got := back(ring.ElementKey(ring.ElemList, []byte("l"), []byte("\x01")), 100); len(got) != 0 {
		t.Errorf("walk before the first key = %q", got)
	}
}
