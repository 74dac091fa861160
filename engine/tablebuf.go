package engine

import (
	"bufio"
	"errors"

	"github.com/syndtr/goleveldb/leveldb/storage"
)

// tableBufSize is the buffer in front of each table file being written.
const tableBufSize = 256 << 10

// bufferedTables is goleveldb's file storage with its table files
// written through a buffer. goleveldb writes a table one 4 KiB block at a
// time, each its own write(2): on the receiver of a 1 GB partition
// handoff, 23% of the CPU went to those calls (flushes and compactions,
// os.(*File).Write under table.(*Writer).writeBlock). A table is read only
// once it is finished, and goleveldb finishes it with Sync then Close, so
// the buffer changes nothing anyone sees. The journal and the manifest
// are not buffered: a write to them must reach the kernel at once.
type bufferedTables struct{ storage.Storage }

func (s bufferedTables) Create(fd storage.FileDesc) (storage.Writer, error) {
	w, err := s.Storage.Create(fd)
	if err != nil || fd.Type != storage.TypeTable {
		return w, err
	}
	return &bufferedWriter{w: w, b: bufio.NewWriterSize(w, tableBufSize)}, nil
}

// bufferedWriter is a storage.Writer behind a bufio.Writer: Sync and
// Close write the buffer out first.
type bufferedWriter struct {
	w storage.Writer
	b *bufio.Writer
}

func (w *bufferedWriter) Write(p []byte) (int, error) { return w.b.Write(p) }

func (w *bufferedWriter) Sync() error {
	if err := w.b.Flush(); err != nil {
		return err
	}
	return w.w.Sync()
}

func (w *bufferedWriter) Close() error {
	return errors.Join(w.b.Flush(), w.w.Close())
}
