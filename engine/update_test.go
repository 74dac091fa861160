package engine

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

func TestGetMissing(t *testing.T) {
	db := openMem(t, testOptions(t))
	if s := mustGet(t, db, "nope"); s != nil {
		t.Fatalf("Get missing = %v, want nil", s)
	}
}

func TestUpdateGetRoundTrip(t *testing.T) {
	db := openMem(t, testOptions(t))
	a := mustUpdate(t, db, "k", setTo("a", "v1", 0))
	if got := mustGet(t, db, "k"); !got.Equal(a) {
		t.Fatalf("Get = %+v, want %+v", got, a)
	}
	// A write made without a context is a concurrent sibling (§4.4).
	two := mustUpdate(t, db, "k", func(cur version.Set) (version.Set, bool, error) {
		s, _ := cur.Put("b", version.Context{}, version.Sibling{Value: []byte("v2"), Time: 2}, 0)
		return s, true, nil
	})
	got := mustGet(t, db, "k")
	if !got.Equal(two) || !slices.Equal(values(got), []string{"v1", "v2"}) {
		t.Fatalf("Get = %v, want siblings v1 v2", values(got))
	}
	// A write under the full context replaces both.
	mustUpdate(t, db, "k", setTo("a", "v3", 0))
	if got := values(mustGet(t, db, "k")); !slices.Equal(got, []string{"v3"}) {
		t.Fatalf("Get = %v, want [v3]", got)
	}
}

func TestUpdateUnchangedWritesNothing(t *testing.T) {
	db := openMem(t, testOptions(t))
	want := mustUpdate(t, db, "k", setTo("a", "v1", 0))
	before := db.Stats().Writes
	got := mustUpdate(t, db, "k", func(cur version.Set) (version.Set, bool, error) {
		return put(cur, "a", "ignored", 0), false, nil
	})
	if !got.Equal(want) || !mustGet(t, db, "k").Equal(want) {
		t.Fatalf("unchanged Update stored %v", values(mustGet(t, db, "k")))
	}
	if w := db.Stats().Writes; w != before {
		t.Fatalf("writes %d -> %d on an unchanged Update", before, w)
	}
	if s := mustUpdate(t, db, "absent", func(version.Set) (version.Set, bool, error) { return nil, false, nil }); s != nil {
		t.Fatalf("unchanged Update of an absent key returned %v", s)
	}
	if db.Len() != 1 {
		t.Fatalf("Len = %d, want 1", db.Len())
	}
}

func TestUpdateFnError(t *testing.T) {
	db := openMem(t, testOptions(t))
	want := mustUpdate(t, db, "k", setTo("a", "v1", 0))
	boom := errors.New("boom")
	_, err := db.Update([]byte("k"), func(cur version.Set) (version.Set, bool, error) {
		return put(cur, "a", "v2", 0), true, boom
	})
	if err != boom {
		t.Fatalf("Update err = %v, want fn's error as is", err)
	}
	if !mustGet(t, db, "k").Equal(want) {
		t.Fatal("failed Update changed the record")
	}
}

func TestUpdateEmptyDeletesRecord(t *testing.T) {
	db := openMem(t, testOptions(t))
	mustUpdate(t, db, "k", setTo("a", "v1", 5000))
	mustUpdate(t, db, "k", func(version.Set) (version.Set, bool, error) { return version.Set{}, true, nil })
	if s := mustGet(t, db, "k"); s != nil {
		t.Fatalf("Get = %v after storing an empty set", s)
	}
	if idx := indexEntries(t, db); len(idx) != 0 || db.Len() != 0 {
		t.Fatalf("index %v, Len %d after delete", idx, db.Len())
	}
}

func TestMerge(t *testing.T) {
	db := openMem(t, testOptions(t))
	a := put(nil, "a", "va", 0)
	b := put(nil, "b", "vb", 0)
	m, changed, err := db.Merge([]byte("k"), a)
	if err != nil || !changed || !m.Equal(a) {
		t.Fatalf("Merge into empty = %v, %v, %v", values(m), changed, err)
	}
	m, changed, err = db.Merge([]byte("k"), b)
	if err != nil || !changed || !slices.Equal(values(m), []string{"va", "vb"}) {
		t.Fatalf("Merge concurrent = %v, %v, %v", values(m), changed, err)
	}
	before := db.Stats().Writes
	m2, changed, err := db.Merge([]byte("k"), a) // idempotent
	if err != nil || changed || !m2.Equal(m) || db.Stats().Writes != before {
		t.Fatalf("re-Merge = %v, changed %v, err %v, writes %d->%d", values(m2), changed, err, before, db.Stats().Writes)
	}
	// A write that saw both supersedes them.
	c := put(m, "a", "vc", 0)
	if m, changed, _ = db.Merge([]byte("k"), c); !changed || !slices.Equal(values(m), []string{"vc"}) {
		t.Fatalf("Merge superseding = %v, %v", values(m), changed)
	}
	if !mustGet(t, db, "k").Equal(c) {
		t.Fatal("stored set differs from merged")
	}
}

// TestConcurrentUpdatesLoseNothing: Update is an atomic read-modify-write,
// so 8 goroutines x 500 increments of one counter end at 4000.
func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	db := openMem(t, testOptions(t))
	const workers, each = 8, 500
	incr := func(cur version.Set) (version.Set, bool, error) {
		n := 0
		if w, ok := cur.Winner(0); ok {
			var err error
			if n, err = strconv.Atoi(string(w.Value)); err != nil {
				return nil, false, err
			}
		}
		return put(cur, "a", strconv.Itoa(n+1), 0), true, nil
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				if _, err := db.Update([]byte("counter"), incr); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	got := mustGet(t, db, "counter")
	if v := values(got); !slices.Equal(v, []string{strconv.Itoa(workers * each)}) {
		t.Fatalf("counter = %v, want [%d]", v, workers*each)
	}
}

func TestClosed(t *testing.T) {
	db, err := OpenMem(testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close = %v", err)
	}
	if _, err := db.Update([]byte("k"), setTo("a", "v", 0)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Update after Close = %v", err)
	}
	if _, err := db.Get([]byte("k")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Get after Close = %v", err)
	}
	if err := db.Flush(0); !errors.Is(err, ErrClosed) {
		t.Fatalf("Flush after Close = %v", err)
	}
	if err := db.Range(0, ^uint64(0), func(uint64, []byte, version.Set) bool { return true }); !errors.Is(err, ErrClosed) {
		t.Fatalf("Range after Close = %v", err)
	}
}
