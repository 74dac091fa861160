package engine

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/version"
)

func elem(coll string, i int) []byte {
	return ring.ElementKey(ring.ElemList, []byte(coll), fmt.Appendf(nil, "%04d", i))
}

// walkList visits coll's elements (filling the walk cache).
func walkList(t testing.TB, db *DB, coll string) int {
	t.Helper()
	n := 0
	if err := db.Prefix(ring.ElementPrefix(ring.ElemList, []byte(coll)), nil, func([]byte, version.Set) bool { n++; return true }); err != nil {
		t.Fatal(err)
	}
	return n
}

// A write after a walk reads the records the walk read from the cache;
// a write of a record by any path (here a replica's merge) drops it, so
// the next write reads the record as it now is.
func TestWriteAfterWalkReadsTheWalksRecords(t *testing.T) {
	db := openMem(t, testOptions(t))
	for i := range 8 {
		mustUpdate(t, db, string(elem("l", i)), setTo("a", "v"+strconv.Itoa(i), 0))
	}
	if n := walkList(t, db, "l"); n != 8 {
		t.Fatalf("walked %d elements, want 8", n)
	}
	hits := db.wc.hits.Load()
	saw := func(i int) []string {
		var got []string
		mustUpdate(t, db, string(elem("l", i)), func(cur version.Set) (version.Set, bool, error) {
			got = values(cur)
			return cur, false, nil
		})
		return got
	}
	if got := saw(3); len(got) != 1 || got[0] != "v3" {
		t.Fatalf("element 3 = %q, want v3", got)
	}
	if got := db.wc.hits.Load() - hits; got != 1 {
		t.Fatalf("the write after the walk read %d records from the cache, want 1", got)
	}
	other := put(nil, "b", "theirs", 0)
	if _, _, err := db.Merge(elem("l", 5), other); err != nil {
		t.Fatal(err)
	}
	if got := saw(5); len(got) != 2 {
		t.Errorf("element 5 after a merge = %q, want both siblings", got)
	}
	// A write of one element leaves the others good.
	mustUpdate(t, db, string(elem("l", 0)), setTo("a", "w0", 0))
	hits = db.wc.hits.Load()
	if got := saw(6); len(got) != 1 || got[0] != "v6" {
		t.Fatalf("element 6 = %q, want v6", got)
	}
	if got := db.wc.hits.Load() - hits; got != 1 {
		t.Errorf("a write of another element dropped element 6 from the cache")
	}
	if got := saw(0); len(got) != 1 || got[0] != "w0" {
		t.Errorf("element 0 = %q, want w0", got)
	}
	if err := db.Flush(2); err != nil {
		t.Fatal(err)
	}
	if got := saw(6); len(got) != 0 {
		t.Errorf("element 6 after FLUSHALL = %q, want none", got)
	}
}

// Counters incremented by read-modify-write while other goroutines walk
// their collection and replicas merge into it: no increment is lost, as
// one would be if a write read a record the walk cached before another
// write changed it.
func TestWalkCacheLosesNoWriteUnderConcurrency(t *testing.T) {
	db := openMem(t, testOptions(t))
	walkFillHook = func() { time.Sleep(20 * time.Microsecond) } // widen the window a write may fall in
	t.Cleanup(func() { walkFillHook = nil })
	const elems, workers, rounds = 16, 4, 300
	incr := func(cur version.Set) (version.Set, bool, error) {
		n := 0
		for _, sb := range cur {
			if v, err := strconv.Atoi(string(sb.Value)); err == nil && v > n {
				n = v
			}
		}
		return put(cur, "a", strconv.Itoa(n+1), 0), true, nil
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					walkList(t, db, "c")
				}
			}
		}()
	}
	var ops sync.WaitGroup
	for w := range workers {
		ops.Add(1)
		go func() {
			defer ops.Done()
			for r := range rounds {
				i := (w*7 + r) % elems
				if r%5 == 0 { // a replica's copy of the current set: a write by another path
					cur := mustGet(t, db, string(elem("c", i)))
					if _, _, err := db.Merge(elem("c", i), cur); err != nil {
						t.Error(err)
					}
					continue
				}
				if _, err := db.Update(elem("c", i), incr); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	ops.Wait()
	close(stop)
	wg.Wait()
	want := workers * (rounds - rounds/5)
	total := 0
	for i := range elems {
		for _, v := range values(mustGet(t, db, string(elem("c", i)))) {
			n, _ := strconv.Atoi(v)
			total += n
		}
	}
	t.Logf("%d increments, %d reads from the walk cache", want, db.wc.hits.Load())
	if total != want {
		t.Errorf("the counters sum to %d, want %d: increments were lost", total, want)
	}
}
