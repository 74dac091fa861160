package engine

import (
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/syndtr/goleveldb/leveldb/storage"
)

var errInjected = errors.New("injected disk fault")

// faultStorage wraps a goleveldb storage so that writes to, or syncs of,
// journal files fail while the corresponding flag is set.
type faultStorage struct {
	storage.Storage
	failWrite, failSync atomic.Bool
	syncs               atomic.Int64 // successful journal fsyncs
}

func (fs *faultStorage) Create(fd storage.FileDesc) (storage.Writer, error) {
	w, err := fs.Storage.Create(fd)
	if err != nil || fd.Type != storage.TypeJournal {
		return w, err
	}
	return &faultWriter{Writer: w, fs: fs}, nil
}

type faultWriter struct {
	storage.Writer
	fs *faultStorage
}

func (w *faultWriter) Write(p []byte) (int, error) {
	if w.fs.failWrite.Load() {
		return 0, errInjected
	}
	return w.Writer.Write(p)
}

func (w *faultWriter) Sync() error {
	if w.fs.failSync.Load() {
		return errInjected
	}
	w.fs.syncs.Add(1)
	return w.Writer.Sync()
}

func openFault(t *testing.T, fs *faultStorage) *DB {
	t.Helper()
	o := testOptions(t)
	o.Sync = SyncAlways
	o.Storage = fs
	db, err := Open("(faulty)", o)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestSyncFailure: a failed fsync fails the Update and leaves the previous
// set readable; once the disk recovers, writes work again.
func TestSyncFailure(t *testing.T) {
	fs := &faultStorage{Storage: storage.NewMemStorage()}
	db := openFault(t, fs)
	defer db.Close()
	want := mustUpdate(t, db, "k", setTo("a", "v1", 0))
	fs.failSync.Store(true)
	if _, err := db.Update([]byte("k"), setTo("a", "v2", 0)); !errors.Is(err, errInjected) {
		t.Fatalf("Update with failing fsync = %v, want the injected error", err)
	}
	if got := mustGet(t, db, "k"); !got.Equal(want) {
		t.Fatalf("after failed Update Get = %v, want %v", values(got), values(want))
	}
	fs.failSync.Store(false)
	mustUpdate(t, db, "k", setTo("a", "v3", 0))
	if got := values(mustGet(t, db, "k")); !slices.Equal(got, []string{"v3"}) {
		t.Fatalf("after recovery Get = %v", got)
	}
}

// TestJournalWriteFailure documents goleveldb: a failed journal write
// poisons the journal, so writes keep failing after the disk recovers,
// until the DB is closed and reopened; the previous set survives all of it.
func TestJournalWriteFailure(t *testing.T) {
	fs := &faultStorage{Storage: storage.NewMemStorage()}
	defer fs.Storage.Close()
	db := openFault(t, fs)
	want := mustUpdate(t, db, "k", setTo("a", "v1", 0))
	mustUpdate(t, db, "other", setTo("a", "v", 0))
	fs.failWrite.Store(true)
	if _, err := db.Update([]byte("k"), setTo("a", "v2", 0)); !errors.Is(err, errInjected) {
		t.Fatalf("Update with failing write = %v, want the injected error", err)
	}
	fs.failWrite.Store(false)
	if _, err := db.Update([]byte("k"), setTo("a", "v2", 0)); !errors.Is(err, errInjected) {
		t.Fatalf("Update after the fault cleared = %v; goleveldb's journal error is sticky", err)
	}
	if got := mustGet(t, db, "k"); !got.Equal(want) || db.Len() != 2 {
		t.Fatalf("after failed Updates Get = %v, Len %d", values(got), db.Len())
	}
	if err := db.Close(); !errors.Is(err, errInjected) {
		t.Fatalf("Close = %v, want the sticky error (live count not saved)", err)
	}
	db = openFault(t, fs)
	defer db.Close()
	if got := mustGet(t, db, "k"); !got.Equal(want) || db.Len() != 2 {
		t.Fatalf("after reopen Get = %v, Len %d (recounted)", values(got), db.Len())
	}
	mustUpdate(t, db, "k", setTo("a", "v3", 0))
	if got := values(mustGet(t, db, "k")); !slices.Equal(got, []string{"v3"}) {
		t.Fatalf("after reopen Update: %v", got)
	}
}

// TestFailedSyncMayResurface: a write whose fsync failed is already in
// the journal, so a restart can bring it back. Callers must treat an
// Update error as "outcome unknown", never as "not written".
func TestFailedSyncMayResurface(t *testing.T) {
	fs := &faultStorage{Storage: storage.NewMemStorage()}
	defer fs.Storage.Close()
	db := openFault(t, fs)
	mustUpdate(t, db, "k", setTo("a", "v1", 0))
	fs.failSync.Store(true)
	if _, err := db.Update([]byte("k"), setTo("a", "v2", 0)); !errors.Is(err, errInjected) {
		t.Fatalf("Update = %v", err)
	}
	fs.failSync.Store(false)
	if got := values(mustGet(t, db, "k")); !slices.Equal(got, []string{"v1"}) {
		t.Fatalf("before restart Get = %v, want [v1]", got)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openFault(t, fs)
	defer db.Close()
	if got := values(mustGet(t, db, "k")); !slices.Equal(got, []string{"v2"}) {
		t.Fatalf("after restart Get = %v, want the unacknowledged [v2]", got)
	}
}
