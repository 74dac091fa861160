package engine

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ringkv/ringkv/replica/version"
)

// sib is a fresh set with one sibling by node, concurrent with everything.
func sib(node, val string) version.Set {
	s, _ := version.Set(nil).Put(node, version.Context{}, version.Sibling{Value: []byte(val), Time: 10}, 0)
	return s
}

func mustPutHint(t *testing.T, db *DB, target, key string, s version.Set) {
	t.Helper()
	if err := db.PutHint(target, []byte(key), s); err != nil {
		t.Fatalf("PutHint %s %q: %v", target, key, err)
	}
}

func allHints(t *testing.T, db *DB) []Hint {
	t.Helper()
	var out []Hint
	if err := db.RangeHints(func(h Hint) bool { out = append(out, h); return true }); err != nil {
		t.Fatal(err)
	}
	return out
}

func hintedSet(t *testing.T, db *DB, key string) version.Set {
	t.Helper()
	s, err := db.HintedSet([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkBook checks the in-memory counts against a scan of the hints.
func checkBook(t *testing.T, db *DB) HintStats {
	t.Helper()
	want := map[string]TargetHints{}
	var bytes int64
	for _, h := range allHints(t, db) {
		th := want[h.Target]
		th.Pending++
		th.Bytes += int64(h.Size)
		want[h.Target] = th
		bytes += int64(h.Size)
	}
	st := db.HintStats()
	if fmt.Sprint(st.Targets) != fmt.Sprint(want) || st.Bytes != bytes {
		t.Fatalf("HintStats %v (%d bytes), stored %v (%d bytes)", st.Targets, st.Bytes, want, bytes)
	}
	return st
}

func TestHintKeyLayout(t *testing.T) {
	cases := []struct{ target, key string }{
		{"n1", "k"}, {"n1", ""}, {"a", "bc"}, {"ab", "c"}, {"node\x00x", "\xff\x00"},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		k := hintKey(c.target, Hash([]byte(c.key)), []byte(c.key))
		target, h, key, ok := parseHintKey(k)
		if !ok || target != c.target || h != Hash([]byte(c.key)) || string(key) != c.key {
			t.Errorf("parse(hintKey(%q, %q)) = %q %x %q %v", c.target, c.key, target, h, key, ok)
		}
		if !bytes.HasPrefix(k, hintTargetPrefix(c.target)) || seen[string(k)] {
			t.Errorf("hintKey(%q, %q) = %x: outside its target's range, or a duplicate", c.target, c.key, k)
		}
		seen[string(k)] = true
	}
	for _, bad := range []string{"", "h", "h\x00", "h\x05ab", "h\x01a1234567", "d\x01a12345678"} {
		if _, _, _, ok := parseHintKey([]byte(bad)); ok {
			t.Errorf("parseHintKey(%q) accepted", bad)
		}
	}
}

// A fallback stores a hint per down replica; reads merge them; a replay
// reads one target's hints only (Dynamo §4.6).
func TestHintsPutReadRange(t *testing.T) {
	o := testOptions(t)
	o.Now = func() int64 { return 5000 }
	db := openMem(t, o)
	s1, s2 := sib("a", "x"), sib("b", "y")
	mustPutHint(t, db, "n2", "k", s1)
	mustPutHint(t, db, "n3", "k", s2)
	mustPutHint(t, db, "n3", "other", s1)
	if got, want := hintedSet(t, db, "k"), s1.Merge(s2); !got.Equal(want) {
		t.Fatalf("HintedSet(k) = %v, want %v", values(got), values(want))
	}
	if got := hintedSet(t, db, "none"); got != nil {
		t.Fatalf("HintedSet(none) = %v", got)
	}
	var n3 []string
	err := db.RangeHintsFor("n3", func(h Hint) bool {
		if h.Target != "n3" || h.Added != 5000 || h.Size <= 0 {
			t.Errorf("bad hint %+v", h)
		}
		n3 = append(n3, string(h.Key))
		return true
	})
	if err != nil || len(n3) != 2 {
		t.Fatalf("RangeHintsFor(n3) = %v, %v", n3, err)
	}
	all := allHints(t, db)
	done := map[string]bool{}
	for i, h := range all {
		if i > 0 && h.Target != all[i-1].Target {
			done[all[i-1].Target] = true
		}
		if done[h.Target] {
			t.Fatalf("RangeHints not grouped by target: %+v", all)
		}
	}
	if len(all) != 3 {
		t.Fatalf("RangeHints = %+v", all)
	}
	st := checkBook(t, db)
	if st.Pending != 3 || st.Targets["n3"].Pending != 2 || st.Targets["n2"].Pending != 1 {
		t.Fatalf("HintStats = %+v", st)
	}
	if mustGet(t, db, "k") != nil || db.Len() != 0 {
		t.Fatal("a hint wrote the key's record")
	}
	if err := db.PutHint("", []byte("k"), s1); err == nil {
		t.Fatal("PutHint with no target accepted")
	}
}

// Hints for one (target, key) merge into one, keeping the first Added.
func TestHintsMerge(t *testing.T) {
	now := int64(1000)
	o := testOptions(t)
	o.Now = func() int64 { return now }
	db := openMem(t, o)
	v1 := put(nil, "a", "v1", 0)
	mustPutHint(t, db, "n2", "k", v1)
	now = 2000
	v2 := put(v1, "a", "v2", 0)
	mustPutHint(t, db, "n2", "k", v2)
	mustPutHint(t, db, "n2", "k", sib("b", "w"))
	mustPutHint(t, db, "n2", "k", v1) // obsolete: no change
	hs := allHints(t, db)
	want := v2.Merge(sib("b", "w"))
	if len(hs) != 1 || !hs[0].Set.Equal(want) || hs[0].Added != 1000 {
		t.Fatalf("hints %+v, want one with %v added at 1000", hs, values(want))
	}
	checkBook(t, db)
}

// DeleteHint deletes only what the target acknowledged: a version hinted
// after the replay read the hint survives (no acknowledged write lost).
func TestDeleteHintOnlyIfCovered(t *testing.T) {
	db := openMem(t, testOptions(t))
	mustPutHint(t, db, "n2", "k", sib("a", "x"))
	read := allHints(t, db)[0]
	mustPutHint(t, db, "n2", "k", sib("b", "y")) // lands during the replay
	if ok, err := db.DeleteHint("n2", []byte("k"), read.Set); ok || err != nil {
		t.Fatalf("DeleteHint of a stale read = %v, %v; want kept", ok, err)
	}
	left := allHints(t, db)
	if len(left) != 1 || len(left[0].Set) != 2 {
		t.Fatalf("after refused delete: %+v", left)
	}
	if ok, _ := db.DeleteHint("n3", []byte("k"), left[0].Set); ok {
		t.Fatal("deleted another target's hint")
	}
	// The target acknowledged more than the hint: fine.
	more := left[0].Set.Merge(sib("c", "z"))
	if ok, err := db.DeleteHint("n2", []byte("k"), more); !ok || err != nil {
		t.Fatalf("DeleteHint covered = %v, %v", ok, err)
	}
	if ok, err := db.DeleteHint("n2", []byte("k"), more); ok || err != nil {
		t.Fatalf("second DeleteHint = %v, %v", ok, err)
	}
	st := checkBook(t, db)
	if st.Pending != 0 || st.Delivered != 1 || len(st.Targets) != 0 || hintedSet(t, db, "k") != nil {
		t.Fatalf("after delivery: %+v", st)
	}
}

// Hints survive a clean and an unclean restart; Open recounts them.
func TestHintsDurable(t *testing.T) {
	dir := t.TempDir()
	db := mustOpen(t, dir, testOptions(t))
	for i := range 20 {
		mustPutHint(t, db, fmt.Sprintf("n%d", i%3), key(i), sib("a", key(i)))
	}
	before := checkBook(t, db)
	crashed := crashCopy(t, dir)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, crashed} {
		db := mustOpen(t, d, testOptions(t))
		st := checkBook(t, db)
		if st.Pending != 20 || st.Bytes != before.Bytes || fmt.Sprint(st.Targets) != fmt.Sprint(before.Targets) {
			t.Fatalf("%s: reopened HintStats %+v, want %+v", d, st, before)
		}
		if got := hintedSet(t, db, key(7)); !got.Equal(sib("a", key(7))) {
			t.Fatalf("%s: HintedSet = %v", d, values(got))
		}
		db.Close()
	}
}

func TestHintMaxBytes(t *testing.T) {
	probe := openMem(t, testOptions(t))
	mustPutHint(t, probe, "n2", "k1", sib("a", "x"))
	size := allHints(t, probe)[0].Size

	o := testOptions(t)
	o.HintMaxBytes = int64(size) + int64(size)/2
	db := openMem(t, o)
	mustPutHint(t, db, "n2", "k1", sib("a", "x"))
	if err := db.PutHint("n2", []byte("k2"), sib("a", "x")); !errors.Is(err, ErrHintsFull) {
		t.Fatalf("PutHint past the limit = %v, want ErrHintsFull", err)
	}
	if st := checkBook(t, db); st.Pending != 1 || st.Dropped != 1 {
		t.Fatalf("after refusal: %+v", st)
	}
	if hintedSet(t, db, "k2") != nil {
		t.Fatal("refused hint stored")
	}
	if ok, err := db.DeleteHint("n2", []byte("k1"), sib("a", "x")); !ok || err != nil {
		t.Fatalf("DeleteHint = %v, %v", ok, err)
	}
	mustPutHint(t, db, "n2", "k2", sib("a", "x")) // room again
	checkBook(t, db)
}

func TestDropExpiredHints(t *testing.T) {
	now := int64(1_000_000)
	o := testOptions(t)
	o.HintMaxAge = time.Minute
	o.Now = func() int64 { return now }
	db := openMem(t, o)
	mustPutHint(t, db, "n2", "old", sib("a", "x"))
	mustPutHint(t, db, "n3", "old", sib("a", "x"))
	now += 30_000
	mustPutHint(t, db, "n2", "young", sib("a", "y"))
	mustPutHint(t, db, "n2", "old", sib("b", "z")) // merging keeps its age
	if n, err := db.DropExpiredHints(1_000_000 + 60_000); n != 0 || err != nil {
		t.Fatalf("DropExpiredHints at exactly max age = %d, %v", n, err)
	}
	n, err := db.DropExpiredHints(1_000_000 + 60_001)
	if n != 2 || err != nil {
		t.Fatalf("DropExpiredHints = %d, %v; want the two 'old' hints", n, err)
	}
	hs := allHints(t, db)
	if len(hs) != 1 || string(hs[0].Key) != "young" {
		t.Fatalf("left %+v", hs)
	}
	if st := checkBook(t, db); st.Dropped != 2 {
		t.Fatalf("dropped %d, want 2", st.Dropped)
	}

	o.HintMaxAge = -1
	forever := openMem(t, o)
	mustPutHint(t, forever, "n2", "k", sib("a", "x"))
	if n, err := forever.DropExpiredHints(1 << 60); n != 0 || err != nil {
		t.Fatalf("DropExpiredHints without a max age = %d, %v", n, err)
	}
}

func TestDropHintsOfTarget(t *testing.T) {
	db := openMem(t, testOptions(t))
	for i := range 5 {
		mustPutHint(t, db, "gone", key(i), sib("a", "x"))
	}
	mustPutHint(t, db, "go", key(0), sib("a", "x")) // a prefix of "gone"
	if n, err := db.DropHints("gone"); n != 5 || err != nil {
		t.Fatalf("DropHints = %d, %v", n, err)
	}
	hs := allHints(t, db)
	if len(hs) != 1 || hs[0].Target != "go" {
		t.Fatalf("left %+v", hs)
	}
	if st := checkBook(t, db); st.Dropped != 5 {
		t.Fatalf("dropped %d", st.Dropped)
	}
}

// FLUSHALL deletes the hints too, and a hint for a version written
// before the flush is not stored (as Merge would drop it).
func TestFlushDeletesHints(t *testing.T) {
	db := openMem(t, testOptions(t))
	mustPutHint(t, db, "n2", "k", sib("a", "x")) // Time 10
	if err := db.Flush(100); err != nil {
		t.Fatal(err)
	}
	mustPutHint(t, db, "n2", "k2", sib("a", "x"))
	if st := checkBook(t, db); st.Pending != 0 || len(allHints(t, db)) != 0 {
		t.Fatalf("after Flush: %+v", st)
	}
	later, _ := version.Set(nil).Put("a", version.Context{}, version.Sibling{Value: []byte("y"), Time: 101}, 0)
	mustPutHint(t, db, "n2", "k", later)
	if st := checkBook(t, db); st.Pending != 1 {
		t.Fatalf("hint after Flush: %+v", st)
	}
}

// TestHintReplayRace: writers keep hinting versions of one key while a
// replayer delivers and deletes hints; at the end the target holds every
// write, whatever the interleaving (no merged version lost).
func TestHintReplayRace(t *testing.T) {
	db := openMem(t, testOptions(t))
	const writes = 200
	finals := make([]version.Set, 2)
	var wg sync.WaitGroup
	var writing atomic.Int32
	writing.Store(2)
	for w, node := range []string{"a", "b"} {
		wg.Go(func() {
			defer writing.Add(-1)
			var cur version.Set
			for i := range writes {
				cur = put(cur, node, fmt.Sprintf("%s%d", node, i), 0)
				if err := db.PutHint("n2", []byte("k"), cur); err != nil {
					t.Error(err)
					return
				}
			}
			finals[w] = cur
		})
	}
	var target version.Set // the down replica's copy of k
	replay := func() {
		err := db.RangeHintsFor("n2", func(h Hint) bool {
			target = target.Merge(h.Set) // the target acknowledges
			if _, err := db.DeleteHint(h.Target, h.Key, h.Set); err != nil {
				t.Error(err)
			}
			return true
		})
		if err != nil {
			t.Error(err)
		}
	}
	for i := 0; writing.Load() > 0; i++ {
		if i > 1_000_000 {
			t.Fatal("writers never finished")
		}
		replay()
	}
	wg.Wait()
	replay()
	want := finals[0].Merge(finals[1])
	if !target.Equal(want) {
		t.Fatalf("target holds %v, want %v", values(target), values(want))
	}
	if st := checkBook(t, db); st.Pending != 0 || st.Delivered == 0 {
		t.Fatalf("after replay: %+v", st)
	}
}

// A PutHint racing a Flush never leaves a hint for a version written
// before the flush (the flush time is read under the gate).
func TestPutHintRacingFlush(t *testing.T) {
	db := openMem(t, testOptions(t))
	for i := range 200 {
		flushAt := int64(1000 + 10*i)
		old := version.Set{{Dot: version.Dot{Node: "a", Counter: 1}, Value: []byte("old"), Time: flushAt - 1}}
		var wg sync.WaitGroup
		wg.Go(func() { _ = db.PutHint("n2", []byte("k"), old) })
		wg.Go(func() { _ = db.flushLocked(flushAt) })
		wg.Wait()
		if s := hintedSet(t, db, "k"); len(s) != 0 {
			t.Fatalf("round %d: a hint from before the flush survived it: %v", i, values(s))
		}
	}
}
