package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/storage"
)

// DiskError is a write the disk refused (full, or failing). From the first
// one, writes are refused with a DiskError until the DB has been reopened
// (goleveldb latches a failed journal or manifest write: every later write
// returns it, even once the disk has room again). The DB reopens itself at
// a write at most once per Options.RecoverInterval, when the directory has
// room again; reads go on meanwhile.
type DiskError struct {
	Dir   string
	Err   error     // the first failure
	Since time.Time // when writes started failing
}

func (e *DiskError) Error() string {
	return fmt.Sprintf("engine: writes to %s failing since %s: %v", e.Dir, e.Since.Format(time.RFC3339), e.Err)
}

func (e *DiskError) Unwrap() error { return e.Err }

// RedisError is the error reply a client gets, in the style of Redis's
// MISCONF errors for a failing AOF.
func (e *DiskError) RedisError() string {
	return "MISCONF Errors writing to the data directory " + e.Dir + ": " + rootCause(e.Err) +
		". Writes are refused until the disk has room again; they resume by themselves."
}

// rootCause is the innermost error's text ("no space left on device").
func rootCause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// maxSuspects bounds the keys remembered as possibly written by a failed
// write (see writeHealth.suspects).
const maxSuspects = 4096

// writeHealth follows failing writes. The zero value is "healthy".
type writeHealth struct {
	mu      sync.Mutex
	err     *DiskError // nil while writes work
	lastTry time.Time
	// suspects are the record keys (by data key) of failed writes that
	// may still be in the journal (the failure came after the bytes, at
	// fsync): a reopen replays them, so it compares them before and after.
	suspects map[string]suspect
	overflow bool // more than maxSuspects: recount and rebuild instead
}

type suspect struct {
	h   uint64
	key []byte
}

// note records the outcome of a LevelDB write and returns the error to
// pass on: a failure becomes (or joins) a DiskError; a success ends a
// failure that healed by itself (a failed fsync, a compaction that failed
// and then succeeded), with no reopen.
func (w *writeHealth) note(log zerolog.Logger, dir string, err error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case err == nil && w.err != nil:
		log.Warn().Msg("writes work again")
		w.err = nil
	case err == nil:
	case w.err != nil:
		return w.err
	case errors.Is(err, leveldb.ErrClosed):
	default:
		w.err = &DiskError{Dir: dir, Err: err, Since: time.Now()}
		w.lastTry = w.err.Since // the first reopen waits a RecoverInterval
		log.Error().Err(err).Msg("writes to the data directory fail; refusing writes until the disk has room again")
		return w.err
	}
	return err
}

// failing returns the current DiskError, nil if writes work.
func (w *writeHealth) failing() *DiskError {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// suspect remembers a data record whose failed write may have reached the
// journal: anything but a failed write(2) of the journal (a torn record
// that recovery drops) may have. It reports whether it may have.
func (w *writeHealth) suspect(dk []byte, h uint64, key []byte, err error) (mayReplay bool) {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Op == "write" {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.suspects == nil {
		w.suspects = map[string]suspect{}
	}
	if len(w.suspects) >= maxSuspects {
		w.overflow = true
		return true
	}
	w.suspects[string(dk)] = suspect{h: h, key: bytes.Clone(key)}
	return true
}

// due reports whether a reopen should be tried now, and marks the try.
func (w *writeHealth) due(every time.Duration) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil || time.Since(w.lastTry) < every {
		return false
	}
	w.lastTry = time.Now()
	return true
}

// recoverWrites reopens the DB if its writes are failing, a reopen is due
// and the directory has room. Writers call it before taking the gate.
func (db *DB) recoverWrites() {
	if !db.health.due(db.opt.RecoverInterval) {
		return
	}
	if !db.hasRoom() {
		return
	}
	if err := db.reopen(); err != nil {
		db.log.Warn().Err(err).Msg("reopening storage after write errors failed; writes stay refused, retrying")
	}
}

// hasRoom reports whether the data directory has room for a reopen (which
// writes the journal's records into a table) and some writes.
func (db *DB) hasRoom() bool {
	if db.opt.hasRoom != nil {
		return db.opt.hasRoom()
	}
	if db.opt.Storage != nil {
		return true
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(db.dir, &st); err != nil {
		return true // cannot tell: try
	}
	return int64(st.Bavail)*int64(st.Bsize) >= int64(2*db.opt.WriteBuffer)+minFreeBytes
}

// minFreeBytes is the room, beyond twice the write buffer, a reopen waits
// for.
const minFreeBytes = 8 << 20

// reopen closes LevelDB and opens it again (replaying its journal up to the
// last whole record), with every writer and reader held off: the records
// are unchanged, so the live count, the Merkle tree and the hint counts
// carry over, except for the suspects (failed writes the journal kept),
// which are compared before and after.
func (db *DB) reopen() error {
	db.gate.Lock()
	defer db.gate.Unlock()
	if db.closed {
		return ErrClosed
	}
	failed := db.health.failing()
	if failed == nil {
		return nil
	}
	suspects, overflow := db.takeSuspects()
	before := db.readRaw(suspects)
	db.wc.clear() // the journal's replay decides what the failed writes left
	closeErr, err := db.ldb.reopen(func() (*leveldb.DB, storage.Storage, error) { return openLevel(db.dir, db.opt) })
	if err != nil {
		db.readOnlyFallback()
		db.health.restore(suspects, overflow)
		return fmt.Errorf("engine: reopen %s: %w", db.dir, err)
	}
	db.reconcile(suspects, before)
	if overflow {
		db.resync()
	}
	db.restartRebuild()
	db.health.clear()
	db.log.Warn().AnErr("latched", closeErr).Err(failed.Err).Time("failing_since", failed.Since).
		Msg("storage reopened after write errors; writes resume")
	return nil
}

// readOnlyFallback opens LevelDB read-only after a failed reopen, so reads
// go on while writes wait for the disk (they fail with a DiskError).
func (db *DB) readOnlyFallback() {
	_, err := db.ldb.reopen(func() (*leveldb.DB, storage.Storage, error) {
		o := db.opt
		o.readOnly = true
		return openLevel(db.dir, o)
	})
	if err != nil {
		db.log.Error().Err(err).Msg("opening storage read-only failed too; reads fail until a reopen succeeds")
	}
}

// takeSuspects empties the suspect set and returns it.
func (db *DB) takeSuspects() (map[string]suspect, bool) {
	w := &db.health
	w.mu.Lock()
	defer w.mu.Unlock()
	s, o := w.suspects, w.overflow
	w.suspects, w.overflow = nil, false
	return s, o
}

// restore puts suspects back after a failed reopen.
func (w *writeHealth) restore(s map[string]suspect, overflow bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for dk, v := range s {
		if w.suspects == nil {
			w.suspects = map[string]suspect{}
		}
		w.suspects[dk] = v
	}
	w.overflow = w.overflow || overflow
}

// clear marks writes healthy again.
func (w *writeHealth) clear() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.err = nil
}

// readRaw reads the stored record of each suspect (nil if none).
func (db *DB) readRaw(s map[string]suspect) map[string][]byte {
	out := make(map[string][]byte, len(s))
	for dk := range s {
		b, err := db.ldb.Get([]byte(dk), nil)
		if err == nil {
			out[dk] = b
		}
	}
	return out
}

// reconcile brings the tree and the live count in line with suspects
// whose record changed across the reopen (a failed write the journal
// kept). The caller holds the gate exclusively.
func (db *DB) reconcile(s map[string]suspect, before map[string][]byte) {
	for dk, sp := range s {
		after, err := db.ldb.Get([]byte(dk), nil)
		if err != nil && !errors.Is(err, leveldb.ErrNotFound) {
			db.log.Warn().Err(err).Msg("reading a record after reopen failed; the Merkle tree may be off until restart")
			continue
		}
		old := before[dk]
		if bytes.Equal(old, after) {
			continue
		}
		var from, to uint64
		if len(old) > 0 {
			from, _ = recordDigest(sp.key, old)
		}
		if len(after) > 0 {
			to, _ = recordDigest(sp.key, after)
		}
		db.tree.t.Update(sp.h, from, to)
		if counted(sp.key) {
			db.live.Add(b2i(rawLive(after)) - b2i(rawLive(old)))
		}
		db.log.Info().Bytes("key", sp.key).Msg("a write reported failed was in the journal: the reopen applied it")
	}
}

// rawLive reports whether a stored record holds a value sibling.
func rawLive(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	live, err := recordLive(b)
	return err == nil && live
}

// resync recounts the live keys and rebuilds the tree after more failed
// writes than maxSuspects may have been replayed.
func (db *DB) resync() {
	n, err := db.recount()
	if err != nil {
		db.log.Error().Err(err).Msg("recount after reopen failed")
	} else {
		db.live.Store(n)
	}
	db.tree.t.Reset()
	db.tree.ready.Store(false)
}
