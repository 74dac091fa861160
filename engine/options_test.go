package engine

import (
	"strings"
	"testing"
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
