package engine

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
)

// logBuf collects log lines (safe for concurrent writers).
type logBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// loggedOptions are testOptions with sync mode m whose logs also go to l.
func loggedOptions(t *testing.T, m SyncMode, l *logBuf) Options {
	o := testOptions(t)
	o.Sync = m
	o.Logger = zerolog.New(io.MultiWriter(zerolog.NewTestWriter(t), l))
	return o
}

func mustOpen(t *testing.T, dir string, o Options) *DB {
	t.Helper()
	db, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// crashCopy copies dir's files as a process crash would leave them: what
// was written to the OS, without Close.
func crashCopy(t *testing.T, dir string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestActorFreshDirectory(t *testing.T) {
	var l logBuf
	db := openMem(t, loggedOptions(t, SyncEverySec, &l))
	if a := db.Actor(); len(a) != actorLen || !validActor(a) {
		t.Fatalf("Actor() = %q, want %d base32 characters", a, actorLen)
	}
	if !strings.Contains(l.String(), "new or wiped directory") {
		t.Fatalf("no reason logged for the first actor: %s", l.String())
	}
}

func TestActorKeptByCleanReopen(t *testing.T) {
	for _, m := range []SyncMode{SyncEverySec, SyncAlways, SyncNo} {
		dir := t.TempDir()
		db := mustOpen(t, dir, loggedOptions(t, m, &logBuf{}))
		a := db.Actor()
		mustUpdate(t, db, "k", setTo(a, "v", 0))
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db = mustOpen(t, dir, loggedOptions(t, m, &logBuf{}))
		if got := db.Actor(); got != a {
			t.Errorf("%v: actor %q after a clean reopen, want %q", m, got, a)
		}
		db.Close()
	}
}

// TestActorAfterCrash: an open without a clean Close gets a new actor
// when the crashed run could have lost acknowledged writes (its
// appendfsync was not always), whatever the new run's mode.
func TestActorAfterCrash(t *testing.T) {
	for _, tc := range []struct {
		crashed, next SyncMode
		changes       bool
	}{
		{SyncEverySec, SyncEverySec, true},
		{SyncNo, SyncNo, true},
		{SyncEverySec, SyncAlways, true},
		{SyncAlways, SyncAlways, false},
		{SyncAlways, SyncEverySec, false},
	} {
		dir := t.TempDir()
		db := mustOpen(t, dir, loggedOptions(t, tc.crashed, &logBuf{}))
		a := db.Actor()
		mustUpdate(t, db, "k", setTo(a, "v", 0))
		crashed := crashCopy(t, dir)
		db.Close()

		var l logBuf
		db = mustOpen(t, crashed, loggedOptions(t, tc.next, &l))
		if got := db.Actor(); (got != a) != tc.changes {
			t.Errorf("crash under %v, reopen under %v: actor %q -> %q, want changed=%v",
				tc.crashed, tc.next, a, got, tc.changes)
		}
		if tc.changes && !strings.Contains(l.String(), "without a clean shutdown") {
			t.Errorf("crash under %v: no reason logged: %s", tc.crashed, l.String())
		}
		if len(values(mustGet(t, db, "k"))) != 1 {
			t.Errorf("crash under %v: the record did not survive", tc.crashed)
		}
		// The run after the crash closes cleanly: the next open keeps its actor.
		b := db.Actor()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db = mustOpen(t, crashed, loggedOptions(t, tc.next, &logBuf{}))
		if got := db.Actor(); got != b {
			t.Errorf("clean reopen after recovery: actor %q, want %q", got, b)
		}
		db.Close()
	}
}

func TestActorWipedDirectory(t *testing.T) {
	dir := t.TempDir()
	db := mustOpen(t, dir, testOptions(t))
	a := db.Actor()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	db = mustOpen(t, dir, testOptions(t))
	defer db.Close()
	if db.Actor() == a {
		t.Fatalf("a wiped directory kept actor %q", a)
	}
}

func TestActorChangedByFlush(t *testing.T) {
	dir := t.TempDir()
	var l logBuf
	db := mustOpen(t, dir, loggedOptions(t, SyncEverySec, &l))
	a := db.Actor()
	if err := db.Flush(100); err != nil {
		t.Fatal(err)
	}
	b := db.Actor()
	if b == a || !strings.Contains(l.String(), "FLUSHALL") {
		t.Fatalf("Flush: actor %q -> %q; log: %s", a, b, l.String())
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpen(t, dir, testOptions(t))
	defer db.Close()
	if got := db.Actor(); got != b {
		t.Fatalf("after Flush and a clean reopen actor %q, want %q", got, b)
	}
}

func TestNewActor(t *testing.T) {
	dir := t.TempDir()
	db := mustOpen(t, dir, testOptions(t))
	seen := map[string]bool{db.Actor(): true}
	var last string
	for range 20 {
		a, err := db.NewActor()
		if err != nil {
			t.Fatal(err)
		}
		if seen[a] || a != db.Actor() || !validActor(a) {
			t.Fatalf("NewActor = %q (Actor %q), seen before: %v", a, db.Actor(), seen[a])
		}
		seen[a], last = true, a
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewActor(); !errors.Is(err, ErrClosed) {
		t.Fatalf("NewActor after Close = %v, want ErrClosed", err)
	}
	db = mustOpen(t, dir, testOptions(t))
	defer db.Close()
	if db.Actor() != last {
		t.Fatalf("reopen: actor %q, want the last NewActor %q", db.Actor(), last)
	}
}

// TestActorTokensNeverRepeat draws many tokens: all distinct and well
// formed (40 random bits each: a repeat among 1000 has odds ~5e-7).
func TestActorTokensNeverRepeat(t *testing.T) {
	seen := make(map[string]bool)
	prev := ""
	for range 1000 {
		tok := newActorToken(prev)
		if seen[tok] || !validActor(tok) {
			t.Fatalf("token %q repeated or malformed", tok)
		}
		seen[tok], prev = true, tok
	}
}

func TestActorMalformedIsReplaced(t *testing.T) {
	dir := t.TempDir()
	db := mustOpen(t, dir, testOptions(t))
	if err := db.ldb.Put(metaKey(metaActor), []byte("Not a token!"), nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpen(t, dir, testOptions(t))
	defer db.Close()
	if !validActor(db.Actor()) {
		t.Fatalf("malformed stored actor kept: %q", db.Actor())
	}
}
