// Package engine stores ringkv's versioned records on one node: for every
// key, its sibling set (a version.Set) in LevelDB (goleveldb), with an
// expiry index swept in the background and a live-key count. It knows
// nothing of the network, the ring or quorums; the replica layer decides
// what to store and calls Update or Merge. Start from Open (or OpenMem in
// tests) and DB.Update.
//
// # On-disk layout
//
// Every LevelDB key starts with a one-byte prefix naming its kind:
//
//	d | hash(8) | key              -> version.Set (Set.AppendBinary), or a blob record
//	x | expiry(8) | hash(8) | key  -> empty: expiry index
//	z | newest(8) | hash(8) | key  -> empty: tombstone index
//	m | name                       -> meta
//	h | len(target) | target | hash(8) | key -> added(8) | version.Set: hint
//	t | "c" | index(4)  and  t | "m" -> the Merkle tree saved by Close
//
// key is an internal key (cluster/ring/keys.go), which the layers above
// pass in: a user key that does not start with 0xFF is its own, one that
// does is escaped as 0xFF 0x00 key, and a collection's element record is
// 0xFF kind uvarint(len(key)) key member. hash is the ring's placement hash
// (cluster/ring.Hash: murmur3.Sum64 of the user key an internal key
// belongs to, or of its hash tag when it has one), big-endian, so records
// sort by hash (a collection's records share one hash): a ring partition (a contiguous hash range) is one
// range scan (DB.Range) and a SCAN cursor is a hash position. An empty Set
// is not stored; a key with tombstones only is (causality must survive).
//
// The expiry index holds one entry per record whose value siblings carry an
// expiry, at the set's MinExpiry (Unix ms, big-endian, so the index sorts by
// time). It is written in the same LevelDB batch as the record, so the two
// never disagree, not even after a crash. The sweeper scans the index up to
// now and turns expired siblings into tombstones (version.Set.Expire),
// keeping their causal stamps. Until swept, an expired value is still
// stored and counted by Len (as Redis's DBSIZE counts expired keys not yet
// evicted); readers filter with version.Set.Live.
//
// The tombstone index holds one entry per record of tombstones only, at
// its newest sibling's time, written in the record's batch as the expiry
// index is. DB.Tombstones walks it up to a time, so finding the tombstones
// old enough to reap costs what they are, not a scan of every record
// (which, once a minute, grew with the data).
//
// Meta keys: "m" "format" holds the layout version (uint64, big-endian),
// currently 4: internal keys. Formats 1 to 3 stored a user key starting
// with 0xFF as it is (which format 4 reads as an element record or an
// escaped key), format 1 also placed tagged keys by the whole key, and
// format 2 had no blob records. Open migrates a directory of format 1, 2
// or 3 (migrate.go): it moves each such record to its internal key and
// hash, in two phases through "m" "staged/" keys ("m" "staged" marks the
// first one done) so that a crash part way is safe, rewrites a moved
// record's blob, drops the saved Merkle tree and stamps 4. Open refuses a
// directory with any other version, or with records but no version, with
// ErrFormat naming the directory. "m" "live"
// holds the live-key count written by a clean Close; Open reads and deletes
// it (durably), and recounts with a full scan when it is missing.
// "m" "sync" is a scratch key the everysec syncer writes to force an fsync.
// "m" "actor", "m" "open" and "m" "floor" are the write identity's (below).
//
// # Large values
//
// A set whose encoding is Options.BlobMin (1 MiB) or more is stored in a
// file of its own, <dir>/blobs/<id>.blob (the key, then the encoding), and
// its "d" record holds a blob record instead: a marker byte (0xB0), the id,
// the size, a CRC-32C, the set's Merkle digest and whether it holds a
// value, so the tree's scans and a recount never read blobs. LevelDB copies
// a record several times on its way to a table and pools large buffers:
// growing a value to 64 MiB with APPEND took 1.5 GiB of RSS there, and kept
// it after DEL. A large set is streamed to its blob from its values
// (version.Set.WriteBinary), with no buffer for its encoding, and a
// write reads its blob with room to grow, so APPEND extends the value it
// read in place (bigval_blob.go): growing a value with APPEND holds one
// copy of it, and a large read first runs the collection a dropped large
// value asked for, so the new copy reuses the dropped one's memory; the
// peak RSS is about twice the value. The memory goes back to the OS a few
// seconds after the DEL (memory.go).
// A blob is written and fsynced (with its directory) before its record, and
// removed after the record stops pointing at it; a crash in between leaves
// an orphan, which Open removes (a blob whose key's record points
// elsewhere). A reader that finds its blob gone (replaced meanwhile) reads
// the record again, so a scan may see such a key's newer value. Flush
// removes every blob. Hints keep their sets in LevelDB.
//
// # Write identity
//
// DB.Actor is a token of 8 random base32 characters that the coordinator
// puts in the dots it issues, so that no (node, counter) is ever issued
// twice (Riak KV issue 679): counters come from stored sets, so wherever
// stored history may be lost, the token changes (durably, logged at info
// with the reason). That is at Open on a directory with no token (new or
// wiped), at Open after a run that did not Close cleanly and was not
// appendfsync always (its journal tail may be gone), at Flush, and on
// DB.NewActor. "m" "open" holds the running session's SyncMode, written
// (fsynced) at Open and deleted by a clean Close after its final fsync;
// finding it at Open means that session crashed.
//
// Reaping deletes histories too, so before the replica layer reaps keys
// it raises the actor's counter floor ("m" "floor": the token, then the
// floor, fsynced; DB.RaiseCounterFloor) above their counters; a key with
// none of the actor's dots left continues above it (version.Set.Put). A
// new token starts from a floor of 0.
//
// # Hints
//
// A hint holds the versions a down replica (its target) must receive for
// one key: DB.PutHint merges into the pending hint for (target, key), in
// one write under the key's lock. Keys group hints by target, so a replay
// is one range (DB.RangeHintsFor); a key's hints are one point read per
// target with pending hints (DB.HintedSet). DB.DeleteHint removes a hint
// only if the versions the target acknowledged cover it, so a version
// hinted during a replay stays. Hints are bounded (Options.HintMaxBytes,
// Options.HintMaxAge via DB.DropExpiredHints); what is refused or dropped
// is counted (DB.HintStats) and left to anti-entropy. The per-target
// counts live in memory, rebuilt at Open by a scan of the "h" range.
// Flush deletes every hint.
//
// # Reaping
//
// DB.Reap deletes a record that holds tombstones only, if it still equals
// the set the caller read (under the key's lock, so a racing write wins);
// DB.Tombstones lists the candidates, from the tombstone index. When a tombstone may go is the
// replica layer's decision, not the engine's.
//
// # Merkle tree
//
// For active anti-entropy the DB keeps a replica/merkle.Tree of its
// records in memory: 2^Options.TreeBits segments, each the XOR of
// merkle.Digest(key, encoded set) over the records whose hash begins with
// the segment's number, so a segment, like a partition, is one range of
// "d" keys. store updates it after every successful record write (old and
// new digest, under the key's lock); Flush empties it. The digest hashes
// Set.AppendBinary, which is canonical (equal merged sets encode alike,
// and decoding then encoding is the identity: tested), so replicas that
// converged have equal trees. The replica layer reads DB.TreeRoot and
// DB.TreeSegments (segment-aligned hash ranges) and DB.SegmentKeys (one
// segment's keys and digests, scanned from the records).
//
// A clean Close saves the tree in one fsynced batch: merkle.Tree.Marshal
// in 1 MiB chunks ("t" "c" index(4), big-endian) and a marker ("t" "m":
// the chunk count, uint32). Open loads it, then deletes every "t" key
// (durably), so a later stop without Close leaves nothing stale. Without
// a usable saved tree (unclean stop, damage, other TreeBits) Open takes a
// LevelDB snapshot before any write can run, and a goroutine rebuilds the
// tree from it, paced at Options.TreeRebuildRate records per second and
// logging progress every 5 s, then XORs the result into the live tree,
// which meanwhile took every write as a change (old ^ new digest): the
// snapshot's tree XOR the changes is the data's tree. Until then
// DB.TreeReady is false and TreeRoot and TreeSegments return
// ErrTreeNotReady: anti-entropy skips the node. A Flush during the
// rebuild voids it; a Flush that fails part way leaves the tree not ready
// until the next Open.
//
// # Durability
//
// goleveldb appends each batch to its journal (write-ahead log) and hands
// it to the OS with write(2) before Write returns (journal.Writer.Flush in
// db_write.go); concurrent writers are merged into one journal record
// (group commit), and the merged record is fsynced if any of them asked. So:
//
//   - Process crash (kill -9, panic): nothing acknowledged is lost in any
//     mode; the OS holds the journal and Open replays it.
//   - Power failure or kernel crash, SyncAlways: nothing acknowledged is
//     lost; each Update returns after its journal record was fsynced.
//   - Power failure, SyncEverySec (default): up to about 1-2 s of writes.
//     A goroutine fsyncs once a second if anything was written, by writing
//     "m" "sync" with Sync set, which fsyncs the journal file and so every
//     earlier record in it. Caveat: when the memtable fills (WriteBuffer),
//     goleveldb starts a new journal file and closes the old one without
//     fsync; those records become durable when the memtable's table is
//     written (tables and the manifest are fsynced), normally well under a
//     second later, so the window stretches by that flush time.
//   - Power failure, SyncNo: whatever the OS had not written back, on Linux
//     up to about 30 s (vm.dirty_expire_centisecs) plus writeback time.
//
// goleveldb's Close does not fsync the journal; DB.Close does, by writing
// the live count with Sync set. (A single batch larger than WriteBuffer,
// e.g. one huge value, skips the journal: goleveldb writes it straight to
// fsynced tables before returning.)
//
// # Combined writes
//
// Writes to one lock stripe (one key, or one collection: its records share
// a placement hash) that find a write of that stripe in progress queue
// behind it, and it runs them, in order and each on the sets the ones
// before it left, in its own LevelDB batch: one journal write for the lot
// instead of one each, one after another (combine.go). A hinted write, or
// a group spanning stripes, goes alone.
//
// # Write errors
//
// An Update whose write fails returns the error; the previous set stays in
// place and readable. goleveldb latches a failed journal (or manifest)
// write: every later write returns it, even once the disk has room again,
// until the DB is reopened, which replays the journal up to the last whole
// record. So from the first failure on, writes return a DiskError (its
// RedisError is the MISCONF reply clients see), reads go on, and a writer
// reopens LevelDB (recover.go) at most once per Options.RecoverInterval
// once the directory has room (twice WriteBuffer plus 8 MiB free), with
// every reader and writer held off meanwhile (level.go: iterators and
// snapshots open across it end with an error; a Merkle rebuild restarts
// from a new snapshot). Records are unchanged by a reopen, so the live
// count, the tree and the hint counts carry over; the exception is a write
// that failed after its bytes reached the journal (a failed fsync): the
// reopen replays it, and the keys of such writes are compared before and
// after to keep the tree and the count right (beyond 4096 of them, the
// count is redone and the tree rebuilt). A failure that heals by itself
// (a failed fsync, a compaction error) ends at the next successful write,
// without a reopen. If the reopen itself fails, LevelDB is opened
// read-only so reads go on, and the reopen is retried.
package engine
