package engine

import (
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
// heap), and once no large value was dropped for freeQuiet, one that
// returns the free memory to the OS (debug.FreeOSMemory; it holds the
// heap for a few hundred ms, too long to run between commands).
const (
	bigFree   = 32 << 20
	freeQuiet = time.Second
)

// noteFreed asks the memory goroutine for a collection after size bytes
// of a large value were dropped; it never blocks.
func (db *DB) noteFreed(size uint64) {
	if size < bigFree {
		return
	}
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
			debug.FreeOSMemory()
		}
	}
}
