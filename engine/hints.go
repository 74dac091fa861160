package engine

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/ringkv/ringkv/replica/version"
)

// prefixHint starts the hint keys; see doc.go.
const prefixHint = 'h'

// ErrHintsFull is returned by PutHint when storing the hint would take
// the hints past Options.HintMaxBytes; the hint is dropped (and counted),
// and left to anti-entropy.
var ErrHintsFull = errors.New("engine: hint store full")

// Hint is what a replica (Target) that a write did not reach must still
// receive for Key: the merge of every version hinted to it for the key.
type Hint struct {
	Target string      // node the versions are for
	Key    []byte      // the record's key
	Set    version.Set // versions to deliver (merged)
	Added  int64       // Unix ms the oldest pending version was hinted
	Size   int         // bytes stored (LevelDB key and value)
}

// PutHint stores s for target under key, merged into the hint already
// pending for (target, key), if any, which keeps its Added time. Versions
// written at or before the latest Flush are left out, as Merge does. It
// writes one record under the key's lock, with the durability of Update
// (Options.Sync). Past HintMaxBytes it stores nothing and returns
// ErrHintsFull.
func (db *DB) PutHint(target string, key []byte, s version.Set) error {
	if target == "" {
		return fmt.Errorf("engine: hint for %q names no target", key)
	}
	h := Hash(key)
	return db.keyLocked(h, func() error {
		b := getBatch()
		defer putBatch(b)
		undo, err := db.batchHint(b, target, h, key, s)
		if err != nil || b.Len() == 0 {
			return err
		}
		if err := db.ldb.Write(b, db.wo); err != nil {
			undo()
			return fmt.Errorf("engine: hint for %q to %s: %w", key, target, closedErr(err))
		}
		db.dirty.Store(true)
		return nil
	})
}

// batchHint adds to b the merge of s into the hint pending for (target,
// key), reserving its bytes; undo releases them if b is not written. It
// adds nothing when the hint already covers s. The caller holds key's
// stripe lock and the gate.
func (db *DB) batchHint(b *leveldb.Batch, target string, h uint64, key []byte, s version.Set) (undo func(), err error) {
	none := func() {}
	// The flush time is read under the gate, as Merge does.
	if s = s.DropBefore(db.flushedAt.Load()); len(s) == 0 {
		return none, nil
	}
	hk := hintKey(target, h, key)
	old, found, err := db.loadHint(hk)
	if err != nil {
		return none, err
	}
	next := old.Set.Merge(s)
	if found && next.Equal(old.Set) {
		return none, nil
	}
	if !found {
		old.Added = db.opt.Now()
	}
	v := hintValue(old.Added, next)
	dn, dsize := 1-b2i(found), int64(len(hk)+len(v)-old.Size)
	if !db.hints.add(target, dn, dsize, db.opt.HintMaxBytes) {
		db.hints.dropped.Add(1)
		return none, fmt.Errorf("%w: hint for %q to %s: %d more bytes would pass the %d-byte limit",
			ErrHintsFull, key, target, dsize, db.opt.HintMaxBytes)
	}
	b.Put(hk, v)
	return func() { db.hints.add(target, -dn, -dsize, 0) }, nil
}

// UpdateHinted is Update that also merges the stored set into the hints
// for targets (replicas the caller knows it cannot reach), in the same
// LevelDB batch: the write and its hints are durable together. A hint
// past HintMaxBytes is left out (counted as dropped; anti-entropy repairs
// its target) and the write goes on.
func (db *DB) UpdateHinted(key []byte, targets []string, fn func(cur version.Set) (next version.Set, changed bool, err error)) (version.Set, error) {
	if len(targets) == 0 {
		h := Hash(key)
		q := &db.writeQ[h%stripes]
		if !q.lead() {
			stored, err := db.queued(q, &pendingWrite{
				keys: [][]byte{key}, hashes: []uint64{h},
				fn: func(_ int, cur version.Set) (version.Set, bool, error) { return fn(cur) },
			})
			if err != nil {
				return nil, err
			}
			return stored[0], nil
		}
		defer q.handOff()
	}
	var stored version.Set
	err := db.locked(Hash(key), key, func(r *keyRec) error {
		next, changed, err := fn(r.cur)
		if err != nil || !changed {
			stored = r.cur
			return err
		}
		b := getBatch()
		defer putBatch(b)
		undo, err := db.batchHints(b, targets, []*keyRec{r}, []version.Set{next})
		if err != nil {
			return err
		}
		if err := db.storeBatch(b, r, next); err != nil {
			undo()
			return err
		}
		stored = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}

// batchHints adds to b the hints for targets of each record's new set
// (batchHint); a hint past HintMaxBytes is left out, with a warning.
// undo releases what they reserved if b is not written.
func (db *DB) batchHints(b *leveldb.Batch, targets []string, recs []*keyRec, nexts []version.Set) (undo func(), err error) {
	if len(targets) == 0 { // every write without a down replica
		return noUndo, nil
	}
	var undos []func()
	undo = func() {
		for _, u := range undos {
			u()
		}
	}
	for j, r := range recs {
		for _, t := range targets {
			u, err := db.batchHint(b, t, r.h, r.key, nexts[j])
			if errors.Is(err, ErrHintsFull) {
				db.log.Warn().Err(err).Msg("hint dropped; anti-entropy will repair its target")
				continue
			}
			if err != nil {
				undo()
				return func() {}, err
			}
			undos = append(undos, u)
		}
	}
	return undo, nil
}

func noUndo() {}

// HintedSet returns the merge of every hint pending for key, whatever its
// target: nil if none. A node standing in for a down replica answers
// reads from it.
func (db *DB) HintedSet(key []byte) (version.Set, error) {
	h := Hash(key)
	var out version.Set
	for _, target := range db.hints.targetNames() {
		hint, found, err := db.loadHint(hintKey(target, h, key))
		if err != nil {
			return nil, err
		}
		if found {
			out = out.Merge(hint.Set)
		}
	}
	return out, nil
}

// DeleteHint deletes the hint pending for (target, key) if delivered
// covers it: target has acknowledged merging delivered, and the stored
// hint holds nothing delivered lacks. A hint that grew after the replay
// read it (a PutHint in between) stays, whole, for the next replay.
// deleted reports whether it went.
func (db *DB) DeleteHint(target string, key []byte, delivered version.Set) (deleted bool, err error) {
	h := Hash(key)
	hk := hintKey(target, h, key)
	err = db.keyLocked(h, func() error {
		old, found, err := db.loadHint(hk)
		if err != nil || !found || !covers(delivered, old.Set) {
			return err
		}
		if err := db.ldb.Delete(hk, db.wo); err != nil {
			return fmt.Errorf("engine: deleting hint for %q to %s: %w", key, target, closedErr(err))
		}
		db.hints.add(target, -1, -int64(old.Size), 0)
		db.hints.delivered.Add(1)
		db.dirty.Store(true)
		deleted = true
		return nil
	})
	return deleted, err
}

// covers reports whether merging s into d would add nothing to d.
func covers(d, s version.Set) bool {
	d = d.Merge(nil)
	return d.Merge(s).Equal(d)
}

// RangeHints calls fn for every pending hint, grouped by target (targets
// in no useful order; within one, by key hash), until fn returns false.
// It reads a snapshot, as Range does; fn owns the Hint and may call the DB.
func (db *DB) RangeHints(fn func(Hint) bool) error {
	return db.rangeHints(util.BytesPrefix([]byte{prefixHint}), fn)
}

// RangeHintsFor is RangeHints for one target's hints only: a replay of
// the hints for a node that came back reads just those.
func (db *DB) RangeHintsFor(target string, fn func(Hint) bool) error {
	return db.rangeHints(util.BytesPrefix(hintTargetPrefix(target)), fn)
}

func (db *DB) rangeHints(r *util.Range, fn func(Hint) bool) error {
	it := db.ldb.NewIterator(r, &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	for it.Next() {
		hint, err := decodeHint(it.Key(), it.Value())
		if err != nil {
			return err
		}
		if !fn(hint) {
			break
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("engine: reading hints: %w", closedErr(err))
	}
	return nil
}

// DropExpiredHints drops the hints whose Added is more than
// Options.HintMaxAge before now (Unix ms), counting them as dropped, and
// returns how many went. The replica layer calls it periodically; a
// negative HintMaxAge keeps hints forever.
func (db *DB) DropExpiredHints(now int64) (int, error) {
	if db.opt.HintMaxAge < 0 {
		return 0, nil
	}
	cutoff := now - db.opt.HintMaxAge.Milliseconds()
	return db.dropHints(util.BytesPrefix([]byte{prefixHint}), func(added int64) bool { return added < cutoff })
}

// DropHints drops every hint for target (a node that left the ring for
// good), counting them as dropped, and returns how many went.
func (db *DB) DropHints(target string) (int, error) {
	return db.dropHints(util.BytesPrefix(hintTargetPrefix(target)), func(int64) bool { return true })
}

// dropHints deletes the hints in r for which drop(Added) holds, each
// checked again under its key's lock.
func (db *DB) dropHints(r *util.Range, drop func(added int64) bool) (n int, err error) {
	it := db.ldb.NewIterator(r, &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	for it.Next() {
		target, h, _, ok := parseHintKey(it.Key())
		if !ok || len(it.Value()) < 8 {
			return n, fmt.Errorf("%w: bad hint %x", ErrCorrupt, it.Key())
		}
		if !drop(int64(binary.BigEndian.Uint64(it.Value()))) {
			continue
		}
		hk := append([]byte(nil), it.Key()...)
		gone, err := db.dropHint(target, h, hk, drop)
		if err != nil {
			return n, err
		}
		n += int(b2i(gone))
	}
	if err := it.Error(); err != nil {
		return n, fmt.Errorf("engine: dropping hints: %w", closedErr(err))
	}
	return n, nil
}

func (db *DB) dropHint(target string, h uint64, hk []byte, drop func(int64) bool) (gone bool, err error) {
	err = db.keyLocked(h, func() error {
		old, found, err := db.loadHint(hk)
		if err != nil || !found || !drop(old.Added) {
			return err
		}
		if err := db.ldb.Delete(hk, db.wo); err != nil {
			return fmt.Errorf("engine: dropping hint to %s: %w", target, closedErr(err))
		}
		db.hints.add(target, -1, -int64(old.Size), 0)
		db.hints.dropped.Add(1)
		db.dirty.Store(true)
		gone = true
		return nil
	})
	return gone, err
}

// keyLocked runs fn holding the gate (shared) and the stripe lock of hash
// h: the one place the locking order lives (DB.locked adds the key's
// record).
func (db *DB) keyLocked(h uint64, fn func() error) error {
	db.recoverWrites()
	db.gate.RLock()
	defer db.gate.RUnlock()
	if db.closed {
		return ErrClosed
	}
	mu := &db.keyMu[h%stripes]
	mu.Lock()
	defer mu.Unlock()
	return fn()
}

// loadHint reads the hint stored at hk; found is false (and the Hint
// zero) if there is none.
func (db *DB) loadHint(hk []byte) (hint Hint, found bool, err error) {
	v, err := db.ldb.Get(hk, nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return Hint{}, false, nil
	}
	if err != nil {
		return Hint{}, false, fmt.Errorf("engine: reading hint %x: %w", hk, closedErr(err))
	}
	hint, err = decodeHint(hk, v)
	return hint, err == nil, err
}

// loadHints counts the stored hints at Open (they are bounded by
// HintMaxBytes, so the scan is too).
func (db *DB) loadHints() error {
	it := db.ldb.NewIterator(util.BytesPrefix([]byte{prefixHint}), &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	for it.Next() {
		target, _, _, ok := parseHintKey(it.Key())
		if !ok || len(it.Value()) < 8 {
			return fmt.Errorf("%w: bad hint %x in %s", ErrCorrupt, it.Key(), db.dir)
		}
		db.hints.add(target, 1, int64(len(it.Key())+len(it.Value())), 0)
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("engine: open %s: counting hints: %w", db.dir, err)
	}
	return nil
}

// resetHints deletes every hint, for Flush (which holds the gate
// exclusively). Delivered and dropped counts stay.
func (db *DB) resetHints() error {
	if err := db.deletePrefix(prefixHint); err != nil {
		return fmt.Errorf("engine: deleting hints: %w", closedErr(err))
	}
	db.hints.reset()
	return nil
}

// hintKey is h | uvarint(len target) | target | hash(8) | key: grouped by
// target, so one target's hints are one range; a key's hints are one
// point read per target.
func hintKey(target string, h uint64, key []byte) []byte {
	b := hintTargetPrefix(target)
	b = binary.BigEndian.AppendUint64(b, h)
	return append(b, key...)
}

func hintTargetPrefix(target string) []byte {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(target)+8)
	b = append(b, prefixHint)
	b = binary.AppendUvarint(b, uint64(len(target)))
	return append(b, target...)
}

// parseHintKey splits an "h" key; ok is false if it is malformed. key
// aliases k.
func parseHintKey(k []byte) (target string, h uint64, key []byte, ok bool) {
	if len(k) < 1 || k[0] != prefixHint {
		return "", 0, nil, false
	}
	n, w := binary.Uvarint(k[1:])
	rest := k[1+max(w, 0):]
	if w <= 0 || n == 0 || n > uint64(len(rest)) || len(rest)-int(n) < 8 {
		return "", 0, nil, false
	}
	return string(rest[:n]), binary.BigEndian.Uint64(rest[n:]), rest[n+8:], true
}

// hintValue is added (Unix ms, 8 bytes) | version.Set encoding.
func hintValue(added int64, s version.Set) []byte {
	return s.AppendBinary(binary.BigEndian.AppendUint64(nil, uint64(added)))
}

// decodeHint decodes a stored hint, copying what it keeps of k and v.
func decodeHint(k, v []byte) (Hint, error) {
	target, _, key, ok := parseHintKey(k)
	if !ok || len(v) < 8 {
		return Hint{}, fmt.Errorf("%w: bad hint %x", ErrCorrupt, k)
	}
	s, err := version.DecodeSet(append([]byte(nil), v[8:]...))
	if err != nil {
		return Hint{}, fmt.Errorf("%w: hint for %q to %s: %w", ErrCorrupt, key, target, err)
	}
	return Hint{
		Target: target,
		Key:    append([]byte(nil), key...),
		Set:    s,
		Added:  int64(binary.BigEndian.Uint64(v)),
		Size:   len(k) + len(v),
	}, nil
}
