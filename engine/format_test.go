package engine

import (
	"errors"
	"strings"
	"testing"

	"github.com/syndtr/goleveldb/leveldb"
)

func TestOpenRefusesNewerFormat(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, db, "k", setTo("a", "v", 0))
	if err := db.ldb.Put(metaKey(metaFormat), u64(99), nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(dir, testOptions(t))
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "99") {
		t.Fatalf("Open on format 99 = %v; want ErrFormat naming %s and 99", err, dir)
	}
	t.Log(err)
	// The refused directory was closed: LevelDB's lock is free again.
	ldb, err := leveldb.OpenFile(dir, nil)
	if err != nil {
		t.Fatalf("dir still locked after refused Open: %v", err)
	}
	ldb.Close()
}

func TestOpenRefusesForeignLevelDB(t *testing.T) {
	dir := t.TempDir()
	ldb, err := leveldb.OpenFile(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	ldb.Put([]byte("somebody else's"), []byte("data"), nil)
	ldb.Close()
	if _, err := Open(dir, testOptions(t)); !errors.Is(err, ErrFormat) {
		t.Fatalf("Open on a foreign LevelDB = %v, want ErrFormat", err)
	}
}

func TestParseSyncMode(t *testing.T) {
	for _, m := range []SyncMode{SyncAlways, SyncEverySec, SyncNo} {
		got, err := ParseSyncMode(m.String())
		if err != nil || got != m {
			t.Errorf("ParseSyncMode(%q) = %v, %v", m.String(), got, err)
		}
	}
	if _, err := ParseSyncMode("sometimes"); !errors.Is(err, ErrBadSyncMode) {
		t.Errorf("ParseSyncMode(sometimes) = %v", err)
	}
	if _, err := OpenMem(Options{Sync: 7}); !errors.Is(err, ErrBadSyncMode) {
		t.Errorf("OpenMem with Sync 7 = %v", err)
	}
}
