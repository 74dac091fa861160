package engine

import (
	"fmt"
	"sync"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// A Merge racing a Flush either lands before the flush (and is flushed) or
// is dropped after it: a version written before the flush never survives
// it. Merge used to read the flush time before taking the gate, so a
// Flush could slip in between and the pre-flush version land after it.
func TestMergeRacingFlushNeverKeepsOldVersion(t *testing.T) {
	db := openMem(t, testOptions(t))
	for i := range 300 {
		key := []byte(fmt.Sprintf("k%d", i))
		flushAt := int64(1000 + 10*i)
		old := version.Set{{Dot: version.Dot{Node: "a", Counter: 1}, Value: []byte("old"), Time: flushAt - 1}}
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); _, _, _ = db.Merge(key, old) }()
		go func() { defer wg.Done(); _ = db.flushLocked(flushAt) }()
		wg.Wait()
		if s, err := db.Get(key); err != nil || len(s) != 0 {
			t.Fatalf("round %d: a version from before the flush survived it: %v %v", i, s, err)
		}
	}
}
