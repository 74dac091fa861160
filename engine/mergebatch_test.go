package engine

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/version"
)

// batchOptions are testOptions with a small tree and blobs from 512
// bytes, so that random sets cross the blob threshold both ways.
func batchOptions(t testing.TB) Options {
	o := treeOptions(t, 8)
	o.BlobMin = 512
	return o
}

// batchSet is a write by node with cur's context: a value (big ones go to
// blobs), or a tombstone when val is "-"; time is its wall-clock time.
func batchSet(cur version.Set, node, val string, time, expiry int64) version.Set {
	sb := version.Sibling{Value: []byte(val), Time: time, Expiry: expiry}
	if val == "-" {
		sb = version.Sibling{Tombstone: true, Time: time}
	}
	s, _ := cur.Put(node, cur.Context(), sb, 0)
	return s
}

// batchKeys are plain keys and element records (not counted in Len).
func batchKeys(n int) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte(key(i))
		if i%7 == 3 {
			keys[i] = ring.ElementKey(ring.ElemSet, []byte("coll"), []byte(key(i)))
		}
	}
	return keys
}

// batchWrite is one random write over cur: a value of random size (up
// to past the blob threshold), a tombstone, or a value with an expiry,
// by one of three nodes, descending from cur or concurrent with it.
func batchWrite(rng *rand.Rand, cur version.Set, time int64) version.Set {
	node := []string{"a", "b", "c"}[rng.IntN(3)]
	if rng.IntN(3) == 0 {
		cur = nil // concurrent with what is stored
	}
	switch rng.IntN(5) {
	case 0:
		return batchSet(cur, node, "-", time, 0)
	case 1:
		return batchSet(cur, node, "big-"+strings.Repeat("x", 400+rng.IntN(400)), time, 0)
	case 2:
		return batchSet(cur, node, fmt.Sprint("exp", rng.IntN(100)), time, 1e12+int64(rng.IntN(1000)))
	}
	return batchSet(cur, node, fmt.Sprint("v", rng.IntN(1000)), time, 0)
}

// twin fills two DBs with the same random history of keys.
func twin(t *testing.T, rng *rand.Rand, keys [][]byte) (*DB, *DB) {
	a, b := openMem(t, batchOptions(t)), openMem(t, batchOptions(t))
	for _, k := range keys {
		if rng.IntN(4) == 0 {
			continue // absent
		}
		s := batchWrite(rng, nil, 10)
		for _, db := range []*DB{a, b} {
			if _, _, err := db.Merge(k, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	return a, b
}

// incoming is a random batch over keys: sets from other replicas, some
// descending from what is stored, some concurrent, some equal to it,
// some for the same key twice, some written before time 5 (a Flush at 5
// drops them).
func incoming(t *testing.T, rng *rand.Rand, db *DB, keys [][]byte, n int) ([][]byte, []version.Set) {
	var ks [][]byte
	var ss []version.Set
	for range n {
		k := keys[rng.IntN(len(keys))]
		cur := mustGet(t, db, string(k))
		s := cur
		if rng.IntN(6) != 0 {
			s = batchWrite(rng, cur, int64(1+rng.IntN(20)))
		}
		ks, ss = append(ks, k), append(ss, s)
	}
	return ks, ss
}

// inDataOrder sorts the pairs by (hash, key), stably, as a transfer
// page sends them.
func inDataOrder(ks [][]byte, ss []version.Set) {
	idx := make([]int, len(ks))
	for i := range idx {
		idx[i] = i
	}
	dk := func(i int) []byte { return dataKey(Hash(ks[i]), ks[i]) }
	slices.SortStableFunc(idx, func(x, y int) int { return bytes.Compare(dk(x), dk(y)) })
	k2, s2 := make([][]byte, len(ks)), make([]version.Set, len(ss))
	for i, j := range idx {
		k2[i], s2[i] = ks[j], ss[j]
	}
	copy(ks, k2)
	copy(ss, s2)
}

// sameState fails unless a and b hold the same sets for keys, the same
// live count, the same expiry index and Merkle tree (each equal to one
// rebuilt from its records), and exactly the blobs their records use.
func sameState(t *testing.T, a, b *DB, keys [][]byte) {
	t.Helper()
	for _, k := range keys {
		if sa, sb := mustGet(t, a, string(k)), mustGet(t, b, string(k)); !sa.Equal(sb) {
			t.Fatalf("%q: per-key Merge stored %.20q, MergeBatch %.20q", k, values(sa), values(sb))
		}
	}
	if a.Len() != b.Len() {
		t.Fatalf("live count: per-key %d, batch %d", a.Len(), b.Len())
	}
	if ia, ib := indexEntries(t, a), indexEntries(t, b); !slices.Equal(ia, ib) {
		t.Fatalf("expiry index: per-key %v, batch %v", ia, ib)
	}
	checkTree(t, a, "per-key Merge")
	checkTree(t, b, "MergeBatch")
	if !a.tree.t.Equal(b.tree.t) {
		t.Fatal("Merkle trees differ")
	}
	na, nb := usedBlobs(t, a), usedBlobs(t, b)
	if na != nb {
		t.Fatalf("blobs: per-key %d, batch %d", na, nb)
	}
}

// usedBlobs counts db's blobs, failing if one is not its record's.
func usedBlobs(t *testing.T, db *DB) int {
	t.Helper()
	ids, err := db.blobs.list()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if used, err := db.blobUsed(id); err != nil || !used {
			t.Fatalf("blob %d is no record's (%v)", id, err)
		}
	}
	return len(ids)
}

// TestMergeBatchEqualsMerge: MergeBatch leaves exactly the state that
// Merge of the same pairs one after another leaves (sets, live count,
// expiry index, Merkle tree, blobs), over random histories with
// tombstones, expiries, blobs, element records and repeated keys, with
// and without a Flush whose time drops the older versions, across more
// keys than one chunk holds.
func TestMergeBatchEqualsMerge(t *testing.T) {
	for seed := range uint64(12) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 42))
			keys := batchKeys(40 + rng.IntN(300))
			a, b := twin(t, rng, keys)
			if seed%3 == 2 {
				for _, db := range []*DB{a, b} {
					if err := db.Flush(5); err != nil {
						t.Fatal(err)
					}
				}
			}
			for round := range 3 {
				ks, ss := incoming(t, rng, a, keys, 1+rng.IntN(3*mergeChunk))
				if round != 1 {
					inDataOrder(ks, ss) // as a transfer page: MergeBatch reads by iterator
				}
				for i := range ks {
					if _, _, err := a.Merge(ks[i], ss[i]); err != nil {
						t.Fatal(err)
					}
				}
				if err := b.MergeBatch(ks, ss); err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				sameState(t, a, b, keys)
			}
		})
	}
}

// TestMergeBatchBigToInline: a record moving from a blob to inline and
// back, and to a tombstone, drops its old blob each time.
func TestMergeBatchBigToInline(t *testing.T) {
	db := openMem(t, batchOptions(t))
	k := []byte("k")
	big := batchSet(nil, "a", strings.Repeat("b", 600), 10, 0)
	steps := []version.Set{big, batchSet(big, "a", "small", 11, 0), nil, batchSet(nil, "b", strings.Repeat("c", 700), 12, 0)}
	steps[2] = batchSet(steps[1], "a", "-", 13, 0)
	want := []int{1, 0, 0, 1}
	for i, s := range steps {
		if err := db.MergeBatch([][]byte{k}, []version.Set{s}); err != nil {
			t.Fatal(err)
		}
		if n := usedBlobs(t, db); n != want[i] {
			t.Fatalf("step %d: %d blobs, want %d", i, n, want[i])
		}
	}
	checkTree(t, db, "after the steps")
}

// TestMergeBatchConcurrent: MergeBatch racing per-key Merge and Update
// on the same keys neither deadlocks nor loses a version: every key ends
// with the merge of everything written to it (merging is commutative),
// and the tree matches the records.
func TestMergeBatchConcurrent(t *testing.T) {
	db := openMem(t, batchOptions(t))
	keys := batchKeys(200)
	want := make([]version.Set, len(keys))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for range 20 {
				var ks [][]byte
				var ss []version.Set
				for range 1 + rng.IntN(150) {
					i := rng.IntN(len(keys))
					s := batchSet(nil, fmt.Sprint("w", w), fmt.Sprint(rng.IntN(9)), 10, 0)
					mu.Lock()
					want[i] = want[i].Merge(s)
					mu.Unlock()
					ks, ss = append(ks, keys[i]), append(ss, s)
				}
				var err error
				if w%2 == 0 {
					err = db.MergeBatch(ks, ss)
				} else {
					for j := range ks {
						if _, _, err = db.Merge(ks[j], ss[j]); err != nil {
							break
						}
					}
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for i, k := range keys {
		if got := mustGet(t, db, string(k)); !got.Equal(want[i]) {
			t.Fatalf("%q: stored %v, want %v", k, got, want[i])
		}
	}
	checkTree(t, db, "after the race")
}

// TestMergeBatchErrors: mismatched lengths are refused; a closed DB
// answers ErrClosed; an empty batch is nothing.
func TestMergeBatchErrors(t *testing.T) {
	db := openMem(t, batchOptions(t))
	if err := db.MergeBatch(nil, nil); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
	if err := db.MergeBatch([][]byte{[]byte("k")}, nil); err == nil {
		t.Fatal("one key, no set: no error")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s := batchSet(nil, "a", "v", 10, 0)
	if err := db.MergeBatch([][]byte{[]byte("k")}, []version.Set{s}); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed: %v, want ErrClosed", err)
	}
}

// benchReceive merges b.N fresh 1 KiB records as a node receiving a
// partition does: in (hash, key) order, the source's order, a
// 1000-record page at a time, each page with merge.
func benchReceive(b *testing.B, merge func(db *DB, keys [][]byte, sets []version.Set) error) {
	db := benchDB(b)
	val := make([]byte, 1024)
	s, _ := version.Set(nil).Put("n1", version.Context{}, version.Sibling{Value: val, Time: 1}, 0)
	keys := make([][]byte, b.N)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "hk:%09d", i)
	}
	slices.SortFunc(keys, func(x, y []byte) int { return bytes.Compare(dataKey(Hash(x), x), dataKey(Hash(y), y)) })
	sets := make([]version.Set, 1000)
	for i := range sets {
		sets[i] = s
	}
	b.SetBytes(int64(len(val)))
	cpu0 := cpuTime(b)
	b.ResetTimer()
	for lo := 0; lo < len(keys); lo += len(sets) {
		hi := min(lo+len(sets), len(keys))
		if err := merge(db, keys[lo:hi], sets[:hi-lo]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// CPU of the whole process (LevelDB's compactions too) per record:
	// steadier than ns/op on a machine shared with other work.
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's user and system CPU time.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReceiveMerge: one Merge per record, as stream did.
func BenchmarkReceiveMerge(b *testing.B) {
	benchReceive(b, func(db *DB, keys [][]byte, sets []version.Set) error {
		for i := range keys {
			if _, _, err := db.Merge(keys[i], sets[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// BenchmarkReceiveMergeBatch: MergeBatch per page.
func BenchmarkReceiveMergeBatch(b *testing.B) {
	benchReceive(b, func(db *DB, keys [][]byte, sets []version.Set) error { return db.MergeBatch(keys, sets) })
}

// WriteBacklog reads LevelDB's level-0 table count: writing many
// memtables' worth faster than compaction shows level-0 tables.
func TestWriteBacklogCountsLevel0(t *testing.T) {
	db, err := OpenMem(Options{SweepInterval: -1, WriteBuffer: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := db.WriteBacklog(); n != 0 {
		t.Fatalf("empty DB: backlog %d", n)
	}
	seen := 0
	val := bytes.Repeat([]byte("v"), 1000)
	for i := 0; i < 4000 && seen == 0; i++ {
		keys, sets := make([][]byte, 16), make([]version.Set, 16)
		for j := range keys {
			keys[j] = fmt.Appendf(nil, "k%d-%d", i, j)
			sets[j] = version.Set{{Value: val, Time: 1}}
		}
		if err := db.MergeBatch(keys, sets); err != nil {
			t.Fatal(err)
		}
		seen = max(seen, db.WriteBacklog())
	}
	if seen == 0 {
		t.Fatal("64 MB through a 64 KiB memtable never showed a level-0 table")
	}
}

// A collection write's merge on a replica (its header, then its
// elements, in data order) reads the header with a Get and only the
// elements with the span's iterator: the header, rewritten by every
// write of the collection, has one memtable version per write, which a
// Next off it would step over one by one. A page of elements alone is
// all span.
func TestSpanStartsAfterAHeader(t *testing.T) {
	recs := func(keys ...[]byte) []*keyRec {
		out := make([]*keyRec, len(keys))
		for i, k := range keys {
			out[i] = &keyRec{key: k}
		}
		return out
	}
	el := func(m string) []byte { return ring.ElementKey(ring.ElemList, []byte("l"), []byte(m)) }
	if got := spanFrom(recs([]byte("l"), el("a"), el("b"))); got != 1 {
		t.Errorf("header and elements: span from %d, want 1", got)
	}
	if got := spanFrom(recs(el("a"), el("b"), el("c"))); got != 0 {
		t.Errorf("elements alone: span from %d, want 0", got)
	}
}

// BenchmarkMergeGroupAfterHotHeader: a replica's merge of one pop batch
// (header and spanMin elements) after the header was merged 20000 times
// since the memtable's last flush, as LPOPs leave it.
func BenchmarkMergeGroupAfterHotHeader(b *testing.B) {
	db := benchDB(b)
	hdr := []byte("l")
	var hs version.Set
	for i := range 20000 {
		hs = batchSet(hs, "a", "h", int64(i+1), 0)
		if _, _, err := db.Merge(hdr, hs); err != nil {
			b.Fatal(err)
		}
	}
	keys := [][]byte{hdr}
	for i := range spanMin {
		keys = append(keys, ring.ElementKey(ring.ElemList, hdr, fmt.Appendf(nil, "e%03d", i)))
	}
	sets := make([]version.Set, len(keys))
	cpu0 := cpuTime(b)
	b.ResetTimer()
	for i := range b.N {
		hs = batchSet(hs, "a", "h", int64(20001+i), 0)
		sets[0] = hs
		for j := 1; j < len(keys); j++ {
			sets[j] = batchSet(nil, "a", fmt.Sprint(i), int64(20001+i), 0)
		}
		if err := db.MergeBatch(keys, sets); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
}
