package engine

import (
	"bytes"
	"fmt"
	"github.com/ringkv/ringkv/cluster/ring"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/ringkv/ringkv/replica/merkle"
	"github.com/ringkv/ringkv/replica/version"
)

// mergeChunk is the most keys one LevelDB write of MergeBatch covers.
// Their stripe locks are held across the chunk's reads and its write, so
// a foreground write to a key sharing one waits for at most one chunk.
const mergeChunk = 128

// MergeBatch is Merge of every (keys[i], sets[i]) in order, with one
// LevelDB write per chunk of up to mergeChunk keys rather than one per
// key: partition handoff receives records a page at a time. Each chunk
// reads and writes under the gate and its keys' stripe locks, keeping
// the Merkle tree, the expiry index, the live count and the blobs as
// store does. A chunk is written whole or not at all; on an error the
// chunks before it stay written (merging again is harmless).
func (db *DB) MergeBatch(keys [][]byte, sets []version.Set) error {
	if len(keys) != len(sets) {
		return fmt.Errorf("engine: MergeBatch of %d keys with %d sets", len(keys), len(sets))
	}
	for lo := 0; lo < len(keys); lo += mergeChunk {
		hi := min(lo+mergeChunk, len(keys))
		if err := db.mergeChunk(keys[lo:hi], sets[lo:hi]); err != nil {
			return err
		}
	}
	return nil
}

// mergeChunk merges one chunk under its keys' locks.
func (db *DB) mergeChunk(keys [][]byte, sets []version.Set) error {
	hashes := make([]uint64, len(keys))
	for i, k := range keys {
		hashes[i] = Hash(k)
	}
	return db.keysLocked(hashes, func() error {
		recs, nexts, err := db.mergeRead(keys, hashes, sets)
		if err != nil {
			return err
		}
		return db.storeRecs(recs, nexts)
	})
}

// keysLocked is keyLocked for several hashes: it takes their stripe
// locks in ascending order, each once (every other holder takes one at a
// time, so the order cannot deadlock).
func (db *DB) keysLocked(hashes []uint64, fn func() error) error {
	db.recoverWrites()
	db.gate.RLock()
	defer db.gate.RUnlock()
	if db.closed {
		return ErrClosed
	}
	idx := make([]int, len(hashes))
	for i, h := range hashes {
		idx[i] = int(h % stripes)
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for _, s := range idx {
		db.keyMu[s].Lock()
	}
	defer func() {
		for _, s := range idx {
			db.keyMu[s].Unlock()
		}
	}()
	return fn()
}

// mergeRead reads each distinct key's record once and merges its sets
// into it in order, as Merge would one after another. It returns the
// records that change and their new sets. The caller holds the locks.
func (db *DB) mergeRead(keys [][]byte, hashes []uint64, sets []version.Set) ([]*keyRec, []version.Set, error) {
	flushed := db.flushedAt.Load() // under the gate, as in Merge
	var recs []*keyRec
	at := map[string]int{} // key -> its index in recs
	for i, k := range keys {
		if _, seen := at[string(k)]; !seen {
			at[string(k)] = len(recs)
			recs = append(recs, db.newRec(hashes[i], dataKey(hashes[i], k), k))
		}
	}
	if err := db.readRecs(recs); err != nil {
		return nil, nil, err
	}
	nexts := make([]version.Set, len(recs))
	for j, r := range recs {
		nexts[j] = r.cur
	}
	for i, k := range keys {
		j := at[string(k)]
		nexts[j] = nexts[j].Merge(sets[i].DropBefore(flushed))
	}
	out, outNext := recs[:0], nexts[:0]
	for j, r := range recs {
		if !nexts[j].Equal(r.cur) {
			out, outNext = append(out, r), append(outNext, nexts[j])
		}
	}
	return out, outNext, nil
}

// seekAfter is how many records readRecs steps over before it seeks.
const seekAfter = 8

// readRecs fills in recs (h, dk and key set; distinct keys) as loadRec
// would. Keys in (hash, key) order, as a transfer page sends them, are
// read with one LevelDB iterator over their span rather than one Get
// each (a third less CPU per received record in BenchmarkReceive*): they
// are neighbours, so the walk reads little beyond them, and a key far
// from the last is reached by Seek. Keys in any other order may be far
// apart, where a Seek costs more than a Get that the Bloom filters cut
// short: they are read with loadRec. The caller holds their locks, so
// the records are current.
func (db *DB) readRecs(recs []*keyRec) error {
	recs = db.mayHold(recs)
	if len(recs) < spanMin || !slices.IsSortedFunc(recs, func(a, b *keyRec) int { return bytes.Compare(a.dk, b.dk) }) {
		return db.readEach(recs)
	}
	if err := db.readEach(recs[:spanFrom(recs)]); err != nil {
		return err
	}
	return db.readSpan(recs[spanFrom(recs):])
}

// spanFrom is where readRecs's span of recs starts: after a first record
// that is not a collection's element, read with a Get. A collection's
// header sorts just before its elements (one placement hash, then the
// user key before the 0xFF of element keys), and every write of the
// collection rewrites it, so the memtable holds one version of it per
// write since its last flush, and an iterator's one Next off it steps
// over every one of them: the merges of LPOP batches on a 3-node
// cluster's replicas spent two thirds of their CPU there.
func spanFrom(recs []*keyRec) int {
	if _, _, _, elem := ring.ParseElement(recs[0].key); elem {
		return 0
	}
	return 1
}

// mayHold returns the records among recs the key filter says the store
// may hold, in order, in a new slice: the others have none (a transfer
// page to a node that never held the partition skips its reads).
func (db *DB) mayHold(recs []*keyRec) []*keyRec {
	out := make([]*keyRec, 0, len(recs))
	for _, r := range recs {
		if db.kf.mayHold(r.kh) {
			out = append(out, r)
		}
	}
	return out
}

// spanMin is the fewest records readRecs reads with an iterator: a few
// (a collection write's header and element, which a whole collection may
// lie between) cost less as Gets than as an iterator's set-up and seeks.
const spanMin = 8

// readEach reads recs with loadRec, one Get each.
func (db *DB) readEach(recs []*keyRec) error {
	for _, r := range recs {
		x, err := db.loadRec(r.h, r.dk, r.key, true)
		if err != nil {
			return err
		}
		*r = *x
	}
	return nil
}

// readSpan reads recs, in data key order, with one iterator.
func (db *DB) readSpan(recs []*keyRec) error {
	r := &util.Range{Start: recs[0].dk, Limit: append(slices.Clone(recs[len(recs)-1].dk), 0)}
	it := db.ldb.NewIterator(r, &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	ok := it.First()
	for _, rec := range recs {
		for steps := 0; ok && bytes.Compare(it.Key(), rec.dk) < 0; steps++ {
			if steps == seekAfter {
				ok = it.Seek(rec.dk)
				break
			}
			ok = it.Next()
		}
		if !ok || !bytes.Equal(it.Key(), rec.dk) {
			continue // no record
		}
		if err := db.fillRec(rec, bytes.Clone(it.Value())); err != nil {
			return err
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("engine: read %d records from %q: %w", len(recs), recs[0].key, closedErr(err))
	}
	return nil
}

// fillRec is loadRec after its Get: r's set, digest and blob from raw.
func (db *DB) fillRec(r *keyRec, raw []byte) error {
	var err error
	if r.digest, err = recordDigest(r.key, raw); err == nil {
		r.cur, r.blob, r.blobSize, err = db.decodeRecord(r.dk, r.key, raw, true)
	}
	if err != nil {
		return fmt.Errorf("%w: key %q: %w", ErrCorrupt, r.key, err)
	}
	if len(r.cur) == 0 {
		r.digest = 0 // the record went while its blob was read
	}
	return nil
}

// staged is one record's part of a batch: what storeRecs must finish
// once the write succeeded, or undo if it failed.
type staged struct {
	r      *keyRec
	next   version.Set
	digest uint64 // next's; 0 when the record goes
	blob   uint64 // next's new blob; 0 if inline or none
}

// storeRecs is store for several records in one batch: each record's
// data and expiry index entries, its blob written first, then one write;
// after it, the old blobs go and the tree, live count and counters follow.
func (db *DB) storeRecs(recs []*keyRec, nexts []version.Set) error {
	if len(recs) == 0 {
		return nil
	}
	b := getBatch()
	defer putBatch(b)
	return db.storeRecsBatch(b, recs, nexts)
}

// batches keeps write batches for reuse: a batch grows its buffer for
// each record put in it, and a new one per write was a tenth of a
// collection write's allocated bytes. LevelDB holds no reference to a
// batch once its Write returns.
var batches = sync.Pool{New: func() any { return new(leveldb.Batch) }}

// batchKeepMax bounds the batches kept: one that held a large value
// goes, not to pin its buffer.
const batchKeepMax = 64 << 10

func getBatch() *leveldb.Batch { return batches.Get().(*leveldb.Batch) }

func putBatch(b *leveldb.Batch) {
	if len(b.Dump()) > batchKeepMax {
		return
	}
	b.Reset()
	batches.Put(b)
}

// storeRecsBatch is storeRecs with b's writes (hints) in the same batch.
func (db *DB) storeRecsBatch(b *leveldb.Batch, recs []*keyRec, nexts []version.Set) error {
	st := make([]staged, 0, len(recs))
	for i, r := range recs {
		s, err := db.stage(b, r, nexts[i])
		if err != nil {
			for _, x := range st {
				if x.blob != 0 {
					db.dropBlob(x.blob, 0) // no record points at it yet
				}
			}
			return err
		}
		st = append(st, s)
	}
	err := db.ldb.Write(b, db.wo)
	for _, x := range st {
		db.filed(x)
	}
	if err != nil {
		for _, x := range st {
			if !db.health.suspect(x.r.dk, x.r.h, x.r.key, err) && x.blob != 0 {
				db.dropBlob(x.blob, 0)
			}
		}
		return fmt.Errorf("engine: write %d merged records from %q: %w", len(st), recs[0].key, closedErr(err))
	}
	for _, x := range st {
		db.stored(x)
	}
	return nil
}

// stage adds r's change to next into b (storeBatch before its write).
func (db *DB) stage(b *leveldb.Batch, r *keyRec, next version.Set) (staged, error) {
	s := staged{r: r, next: next}
	if len(next) > 0 {
		db.kf.addUnless(r.kh, r.inFilter) // before the write: keyfilter.go
	}
	oldExp, newExp := indexExpiry(r.cur.MinExpiry()), indexExpiry(next.MinExpiry())
	if oldExp != 0 && oldExp != newExp {
		b.Delete(expiryKey(oldExp, r.h, r.key))
	}
	if newExp != 0 && newExp != oldExp {
		b.Put(expiryKey(newExp, r.h, r.key), nil)
	}
	if oldT, newT := tombIndex(r.cur), tombIndex(next); oldT != newT {
		if oldT != 0 {
			b.Delete(tombKey(oldT, r.h, r.key))
		}
		if newT != 0 {
			b.Put(tombKey(newT, r.h, r.key), nil)
		}
	}
	if len(next) == 0 {
		b.Delete(r.dk)
		return s, nil
	}
	n := next.EncodedLen()
	if n < db.opt.BlobMin {
		enc := next.AppendBinary(make([]byte, 0, n))
		s.digest = merkle.Digest(r.key, enc)
		b.Put(r.dk, enc)
		return s, nil
	}
	blob, record, digest, err := db.putBlobSet(r.key, next, n) // bigval_blob.go
	if err != nil {
		return s, fmt.Errorf("engine: write %q: %w", r.key, err)
	}
	s.blob, s.digest = blob, digest
	b.Put(r.dk, record)
	return s, nil
}

// stored finishes one written record (storeBatch after its write).
func (db *DB) stored(x staged) {
	r := x.r
	if r.blob != 0 {
		db.dropBlob(r.blob, r.blobSize)
	}
	db.tree.t.Update(r.h, r.digest, x.digest)
	if counted(r.key) {
		db.live.Add(b2i(x.next.HasLive()) - b2i(r.cur.HasLive()))
	}
	db.writes.Add(1)
	db.dirty.Store(true)
}

// filed adds x's key to the key filter again after x's LevelDB write,
// whether it failed or not (a failed write may be in the journal): a scan
// building the filter may have missed it (keyfilter.go).
func (db *DB) filed(x staged) {
	if len(x.next) > 0 {
		db.kf.addUnless(x.r.kh, x.r.inFilter)
	}
	db.wc.wrote(int(x.r.h%stripes), x.r.dk)
}

// WriteBacklog is how many level-0 tables LevelDB has yet to compact.
// LevelDB delays every write by 1 ms once there are 8 and stops writes
// at 12 (goleveldb's WriteL0SlowdownTrigger and WriteL0PauseTrigger), so
// a bulk writer (partition handoff) waits while it is high, and clients'
// writes do not meet those stalls.
func (db *DB) WriteBacklog() int {
	v, err := db.ldb.GetProperty("leveldb.num-files-at-level0")
	if err != nil {
		return 0 // closed: the writer's own write will say so
	}
	n, _ := strconv.Atoi(strings.TrimSpace(v))
	return n
}
