package engine

import (
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"github.com/syndtr/goleveldb/leveldb/storage"

	"github.com/ringkv/ringkv/replica/merkle"
)

// Options configure a DB. The zero value is valid: every zero field takes
// its default.
//
// Memory: with the defaults LevelDB holds up to two 16 MiB memtables plus,
// per open table, its index and bloom filter (10 bits, about 1.3 bytes, per
// key): roughly 32 MiB + 3 MB per million 100-byte values. Data blocks are
// read from the OS page cache, which the RSS does not count. Larger values
// buy fewer level-0 flushes and less compaction (WriteBuffer; level 1 is
// sized at four memtables); a larger WriteBuffer also lengthens the journal
// replayed by Open.
type Options struct {
	// Sync is when writes are fsynced. Default SyncEverySec.
	Sync SyncMode
	// Logger receives the engine's logs with component=engine. Zero value:
	// no logging.
	Logger zerolog.Logger
	// CacheSize is LevelDB's block cache, in bytes. Default 0: none. Each
	// open table then keeps its index and bloom filter blocks in memory,
	// and a lookup reads only the data block, from the OS page cache (one
	// pread). With a block cache goleveldb keeps the index and filter
	// blocks in it too, where data blocks can evict them, and every probe
	// of a table looks all three up in it: over 1M keys those lookups were
	// 32% of a GET's CPU at 8 MiB (bench/RESULTS.md, "No block cache"). A
	// cache pays only when the same data blocks, in tables rather than the
	// memtable, are read again and again.
	CacheSize int
	// WriteBuffer is LevelDB's memtable size, in bytes; up to two exist at
	// once (one being flushed), and the journal replayed at Open is about
	// this long. LevelDB's level 1 is sized at four of them, and each
	// level after it at ten times the one before (db.go). Default 16 MiB.
	// Bulk SETs of 2M random 500-byte values into one node (1.1 GB) cost
	// 90 µs of CPU each; of 1M 100-byte values, 48–52 µs
	// (bench/RESULTS.md, "Level 1 at four memtables, really").
	WriteBuffer int
	// KeyFilterMemory caps the key filter (keyfilter.go), in bytes: past
	// the keys its layers hold (about 8M at the default 16 MiB) it stops
	// growing and answers "may be present" more often. Default 16 MiB;
	// negative: no filter (every write and read looks its key up).
	KeyFilterMemory int
	// SweepInterval is the period of the active expiry cycle. Default
	// 100ms; negative disables the sweeper goroutine (call Sweep yourself).
	SweepInterval time.Duration
	// SweepBatch is the most keys one Sweep expires; a cycle repeats while
	// batches come back full, for at most a quarter of SweepInterval.
	// Default 200.
	SweepBatch int
	// HintMaxAge is how long a hint may wait for its target: older ones go
	// at the next DropExpiredHints, counted as dropped, and anti-entropy
	// repairs the target instead. Default 3h, Cassandra's
	// max_hint_window: a node down longer is better repaired (AAE ships
	// only the difference) than flooded with replays. Negative: no limit.
	HintMaxAge time.Duration
	// HintMaxBytes bounds the hints stored, in bytes on disk (keys and
	// values); past it PutHint returns ErrHintsFull. Default 1 GiB: hints
	// cost disk, not memory (a count per target), and over HintMaxAge's
	// 3h it holds about 100 KB/s of hinted writes (hints for one key
	// merge, so rewrites of a key are stored once); past it anti-entropy
	// repairs. Open scans them to count them. Negative: no limit.
	HintMaxBytes int64
	// Now is the clock, in Unix ms. Default: time.Now().UnixMilli.
	Now func() int64
	// Storage, if set, is the goleveldb storage to use instead of files in
	// the directory (the directory then only names the DB in messages).
	// The caller owns it: Close does not close it. Default nil.
	Storage storage.Storage
	// TreeBits is log2 of the number of segments of the Merkle tree (see
	// doc.go): 2^TreeBits uint64s in memory, in [1, 24]. A ring's
	// partition count must not exceed 2^TreeBits. Default 18 (2 MiB; 256
	// segments per partition at Q=1024, about 4 keys per segment at a
	// million keys).
	TreeBits int
	// TreeRebuildRate paces the background rebuild of the Merkle tree
	// after an unclean stop, in records read per second. Default 100,000
	// (a million keys in about 10 s); negative: unpaced.
	TreeRebuildRate int

	// BlobMin is the size of an encoded set, in bytes, from which it is
	// stored in a file of its own instead of LevelDB (blob.go). Default
	// 1 MiB. With Storage set, such sets are kept in memory (tests).
	BlobMin int

	// RecoverInterval is how often, at most, a DB whose writes fail
	// (DiskError) tries to reopen its storage, once the directory has
	// room again. Default 1s.
	RecoverInterval time.Duration

	// hasRoom, if set, replaces the free-space check before a reopen
	// (tests).
	hasRoom func() bool
	// readOnly opens LevelDB read-only (the fallback of a failed reopen).
	readOnly bool

	// treeBatchHook, if set, runs in the rebuild goroutine after each
	// batch of records (tests).
	treeBatchHook func(scanned int64)
}

// Defaults.
const (
	DefaultCacheSize     = 0
	DefaultWriteBuffer   = 16 << 20
	DefaultKeyFilter     = 16 << 20
	DefaultSweepInterval = 100 * time.Millisecond
	DefaultSweepBatch    = 200
	DefaultHintMaxAge    = 3 * time.Hour
	DefaultHintMaxBytes  = 1 << 30
	DefaultRecoverEvery  = time.Second
	DefaultBlobMin       = 1 << 20
)

// Merkle tree defaults.
const (
	DefaultTreeBits        = merkle.DefaultBits
	DefaultTreeRebuildRate = 100_000
)

// withDefaults returns o with zero fields set to their defaults.
func (o Options) withDefaults() Options {
	if o.WriteBuffer == 0 {
		o.WriteBuffer = DefaultWriteBuffer
	}
	if o.KeyFilterMemory == 0 {
		o.KeyFilterMemory = DefaultKeyFilter
	}
	if o.SweepInterval == 0 {
		o.SweepInterval = DefaultSweepInterval
	}
	if o.SweepBatch == 0 {
		o.SweepBatch = DefaultSweepBatch
	}
	if o.HintMaxAge == 0 {
		o.HintMaxAge = DefaultHintMaxAge
	}
	if o.HintMaxBytes == 0 {
		o.HintMaxBytes = DefaultHintMaxBytes
	}
	if o.TreeBits == 0 {
		o.TreeBits = DefaultTreeBits
	}
	if o.TreeRebuildRate == 0 {
		o.TreeRebuildRate = DefaultTreeRebuildRate
	}
	if o.BlobMin == 0 {
		o.BlobMin = DefaultBlobMin
	}
	if o.RecoverInterval == 0 {
		o.RecoverInterval = DefaultRecoverEvery
	}
	if o.Now == nil {
		o.Now = func() int64 { return time.Now().UnixMilli() }
	}
	return o
}

// Validate reports a field out of range.
func (o Options) Validate() error {
	switch {
	case o.Sync < SyncEverySec || o.Sync > SyncNo:
		return fmt.Errorf("%w: %v", ErrBadSyncMode, o.Sync)
	case o.CacheSize < 0:
		return fmt.Errorf("engine: CacheSize %d < 0", o.CacheSize)
	case o.WriteBuffer < 0:
		return fmt.Errorf("engine: WriteBuffer %d < 0", o.WriteBuffer)
	case o.SweepBatch < 0:
		return fmt.Errorf("engine: SweepBatch %d < 0", o.SweepBatch)
	case o.TreeBits < 0 || o.TreeBits > merkle.MaxBits:
		return fmt.Errorf("engine: TreeBits %d not in [1, %d]", o.TreeBits, merkle.MaxBits)
	}
	return nil
}

// DefaultOptions returns Options with every default filled in.
func DefaultOptions() Options { return Options{}.withDefaults() }
