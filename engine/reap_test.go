package engine

import (
	"slices"
	"sync"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

func mustReap(t *testing.T, db *DB, key string, expect version.Set) bool {
	t.Helper()
	ok, err := db.Reap([]byte(key), expect)
	if err != nil {
		t.Fatalf("Reap %q: %v", key, err)
	}
	return ok
}

// tombAt is a tombstone by node at time ms over cur.
func tombAt(cur version.Set, node string, ms int64) version.Set {
	s, _ := cur.Put(node, cur.Context(), version.Sibling{Tombstone: true, Time: ms}, 0)
	return s
}

func TestReapTombstone(t *testing.T) {
	db := openMem(t, testOptions(t))
	mustUpdate(t, db, "k", setTo("a", "v", 0))
	tomb := mustUpdate(t, db, "k", func(cur version.Set) (version.Set, bool, error) { return del(cur, "a"), true, nil })
	if !mustReap(t, db, "k", tomb) {
		t.Fatal("Reap of a tombstone-only record refused")
	}
	if s := mustGet(t, db, "k"); s != nil {
		t.Fatalf("after Reap Get = %v", values(s))
	}
	if mustReap(t, db, "k", tomb) {
		t.Fatal("second Reap reported a delete")
	}
	if st := db.Stats(); st.Reaped != 1 || st.Keys != 0 {
		t.Fatalf("Stats reaped %d, keys %d", st.Reaped, st.Keys)
	}
}

func TestReapRefuses(t *testing.T) {
	db := openMem(t, testOptions(t))
	live := mustUpdate(t, db, "live", setTo("a", "v", 0))
	tomb := mustUpdate(t, db, "k", func(version.Set) (version.Set, bool, error) { return tombAt(nil, "a", 5), true, nil })
	// A concurrent write since the reaper read the tombstone: a live sibling.
	mixed := mustUpdate(t, db, "k", func(cur version.Set) (version.Set, bool, error) {
		s, _ := cur.Put("b", version.Context{}, version.Sibling{Value: []byte("new"), Time: 6}, 0)
		return s, true, nil
	})
	// Another replica's tombstone merged in since the reaper read "t".
	tomb1 := mustUpdate(t, db, "t", func(version.Set) (version.Set, bool, error) { return tombAt(nil, "a", 5), true, nil })
	tombs, _, err := db.Merge([]byte("t"), tombAt(nil, "b", 6))
	if err != nil || len(tombs) != 2 {
		t.Fatalf("Merge = %v, %v", tombs, err)
	}
	for _, c := range []struct {
		key    string
		expect version.Set
	}{
		{"t", tomb1},     // tombstones only, but not those read
		{"live", live},   // holds a value
		{"k", tomb},      // changed since read
		{"k", mixed},     // equal, but holds a value
		{"absent", nil},  // nothing there
		{"absent", tomb}, // nothing there
	} {
		if mustReap(t, db, c.key, c.expect) {
			t.Fatalf("Reap %q of %v succeeded", c.key, values(c.expect))
		}
	}
	if !mustGet(t, db, "k").Equal(mixed) || !mustGet(t, db, "live").Equal(live) ||
		!mustGet(t, db, "t").Equal(tombs) || db.Stats().Reaped != 0 {
		t.Fatal("a refused Reap changed something")
	}
}

// An expired key, once swept into a tombstone, is reaped with its expiry
// index entry gone too.
func TestReapExpired(t *testing.T) {
	db := openMem(t, testOptions(t))
	mustUpdate(t, db, "k", setTo("a", "v", 50))
	if n, err := db.Sweep(100, 10); n != 1 || err != nil {
		t.Fatalf("Sweep = %d, %v", n, err)
	}
	if !mustReap(t, db, "k", mustGet(t, db, "k")) {
		t.Fatal("Reap of a swept key refused")
	}
	if e := indexEntries(t, db); len(e) != 0 {
		t.Fatalf("index after Reap: %v", e)
	}
}

// Tombstones lists, from the tombstone index, the records of tombstones
// only whose newest is older than the bound; the index follows every
// write: a key written again leaves it, a reaped one too, FLUSHALL
// empties it.
func TestTombstones(t *testing.T) {
	db := openMem(t, testOptions(t))
	mustUpdate(t, db, "live", setTo("a", "v", 0))
	put := func(key string, s version.Set) {
		t.Helper()
		mustUpdate(t, db, key, func(version.Set) (version.Set, bool, error) { return s, true, nil })
	}
	for _, c := range []struct {
		key string
		s   version.Set
	}{
		{"old", tombAt(nil, "a", 10)},
		{"new", tombAt(nil, "a", 100)},
		{"two-old", tombAt(nil, "a", 10).Merge(tombAt(nil, "b", 20))},
		{"old-and-new", tombAt(nil, "a", 10).Merge(tombAt(nil, "b", 100))},
		{"old-with-value", tombAt(nil, "a", 10).Merge(sib("b", "x"))},
		{"revived", tombAt(nil, "a", 10)},
	} {
		put(c.key, c.s)
	}
	put("revived", tombAt(nil, "a", 10).Merge(sib("b", "y")))
	list := func(olderThan int64) []string {
		t.Helper()
		var got []string
		err := db.Tombstones(olderThan, func(h uint64, key []byte, s version.Set) bool {
			if h != Hash(key) || !reapable(s, olderThan) {
				t.Errorf("Tombstones gave %q with hash %x, set %v", key, h, s)
			}
			got = append(got, string(key))
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		return got
	}
	if got := list(100); !slices.Equal(got, []string{"old", "two-old"}) {
		t.Fatalf("Tombstones(100) = %v", got)
	}
	if got := list(101); !slices.Equal(got, []string{"new", "old", "old-and-new", "two-old"}) {
		t.Fatalf("Tombstones(101) = %v", got)
	}
	n := 0
	_ = db.Tombstones(101, func(uint64, []byte, version.Set) bool { n++; return false })
	if n != 1 {
		t.Fatalf("Tombstones went on after false: %d calls", n)
	}
	old, _ := db.Get([]byte("old"))
	if ok, err := db.Reap([]byte("old"), old); !ok || err != nil {
		t.Fatalf("Reap = %v, %v", ok, err)
	}
	if got := list(101); !slices.Equal(got, []string{"new", "old-and-new", "two-old"}) {
		t.Fatalf("after Reap, Tombstones(101) = %v", got)
	}
	if err := db.Flush(1000); err != nil {
		t.Fatal(err)
	}
	if got := list(101); len(got) != 0 {
		t.Fatalf("after Flush, Tombstones(101) = %v", got)
	}
}

// TestReapRacesWrite: a write racing a Reap of the same key is never lost:
// either the Reap came first and the write recreated the key, or the write
// came first and the Reap saw a changed set.
func TestReapRacesWrite(t *testing.T) {
	db := openMem(t, testOptions(t))
	const n = 300
	tombs := make([]version.Set, n)
	for i := range n {
		tombs[i] = mustUpdate(t, db, key(i), func(version.Set) (version.Set, bool, error) { return tombAt(nil, "a", 1), true, nil })
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range n {
			if _, err := db.Reap([]byte(key(i)), tombs[i]); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Go(func() {
		for i := range n {
			if _, err := db.Update([]byte(key(i)), setTo("b", "v", 0)); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	for i := range n {
		if got := values(mustGet(t, db, key(i))); !slices.Equal(got, []string{"v"}) {
			t.Fatalf("%s = %v after the race, want [v]", key(i), got)
		}
	}
	if db.Len() != n {
		t.Fatalf("Len = %d, want %d", db.Len(), n)
	}
}
