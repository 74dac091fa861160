package engine

import (
	"errors"

	"github.com/syndtr/goleveldb/leveldb"
)

// Errors returned by the engine, wrapped with the key or directory involved.
var (
	ErrClosed      = errors.New("engine: closed")
	ErrFormat      = errors.New("engine: unsupported on-disk format")
	ErrCorrupt     = errors.New("engine: corrupt record")
	ErrBadSyncMode = errors.New("engine: unknown sync mode")
)

// closedErr maps goleveldb's closed error, seen when a call races Close,
// to ErrClosed.
func closedErr(err error) error {
	if errors.Is(err, leveldb.ErrClosed) {
		return ErrClosed
	}
	return err
}
