package engine

import "testing"

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
