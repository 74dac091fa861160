package engine

import (
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// After Flush(t), versions written at or before t never come back through
// Merge (a replica or late message that missed the flush), later ones do,
// and t survives a reopen.
func TestFlushDropsOlderVersionsForever(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	old := version.Set{{Dot: version.Dot{Node: "a", Counter: 1}, Value: []byte("old"), Time: 100}}
	if _, _, err := db.Merge([]byte("k"), old); err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(150); err != nil {
		t.Fatal(err)
	}
	if db.Len() != 0 || db.FlushedAt() != 150 {
		t.Fatalf("after flush: len %d, flushedAt %d", db.Len(), db.FlushedAt())
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(dir, testOptions(t)); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.FlushedAt() != 150 {
		t.Fatalf("flush time lost on reopen: %d", db.FlushedAt())
	}
	if _, changed, _ := db.Merge([]byte("k"), old); changed {
		t.Fatal("a version from before the flush came back")
	}
	newer := version.Set{{Dot: version.Dot{Node: "a", Counter: 2}, Value: []byte("new"), Time: 151}}
	merged, changed, err := db.Merge([]byte("k"), old.Merge(newer))
	if err != nil || !changed || len(merged) != 1 || string(merged[0].Value) != "new" {
		t.Fatalf("merge after flush = %v, %v, %v", merged, changed, err)
	}
}
