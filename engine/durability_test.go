package engine

import (
	"sync"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// TestDurabilityAcrossReopen writes 10,000 keys with SyncAlways from
// several goroutines (exercising group commit), closes, reopens: every set
// is back, byte for byte.
func TestDurabilityAcrossReopen(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 10,000 fsynced records")
	}
	dir := t.TempDir()
	o := testOptions(t)
	o.Sync = SyncAlways
	db, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	const n, workers = 10000, 16
	want := make([]version.Set, n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				s, err := db.Update([]byte(key(i)), setTo("a", key(i)+"-value", int64(i%3)*1e15))
				if err != nil {
					t.Error(err)
					return
				}
				want[i] = s
			}
		})
	}
	wg.Wait()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range n {
		if got := mustGet(t, db, key(i)); !got.Equal(want[i]) {
			t.Fatalf("%s = %+v after reopen, want %+v", key(i), got, want[i])
		}
	}
	if db.Len() != n || len(indexEntries(t, db)) != n*2/3 {
		t.Fatalf("Len %d, index %d after reopen", db.Len(), len(indexEntries(t, db)))
	}
}
