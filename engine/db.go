package engine

import (
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/rs/zerolog"
	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/filter"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/storage"

	"github.com/ringkv/ringkv/replica/version"
)

// stripes is the number of per-key locks; keys share one by hash.
const stripes = 4096

// DB is one node's record store. It is safe for concurrent use.
type DB struct {
	ldb  *level // LevelDB, reopened after a write failure (recover.go)
	dir  string
	opt  Options
	log  zerolog.Logger
	wo   *opt.WriteOptions
	stor storage.Storage // closed by Close when OpenMem made it

	// gate is held shared by writers and exclusively by Flush and Close.
	gate   sync.RWMutex
	closed bool // guarded by gate
	keyMu  [stripes]sync.Mutex
	wc     walkCache           // records walks read last, for the writes that follow (walkcache.go)
	writeQ [stripes]writeQueue // combine.go

	live atomic.Int64 // keys whose set HasLive
	// flushedAt is the latest Flush's time (Unix ms); Merge drops what
	// was written at or before it.
	flushedAt atomic.Int64
	dirty     atomic.Bool // written since the last fsync
	writes    atomic.Int64
	combinedW atomic.Int64 // writes stored in another write's batch (combine.go)
	sweeps    atomic.Int64
	expired   atomic.Int64
	sweepOff  atomic.Bool // active expiry off: DEBUG SET-ACTIVE-EXPIRE 0 (loops.go)

	actor   atomic.Pointer[string] // write identity token (actor.go)
	actorMu sync.Mutex             // serialises actor changes
	hints   hintBook               // pending-hint counts (hints.go)
	reaped  atomic.Int64           // records deleted by Reap since Open

	tree treeState // Merkle tree, kept by store (tree.go)

	health writeHealth // failing writes and their recovery (recover.go)

	blobs   blobs         // large sets, out of LevelDB (blob.go)
	blobSeq atomic.Uint64 // the last blob id issued
	freeReq chan struct{} // cap 1: a large value was dropped (memory.go)
	lastBig atomic.Int64  // Unix ns a large value was last read or written (memory.go)
	bigUsed atomic.Bool   // a large value was used since a large read last collected (bigval_blob.go)

	floor floorState // counter floor of the current actor (floor.go)

	kf keyFilter // keys the store may hold (keyfilter.go)

	stop chan struct{}
	wg   sync.WaitGroup
}

// Open opens (creating if needed) the DB in dir, or in opt.Storage if set.
func Open(dir string, o Options) (*DB, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	ldb, stor, err := openLevel(dir, o)
	if err != nil {
		return nil, fmt.Errorf("engine: open %s: %w", dir, err)
	}
	db := &DB{
		ldb:     newLevel(ldb, stor),
		dir:     dir,
		opt:     o,
		log:     o.Logger.With().Str("component", "engine").Logger(),
		wo:      &opt.WriteOptions{Sync: o.Sync == SyncAlways},
		stop:    make(chan struct{}),
		freeReq: make(chan struct{}, 1),
		kf:      keyFilter{seed: maphash.MakeSeed()},
	}
	db.ldb.note = func(err error) error { return db.health.note(db.log, dir, err) }
	fresh, err := db.checkFormat()
	if err == nil {
		err = db.openBlobs()
	}
	if err == nil && !fresh {
		err = db.loadCount()
	}
	if err == nil {
		err = db.loadFlushed()
	}
	if err == nil {
		err = db.openState()
	}
	if err == nil {
		err = db.openTree(fresh) // last: may start the rebuild
	}
	if err != nil {
		return nil, errors.Join(err, db.ldb.Close())
	}
	db.start(fresh)
	return db, nil
}

// OpenMem opens an empty DB in memory (goleveldb's MemStorage), for tests.
// opt.Storage is ignored.
func OpenMem(o Options) (*DB, error) {
	o.Storage = storage.NewMemStorage()
	db, err := Open("(memory)", o)
	if err != nil {
		o.Storage.Close()
		return nil, err
	}
	db.stor = o.Storage
	return db, nil
}

// openLevel opens LevelDB in o.Storage if set, else in dir's files; stor
// is the file storage it opened (nil: o.Storage), to close after ldb.
func openLevel(dir string, o Options) (ldb *leveldb.DB, stor storage.Storage, err error) {
	lo := levelOptions(o)
	if o.Storage != nil {
		ldb, err = leveldb.Open(o.Storage, lo)
		return ldb, nil, err
	}
	fs, err := storage.OpenFile(dir, o.readOnly)
	if err != nil {
		return nil, nil, err
	}
	ldb, err = leveldb.Open(bufferedTables{fs}, lo)
	if err != nil {
		return nil, nil, errors.Join(err, fs.Close())
	}
	return ldb, fs, nil
}

// levelSizeMultipliers scale CompactionTotalSize per level: goleveldb
// sizes level L at CompactionTotalSize × 10^L unless told otherwise, so
// the level-1 size given as CompactionTotalSize alone made level 1 ten
// times that (640 MiB at 16 MiB memtables). A level-0 compaction merges
// with every level-1 table its range overlaps, and a memtable of random
// keys overlaps all of them: loading 1 GB of random keys into one node
// rewrote up to 671 MiB of level 1 per 32 MiB flushed (goleveldb's LOG:
// "L0·2 -> L1·324 S·671MiB"), 20 GB written in all. Levels grow tenfold
// from level 1, as LevelDB's own.
var levelSizeMultipliers = []float64{1, 1, 10, 100, 1000, 10000, 100000}

// levelOptions are goleveldb's options for o.
func levelOptions(o Options) *opt.Options {
	table, level1 := compactionSizes(o.WriteBuffer)
	return &opt.Options{
		BlockCacheCapacity:                    o.CacheSize,
		DisableBlockCache:                     o.CacheSize == 0, // index and filter stay in each table's reader (options.go)
		OpenFilesCacheCapacity:                openTables(),
		WriteBuffer:                           o.WriteBuffer,
		CompactionTableSize:                   table,
		CompactionTotalSize:                   level1,
		CompactionTotalSizeMultiplierPerLevel: levelSizeMultipliers,
		Filter:                                filter.NewBloomFilter(10),
		// No seek-triggered compactions: every write reads its key first,
		// and a lookup of a new key consults each level's table (its bloom
		// filter says no) and is charged as a wasted seek, so tables were
		// compacted for reads that cost almost nothing. A bulk SET of 1M
		// new keys ran 15 such compactions of 27 and wrote 1096 MB; without
		// them 3 and 516 MB, with GETs after it no slower (bench/RESULTS.md).
		DisableSeeksCompaction: true,
		// No snappy: a CPU profile of SET/GET over 1M keys spent 35% of
		// its samples in snappy.decode re-reading blocks the small cache
		// had evicted; without it SET went from ~16k to ~25k req/s and
		// GET from ~22k to ~40k on this 2-core machine (bench/RESULTS.md).
		// Costs disk space only for compressible values.
		Compression: opt.NoCompression,
		ReadOnly:    o.readOnly,
	}
}

// openTables is how many table files LevelDB keeps open: a quarter of the
// process's file limit, between goleveldb's 500 and 2000. Without a block
// cache an open table holds its index and filter (about 1.7% of its 2 MiB)
// and a table opened again reads them again, so the store keeps every
// table open up to 2000 of them, about 4 GB of data. The rest of the
// limit is the clients' (maxclients) and the peers'.
func openTables() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return opt.DefaultOpenFilesCacheCapacity
	}
	return int(min(max(lim.Cur/4, uint64(opt.DefaultOpenFilesCacheCapacity)), 2000))
}

// compactionSizes are LevelDB's table size and level-1 size for a
// memtable of writeBuffer bytes: goleveldb's 2 MiB tables, and a level 1
// of four memtables (at least goleveldb's 10 MiB). A bigger memtable alone
// would flush bigger level-0 tables into the same small level 1,
// rewriting it at every compaction. Bulk SETs of 1M new keys into one
// node cost 34 µs of CPU each at goleveldb's sizes (4 MiB memtable, 10 MiB
// level 1) and 23–25 µs at 16 MiB and 64 MiB; 8 MiB tables saved nothing
// more and raised the peak RSS by 110 MB (bench/RESULTS.md).
func compactionSizes(writeBuffer int) (table, level1 int) {
	return opt.DefaultCompactionTableSize, max(opt.DefaultCompactionTotalSize, 4*writeBuffer)
}

// start launches the goroutines DB owns; Close stops them. fresh: the
// store was created empty by this Open.
func (db *DB) start(fresh bool) {
	db.wg.Add(1)
	go db.memoryLoop()
	if !db.opt.readOnly && db.opt.KeyFilterMemory > 0 {
		db.kf.max = int64(db.opt.KeyFilterMemory)
		if fresh {
			db.newFilter() // before any write
		} else {
			db.wg.Add(1)
			go db.scanKeyFilter()
		}
	}
	if db.opt.Sync == SyncEverySec {
		db.wg.Add(1)
		go db.syncLoop()
	}
	if db.opt.SweepInterval > 0 {
		db.wg.Add(1)
		go db.sweepLoop()
	}
}

// Close stops the background goroutines, persists the live count, fsyncs
// and closes LevelDB. Calls after the first return ErrClosed.
func (db *DB) Close() error {
	db.gate.Lock()
	if db.closed {
		db.gate.Unlock()
		return ErrClosed
	}
	db.closed = true
	db.gate.Unlock()
	close(db.stop)
	db.wg.Wait()
	db.kf.layers.Store(nil) // reads go to LevelDB: ErrClosed
	db.saveTree()
	err := db.ldb.Put(metaKey(metaLive), u64(uint64(db.live.Load())), &opt.WriteOptions{Sync: true})
	if err != nil {
		err = fmt.Errorf("engine: close %s: saving live count: %w", db.dir, err)
	} else {
		err = db.markClean()
	}
	err = errors.Join(err, db.ldb.Close())
	if db.stor != nil {
		err = errors.Join(err, db.stor.Close())
	}
	return err
}

// Get returns key's stored set: nil (and a nil error) if it has none.
func (db *DB) Get(key []byte) (version.Set, error) {
	return db.load(dataKey(Hash(key), key), key)
}

func (db *DB) load(dk, key []byte) (version.Set, error) {
	r, err := db.loadRec(Hash(key), dk, key, false)
	if err != nil {
		return nil, err
	}
	return r.cur, nil
}

// keyRec is a key's stored record as read under its lock: its set, and what
// a write over it must undo (its Merkle digest, its blob).
type keyRec struct {
	h      uint64
	dk     []byte
	key    []byte
	cur    version.Set // nil if no record
	digest uint64      // merkle.Digest of cur's encoding; 0 if no record
	blob   uint64      // the blob holding cur; 0 if inline or none

	blobSize uint64 // the blob's bytes
	kh       uint64 // key's hash in the key filter (keyfilter.go)
	inFilter bool   // a layer of the key filter holds kh: writes need not add it
}

// newRec is key's record before it is read: hash h, data key dk.
func (db *DB) newRec(h uint64, dk, key []byte) *keyRec {
	return &keyRec{h: h, dk: dk, key: key, kh: db.kf.hash(key)}
}

// loadRec reads key's record (hash h, data key dk); held says whether the
// caller holds the key's stripe lock.
func (db *DB) loadRec(h uint64, dk, key []byte, held bool) (*keyRec, error) {
	r := db.newRec(h, dk, key)
	may, in := db.kf.lookup(r.kh)
	if !may {
		return r, nil
	}
	r.inFilter = in
	raw, cached := []byte(nil), false
	if held {
		raw, cached = db.wc.get(int(h%stripes), dk)
	}
	if !cached {
		var err error
		raw, err = db.ldb.Get(dk, nil)
		if errors.Is(err, leveldb.ErrNotFound) {
			return r, nil
		}
		if err != nil {
			return nil, fmt.Errorf("engine: get %q: %w", key, closedErr(err))
		}
	}
	var err error
	if r.digest, err = recordDigest(key, raw); err == nil {
		r.cur, r.blob, r.blobSize, err = db.decodeRecord(dk, key, raw, held)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: key %q: %w", ErrCorrupt, key, err)
	}
	if len(r.cur) == 0 {
		r.digest = 0 // the record went while its blob was read
	}
	return r, nil
}
