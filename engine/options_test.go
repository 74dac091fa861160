package engine

import (
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/syndtr/goleveldb/leveldb/storage"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// LevelDB's level 1 holds four memtables (at least goleveldb's 10 MiB);
// tables stay at goleveldb's 2 MiB.
func TestCompactionSizesFollowTheWriteBuffer(t *testing.T) {
	for _, tt := range []struct{ wb, table, level1 int }{
		{1 << 20, 2 << 20, 10 << 20},
		{4 << 20, 2 << 20, 16 << 20},
		{DefaultWriteBuffer, 2 << 20, 4 * DefaultWriteBuffer},
		{64 << 20, 2 << 20, 256 << 20},
	} {
		if table, level1 := compactionSizes(tt.wb); table != tt.table || level1 != tt.level1 {
			t.Errorf("write buffer %d: table %d, level 1 %d; want %d, %d", tt.wb, table, level1, tt.table, tt.level1)
		}
	}
}

// TestLevelSizesGrowTenfoldFromLevelOne checks what goleveldb makes of
// the sizes: level 1 is four memtables and each level after it ten times
// the one before. goleveldb multiplies CompactionTotalSize by 10^level by
// default, which made level 1 forty memtables.
func TestLevelSizesGrowTenfoldFromLevelOne(t *testing.T) {
	for _, wb := range []int{4 << 20, DefaultWriteBuffer} {
		lo := levelOptions(Options{WriteBuffer: wb})
		want := int64(4 * wb)
		for level := 1; level <= 4; level++ {
			if got := lo.GetCompactionTotalSize(level); got != want {
				t.Errorf("write buffer %d: level %d holds %d bytes, want %d", wb, level, got, want)
			}
			want *= 10
		}
	}
}

// TestWritesOfNewKeysStartNoSeekCompaction checks that the read before
// each write (to find the siblings it supersedes) starts no compaction.
// goleveldb charges a "seek" to a table each time a lookup consults it
// and goes on to another, and compacts a table whose seeks run out; for a
// key that is nowhere, every lookup does that. A bulk SET of 1M new keys
// into one node ran 15 such compactions of its 27, doubling what LevelDB
// wrote (1096 MB against 516 MB without them).
func TestWritesOfNewKeysStartNoSeekCompaction(t *testing.T) {
	o := testOptions(t)
	o.WriteBuffer = 64 << 10 // small tables: few seeks allowed each
	db := openMem(t, o)
	value := strings.Repeat("v", 200)
	for i := range 20000 {
		mustUpdate(t, db, key(i*7919%20011), setTo("n1", value, 0))
	}
	ls, err := db.LevelStats()
	if err != nil {
		t.Fatal(err)
	}
	if ls.SeekCompactions != 0 {
		t.Errorf("writes of new keys started %d seek compactions (%d compactions in all)",
			ls.SeekCompactions, ls.Level0Compactions+ls.NonLevel0Compactions+ls.SeekCompactions)
	}
}

// TestTableLookupsReadOnlyTheDataBlock checks the default read path: no
// block cache, each open table's index and bloom filter held by its
// reader, so a lookup of a key in a table reads that one data block and
// looks nothing up in a cache. With goleveldb's block cache (8 MiB until
// this default) every table probed costs three cache lookups (index,
// filter, data) under the cache's locks: 32% of a GET's CPU over 1M keys.
// An explicit CacheSize still gets the cache.
func TestTableLookupsReadOnlyTheDataBlock(t *testing.T) {
	reads := &tableReads{Storage: storage.NewMemStorage()}
	o := testOptions(t)
	o.WriteBuffer = 64 << 10 // many small tables
	o.Storage = reads
	db, err := Open("(memory)", o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	value := strings.Repeat("v", 200)
	const n = 20000
	for i := range n {
		mustUpdate(t, db, key(i), setTo("n1", value, 0))
	}
	if got, err := db.ldb.GetProperty("leveldb.cachedblock"); err != nil || got != "<nil>" {
		t.Errorf("default options: block cache holds %q (%v), want none", got, err)
	}
	// Compactions still running would open new tables under the lookups
	// (a table opened reads its index and filter): finish them first.
	if err := db.ldb.CompactRange(util.Range{}); err != nil {
		t.Fatal(err)
	}
	const gets = 2000 // keys written first: in tables, not the memtable
	for i := range gets {
		mustGet(t, db, key(i*7%(n/2)))
	}
	before := reads.n.Load()
	for i := range gets {
		mustGet(t, db, key(i*13%(n/2)))
	}
	if per := float64(reads.n.Load()-before) / gets; per < 0.9 || per > 1.1 {
		t.Errorf("%.2f table reads per lookup, want one (the data block)", per)
	}

	o = testOptions(t)
	o.CacheSize = 1 << 20
	cached := openMem(t, o)
	mustUpdate(t, cached, "k", setTo("n1", "v", 0))
	if got, err := cached.ldb.GetProperty("leveldb.cachedblock"); err != nil || got == "<nil>" {
		t.Errorf("CacheSize 1 MiB: block cache %q (%v), want one", got, err)
	}
}

// tableReads is a storage that counts the reads of table files.
type tableReads struct {
	storage.Storage
	n atomic.Int64
}

func (s *tableReads) Open(fd storage.FileDesc) (storage.Reader, error) {
	r, err := s.Storage.Open(fd)
	if err != nil || fd.Type != storage.TypeTable {
		return r, err
	}
	return countedReader{r, &s.n}, nil
}

type countedReader struct {
	storage.Reader
	n *atomic.Int64
}

func (r countedReader) ReadAt(p []byte, off int64) (int, error) {
	r.n.Add(1)
	return r.Reader.ReadAt(p, off)
}

// TestOpenTablesFollowTheFileLimit: without a block cache a table opened
// again reads its index and filter again, so LevelDB keeps up to 2000
// tables open, within a quarter of the file limit (at least goleveldb's
// 500).
func TestOpenTablesFollowTheFileLimit(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	want := int(min(max(lim.Cur/4, 500), 2000))
	if got := levelOptions(Options{}.withDefaults()).OpenFilesCacheCapacity; got != want {
		t.Errorf("file limit %d: %d tables kept open, want %d", lim.Cur, got, want)
	}
}
