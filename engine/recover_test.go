package engine

import (
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/storage"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/ringkv/ringkv/replica/version"
)

// diskFull is a faultStorage whose journal writes fail while full is set,
// and whose room check (Options.hasRoom) follows it.
type diskFull struct {
	faultStorage
	full atomic.Bool
}

func (d *diskFull) fill(full bool) {
	d.full.Store(full)
	d.failWrite.Store(full)
}

// openDiskFull opens a DB over a diskFull storage that retries a reopen at
// every write (RecoverInterval < 0) once there is room.
func openDiskFull(t *testing.T, d *diskFull, mode SyncMode) *DB {
	t.Helper()
	o := treeOptions(t, 6)
	o.Sync, o.Storage, o.RecoverInterval = mode, d, -1
	o.hasRoom = func() bool { return !d.full.Load() }
	db, err := Open("(disk)", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newDiskFull(t *testing.T) *diskFull {
	d := &diskFull{faultStorage: faultStorage{Storage: storage.NewMemStorage()}}
	t.Cleanup(func() { d.Storage.Close() })
	return d
}

// A full disk makes every write fail with a DiskError (a MISCONF reply
// for clients) and keeps reads working; once it has room, writes resume
// by themselves (goleveldb alone latches the journal error until a
// restart), with the records, the live count, the Merkle tree and the
// hints as they were.
func TestWritesResumeAfterDiskFull(t *testing.T) {
	d := newDiskFull(t)
	db := openDiskFull(t, d, SyncEverySec)
	for i := range 100 {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	if err := db.PutHint("n2", []byte(key(1)), mustGet(t, db, key(1))); err != nil {
		t.Fatal(err)
	}
	d.fill(true)
	_, err := db.Update([]byte("new"), setTo("a", "v", 0))
	var de *DiskError
	if !errors.As(err, &de) || !errors.Is(err, errInjected) {
		t.Fatalf("Update on a full disk = %v, want a DiskError", err)
	}
	if !strings.HasPrefix(de.RedisError(), "MISCONF Errors writing to the data directory (disk): injected disk fault.") {
		t.Fatalf("reply text %q", de.RedisError())
	}
	if _, err := db.Update([]byte(key(5)), func(cur version.Set) (version.Set, bool, error) {
		return del(cur, "a"), true, nil
	}); !errors.As(err, &de) {
		t.Fatalf("DEL on a full disk = %v", err)
	}
	d.failWrite.Store(false) // space freed, but goleveldb's journal stays poisoned
	d.full.Store(true)       // ...and the room check still says full: no reopen yet
	if _, err := db.Update([]byte("new"), setTo("a", "v", 0)); !errors.As(err, &de) {
		t.Fatalf("Update before a reopen = %v, want the latched error", err)
	}
	if got := values(mustGet(t, db, key(5))); !slices.Equal(got, []string{"v"}) {
		t.Fatalf("read during the failure: %v", got)
	}
	d.full.Store(false)
	mustUpdate(t, db, "new", setTo("a", "v2", 0))
	if got := values(mustGet(t, db, "new")); !slices.Equal(got, []string{"v2"}) {
		t.Fatalf("after recovery Get = %v", got)
	}
	if db.Len() != 101 {
		t.Fatalf("Len = %d, want 101", db.Len())
	}
	checkTree(t, db, "after the reopen")
	if hs := db.HintStats(); hs.Pending != 1 {
		t.Fatalf("hints after the reopen: %+v", hs)
	}
	mustUpdate(t, db, key(5), func(cur version.Set) (version.Set, bool, error) { return del(cur, "a"), true, nil })
	if db.Len() != 100 {
		t.Fatalf("Len after DEL = %d", db.Len())
	}
	checkTree(t, db, "after more writes")
}

// A write whose fsync failed is in the journal although it was reported
// failed; the reopen replays it, and the tree and the count follow.
func TestReopenReplaysAFailedSync(t *testing.T) {
	d := newDiskFull(t)
	db := openDiskFull(t, d, SyncAlways)
	mustUpdate(t, db, "k", setTo("a", "v1", 0))
	d.failSync.Store(true)
	if _, err := db.Update([]byte("k"), setTo("a", "v2", 0)); err == nil {
		t.Fatal("Update with a failing fsync succeeded")
	}
	if _, err := db.Update([]byte("gone"), setTo("a", "x", 0)); err == nil {
		t.Fatal("Update with a failing fsync succeeded")
	}
	d.failSync.Store(false)
	d.fill(true)
	if _, err := db.Update([]byte("j"), setTo("a", "v", 0)); err == nil {
		t.Fatal("Update on a full disk succeeded")
	}
	d.fill(false)
	mustUpdate(t, db, "j", setTo("a", "v", 0)) // reopens first
	if got := values(mustGet(t, db, "k")); !slices.Equal(got, []string{"v2"}) {
		t.Fatalf("k after the reopen = %v, want the replayed v2", got)
	}
	if got := values(mustGet(t, db, "gone")); !slices.Equal(got, []string{"x"}) {
		t.Fatalf("gone after the reopen = %v, want the replayed x", got)
	}
	if db.Len() != 3 {
		t.Fatalf("Len = %d, want 3", db.Len())
	}
	checkTree(t, db, "after replaying failed syncs")
}

// A scan cut short by a reopen always says so: it never ends as if it
// had seen every record. A reopen used to release the iterators before
// it moved to the new handle's generation, and a scan stepping in
// between found its iterator gone under the old generation: no more
// records, no error. The key filter's scan then took the records it had
// read for the whole store, and writes of the keys it missed skipped
// reading them (their siblings overwritten, not merged; the Merkle tree
// and key count off).
func TestReopenNeverEndsAScanQuietly(t *testing.T) {
	db, err := Open(t.TempDir(), testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const records = 3000
	for i := range records {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	reopen := func() (*leveldb.DB, storage.Storage, error) { return openLevel(db.dir, db.opt) }
	deadline := time.Now().Add(20 * time.Second)
	cut := 0
	for round := 0; round < 300 && time.Now().Before(deadline); round++ {
		it := db.ldb.NewIterator(util.BytesPrefix([]byte{prefixData}), nil)
		started := make(chan struct{})
		result := make(chan error, 1)
		n := 0
		go func() {
			defer it.Release()
			for it.Next() {
				if n++; n == 100 {
					close(started)
				}
			}
			result <- it.Error()
		}()
		<-started
		if _, err := db.ldb.reopen(reopen); err != nil {
			t.Fatal(err)
		}
		switch err := <-result; {
		case err == nil && n != records:
			t.Fatalf("round %d: the scan ended with no error after %d of %d records", round, n, records)
		case err != nil && !errors.Is(err, errReopened):
			t.Fatalf("round %d: %v", round, err)
		case err != nil:
			cut++
		}
	}
	t.Logf("%d scans cut short by a reopen, each with errReopened", cut)
}

// A scan open when the DB closes ends with an error, not as if complete.
func TestCloseEndsOpenIteratorsWithAnError(t *testing.T) {
	db := openMem(t, testOptions(t))
	for i := range 10 {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	it := db.ldb.NewIterator(util.BytesPrefix([]byte{prefixData}), nil)
	defer it.Release()
	if !it.Next() {
		t.Fatal("no record")
	}
	db.Close()
	if it.Next() || !errors.Is(it.Error(), leveldb.ErrClosed) {
		t.Fatalf("iterator after Close: Next true or error %v, want leveldb.ErrClosed", it.Error())
	}
}

// A scan open across a reopen ends with an error, not stale or torn data.
func TestReopenEndsOpenIterators(t *testing.T) {
	d := newDiskFull(t)
	db := openDiskFull(t, d, SyncEverySec)
	for i := range 10 {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	it := db.ldb.NewIterator(util.BytesPrefix([]byte{prefixData}), nil)
	defer it.Release()
	if !it.Next() {
		t.Fatal("no record")
	}
	d.fill(true)
	_, _ = db.Update([]byte("x"), setTo("a", "v", 0))
	d.fill(false)
	mustUpdate(t, db, "x", setTo("a", "v", 0))
	if it.Next() || !errors.Is(it.Error(), errReopened) {
		t.Fatalf("iterator after a reopen: Next true or error %v", it.Error())
	}
	n := 0
	if err := db.Range(0, ^uint64(0), func(uint64, []byte, version.Set) bool { n++; return true }); err != nil || n != 11 {
		t.Fatalf("a new scan: %d records, %v", n, err)
	}
}

// A reopen during Open's Merkle rebuild restarts it from a new snapshot:
// the tree ends ready and right.
func TestReopenRestartsTreeRebuild(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, treeOptions(t, 6))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3000 {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	crashed := t.TempDir()
	copyDir(t, dir, crashed)
	db.Close()

	fs, err := storage.OpenFile(crashed, false)
	if err != nil {
		t.Fatal(err)
	}
	d := &diskFull{faultStorage: faultStorage{Storage: fs}}
	defer fs.Close()
	o := treeOptions(t, 6)
	o.Storage, o.RecoverInterval = d, -1
	o.hasRoom = func() bool { return !d.full.Load() }
	paused, release := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	o.treeBatchHook = func(int64) {
		if first.CompareAndSwap(false, true) {
			paused <- struct{}{}
			<-release
		}
	}
	db2, err := Open("(crashed)", o)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	<-paused // the rebuild has read one batch
	d.fill(true)
	if _, err := db2.Update([]byte(key(1)), setTo("b", "w", 0)); err == nil {
		t.Fatal("write on a full disk succeeded")
	}
	d.fill(false)
	mustUpdate(t, db2, key(2), setTo("b", "w", 0)) // reopens, restarts the rebuild
	close(release)
	waitRebuild(t, db2)
	checkTree(t, db2, "after a rebuild interrupted by a reopen")
	if db2.Len() != 3000 {
		t.Fatalf("Len = %d", db2.Len())
	}
}
