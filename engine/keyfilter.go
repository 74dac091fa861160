package engine

import (
	"hash/maphash"
	"math/bits"
	"sync"
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
// It grows in layers (a scalable bloom filter): keys go into the newest
// layer, and when that one is full a new one twice its capacity, with a
// bit more per key, is added; a lookup asks every layer. Growing costs no
// scan of the store, and the false positives of all layers together stay
// under about 2%. Past KeyFilterMemory no layer is added and the newest
// keeps filling, answering "may be present" more often.
//
// It never answers "absent" for a key the store holds: a record write
// adds its key before LevelDB's write and again after it (stage and
// filed, under the key's lock). After a restart a scan of the records
// builds the first layer; until it is done every key may be present. The
// scan publishes its filter (next) before taking its snapshot, so a write
// its snapshot missed committed after that and adds its key after: to
// the scan's filter, or, if the scan has finished, to the layer it made.
// A key deleted stays in the filter (a false positive costs one LevelDB
// lookup, as before).

const (
	filterBitsPerKey = 10 // the first layer's: ~0.8% false positives when full
	filterProbes     = 7
	filterProgress   = 10 * time.Second
)

// filterMinKeys is the first layer's capacity on a new store (80 KiB);
// tests lower it to make filters grow.
var filterMinKeys int64 = 1 << 16

// keyFilter is the DB's key filter.
type keyFilter struct {
	seed   maphash.Seed
	layers atomic.Pointer[[]*bloom] // oldest first; nil: every key may be present
	next   atomic.Pointer[bloom]    // being filled by the scan after Open; nil: none
	grow   sync.Mutex               // serialises adding a layer
	atMax  atomic.Bool              // no layer can be added: the newest keeps filling
	max    int64                    // bytes the layers may take (Options.KeyFilterMemory)
	skips  atomic.Int64             // lookups answered "absent" without LevelDB
}

// bloom is one layer: a bloom filter of capacity keys, safe for
// concurrent adds and lookups.
type bloom struct {
	words    []atomic.Uint64
	nbits    uint64 // len(words) * 64
	capacity int64
	keys     atomic.Int64 // keys added (new bits set)
}

// newBloom returns a layer for capacity keys at perKey bits each.
func newBloom(capacity int64, perKey int) *bloom {
	words := (uint64(capacity)*uint64(perKey) + 63) / 64
	return &bloom{words: make([]atomic.Uint64, words), nbits: words * 64, capacity: capacity}
}

// bit is the word and mask of probe a: a scaled onto [0, nbits) by a
// multiply (Lemire's range reduction), so a layer need not be a power of
// two in size.
func (b *bloom) bit(a uint64) (*atomic.Uint64, uint64) {
	i, _ := bits.Mul64(a, b.nbits)
	return &b.words[i>>6], uint64(1) << (i & 63)
}

// firstBloom is the first layer for capacity keys, or, if that would take
// more than maxBytes, the largest that fits (at least 8 KiB), which is
// never followed by another.
func firstBloom(capacity, maxBytes int64) (b *bloom, atMax bool) {
	if b = newBloom(capacity, filterBitsPerKey); b.bytes() <= maxBytes {
		return b, false
	}
	n := uint64(max(maxBytes, 8<<10)) * 8
	return newBloom(int64(n/filterBitsPerKey), filterBitsPerKey), true
}

// add sets h's bits and reports whether any was clear (h is new).
func (b *bloom) add(h uint64) bool {
	a, d := h, mix(h)|1
	fresh := false
	for range filterProbes {
		w, bit := b.bit(a)
		if w.Load()&bit == 0 {
			fresh = w.Or(bit)&bit == 0 || fresh
		}
		a += d
	}
	if fresh {
		b.keys.Add(1)
	}
	return fresh
}

// has reports whether every one of h's bits is set.
func (b *bloom) has(h uint64) bool {
	a, d := h, mix(h)|1
	for range filterProbes {
		if w, bit := b.bit(a); w.Load()&bit == 0 {
			return false
		}
		a += d
	}
	return true
}

// bytes is b's size in memory.
func (b *bloom) bytes() int64 { return int64(len(b.words)) * 8 }

// mix is splitmix64's finalizer: the probe step, independent of h's high
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
	may, _ := f.lookup(h)
	return may
}

// lookup is mayHold that also says whether a layer holds h: then a write
// of the key need not add it again (addUnless), as bits are never cleared
// nor layers dropped. A key an update reads is mostly one the store holds,
// and its two adds cost 3.6% of a SET's CPU over 1M keys.
func (f *keyFilter) lookup(h uint64) (may, inLayer bool) {
	ls := f.layers.Load()
	if ls == nil {
		return true, false
	}
	for _, b := range *ls {
		if b.has(h) {
			return true, true
		}
	}
	f.skips.Add(1)
	return false, false
}

// addUnless is add, except that a key a layer holds (lookup's inLayer)
// goes only into the filter a scan is building, if one is.
func (f *keyFilter) addUnless(h uint64, inLayer bool) {
	if !inLayer {
		f.add(h)
		return
	}
	if b := f.next.Load(); b != nil {
		b.add(h)
	}
}

// add records that a record is (about to be) written at the key hashed h:
// into the newest layer, and the scan's filter if one is being built. It
// adds a layer when the newest is full. Writes call it before their
// LevelDB write and again after it (stage and filed).
func (f *keyFilter) add(h uint64) {
	if ls := f.layers.Load(); ls != nil {
		if b := (*ls)[len(*ls)-1]; b.add(h) && b.keys.Load() > b.capacity && !f.atMax.Load() {
			f.addLayer(b)
		}
	}
	if b := f.next.Load(); b != nil {
		b.add(h)
	}
}

// addLayer adds a layer after full (the newest, which filled up): twice
// its capacity at one more bit per key (so the layers' false positives
// sum to at most ~2%), unless the layers would then take more than max.
func (f *keyFilter) addLayer(full *bloom) {
	f.grow.Lock()
	defer f.grow.Unlock()
	ls := *f.layers.Load()
	if ls[len(ls)-1] != full {
		return // added meanwhile
	}
	nb := newBloom(2*full.capacity, filterBitsPerKey+len(ls))
	total := nb.bytes()
	for _, b := range ls {
		total += b.bytes()
	}
	if total > f.max {
		f.atMax.Store(true)
		return
	}
	grown := append(ls[:len(ls):len(ls)], nb)
	f.layers.Store(&grown)
}

// KeyFilterStats is the key filter's state, for INFO.
type KeyFilterStats struct {
	Ready  bool  // built; until then every read goes to LevelDB
	Layers int   // its layers
	Keys   int64 // keys added to it (approximately: those that set a new bit)
	Bytes  int64 // its memory
	Skips  int64 // lookups it answered "absent" since Open
}

// KeyFilter returns the key filter's state.
func (db *DB) KeyFilter() KeyFilterStats {
	s := KeyFilterStats{Skips: db.kf.skips.Load()}
	if ls := db.kf.layers.Load(); ls != nil {
		s.Ready, s.Layers = true, len(*ls)
		for _, b := range *ls {
			s.Keys += b.keys.Load()
			s.Bytes += b.bytes()
		}
	}
	if b := db.kf.next.Load(); b != nil {
		s.Bytes += b.bytes()
	}
	return s
}

// newFilter makes the first layer of a new store's filter, before any
// write.
func (db *DB) newFilter() {
	b, atMax := firstBloom(filterMinKeys, db.kf.max)
	db.kf.atMax.Store(atMax)
	ls := []*bloom{b}
	db.kf.layers.Store(&ls)
}

// scanKeyFilter builds the filter of a store opened with records: one
// layer, sized for twice the live keys, filled from every record (more
// keys than that, counting tombstones, make the next add start a second
// layer); a scan a reopen cut short starts again. It runs until done or
// Close.
func (db *DB) scanKeyFilter() {
	defer db.wg.Done()
	defer db.kf.next.Store(nil)
	start, last := time.Now(), time.Now()
	capacity := max(2*db.live.Load(), filterMinKeys)
	for {
		b, atMax := firstBloom(capacity, db.kf.max)
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
				return
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
		if err == nil {
			db.kf.atMax.Store(atMax)
			ls := []*bloom{b}
			db.kf.layers.Store(&ls)
			if time.Since(start) > filterProgress {
				db.log.Info().Int64("keys", n).Dur("elapsed", time.Since(start)).Int64("bytes", b.bytes()).Msg("key filter built")
			}
			return
		}
		db.log.Warn().Err(err).Msg("key filter scan cut short; starting it again")
		select {
		case <-db.stop:
			return
		case <-time.After(time.Second):
		}
	}
}
