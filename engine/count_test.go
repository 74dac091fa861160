package engine

import (
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

func TestLenTracksValuesAndTombstones(t *testing.T) {
	o := testOptions(t)
	now := int64(1000)
	o.Now = func() int64 { return now }
	db := openMem(t, o)
	check := func(want int64) {
		t.Helper()
		if db.Len() != want {
			t.Fatalf("Len = %d, want %d", db.Len(), want)
		}
	}
	tomb := func(cur version.Set) (version.Set, bool, error) { return del(cur, "a"), true, nil }
	for i := range 10 {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	check(10)
	mustUpdate(t, db, key(0), setTo("a", "v2", 0)) // overwrite
	check(10)
	mustUpdate(t, db, key(1), tomb)
	mustUpdate(t, db, key(1), tomb) // tombstone over tombstone
	check(9)
	mustUpdate(t, db, key(1), setTo("a", "back", 0))
	check(10)
	mustUpdate(t, db, "ghost", tomb) // tombstone for a key never live
	check(10)
	mustUpdate(t, db, key(2), setTo("a", "v", 1500))
	check(10)
	now = 2000
	if n, err := db.Sweep(now, 100); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v", n, err)
	}
	check(9)
	if err := db.Flush(0); err != nil {
		t.Fatal(err)
	}
	check(0)
	if got := rangeAll(t, db, 0, ^uint64(0)); len(got) != 0 {
		t.Fatalf("records after Flush: %v", got)
	}
	mustUpdate(t, db, "after", setTo("a", "v", 0))
	check(1)
}

func TestLenPersistsAcrossCleanClose(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	mustUpdate(t, db, key(0), func(cur version.Set) (version.Set, bool, error) { return del(cur, "a"), true, nil })
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Len() != 99 {
		t.Fatalf("Len after reopen = %d, want 99", db.Len())
	}
	if _, err := db.ldb.Get(metaKey(metaLive), nil); err == nil {
		t.Fatal("live-count meta still present after Open; an unclean stop would trust it")
	}
}

// TestLenRecountedAfterUncleanStop copies a live DB's files (as a crash
// would leave them: no saved count) and opens the copy.
func TestLenRecountedAfterUncleanStop(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 500 {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	for i := range 100 {
		mustUpdate(t, db, key(i), func(cur version.Set) (version.Set, bool, error) { return del(cur, "a"), true, nil })
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	crashed := t.TempDir()
	copyDir(t, dir, crashed)
	db2, err := Open(crashed, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if db2.Len() != 400 {
		t.Fatalf("recounted Len = %d, want 400", db2.Len())
	}
	if s := mustGet(t, db2, key(499)); !s.Equal(mustGet(t, db, key(499))) {
		t.Fatal("copy differs")
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			if err := os.MkdirAll(filepath.Join(to, e.Name()), 0o755); err != nil {
				t.Fatal(err)
			}
			copyDir(t, filepath.Join(from, e.Name()), filepath.Join(to, e.Name()))
			continue
		}
		src, err := os.Open(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(filepath.Join(to, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		src.Close()
		dst.Close()
	}
}

// TestLenMatchesRecountUnderConcurrency runs writers, tombstones and
// Flush together; afterwards the counter must equal a full recount.
func TestLenMatchesRecountUnderConcurrency(t *testing.T) {
	db := openMem(t, testOptions(t))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 400 {
				k := key((i * 7) % 150)
				fn := setTo("a", "v", 0)
				if (i+w)%3 == 0 {
					fn = func(cur version.Set) (version.Set, bool, error) { return del(cur, "a"), true, nil }
				}
				if _, err := db.Update([]byte(k), fn); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 3 {
			if err := db.Flush(0); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	n, err := db.recount()
	if err != nil || n != db.Len() {
		t.Fatalf("Len %d, recount %d (%v)", db.Len(), n, err)
	}
}
