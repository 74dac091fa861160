package engine

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/syndtr/goleveldb/leveldb/storage"
)

// syncsDuring opens a DB with mode over a counting storage, runs fn, and
// returns how many journal fsyncs fn caused.
func syncsDuring(t *testing.T, mode SyncMode, fn func(db *DB)) int64 {
	fs := &faultStorage{Storage: storage.NewMemStorage()}
	defer fs.Storage.Close()
	o := testOptions(t)
	o.Sync, o.Storage = mode, fs
	db, err := Open("(counting)", o)
	if err != nil {
		t.Fatal(err)
	}
	before := fs.syncs.Load()
	fn(db)
	n := fs.syncs.Load() - before
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return n
}

func write10(t *testing.T) func(*DB) {
	return func(db *DB) {
		for i := range 10 {
			mustUpdate(t, db, key(i), setTo("a", "v", 0))
		}
	}
}

func TestSyncAlwaysFsyncsEachWrite(t *testing.T) {
	if n := syncsDuring(t, SyncAlways, write10(t)); n != 10 {
		t.Fatalf("10 sequential writes made %d fsyncs, want 10", n)
	}
}

func TestSyncNoNeverFsyncs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := syncsDuring(t, SyncNo, func(db *DB) {
			write10(t)(db)
			time.Sleep(5 * time.Second)
			synctest.Wait()
		})
		if n != 0 {
			t.Fatalf("SyncNo made %d fsyncs", n)
		}
		time.Sleep(2 * time.Second) // let goleveldb's mpoolDrain exit
	})
}

// TestSyncEverySec: one fsync per second with writes, none when idle.
func TestSyncEverySec(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := syncsDuring(t, SyncEverySec, func(db *DB) {
			write10(t)(db)
			synctest.Wait()
			if n := db.Stats(); n.Writes != 10 {
				t.Fatalf("writes %d", n.Writes)
			}
			time.Sleep(1500 * time.Millisecond) // one tick: dirty, so fsync
			synctest.Wait()
			time.Sleep(3 * time.Second) // idle ticks: no fsync
			synctest.Wait()
		})
		if n != 1 {
			t.Fatalf("everysec made %d fsyncs over 4.5 s with one burst, want 1", n)
		}
		time.Sleep(2 * time.Second) // let goleveldb's mpoolDrain exit
	})
}
