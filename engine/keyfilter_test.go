package engine

import (
	"bytes"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ringkv/ringkv/replica/version"
)

// smallFilters makes key filters start at 64 keys for the test, so that a
// few thousand writes make them add several layers.
func smallFilters(t *testing.T) {
	old := filterMinKeys
	filterMinKeys = 64
	t.Cleanup(func() { filterMinKeys = old })
}

// waitFilterReady waits for db's key filter to be built (bounded).
func waitFilterReady(t *testing.T, db *DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !db.KeyFilter().Ready {
		if time.Now().After(deadline) {
			t.Fatal("key filter not built within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestKeyFilterAnswersNewKeysWithoutLevelDB: on a new store, a write of a
// new key and a read of a missing one are answered by the filter, and
// every key written reads back.
func TestKeyFilterAnswersNewKeysWithoutLevelDB(t *testing.T) {
	db := openMem(t, testOptions(t))
	if !db.KeyFilter().Ready {
		t.Fatal("a new store's key filter is not ready at Open")
	}
	for i := range 100 {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	if got := db.KeyFilter().Skips; got < 90 {
		t.Fatalf("100 writes of new keys skipped %d LevelDB lookups, want nearly all", got)
	}
	before := db.KeyFilter().Skips
	for i := range 100 {
		if s := mustGet(t, db, key(i)); len(values(s)) != 1 {
			t.Fatalf("%s = %v after writing it", key(i), values(s))
		}
		if s := mustGet(t, db, "missing:"+key(i)); s != nil {
			t.Fatalf("a missing key read %v", values(s))
		}
	}
	if got := db.KeyFilter().Skips - before; got < 90 || got > 100 {
		t.Fatalf("100 reads of missing and 100 of present keys skipped %d lookups, want 90-100", got)
	}
}

// TestKeyFilterGrowsUnderConcurrentWrites: writers add keys while the
// filter fills up and grows layers; no key written is ever read as
// missing, during the writes or after.
func TestKeyFilterGrowsUnderConcurrentWrites(t *testing.T) {
	smallFilters(t)
	db := openMem(t, testOptions(t))
	const writers, each = 4, 1500
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				k := []byte(fmt.Sprintf("w%d:%d", w, i))
				if _, err := db.Update(k, setTo("a", "v", 0)); err != nil {
					errs <- err
					return
				}
				// Read back an earlier key of this writer: never missing.
				j := i / 2
				s, err := db.Get([]byte(fmt.Sprintf("w%d:%d", w, j)))
				if err != nil || s == nil {
					errs <- fmt.Errorf("w%d:%d read back %v, %v", w, j, s, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	waitFilterReady(t, db)
	if n := db.KeyFilter().Layers; n < 5 {
		t.Fatalf("%d writes into a 64-key filter made %d layers, want it grown several times", writers*each, n)
	}
	for w := range writers {
		for i := range each {
			if s := mustGet(t, db, fmt.Sprintf("w%d:%d", w, i)); s == nil {
				t.Fatalf("w%d:%d missing after the filter grew", w, i)
			}
		}
	}
	st := db.KeyFilter()
	if st.Keys < writers*each*3/4 || st.Bytes == 0 {
		t.Fatalf("filter holds %d keys in %d bytes after %d writes", st.Keys, st.Bytes, writers*each)
	}
}

// reopenedWith is a store on disk holding key(0) .. key(n-1), closed and
// opened again: its key filter is being built by a scan.
func reopenedWith(t *testing.T, n int) *DB {
	t.Helper()
	dir := t.TempDir()
	db, err := Open(dir, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(dir, testOptions(t)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestKeyFilterAfterReopen: a reopened store reads every key while its
// filter is built by a scan, and after it, and grows layers from there.
func TestKeyFilterAfterReopen(t *testing.T) {
	smallFilters(t)
	db := reopenedWith(t, 500)
	for i := range 500 {
		if s := mustGet(t, db, key(i)); len(values(s)) != 1 {
			t.Fatalf("%s = %v right after the reopen", key(i), values(s))
		}
	}
	waitFilterReady(t, db)
	before := db.KeyFilter().Skips
	for i := range 500 {
		if s := mustGet(t, db, key(i)); len(values(s)) != 1 {
			t.Fatalf("%s = %v once the filter was built", key(i), values(s))
		}
		mustGet(t, db, "never:"+key(i))
	}
	if got := db.KeyFilter().Skips - before; got < 450 {
		t.Fatalf("500 reads of keys never written skipped %d lookups after the scan, want nearly all", got)
	}
}

// TestMergeBatchSkipsReadsOfNewKeys: a transfer page of keys the store
// never held is merged without reading them; merged again, they are
// read (and found equal, so nothing is written).
func TestMergeBatchSkipsReadsOfNewKeys(t *testing.T) {
	db := openMem(t, testOptions(t))
	const n = 300
	keys := make([][]byte, n)
	sets := make([]version.Set, n)
	for i := range n {
		keys[i] = []byte(key(i))
		sets[i] = put(nil, "a", "v"+key(i), 0)
	}
	// A page's order: by data key.
	sort.Slice(keys, func(i, j int) bool {
		return bytes.Compare(dataKey(Hash(keys[i]), keys[i]), dataKey(Hash(keys[j]), keys[j])) < 0
	})
	before := db.KeyFilter().Skips
	if err := db.MergeBatch(keys, sets); err != nil {
		t.Fatal(err)
	}
	if got := db.KeyFilter().Skips - before; got < n*9/10 {
		t.Fatalf("merging %d new keys skipped %d reads, want nearly all", n, got)
	}
	writes := db.Stats().Writes
	before = db.KeyFilter().Skips
	if err := db.MergeBatch(keys, sets); err != nil {
		t.Fatal(err)
	}
	if got := db.KeyFilter().Skips - before; got != 0 {
		t.Fatalf("merging %d held keys again skipped %d reads", n, got)
	}
	if w := db.Stats().Writes - writes; w != 0 {
		t.Fatalf("merging the same sets again wrote %d records", w)
	}
	for i := range n {
		if s := mustGet(t, db, key(i)); len(values(s)) != 1 {
			t.Fatalf("%s = %v after the merge", key(i), values(s))
		}
	}
}

// TestKeyFilterMemoryCap: a filter at its memory cap stops growing, keeps
// every key it holds, and still skips some reads of missing keys; with
// no filter every read goes to LevelDB.
func TestKeyFilterMemoryCap(t *testing.T) {
	smallFilters(t)
	o := testOptions(t)
	o.KeyFilterMemory = 64 << 10 // layers of 64, 128, ... 8192 keys; then full
	db := openMem(t, o)
	const n = 40000
	for i := range n {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	waitFilterReady(t, db)
	if st := db.KeyFilter(); st.Bytes > 64<<10 || st.Layers != 8 {
		t.Fatalf("a filter capped at 64 KiB: %+v, want 8 layers within the cap", st)
	}
	for i := range n {
		if s := mustGet(t, db, key(i)); len(values(s)) != 1 {
			t.Fatalf("%s = %v with the filter over capacity", key(i), values(s))
		}
	}
	before := db.KeyFilter().Skips
	for i := range 1000 {
		mustGet(t, db, "never:"+key(i))
	}
	if got := db.KeyFilter().Skips - before; got == 0 {
		t.Fatal("a filter past its capacity skipped no read of 1000 missing keys")
	}

	o = testOptions(t)
	o.KeyFilterMemory = -1
	off := openMem(t, o)
	mustUpdate(t, off, "k", setTo("a", "v", 0))
	mustGet(t, off, "missing")
	if st := off.KeyFilter(); st.Ready || st.Bytes != 0 || st.Skips != 0 {
		t.Fatalf("with no filter: %+v", st)
	}
	if s := mustGet(t, off, "k"); len(values(s)) != 1 {
		t.Fatalf("k = %v with no filter", values(s))
	}
}

// TestKeyFilterWritesDuringTheScan: keys written while a reopened store's
// filter is being built by its scan are never read as missing once it is
// built (the scan's snapshot may miss them; their writes add them).
func TestKeyFilterWritesDuringTheScan(t *testing.T) {
	db := reopenedWith(t, 20000)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				if _, err := db.Update([]byte(fmt.Sprintf("new%d:%d", w, i)), setTo("a", "v", 0)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	waitFilterReady(t, db)
	for w := range 4 {
		for i := range 500 {
			if s := mustGet(t, db, fmt.Sprintf("new%d:%d", w, i)); s == nil {
				t.Fatalf("new%d:%d, written during the scan, reads as missing", w, i)
			}
		}
	}
}

// A key a layer already holds is not added again (lookup, addUnless), but
// it still goes into the filter a scan is building: that filter replaces
// the layers, and a key it missed would read as absent.
func TestKeyFilterAddsAHeldKeyOnlyToTheScan(t *testing.T) {
	f := keyFilter{max: 1 << 20}
	old, newest := newBloom(64, filterBitsPerKey), newBloom(128, filterBitsPerKey+1)
	f.layers.Store(&[]*bloom{old, newest})
	h := uint64(0x9e3779b97f4a7c15)
	if may, in := f.lookup(h); may || in {
		t.Fatalf("empty filter: lookup = %v, %v", may, in)
	}
	old.add(h)
	may, in := f.lookup(h)
	if !may || !in {
		t.Fatalf("held by the oldest layer: lookup = %v, %v", may, in)
	}
	f.addUnless(h, in)
	if newest.has(h) {
		t.Error("a held key was added to the newest layer again")
	}
	scan := newBloom(256, filterBitsPerKey)
	f.next.Store(scan)
	f.addUnless(h, in)
	if !scan.has(h) {
		t.Error("a held key written during a scan is missing from the scan's filter")
	}
	h2 := h + 1
	f.addUnless(h2, false)
	if !newest.has(h2) || !scan.has(h2) {
		t.Errorf("a new key: newest layer %v, scan %v; want both", newest.has(h2), scan.has(h2))
	}
}
