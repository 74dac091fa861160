package engine

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ringkv/ringkv/replica/version"
)

func TestSweepExpiresAndMovesIndex(t *testing.T) {
	db := openMem(t, testOptions(t))
	mustUpdate(t, db, "soon", setTo("a", "v", 1500))
	mustUpdate(t, db, "later", setTo("a", "v", 2500))
	mustUpdate(t, db, "never", setTo("a", "v", 0))
	// Two concurrent siblings expiring at different times.
	mustUpdate(t, db, "pair", setTo("a", "first", 1200))
	mustUpdate(t, db, "pair", func(cur version.Set) (version.Set, bool, error) {
		s, _ := cur.Put("b", version.Context{}, version.Sibling{Value: []byte("second"), Time: 1, Expiry: 3000}, 0)
		return s, true, nil
	})
	want := []string{"pair@1200", "soon@1500", "later@2500"}
	if got := indexEntries(t, db); !slices.Equal(got, want) {
		t.Fatalf("index = %v, want %v", got, want)
	}
	n, err := db.Sweep(2000, 100)
	if err != nil || n != 2 {
		t.Fatalf("Sweep(2000) = %d, %v; want 2", n, err)
	}
	if got := values(mustGet(t, db, "soon")); !slices.Equal(got, []string{"-"}) {
		t.Fatalf("soon = %v, want a tombstone", got)
	}
	if got := values(mustGet(t, db, "pair")); !slices.Equal(got, []string{"-", "second"}) {
		t.Fatalf("pair = %v, want [- second]", got)
	}
	want = []string{"later@2500", "pair@3000"}
	if got := indexEntries(t, db); !slices.Equal(got, want) {
		t.Fatalf("index after sweep = %v, want %v", got, want)
	}
	if n, _ := db.Sweep(2000, 100); n != 0 {
		t.Fatalf("second Sweep(2000) = %d, want 0", n)
	}
	if n, _ := db.Sweep(5000, 100); n != 2 || len(indexEntries(t, db)) != 0 || db.Len() != 1 {
		t.Fatalf("Sweep(5000) = %d, index %v, Len %d", n, indexEntries(t, db), db.Len())
	}
}

func TestSweepLimit(t *testing.T) {
	db := openMem(t, testOptions(t))
	for i := range 10 {
		mustUpdate(t, db, key(i), setTo("a", "v", int64(100+i)))
	}
	for _, want := range []int{3, 3, 3, 1, 0} {
		if n, err := db.Sweep(1000, 3); err != nil || n != want {
			t.Fatalf("Sweep = %d, %v; want %d", n, err, want)
		}
	}
	if s := db.Stats(); s.Expired != 10 || s.Sweeps != 5 || db.Len() != 0 {
		t.Fatalf("stats %+v, Len %d", s, db.Len())
	}
}

// TestSweeperRunsOnItsOwn runs the background sweeper under fake time.
func TestSweeperRunsOnItsOwn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := testOptions(t)
		o.SweepInterval = 100 * time.Millisecond
		o.SweepBatch = 7 // several batches in one cycle
		db, err := OpenMem(o)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := db.Close(); err != nil {
				t.Error(err)
			}
			// goleveldb's mpoolDrain lingers up to 1s after Close; let
			// fake time pass so the bubble ends with no goroutines.
			time.Sleep(2 * time.Second)
		}()
		exp := time.Now().Add(time.Second).UnixMilli()
		for i := range 50 {
			mustUpdate(t, db, key(i), setTo("a", "v", exp))
		}
		time.Sleep(900 * time.Millisecond)
		synctest.Wait()
		if db.Len() != 50 {
			t.Fatalf("Len = %d before expiry, want 50", db.Len())
		}
		time.Sleep(300 * time.Millisecond)
		synctest.Wait()
		if db.Len() != 0 || len(indexEntries(t, db)) != 0 {
			t.Fatalf("after expiry: Len %d, index %v", db.Len(), indexEntries(t, db))
		}
	})
}

func TestSweepDropsStrayIndexEntry(t *testing.T) {
	db := openMem(t, testOptions(t))
	mustUpdate(t, db, "k", setTo("a", "v", 5000))
	stray := expiryKey(100, Hash([]byte("k")), []byte("k"))
	if err := db.ldb.Put(stray, nil, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := db.Sweep(1000, 10); err != nil || n != 0 {
		t.Fatalf("Sweep = %d, %v", n, err)
	}
	if got := indexEntries(t, db); !slices.Equal(got, []string{"k@5000"}) {
		t.Fatalf("index = %v, want the stray entry gone", got)
	}
}
