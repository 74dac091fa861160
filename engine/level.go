package engine

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/iterator"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/storage"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// errReopened ends an iterator or snapshot whose LevelDB handle was
// replaced by a reopen (recover.go) while it was in use.
var errReopened = errors.New("engine: storage reopened during the scan; retry")

// level is the DB's LevelDB handle, with goleveldb's method names. A
// reopen (recover.go) replaces the handle underneath: every call holds mu
// shared for its own duration only, and an iterator or snapshot for each
// of its steps, never across a caller's code, so no caller can deadlock a
// reopen. Iterators and snapshots still open at a reopen end with
// errReopened.
type level struct {
	mu   sync.RWMutex // shared by every call, exclusive for a reopen
	db   *leveldb.DB
	stor storage.Storage // the files db was opened on, closed after it; nil: none to close
	gen  atomic.Uint64   // bumped by every reopen

	// note sees the outcome of every write and returns the error to
	// pass on (recover.go); nil: errors pass as they are.
	note func(error) error

	imu   sync.Mutex          // guards iters and snaps (with mu held)
	iters map[*levelIter]bool // open iterators, released at a reopen
	snaps map[*levelSnap]bool // open snapshots, released at a reopen
}

func newLevel(db *leveldb.DB, stor storage.Storage) *level {
	return &level{db: db, stor: stor, iters: map[*levelIter]bool{}, snaps: map[*levelSnap]bool{}}
}

// closeHandle closes the handle, then the files it was opened on. l.mu
// must be held exclusively.
func (l *level) closeHandle() error {
	err := l.db.Close()
	if l.stor != nil {
		err = errors.Join(err, l.stor.Close())
		l.stor = nil
	}
	return err
}

// Get is leveldb.DB.Get.
func (l *level) Get(key []byte, ro *opt.ReadOptions) ([]byte, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.db.Get(key, ro)
}

// Put is leveldb.DB.Put.
func (l *level) Put(key, value []byte, wo *opt.WriteOptions) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.noted(l.db.Put(key, value, wo))
}

// Delete is leveldb.DB.Delete.
func (l *level) Delete(key []byte, wo *opt.WriteOptions) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.noted(l.db.Delete(key, wo))
}

// Write is leveldb.DB.Write.
func (l *level) Write(b *leveldb.Batch, wo *opt.WriteOptions) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.noted(l.db.Write(b, wo))
}

// noted passes a write's outcome through note.
func (l *level) noted(err error) error {
	if l.note == nil {
		return err
	}
	return l.note(err)
}

// CompactRange is leveldb.DB.CompactRange.
func (l *level) CompactRange(r util.Range) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.db.CompactRange(r)
}

// Stats is leveldb.DB.Stats.
func (l *level) Stats(s *leveldb.DBStats) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.db.Stats(s)
}

// SizeOf is leveldb.DB.SizeOf.
func (l *level) SizeOf(r []util.Range) (leveldb.Sizes, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.db.SizeOf(r)
}

// GetProperty is leveldb.DB.GetProperty.
func (l *level) GetProperty(name string) (string, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.db.GetProperty(name)
}

// Close closes the current handle.
func (l *level) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.releaseAll(leveldb.ErrClosed)
	return l.closeHandle()
}

// NewIterator is leveldb.DB.NewIterator.
func (l *level) NewIterator(r *util.Range, ro *opt.ReadOptions) iterator.Iterator {
	l.mu.RLock()
	defer l.mu.RUnlock()
	it := &levelIter{l: l, it: l.db.NewIterator(r, ro), gen: l.gen.Load()}
	l.imu.Lock()
	l.iters[it] = true
	l.imu.Unlock()
	return it
}

// GetSnapshot is leveldb.DB.GetSnapshot.
func (l *level) GetSnapshot() (*levelSnap, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	s, err := l.db.GetSnapshot()
	if err != nil {
		return nil, err
	}
	ls := &levelSnap{l: l, s: s, gen: l.gen.Load()}
	l.imu.Lock()
	l.snaps[ls] = true
	l.imu.Unlock()
	return ls, nil
}

// reopen closes the handle and opens a new one with open, holding every
// other call off meanwhile; open iterators and snapshots end (errReopened
// at their next step). If open fails, the closed handle stays (calls
// fail with leveldb.ErrClosed) and reopen can be tried again.
func (l *level) reopen(open func() (*leveldb.DB, storage.Storage, error)) (closeErr, openErr error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// The new generation first: an iterator that finds its LevelDB side
	// released must also find the generation moved (levelIter.step), or it
	// ends as if it had seen every record, with no error.
	l.gen.Add(1)
	l.releaseAll(errReopened)
	closeErr = l.closeHandle()
	db, stor, openErr := open()
	if openErr == nil {
		l.db, l.stor = db, stor
	}
	return closeErr, openErr
}

// releaseAll releases the LevelDB side of every open iterator and
// snapshot; each iterator's next step reports err, so no scan cut short
// ends as if complete. l.mu must be held exclusively.
func (l *level) releaseAll(err error) {
	l.imu.Lock()
	defer l.imu.Unlock()
	for it := range l.iters {
		it.mu.Lock()
		it.it.Release()
		it.it = nil
		if it.err == nil {
			it.err = err
		}
		it.mu.Unlock()
	}
	for s := range l.snaps {
		s.s.Release()
		s.s = nil
	}
	clear(l.iters)
	clear(l.snaps)
}

// levelSnap is a snapshot of a level handle.
type levelSnap struct {
	l   *level
	s   *leveldb.Snapshot // nil once released
	gen uint64
}

// NewIterator is leveldb.Snapshot.NewIterator; after a reopen it returns
// an iterator that fails with errReopened.
func (s *levelSnap) NewIterator(r *util.Range, ro *opt.ReadOptions) iterator.Iterator {
	s.l.mu.RLock()
	defer s.l.mu.RUnlock()
	s.l.imu.Lock()
	defer s.l.imu.Unlock()
	if s.s == nil {
		return iterator.NewEmptyIterator(errReopened)
	}
	it := &levelIter{l: s.l, it: s.s.NewIterator(r, ro), gen: s.gen}
	s.l.iters[it] = true
	return it
}

// Release releases the snapshot; it is safe to call twice.
func (s *levelSnap) Release() {
	s.l.imu.Lock()
	defer s.l.imu.Unlock()
	if s.s != nil {
		s.s.Release()
		s.s = nil
		delete(s.l.snaps, s)
	}
}

// levelIter is an iterator of a level handle. Key and Value stay valid
// until the next step, as goleveldb's (after a reopen they keep the bytes
// they had). Its steps hold its own mutex, which a reopen takes to end
// it (releaseAll), not the handle's: an iterator is used by one
// goroutine, so that mutex is never contended, where the handle's
// RWMutex, taken per step, made readers on two cores fight over its
// reader count (8% of a node's CPU under two LRANGEs of one list).
type levelIter struct {
	l   *level
	mu  sync.Mutex
	it  iterator.Iterator // nil once released or ended by a reopen
	gen uint64
	err error
}

var _ iterator.Iterator = (*levelIter)(nil)

// step runs fn on the live iterator, or reports errReopened.
func (i *levelIter) step(fn func(iterator.Iterator) bool) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.it == nil {
		if i.gen != i.l.gen.Load() && i.err == nil {
			i.err = errReopened
		}
		return false
	}
	return fn(i.it)
}

func (i *levelIter) First() bool { return i.step(iterator.Iterator.First) }
func (i *levelIter) Last() bool  { return i.step(iterator.Iterator.Last) }
func (i *levelIter) Next() bool  { return i.step(iterator.Iterator.Next) }
func (i *levelIter) Prev() bool  { return i.step(iterator.Iterator.Prev) }
func (i *levelIter) Valid() bool { return i.step(iterator.Iterator.Valid) }

func (i *levelIter) Seek(key []byte) bool {
	return i.step(func(it iterator.Iterator) bool { return it.Seek(key) })
}

func (i *levelIter) Key() []byte {
	var k []byte
	i.step(func(it iterator.Iterator) bool { k = it.Key(); return true })
	return k
}

// KeyValue is Key and Value in one step (one lock, not two).
func (i *levelIter) KeyValue() (k, v []byte) {
	i.step(func(it iterator.Iterator) bool { k, v = it.Key(), it.Value(); return true })
	return k, v
}

// keyValue returns it's key and value, in one step where it can.
func keyValue(it iterator.Iterator) (k, v []byte) {
	if kv, ok := it.(interface{ KeyValue() ([]byte, []byte) }); ok {
		return kv.KeyValue()
	}
	return it.Key(), it.Value()
}

func (i *levelIter) Value() []byte {
	var v []byte
	i.step(func(it iterator.Iterator) bool { v = it.Value(); return true })
	return v
}

func (i *levelIter) Error() error {
	var err error
	if !i.step(func(it iterator.Iterator) bool { err = it.Error(); return true }) {
		return i.err
	}
	return err
}

// Release releases the iterator; it is safe to call twice.
func (i *levelIter) Release() {
	i.l.imu.Lock()
	defer i.l.imu.Unlock()
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.it != nil {
		i.it.Release()
		i.it = nil
		delete(i.l.iters, i)
	}
}

// SetReleaser is not supported (nothing in the engine uses it).
func (i *levelIter) SetReleaser(util.Releaser) {}
