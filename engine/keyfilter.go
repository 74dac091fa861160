package engine

import (
	"hash/maphash"
	"math/bits"
	"sync/atomic"
	"time"

	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// The key filter is an in-memory bloom filter over the keys of every
// record the store holds, so that a write of a key it has never held (the
// first SET of a key, a new hash field) and a read of a missing key skip
// the LevelDB lookup. Every write reads its key first, to supersede the
// siblings it holds, and a CPU profile of SET on one node spent a third
// of its samples in that lookup: the memtables' skip lists, then each
// level's index and bloom filter (bench/RESULTS.md, "A filter for keys
// the store never held"). Tables' own filters still answer for keys that
// may be present.
//
// It never answers "absent" for a key the store holds: a record write
// adds its key to the filter and to the one a scan is building, before
// LevelDB's write and again after it (stage and filed, under the key's
// lock). A scan publishes its filter before taking its snapshot, so a
// write its snapshot missed committed after that and adds its key after:
// to the scan's filter, or, if the scan has finished, to the filter it
// made current. Until the first scan after Open has finished, every
// key may be present. A key deleted stays in the filter (a false
// positive costs one LevelDB lookup, as before); the filter is rebuilt
// at twice the size once the keys added reach its capacity.

const (
	filterBitsPerKey = 10 // at capacity ~0.8% false positives, at half ~0.05%
	filterProbes     = 7
	filterProgress   = 10 * time.Second
)

// filterMinKeys is the smallest filter's capacity (80 KiB); tests lower
// it to make filters grow.
var filterMinKeys int64 = 1 << 16

// keyFilter is the DB's key filter.
type keyFilter struct {
	seed  maphash.Seed
	cur   atomic.Pointer[bloom] // answers lookups; nil: every key may be present
	next  atomic.Pointer[bloom] // being filled by a scan; nil: none
	keys  atomic.Int64          // keys added to cur (new bits set): when to grow
	nkeys atomic.Int64          // keys writes added to next (new bits set)
	scans atomic.Int64          // scans started (tests)
	skips atomic.Int64          // lookups answered "absent" without LevelDB
	grow  chan struct{}         // cap 1: cur is full, scan a bigger one
}

// bloom is a bloom filter of capacity keys, safe for concurrent adds and
// lookups.
type bloom struct {
	words    []atomic.Uint64
	mask     uint64 // number of bits - 1
	capacity int64
	atMax    bool // the largest filter maxBytes allows: it does not grow
}

// newBloom returns a filter for capacity keys (at least filterMinKeys)
// in at most maxBytes (a power of two of them, at least 8 KiB).
func newBloom(capacity int64, maxBytes int) *bloom {
	capacity = max(capacity, filterMinKeys)
	n := uint64(1) << bits.Len64(uint64(capacity)*filterBitsPerKey-1)
	limit := uint64(1) << (bits.Len64(uint64(max(maxBytes, 8<<10))*8) - 1)
	b := &bloom{capacity: capacity}
	if n >= limit {
		n, b.atMax = limit, true
		b.capacity = int64(n / filterBitsPerKey)
	}
	b.words, b.mask = make([]atomic.Uint64, n/64), n-1
	return b
}

// add sets h's bits and reports whether any was clear (h is new).
func (b *bloom) add(h uint64) bool {
	a, d := h, mix(h)|1
	fresh := false
	for range filterProbes {
		bit := uint64(1) << (a & 63)
		w := &b.words[(a&b.mask)>>6]
		if w.Load()&bit == 0 {
			fresh = w.Or(bit)&bit == 0 || fresh
		}
		a += d
	}
	return fresh
}

// has reports whether every one of h's bits is set.
func (b *bloom) has(h uint64) bool {
	a, d := h, mix(h)|1
	for range filterProbes {
		if b.words[(a&b.mask)>>6].Load()&(uint64(1)<<(a&63)) == 0 {
			return false
		}
		a += d
	}
	return true
}

// bytes is b's size in memory.
func (b *bloom) bytes() int64 { return int64(len(b.words)) * 8 }

// mix is splitmix64's finalizer: the probe step, independent of h's low
// bits, which pick the first probe.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func (f *keyFilter) hash(key []byte) uint64 { return maphash.Bytes(f.seed, key) }

// mayHold reports whether the store may hold a record at the key hashed h.
func (f *keyFilter) mayHold(h uint64) bool {
	b := f.cur.Load()
	if b == nil || b.has(h) {
		return true
	}
	f.skips.Add(1)
	return false
}

// add records that a record is (about to be) written at the key hashed h;
// see stage and stored. It reports whether cur has outgrown its capacity.
func (f *keyFilter) add(h uint64) (grow bool) {
	if b := f.cur.Load(); b != nil && b.add(h) {
		grow = f.keys.Add(1) > b.capacity && !b.atMax
	}
	f.addToNext(h)
	return grow
}

func (f *keyFilter) addToNext(h uint64) {
	if b := f.next.Load(); b != nil && b.add(h) {
		f.nkeys.Add(1)
	}
}

// addAfter is add after a record's LevelDB write. A scan's filter may
// lack the key (its snapshot came before the write, and next was nil at
// the add before it); and a scan that finished since has made that
// filter cur.
func (f *keyFilter) addAfter(h uint64) {
	if b := f.cur.Load(); b != nil {
		b.add(h)
	}
	f.addToNext(h)
}

// KeyFilterStats is the key filter's state, for INFO.
type KeyFilterStats struct {
	Ready bool  // a scan has built it; until then every read goes to LevelDB
	Keys  int64 // keys it holds (approximately: new bits set)
	Bytes int64 // its memory
	Skips int64 // lookups it answered "absent" since Open
}

// KeyFilter returns the key filter's state.
func (db *DB) KeyFilter() KeyFilterStats {
	s := KeyFilterStats{Keys: db.kf.keys.Load(), Skips: db.kf.skips.Load()}
	if b := db.kf.cur.Load(); b != nil {
		s.Ready, s.Bytes = true, b.bytes()
	}
	if b := db.kf.next.Load(); b != nil {
		s.Bytes += b.bytes()
	}
	return s
}

// keyFilterLoop builds the key filter: by a scan, unless the store is new
// (start made it empty); then again, twice the size, each time it fills up. It runs
// until Close.
func (db *DB) keyFilterLoop(fresh bool) {
	defer db.wg.Done()
	capacity := filterMinKeys
	if !fresh {
		if capacity = db.scanKeyFilter(2 * db.live.Load()); capacity == 0 {
			return // closed
		}
	}
	for {
		select {
		case <-db.stop:
			return
		case <-db.kf.grow:
		}
		capacity = 2 * max(capacity, db.kf.keys.Load())
		if capacity = db.scanKeyFilter(capacity); capacity == 0 {
			return
		}
	}
}

// noteKeyAdded asks keyFilterLoop for a bigger filter when add reported
// the filter full.
func (db *DB) noteKeyAdded(grow bool) {
	if grow {
		select {
		case db.kf.grow <- struct{}{}:
		default: // asked already
		}
	}
}

// scanKeyFilter fills a new filter from every record and makes it the
// one lookups use, sized for twice the keys found if capacity was too
// small; a scan a reopen cut short starts again. It returns the filter's
// capacity, 0 if the DB closed first.
func (db *DB) scanKeyFilter(capacity int64) int64 {
	db.kf.scans.Add(1)
	defer db.kf.next.Store(nil)
	start, last := time.Now(), time.Now()
	for {
		b := newBloom(capacity, db.opt.KeyFilterMemory)
		db.kf.nkeys.Store(0)
		db.kf.next.Store(b) // before the scan's snapshot: see the package comment
		var n int64
		it := db.ldb.NewIterator(util.BytesPrefix([]byte{prefixData}), &opt.ReadOptions{DontFillCache: true})
		for it.Next() {
			if _, key, ok := parseDataKey(it.Key()); ok {
				b.add(db.kf.hash(key))
				n++
			}
			if n&4095 != 0 {
				continue
			}
			select {
			case <-db.stop:
				it.Release()
				return 0
			default:
			}
			if time.Since(last) > filterProgress {
				last = time.Now()
				db.log.Info().Int64("keys", n).Dur("elapsed", time.Since(start)).
					Msg("building the key filter; reads and writes of new keys take the slower path until it is done")
			}
		}
		err := it.Error()
		it.Release()
		switch {
		case err != nil:
			db.log.Warn().Err(err).Msg("key filter scan cut short; starting it again")
			select {
			case <-db.stop:
				return 0
			case <-time.After(time.Second):
			}
			continue
		case n > b.capacity && !b.atMax:
			capacity = 2 * n // more keys than the live count said
			continue
		}
		// Writes since the snapshot added keys too (some the scan also saw).
		db.kf.keys.Store(n + db.kf.nkeys.Load())
		db.kf.cur.Store(b)
		if time.Since(start) > filterProgress {
			db.log.Info().Int64("keys", n).Dur("elapsed", time.Since(start)).Int64("bytes", b.bytes()).Msg("key filter built")
		}
		return b.capacity
	}
}
