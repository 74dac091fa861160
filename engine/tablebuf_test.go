package engine

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/syndtr/goleveldb/leveldb/storage"
)

// TestTablesAreWrittenThroughABuffer checks bufferedTables: a table's
// blocks reach the file at Sync or Close, a journal's at once.
func TestTablesAreWrittenThroughABuffer(t *testing.T) {
	dir := t.TempDir()
	fs, err := storage.OpenFile(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	s := bufferedTables{fs}
	size := func(fd storage.FileDesc) int64 {
		st, err := os.Stat(filepath.Join(dir, fsName(fd)))
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	block := bytes.Repeat([]byte("b"), 4096)

	table := storage.FileDesc{Type: storage.TypeTable, Num: 7}
	w, err := s.Create(table)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := w.Write(block); err != nil {
			t.Fatal(err)
		}
	}
	if n := size(table); n != 0 {
		t.Errorf("a table holds %d bytes before Sync; want them buffered", n)
	}
	if err := w.Sync(); err != nil {
		t.Fatal(err)
	}
	if n := size(table); n != 3*4096 {
		t.Errorf("a table holds %d bytes after Sync, want %d", n, 3*4096)
	}
	if _, err := w.Write(block); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := fs.Open(table)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, bytes.Repeat(block, 4)) {
		t.Errorf("a closed table reads back %d bytes (%v), want the 4 blocks written", len(got), err)
	}

	journal := storage.FileDesc{Type: storage.TypeJournal, Num: 8}
	jw, err := s.Create(journal)
	if err != nil {
		t.Fatal(err)
	}
	defer jw.Close()
	if _, err := jw.Write(block); err != nil {
		t.Fatal(err)
	}
	if n := size(journal); n != 4096 {
		t.Errorf("a journal holds %d bytes right after a write, want 4096 (never buffered)", n)
	}
}

// fsName is goleveldb's file name for fd in a file storage.
func fsName(fd storage.FileDesc) string {
	if fd.Type == storage.TypeJournal {
		return fmt.Sprintf("%06d.log", fd.Num)
	}
	return fmt.Sprintf("%06d.ldb", fd.Num)
}
