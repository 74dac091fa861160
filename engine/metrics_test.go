package engine

import (
	"strconv"
	"testing"

	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/ringkv/ringkv/replica/version"
)

// LevelStats reports what goleveldb did: writes flushed from the memtable
// by a compaction show as a memtable compaction, written bytes and a
// level holding tables; a closed DB reports an error instead of zeros.
func TestLevelStatsFollowCompaction(t *testing.T) {
	db := openMem(t, testOptions(t))
	before, err := db.LevelStats()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		k := []byte("metrics-" + strconv.Itoa(i))
		if _, err := db.Update(k, func(cur version.Set) (version.Set, bool, error) {
			return put(cur, "n1", "value-"+strconv.Itoa(i), 0), true, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.ldb.CompactRange(util.Range{}); err != nil {
		t.Fatal(err)
	}
	after, err := db.LevelStats()
	if err != nil {
		t.Fatal(err)
	}
	if after.MemCompactions <= before.MemCompactions {
		t.Errorf("memtable compactions %d -> %d, want an increase", before.MemCompactions, after.MemCompactions)
	}
	if after.WriteBytes <= before.WriteBytes {
		t.Errorf("bytes written %d -> %d, want an increase", before.WriteBytes, after.WriteBytes)
	}
	var tables int
	var size int64
	for _, l := range after.Levels {
		tables, size = tables+l.Tables, size+l.Bytes
	}
	if tables == 0 || size == 0 {
		t.Errorf("after compaction the levels hold %d tables of %d bytes: %+v", tables, size, after.Levels)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LevelStats(); err == nil {
		t.Error("LevelStats of a closed DB did not fail")
	}
}
