package engine

import (
	"bytes"
	"errors"
	"flag"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/ringkv/ringkv/replica/merkle"
	"github.com/ringkv/ringkv/replica/version"
)

// treeOptions are testOptions with a small tree and an unpaced rebuild.
func treeOptions(t testing.TB, bits int) Options {
	o := testOptions(t)
	o.TreeBits, o.TreeRebuildRate = bits, -1
	return o
}

// scratchTree is the oracle: a tree built from the stored records alone.
func scratchTree(t testing.TB, db *DB) *merkle.Tree {
	t.Helper()
	tr, err := merkle.New(db.TreeBits())
	if err != nil {
		t.Fatal(err)
	}
	it := db.ldb.NewIterator(util.BytesPrefix([]byte{prefixData}), nil)
	defer it.Release()
	for it.Next() {
		h, key, _ := parseDataKey(it.Key())
		if h != Hash(key) {
			t.Fatalf("record %q under hash %x", key, h)
		}
		d, err := recordDigest(key, it.Value())
		if err != nil {
			t.Fatal(err)
		}
		tr.Update(h, 0, d)
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
	return tr
}

func checkTree(t testing.TB, db *DB, when string) {
	t.Helper()
	if !db.TreeReady() {
		t.Fatalf("%s: tree not ready", when)
	}
	if !db.tree.t.Equal(scratchTree(t, db)) {
		t.Fatalf("%s: tree differs from one rebuilt from the records", when)
	}
}

// waitRebuild waits (bounded) for Open's rebuild goroutine to end.
func waitRebuild(t testing.TB, db *DB) {
	t.Helper()
	select {
	case <-db.tree.done:
	case <-time.After(30 * time.Second):
		t.Fatal("tree rebuild did not finish in 30s")
	}
}

// randomWrite does one of the ways a record changes: a write, a
// concurrent sibling, a delete, a merge from another replica, an expiry,
// a reap.
func randomWrite(t testing.TB, r *rand.Rand, db *DB, keys int) {
	t.Helper()
	k := key(r.IntN(keys))
	node := string(rune('a' + r.IntN(3)))
	switch r.IntN(6) {
	case 0, 1:
		mustUpdate(t, db, k, setTo(node, strconv.Itoa(r.IntN(100)), int64(r.IntN(2))*int64(1000+r.IntN(1000))))
	case 2:
		mustUpdate(t, db, k, func(cur version.Set) (version.Set, bool, error) {
			s, _ := cur.Put(node, version.Context{}, version.Sibling{Value: []byte("c"), Time: 2}, 0)
			return s, true, nil
		})
	case 3:
		mustUpdate(t, db, k, func(cur version.Set) (version.Set, bool, error) { return del(cur, node), true, nil })
	case 4:
		in := version.Set{{Dot: version.Dot{Node: "z", Counter: uint64(1 + r.IntN(5))}, Value: []byte("m"), Time: 3}}
		if _, _, err := db.Merge([]byte(k), in); err != nil {
			t.Fatal(err)
		}
	case 5:
		if _, err := db.Sweep(int64(r.IntN(2500)), 3); err != nil {
			t.Fatal(err)
		}
		if s := mustGet(t, db, k); len(s) > 0 && !s.HasLive() {
			if _, err := db.Reap([]byte(k), s); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestTreeFollowsEveryKindOfWrite(t *testing.T) {
	db := openMem(t, treeOptions(t, 8))
	r := rand.New(rand.NewPCG(1, 1))
	checkTree(t, db, "empty")
	for i := range 3000 {
		randomWrite(t, r, db, 400)
		if i%500 == 0 {
			checkTree(t, db, "after write "+strconv.Itoa(i))
		}
	}
	checkTree(t, db, "end")
	if db.tree.t.Root(0, db.tree.t.Len()) == 0 {
		t.Fatal("root of a non-empty DB is 0")
	}
}

// TestEqualSetsEncodeIdentically: the digest hashes Set.AppendBinary, so
// replicas that converged (the same merged set, reached in any order)
// must produce the same bytes, and decode-then-encode (what store does
// to the old set) must give back the stored bytes.
func TestEqualSetsEncodeIdentically(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for trial := range 300 {
		parts := randomHistories(r)
		var ref []byte
		for range 6 {
			r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
			var m version.Set
			for _, p := range parts {
				m = p.Merge(m) // receiver on either side
			}
			enc := m.AppendBinary(nil)
			if ref == nil {
				ref = enc
			} else if !bytes.Equal(ref, enc) {
				t.Fatalf("trial %d: one merged set, two encodings:\n%x\n%x", trial, ref, enc)
			}
			dec, err := version.DecodeSet(enc)
			if err != nil || !bytes.Equal(dec.AppendBinary(nil), enc) {
				t.Fatalf("trial %d: decode/encode is not the identity: %v", trial, err)
			}
		}
	}
	// Set.Equal treats a nil and an empty value alike; so must the bytes.
	a := version.Set{{Dot: version.Dot{Node: "a", Counter: 1}, Value: nil, Time: 1}}
	b := version.Set{{Dot: version.Dot{Node: "a", Counter: 1}, Value: []byte{}, Time: 1}}
	if !a.Equal(b) || !bytes.Equal(a.AppendBinary(nil), b.AppendBinary(nil)) {
		t.Fatal("nil and empty values encode differently")
	}
}

// randomHistories returns the sets several replicas hold after random
// writes on each (some copied between them), with expiries applied on some.
func randomHistories(r *rand.Rand) []version.Set {
	sets := make([]version.Set, 2+r.IntN(3))
	for range 2 + r.IntN(8) {
		i := r.IntN(len(sets))
		if r.IntN(3) == 0 {
			sets[i] = sets[i].Merge(sets[r.IntN(len(sets))])
		}
		node := string(rune('a' + i))
		ctx := sets[i].Context()
		if r.IntN(3) == 0 {
			ctx = version.Context{}
		}
		sets[i], _ = sets[i].Put(node, ctx, version.Sibling{
			Value: []byte(strconv.Itoa(r.IntN(9))), Tombstone: r.IntN(5) == 0,
			Time: int64(r.IntN(100)), Expiry: int64(r.IntN(2) * 50),
		}, 0)
		if r.IntN(4) == 0 {
			sets[i], _ = sets[i].Expire(int64(r.IntN(100)))
		}
	}
	return sets
}

// TestReplicasThatConvergeHaveEqualTrees: two DBs that absorb the same
// versions in different orders end with the same roots and segments.
func TestReplicasThatConvergeHaveEqualTrees(t *testing.T) {
	a, b := openMem(t, treeOptions(t, 10)), openMem(t, treeOptions(t, 10))
	r := rand.New(rand.NewPCG(3, 3))
	type msg struct {
		key string
		s   version.Set
	}
	var msgs []msg
	for i := range 2000 {
		k := key(r.IntN(300))
		s, _ := version.Set(nil).Put(string(rune('a'+r.IntN(4))), version.Context{},
			version.Sibling{Value: []byte(strconv.Itoa(i)), Time: int64(i)}, uint64(i+1))
		msgs = append(msgs, msg{k, s})
	}
	for _, m := range msgs {
		if _, _, err := a.Merge([]byte(m.key), m.s); err != nil {
			t.Fatal(err)
		}
	}
	r.Shuffle(len(msgs), func(i, j int) { msgs[i], msgs[j] = msgs[j], msgs[i] })
	for _, m := range msgs {
		if _, _, err := b.Merge([]byte(m.key), m.s); err != nil {
			t.Fatal(err)
		}
	}
	if !a.tree.t.Equal(b.tree.t) {
		t.Fatal("replicas with the same data have different trees")
	}
	keys, _, err := exchange(a, b, 1024)
	if err != nil || len(keys) != 0 {
		t.Fatalf("exchange between equal replicas found %q, %v", keys, err)
	}
}

func TestTreeSavedByCleanCloseLoadedByOpen(t *testing.T) {
	dir := t.TempDir()
	o := treeOptions(t, 0) // default bits
	db, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(4, 4))
	for range 500 {
		randomWrite(t, r, db, 200)
	}
	want := scratchTree(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Count rebuilt records: a loaded tree must not scan.
	scanned := int64(0)
	o.treeBatchHook = func(n int64) { scanned = n }
	o.TreeRebuildRate = 1 // would take minutes if it scanned
	db, err = Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	waitRebuild(t, db)
	if !db.TreeReady() || !db.tree.t.Equal(want) || scanned != 0 || db.TreeBits() != DefaultTreeBits {
		t.Fatalf("after clean reopen: ready %v, equal %v, scanned %d, bits %d",
			db.TreeReady(), db.tree.t.Equal(want), scanned, db.TreeBits())
	}
	if n := treeRecords(t, db); n != 0 {
		t.Fatalf("%d 't' records left after Open: an unclean stop now would load a stale tree", n)
	}
}

func treeRecords(t testing.TB, db *DB) int {
	t.Helper()
	it := db.ldb.NewIterator(util.BytesPrefix([]byte{prefixTree}), nil)
	defer it.Release()
	n := 0
	for it.Next() {
		n++
	}
	return n
}

// TestTreeRebuiltAfterUncleanStop copies a live DB's files, as a crash
// leaves them (no saved tree), and writes to the copy while its rebuild
// runs, between the rebuild's batches.
func TestTreeRebuiltAfterUncleanStop(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, treeOptions(t, 6))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := rand.New(rand.NewPCG(5, 5))
	for i := range 4000 {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	crashed := t.TempDir()
	copyDir(t, dir, crashed)

	o := treeOptions(t, 6)
	var db2 *DB
	var batches int
	started := make(chan struct{})
	o.treeBatchHook = func(int64) {
		<-started // db2 is set
		batches++
		for range 50 { // writes to keys already scanned and not yet scanned
			randomWrite(t, r, db2, 5000)
		}
		if _, err := db2.TreeRoot(0, ^uint64(0)); !errors.Is(err, ErrTreeNotReady) {
			t.Errorf("TreeRoot during rebuild = %v, want ErrTreeNotReady", err)
		}
	}
	db2, err = Open(crashed, o)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	close(started)
	waitRebuild(t, db2)
	if batches != 4000/unpacedBatch {
		t.Fatalf("rebuild ran %d batches, want %d", batches, 4000/unpacedBatch)
	}
	checkTree(t, db2, "after rebuild with concurrent writes")
	if _, err := db2.TreeRoot(0, ^uint64(0)); err != nil {
		t.Fatal(err)
	}
}

func TestCloseStopsRebuildAndNextOpenRebuilds(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, treeOptions(t, 6))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 3000 {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	crashed := t.TempDir()
	copyDir(t, dir, crashed)

	o := treeOptions(t, 6)
	paused, release := make(chan struct{}), make(chan struct{})
	o.treeBatchHook = func(int64) {
		paused <- struct{}{}
		<-release
	}
	db2, err := Open(crashed, o)
	if err != nil {
		t.Fatal(err)
	}
	<-paused
	closed := make(chan error)
	go func() { closed <- db2.Close() }()
	<-db2.stop // Close has begun and waits for the rebuild
	close(release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if db2.TreeReady() {
		t.Fatal("tree ready after an interrupted rebuild")
	}
	db3, err := Open(crashed, treeOptions(t, 6))
	if err != nil {
		t.Fatal(err)
	}
	defer db3.Close()
	waitRebuild(t, db3)
	checkTree(t, db3, "reopened after an interrupted rebuild (nothing saved)")
}

func TestFlushResetsTreeAndVoidsRebuild(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, treeOptions(t, 6))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 2100 {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	crashed := t.TempDir()
	copyDir(t, dir, crashed)

	o := treeOptions(t, 6)
	var db2 *DB
	started := make(chan struct{})
	o.treeBatchHook = func(n int64) {
		<-started
		if n == unpacedBatch { // a Flush in the middle of the rebuild
			if err := db2.Flush(1); err != nil {
				t.Error(err)
			}
			mustUpdate(t, db2, "after-flush", setTo("a", "v", 0))
		}
	}
	if db2, err = Open(crashed, o); err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	close(started)
	waitRebuild(t, db2)
	checkTree(t, db2, "flush during rebuild")
	if db2.tree.t.Equal(mustTree(t, 6)) {
		t.Fatal("tree empty, but a key was written after the flush")
	}
	if err := db.Flush(1); err != nil {
		t.Fatal(err)
	}
	checkTree(t, db, "after flush")
	if !db.tree.t.Equal(mustTree(t, 6)) {
		t.Fatal("tree not empty after flush")
	}
}

func mustTree(t testing.TB, bits int) *merkle.Tree {
	t.Helper()
	tr, err := merkle.New(bits)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestSavedTreeNotUsedWhenBitsChangeOrDamaged(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, treeOptions(t, 6))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopen at other bits: a rebuild, right for the new size.
	db, err = Open(dir, treeOptions(t, 9))
	if err != nil {
		t.Fatal(err)
	}
	waitRebuild(t, db)
	checkTree(t, db, "bits changed")
	// Damage the saved tree: a rebuild, not an error.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir, treeOptions(t, 9)) // loads it, then deletes it
	if err != nil {
		t.Fatal(err)
	}
	db.saveTree() // as Close would, then damage a byte
	c, err := db.ldb.Get(treeKey(treeChunk, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	c[100] ^= 1
	if err := db.ldb.Put(treeKey(treeChunk, 0), c, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.ldb.Put(metaKey(metaLive), u64(uint64(db.Len())), nil); err != nil {
		t.Fatal(err)
	}
	close(db.stop) // a stop that skips Close's own save
	db.wg.Wait()
	if err := db.ldb.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(dir, treeOptions(t, 9))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	waitRebuild(t, db2)
	checkTree(t, db2, "saved tree damaged")
}

func TestTreeAPIErrors(t *testing.T) {
	db := openMem(t, treeOptions(t, 4))
	if _, err := db.TreeRoot(1, ^uint64(0)); !errors.Is(err, ErrTreeRange) {
		t.Fatalf("unaligned TreeRoot = %v, want ErrTreeRange", err)
	}
	lo, hi := merkle.SegmentRange(6, 1) // a partition of Q=64 > 2^4 segments
	if _, _, err := db.TreeSegments(lo, hi); !errors.Is(err, ErrTreeRange) {
		t.Fatalf("TreeSegments finer than a segment = %v, want ErrTreeRange", err)
	}
	for _, seg := range []int{-1, 16} {
		if _, err := db.SegmentKeys(seg); err == nil {
			t.Fatalf("SegmentKeys(%d) succeeded at 4 bits", seg)
		}
	}
	for _, bits := range []int{-1, merkle.MaxBits + 1} {
		if err := (Options{TreeBits: bits}).Validate(); err == nil {
			t.Fatalf("Validate accepted TreeBits %d", bits)
		}
	}
	if DefaultOptions().TreeBits != merkle.DefaultBits || DefaultOptions().TreeRebuildRate != DefaultTreeRebuildRate {
		t.Fatal("defaults not applied")
	}
	db.staleTree() // as a failed Flush leaves it
	if _, _, err := db.TreeSegments(0, ^uint64(0)); !errors.Is(err, ErrTreeNotReady) {
		t.Fatalf("TreeSegments on a stale tree = %v, want ErrTreeNotReady", err)
	}
}

func TestSegmentKeysListsOneSegment(t *testing.T) {
	db := openMem(t, treeOptions(t, 4))
	for i := range 200 {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
	}
	seen := 0
	for seg := range 16 {
		kds, err := db.SegmentKeys(seg)
		if err != nil {
			t.Fatal(err)
		}
		var x uint64
		for _, kd := range kds {
			if merkle.SegmentOf(4, Hash(kd.Key)) != seg {
				t.Fatalf("segment %d lists %q of segment %d", seg, kd.Key, merkle.SegmentOf(4, Hash(kd.Key)))
			}
			x ^= kd.Digest
		}
		first, segs, err := db.TreeSegments(merkle.SegmentRange(4, seg))
		if err != nil || first != seg || len(segs) != 1 || segs[0] != x {
			t.Fatalf("segment %d: tree says %x (first %d, %v), keys XOR to %x", seg, segs, first, err, x)
		}
		seen += len(kds)
	}
	if seen != 200 {
		t.Fatalf("segments list %d keys, want 200", seen)
	}
}

func TestExchangeFindsExactlyTheDivergedKeys(t *testing.T) {
	a, b := openMem(t, treeOptions(t, 12)), openMem(t, treeOptions(t, 12))
	load(t, []*DB{a, b}, 3000)
	want := diverge(t, a, b)
	keys, wire, err := exchange(a, b, 256)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(keys))
	for i, k := range keys {
		got[i] = string(k)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("exchange found %q, want %q", got, want)
	}
	// Repair both ways, as anti-entropy does: merged, never overwritten.
	for _, k := range keys {
		sa, sb := mustGet(t, a, string(k)), mustGet(t, b, string(k))
		if _, _, err := a.Merge(k, sb); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.Merge(k, sa); err != nil {
			t.Fatal(err)
		}
	}
	if !a.tree.t.Equal(b.tree.t) {
		t.Fatal("trees differ after repairing the found keys")
	}
	t.Logf("10 diverged keys among 3000: %d bytes on the wire", wire)
}

// load writes n keys to every db, the same sets everywhere.
func load(t testing.TB, dbs []*DB, n int) {
	t.Helper()
	for i := range n {
		s, _ := version.Set(nil).Put("a", version.Context{},
			version.Sibling{Value: value100, Time: int64(i + 1)}, 0)
		for _, db := range dbs {
			if _, _, err := db.Merge([]byte(key(i)), s); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// diverge makes 10 keys differ between a and b (loaded by load): 4 newer
// on a, 3 deleted on b, 3 only on b. It returns them sorted.
func diverge(t testing.TB, a, b *DB) []string {
	t.Helper()
	var out []string
	for i := range 4 {
		mustUpdate(t, a, key(i*97), setTo("a", "newer", 0))
		out = append(out, key(i*97))
	}
	for i := range 3 {
		mustUpdate(t, b, key(i*89+5), func(cur version.Set) (version.Set, bool, error) { return del(cur, "b"), true, nil })
		out = append(out, key(i*89+5))
	}
	for i := range 3 {
		mustUpdate(t, b, "only-b:"+strconv.Itoa(i), setTo("b", "v", 0))
		out = append(out, "only-b:"+strconv.Itoa(i))
	}
	slices.Sort(out)
	return out
}

// exchange runs anti-entropy's descent from a (local) against b (remote)
// over q partitions (a power of two <= 2^TreeBits) and returns the keys
// whose sets differ, with the bytes that would cross the wire: a's
// requests (4-byte ids), b's answers (roots, segments, key digests with
// 4-byte lengths) and both sides' sets of the differing keys.
func exchange(a, b *DB, q int) (keys [][]byte, wire int, err error) {
	qbits := bits.TrailingZeros(uint(q))
	for p := range q {
		lo, hi := merkle.SegmentRange(qbits, p)
		ra, err1 := a.TreeRoot(lo, hi)
		rb, err2 := b.TreeRoot(lo, hi)
		if err := errors.Join(err1, err2); err != nil {
			return nil, wire, err
		}
		wire += 4 + 8
		if ra == rb {
			continue
		}
		first, sa, err1 := a.TreeSegments(lo, hi)
		_, sb, err2 := b.TreeSegments(lo, hi)
		if err := errors.Join(err1, err2); err != nil {
			return nil, wire, err
		}
		wire += 4 + 8*len(sb)
		for _, i := range merkle.Diff(sa, sb) {
			k, n, err := exchangeSegment(a, b, first+i)
			if err != nil {
				return nil, wire, err
			}
			keys, wire = append(keys, k...), wire+n
		}
	}
	return keys, wire, nil
}

// exchangeSegment compares one segment's keys and ships the differing
// keys' sets both ways (counted, not applied).
func exchangeSegment(a, b *DB, seg int) (keys [][]byte, wire int, err error) {
	ka, err1 := a.SegmentKeys(seg)
	kb, err2 := b.SegmentKeys(seg)
	if err := errors.Join(err1, err2); err != nil {
		return nil, 0, err
	}
	wire += 4
	for _, kd := range kb {
		wire += 4 + len(kd.Key) + 8
	}
	keys = merkle.DiffKeys(ka, kb)
	for _, k := range keys {
		sa, err1 := a.Get(k)
		sb, err2 := b.Get(k)
		if err := errors.Join(err1, err2); err != nil {
			return nil, 0, err
		}
		wire += 2*(4+len(k)) + len(sa.AppendBinary(nil)) + len(sb.AppendBinary(nil))
	}
	return keys, wire, nil
}

var exchangeKeys = flag.Int("exchange.keys", 200_000, "keys loaded by BenchmarkExchange")

// BenchmarkExchange: two replicas of N keys (-exchange.keys) at the
// default TreeBits, 10 of them diverged; one op is a full exchange over
// Q=1024 partitions. The cost follows the difference: wire-bytes/op and
// the time stay flat as N grows.
func BenchmarkExchange(b *testing.B) {
	o := Options{Sync: SyncNo, SweepInterval: -1}
	dbs := make([]*DB, 2)
	for i := range dbs {
		db, err := Open(b.TempDir(), o)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	start := time.Now()
	load(b, dbs, *exchangeKeys)
	want := diverge(b, dbs[0], dbs[1])
	b.Logf("loaded %d keys into 2 DBs in %v", *exchangeKeys, time.Since(start))
	var keys [][]byte
	var wire int
	for b.Loop() {
		var err error
		if keys, wire, err = exchange(dbs[0], dbs[1], 1024); err != nil {
			b.Fatal(err)
		}
	}
	if len(keys) != len(want) {
		b.Fatalf("exchange found %d keys, want %d", len(keys), len(want))
	}
	b.ReportMetric(float64(wire), "wire-bytes/op")
	b.ReportMetric(float64(len(keys)), "keys/op")
}

// BenchmarkTreeRebuild times an unpaced rebuild scan of N keys
// (-exchange.keys): what TreeRebuildRate throttles.
func BenchmarkTreeRebuild(b *testing.B) {
	db, err := Open(b.TempDir(), Options{Sync: SyncNo, SweepInterval: -1, TreeRebuildRate: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	load(b, []*DB{db}, *exchangeKeys)
	for b.Loop() {
		snap, err := db.ldb.GetSnapshot()
		if err != nil {
			b.Fatal(err)
		}
		scan, n, err := db.scanTree(snap, db.tree.gen.Load())
		snap.Release()
		if err != nil || n != int64(*exchangeKeys) || !scan.Equal(db.tree.t) {
			b.Fatalf("scan of %d records: %v", n, err)
		}
	}
	b.ReportMetric(float64(*exchangeKeys)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func TestRebuildPacing(t *testing.T) {
	for _, c := range []struct {
		rate  int
		batch int64
		every time.Duration
	}{
		{-1, unpacedBatch, 0},
		{1, 1, time.Second},
		{4, 1, 250 * time.Millisecond},
		{10, 1, rebuildEvery},
		{DefaultTreeRebuildRate, 10_000, rebuildEvery},
	} {
		batch, every := rebuildPacing(c.rate)
		if batch != c.batch || every != c.every {
			t.Errorf("rebuildPacing(%d) = %d per %v, want %d per %v", c.rate, batch, every, c.batch, c.every)
		}
		if c.rate > 0 && float64(batch)/every.Seconds() != float64(c.rate) {
			t.Errorf("rebuildPacing(%d) paces %v records/s", c.rate, float64(batch)/every.Seconds())
		}
	}
}
