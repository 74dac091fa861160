package engine

import (
	"math/bits"
	"runtime"
	"runtime/debug"
	"time"
)

// Returning the memory of large values. A large value's bytes are garbage
// once its command is done (blobs keep sets out of the heap), but Go's
// collector only runs when the heap has doubled since the last cycle, and
// then hands pages back to the OS slowly: after a DEL of a 512 MB value
// the process kept its peak RSS, and a loop of APPENDs grew the heap to
// several times the value. So when a write or a DEL drops a blob of
// bigFree bytes or more, the DB's memory goroutine runs a collection at
// once (the next large value reuses the memory instead of growing the
// heap), and once no large value was read, written or dropped for
// freeQuiet, one that returns the free memory to the OS
// (debug.FreeOSMemory: it holds the heap for a few hundred ms and the
// next large value must fault its pages in again, too slow to run while
// large values are in use).
const (
	bigFree   = 32 << 20
	freeQuiet = 3 * time.Second
)

// bigCap is the capacity to allocate for a large buffer of n bytes: n
// rounded up to an eighth of the power of two above it (at most 1/8
// more), so the buffers of successive commands on a growing value fall in
// a few sizes, and a freed one is reused instead of new memory taken from
// the OS.
func bigCap(n int) int {
	if n < bigFree {
		return n
	}
	step := 1 << (bits.Len(uint(n)) - 3)
	return (n + step - 1) / step * step
}

// usedBig records that a blob of size bytes is being read or written, so
// the memory goroutine waits before returning memory.
func (db *DB) usedBig(size int) {
	if size >= bigFree {
		db.lastBig.Store(time.Now().UnixNano())
		db.bigUsed.Store(true) // bigval_blob.go
	}
}

// noteFreed asks the memory goroutine for a collection after size bytes
// of a large value were dropped; it never blocks.
func (db *DB) noteFreed(size uint64) {
	if size < bigFree {
		return
	}
	db.usedBig(int(size))
	select {
	case db.freeReq <- struct{}{}:
	default:
	}
}

// memoryLoop is the goroutine that returns memory (start runs it).
func (db *DB) memoryLoop() {
	defer db.wg.Done()
	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	for {
		select {
		case <-db.stop:
			return
		case <-db.freeReq:
			runtime.GC()
			quiet.Reset(freeQuiet)
		case <-quiet.C:
			if wait := time.Until(time.Unix(0, db.lastBig.Load()).Add(freeQuiet)); wait > 0 {
				quiet.Reset(wait)
				continue
			}
			debug.FreeOSMemory()
		}
	}
}
