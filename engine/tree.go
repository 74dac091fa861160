package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/ringkv/ringkv/replica/merkle"
)

// Errors of the Merkle tree's read side.
var (
	// ErrTreeNotReady: the tree is being rebuilt (TreeReady is false);
	// skip the exchange and try later.
	ErrTreeNotReady = errors.New("engine: Merkle tree not ready (rebuilding)")
	// ErrTreeRange: a hash range that does not start and end on segment
	// boundaries (a ring with more partitions than 2^TreeBits).
	ErrTreeRange = errors.New("engine: hash range not aligned to Merkle segments")
)

// KeyDigest is a key with the digest of its stored set (merkle.Digest).
type KeyDigest = merkle.KeyDigest

// treeState is the DB's Merkle tree (see doc.go).
type treeState struct {
	t *merkle.Tree
	// ready is false while t is being rebuilt, and after a failed Flush.
	ready atomic.Bool
	// gen is bumped by Flush: a rebuild that started before it is void.
	gen atomic.Uint64
	// done is closed when the rebuild goroutine ends, or at Open if none.
	done chan struct{}

	mu      sync.Mutex // guards running and next
	running bool       // the rebuild goroutine runs
	next    *rebuildStart
}

// rebuildStart is where a rebuild starts: a snapshot taken while no
// writer ran and the live tree was reset, valid while gen is current.
type rebuildStart struct {
	snap *levelSnap
	gen  uint64
}

// Tree records under prefix 't'; see doc.go.
const (
	prefixTree = 't'
	treeMarker = "m"     // 't' "m" -> chunk count (uint32); only after a clean Close
	treeChunk  = "c"     // 't' "c" index(4) -> part of merkle.Tree.Marshal
	chunkSize  = 1 << 20 // bytes of a chunk
)

func treeKey(name string, idx ...uint32) []byte {
	k := append([]byte{prefixTree}, name...)
	for _, i := range idx {
		k = binary.BigEndian.AppendUint32(k, i)
	}
	return k
}

// TreeBits returns log2 of the tree's segment count (Options.TreeBits).
// Segment numbers run from 0 to 2^TreeBits-1, in hash order.
func (db *DB) TreeBits() int { return db.tree.t.Bits() }

// TreeReady reports whether the tree describes the stored data. It is
// false while Open's rebuild runs (after an unclean stop) and after a
// failed Flush, until the next Open; anti-entropy must skip the node
// meanwhile (TreeRoot and TreeSegments return ErrTreeNotReady).
func (db *DB) TreeReady() bool { return db.tree.ready.Load() }

// TreeRoot returns the XOR of the digests of every key with lo <= hash
// <= hi (a ring partition's inclusive range), which must be whole
// segments. Two replicas holding the same sets for that range have the
// same root, whatever their TreeBits.
func (db *DB) TreeRoot(lo, hi uint64) (uint64, error) {
	start, end, err := db.treeSpan(lo, hi)
	if err != nil {
		return 0, err
	}
	return db.tree.t.Root(start, end), nil
}

// TreeSegments returns the segments covering lo <= hash <= hi, in hash
// order: segs[i] is segment first+i (see SegmentKeys). Compare them with
// a replica's (same TreeBits) with merkle.Diff.
func (db *DB) TreeSegments(lo, hi uint64) (first int, segs []uint64, err error) {
	start, end, err := db.treeSpan(lo, hi)
	if err != nil {
		return 0, nil, err
	}
	return start, db.tree.t.Segments(start, end), nil
}

func (db *DB) treeSpan(lo, hi uint64) (start, end int, err error) {
	if !db.TreeReady() {
		return 0, 0, ErrTreeNotReady
	}
	start, end, ok := merkle.Span(db.TreeBits(), lo, hi)
	if !ok {
		return 0, 0, fmt.Errorf("%w: %016x-%016x at %d bits", ErrTreeRange, lo, hi, db.TreeBits())
	}
	return start, end, nil
}

// SegmentKeys lists the stored keys of segment seg with their digests,
// in (hash, key) order, read from the data (one range scan), so it is
// right even when the tree is not ready. Compare two replicas' lists with
// merkle.DiffKeys.
func (db *DB) SegmentKeys(seg int) ([]KeyDigest, error) {
	if seg < 0 || seg >= 1<<db.TreeBits() {
		return nil, fmt.Errorf("engine: segment %d out of range at %d bits", seg, db.TreeBits())
	}
	lo, hi := merkle.SegmentRange(db.TreeBits(), seg)
	it := db.ldb.NewIterator(dataRange(lo, hi), &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	var out []KeyDigest
	for it.Next() {
		_, key, ok := parseDataKey(it.Key())
		if !ok {
			return nil, fmt.Errorf("%w: bad record key %x", ErrCorrupt, it.Key())
		}
		d, err := recordDigest(key, it.Value())
		if err != nil {
			return nil, fmt.Errorf("%w: key %q: %w", ErrCorrupt, key, err)
		}
		out = append(out, KeyDigest{Key: append([]byte(nil), key...), Digest: d})
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("engine: segment %d: %w", seg, closedErr(err))
	}
	return out, nil
}

// staleTree marks the tree unusable: Flush calls it with the gate held
// exclusively before deleting anything, and resetTree when done, so a
// Flush that fails part way leaves the tree not ready (and unsaved) and
// voids a rebuild in progress.
func (db *DB) staleTree() {
	db.tree.ready.Store(false)
	db.tree.gen.Add(1)
}

// resetTree empties the tree after Flush deleted every record.
func (db *DB) resetTree() {
	db.tree.t.Reset()
	db.tree.ready.Store(true)
}

// openTree sets the tree up at Open: empty for a new DB, loaded when the
// last Close saved it, else rebuilt from a snapshot in the background. It
// must be Open's last step that can fail: it may start that goroutine.
func (db *DB) openTree(fresh bool) error {
	t, err := merkle.New(db.opt.TreeBits)
	if err != nil {
		return err
	}
	db.tree.t, db.tree.done = t, make(chan struct{})
	if fresh {
		db.tree.ready.Store(true)
		close(db.tree.done)
		return nil
	}
	saved, err := db.loadTree()
	if err == nil {
		err = db.deleteTree() // from now on, a stop without Close means a rebuild
	}
	if err != nil {
		return fmt.Errorf("engine: open %s: %w", db.dir, err)
	}
	if saved != nil {
		db.tree.t = saved
		db.tree.ready.Store(true)
		close(db.tree.done)
		return nil
	}
	return db.startRebuild()
}

// loadTree returns the tree saved by the last clean Close, or nil (and
// logs why) if there is none usable.
func (db *DB) loadTree() (*merkle.Tree, error) {
	m, err := db.ldb.Get(treeKey(treeMarker), nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		db.log.Info().Msg("no Merkle tree saved by a clean shutdown; rebuilding it")
		return nil, nil
	}
	if err != nil || len(m) != 4 {
		return nil, fmt.Errorf("reading Merkle tree marker: %v (%d bytes)", err, len(m))
	}
	n := binary.BigEndian.Uint32(m)
	if n > (8<<merkle.MaxBits)/chunkSize+1 {
		db.log.Warn().Uint32("chunks", n).Msg("saved Merkle tree marker damaged; rebuilding it")
		return nil, nil
	}
	var b []byte
	for i := range n {
		c, err := db.ldb.Get(treeKey(treeChunk, i), nil)
		// A missing chunk fails Unmarshal's checksum below: a rebuild.
		if err != nil && !errors.Is(err, leveldb.ErrNotFound) {
			return nil, fmt.Errorf("reading Merkle tree: %w", err)
		}
		b = append(b, c...)
	}
	t, err := merkle.Unmarshal(b)
	switch {
	case err != nil:
		db.log.Warn().Err(err).Msg("saved Merkle tree unreadable; rebuilding it")
		return nil, nil
	case t.Bits() != db.opt.TreeBits:
		db.log.Info().Int("saved", t.Bits()).Int("bits", db.opt.TreeBits).
			Msg("saved Merkle tree has other TreeBits; rebuilding it")
		return nil, nil
	}
	return t, nil
}

// deleteTree durably deletes every 't' record.
func (db *DB) deleteTree() error {
	var b leveldb.Batch
	it := db.ldb.NewIterator(util.BytesPrefix([]byte{prefixTree}), nil)
	for it.Next() {
		b.Delete(append([]byte(nil), it.Key()...))
	}
	it.Release()
	if err := it.Error(); err != nil {
		return fmt.Errorf("deleting saved Merkle tree: %w", err)
	}
	if b.Len() == 0 {
		return nil
	}
	if err := db.ldb.Write(&b, &opt.WriteOptions{Sync: true}); err != nil {
		return fmt.Errorf("deleting saved Merkle tree: %w", err)
	}
	return nil
}

// saveTree writes the tree and its marker in one durable batch, for the
// next Open. Close calls it once writers and the rebuild have stopped. It
// only logs a failure: the next Open then rebuilds.
func (db *DB) saveTree() {
	if !db.TreeReady() || db.stor != nil {
		return // the next Open rebuilds; OpenMem's storage dies with the DB
	}
	data := db.tree.t.Marshal()
	var b leveldb.Batch
	var n uint32
	for ; len(data) > 0; n++ {
		c := data[:min(chunkSize, len(data))]
		b.Put(treeKey(treeChunk, n), c)
		data = data[len(c):]
	}
	b.Put(treeKey(treeMarker), binary.BigEndian.AppendUint32(nil, n))
	if err := db.ldb.Write(&b, &opt.WriteOptions{Sync: true}); err != nil {
		db.log.Warn().Err(err).Msg("saving Merkle tree failed; the next start rebuilds it")
	}
}

// rebuildEvery is the pacing period of a rebuild: it reads
// TreeRebuildRate/10 records per tick (see rebuildPacing).
const rebuildEvery = 100 * time.Millisecond

// unpacedBatch is how many records an unpaced rebuild reads between
// checks for Close and Flush.
const unpacedBatch = 1024

// startRebuild snapshots the data and starts the rebuild goroutine. No
// writer runs yet (Open has not returned), so every later write is in
// the live tree as a change (old digest ^ new) and not in the snapshot:
// the snapshot's tree XOR the live one is the current data's tree.
func (db *DB) startRebuild() error {
	snap, err := db.ldb.GetSnapshot()
	if err != nil {
		return fmt.Errorf("engine: open %s: snapshot for Merkle rebuild: %w", db.dir, err)
	}
	db.tree.running = true
	db.wg.Add(1)
	go db.rebuildTree(rebuildStart{snap, db.tree.gen.Load()})
	return nil
}

// restartRebuild starts the tree over from a snapshot of the reopened
// storage when it is not ready: a rebuild in progress lost its snapshot
// to the reopen (the goroutine picks the new start up), and one that
// failed or was voided can run again. The caller holds the gate
// exclusively, so the reset live tree and the snapshot agree.
func (db *DB) restartRebuild() {
	if db.tree.ready.Load() {
		return
	}
	snap, err := db.ldb.GetSnapshot()
	if err != nil {
		db.log.Error().Err(err).Msg("snapshot for the Merkle rebuild failed; anti-entropy stays off until restart")
		return
	}
	db.tree.t.Reset()
	start := &rebuildStart{snap, db.tree.gen.Add(1)}
	db.tree.mu.Lock()
	defer db.tree.mu.Unlock()
	if db.tree.running {
		if old := db.tree.next; old != nil {
			old.snap.Release()
		}
		db.tree.next = start
		return
	}
	db.tree.running, db.tree.done = true, make(chan struct{})
	db.wg.Add(1)
	go db.rebuildTree(*start)
	db.log.Info().Msg("rebuilding the Merkle tree after the storage reopened")
}

// nextStart returns the start a reopen left for the rebuild goroutine, or
// marks it stopped (false) when there is none or it is void.
func (db *DB) nextStart() (rebuildStart, bool) {
	db.tree.mu.Lock()
	defer db.tree.mu.Unlock()
	n := db.tree.next
	db.tree.next = nil
	select {
	case <-db.stop:
		n = voidStart(n)
	default:
	}
	if n != nil && n.gen != db.tree.gen.Load() {
		n = voidStart(n)
	}
	if n == nil {
		db.tree.running = false
		return rebuildStart{}, false
	}
	return *n, true
}

func voidStart(n *rebuildStart) *rebuildStart {
	if n != nil {
		n.snap.Release()
	}
	return nil
}

// rebuildTree scans a snapshot into a new tree and XORs it into the live
// one, unless Close or a Flush came first; a reopen of the storage hands
// it a new start (restartRebuild).
func (db *DB) rebuildTree(st rebuildStart) {
	defer db.wg.Done()
	done := db.tree.done
	defer close(done)
	for ok := true; ok; st, ok = db.nextStart() {
		db.rebuildOnce(st)
	}
}

// rebuildOnce is one rebuild from st.
func (db *DB) rebuildOnce(st rebuildStart) {
	defer st.snap.Release()
	start := time.Now()
	scan, n, err := db.scanTree(st.snap, st.gen)
	if err != nil {
		if !errors.Is(err, errRebuildStopped) && !errors.Is(err, errReopened) {
			db.log.Error().Err(err).Int64("records", n).Msg("Merkle tree rebuild failed; anti-entropy stays off until restart")
		}
		return
	}
	db.gate.RLock()
	defer db.gate.RUnlock()
	if db.closed || db.tree.gen.Load() != st.gen {
		return
	}
	if err := db.tree.t.Xor(scan); err != nil {
		db.log.Error().Err(err).Msg("Merkle tree rebuild failed")
		return
	}
	db.tree.ready.Store(true)
	db.log.Info().Int64("records", n).Dur("took", time.Since(start)).Msg("rebuilt Merkle tree")
}

// errRebuildStopped: Close or Flush interrupted a rebuild.
var errRebuildStopped = errors.New("engine: Merkle rebuild stopped")

// scanTree digests every record of snap into a new tree, paced to
// TreeRebuildRate records per second, logging progress every few seconds.
func (db *DB) scanTree(snap *levelSnap, gen uint64) (*merkle.Tree, int64, error) {
	scan, err := merkle.New(db.opt.TreeBits)
	if err != nil {
		return nil, 0, err
	}
	batch, every := rebuildPacing(db.opt.TreeRebuildRate)
	var tick <-chan time.Time // nil: unpaced
	if every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	it := snap.NewIterator(util.BytesPrefix([]byte{prefixData}), &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	var n int64
	last := time.Now()
	for it.Next() {
		h, key, ok := parseDataKey(it.Key())
		if !ok {
			return nil, n, fmt.Errorf("%w: bad record key %x", ErrCorrupt, it.Key())
		}
		d, err := recordDigest(key, it.Value())
		if err != nil {
			return nil, n, fmt.Errorf("%w: key %q: %w", ErrCorrupt, key, err)
		}
		scan.Update(h, 0, d)
		if n++; n%batch == 0 {
			if err := db.rebuildPause(tick, gen, n); err != nil {
				return nil, n, err
			}
			if time.Since(last) >= countProgress {
				last = time.Now()
				db.log.Info().Int64("records", n).Msg("rebuilding Merkle tree")
			}
		}
	}
	if err := it.Error(); err != nil {
		return nil, n, closedErr(err)
	}
	return scan, n, nil
}

// rebuildPacing turns a rate (records per second, <= 0: unpaced) into a
// batch of records per tick of every (0: no ticks).
func rebuildPacing(rate int) (batch int64, every time.Duration) {
	switch {
	case rate <= 0:
		return unpacedBatch, 0
	case rate < int(time.Second/rebuildEvery):
		return 1, time.Second / time.Duration(rate)
	}
	return int64(rate) * int64(rebuildEvery) / int64(time.Second), rebuildEvery
}

// rebuildPause runs between batches: it waits for the next tick when
// paced and reports Close or a Flush as errRebuildStopped.
func (db *DB) rebuildPause(tick <-chan time.Time, gen uint64, n int64) error {
	if db.opt.treeBatchHook != nil {
		db.opt.treeBatchHook(n)
	}
	if tick == nil {
		select {
		case <-db.stop:
			return errRebuildStopped
		default:
		}
	} else {
		select {
		case <-db.stop:
			return errRebuildStopped
		case <-tick:
		}
	}
	if db.tree.gen.Load() != gen {
		return errRebuildStopped
	}
	return nil
}
