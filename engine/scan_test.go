package engine

import (
	"bytes"
	"slices"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

type rec struct {
	h   uint64
	key string
}

func rangeAll(t *testing.T, db *DB, lo, hi uint64) []rec {
	t.Helper()
	var out []rec
	err := db.Range(lo, hi, func(h uint64, k []byte, s version.Set) bool {
		if h != Hash(k) || len(s) == 0 {
			t.Fatalf("Range gave %x for %q with %v", h, k, s)
		}
		out = append(out, rec{h, string(k)})
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRangeOrderAndBounds(t *testing.T) {
	db := openMem(t, testOptions(t))
	var want []rec
	for i := range 300 {
		mustUpdate(t, db, key(i), setTo("a", "v", 0))
		want = append(want, rec{Hash([]byte(key(i))), key(i)})
	}
	mustUpdate(t, db, key(7), func(cur version.Set) (version.Set, bool, error) { return del(cur, "a"), true, nil })
	slices.SortFunc(want, func(a, b rec) int {
		if a.h != b.h {
			return cmpU64(a.h, b.h)
		}
		return bytes.Compare([]byte(a.key), []byte(b.key))
	})
	if got := rangeAll(t, db, 0, ^uint64(0)); !slices.Equal(got, want) {
		t.Fatalf("full Range: got %d records, not in (hash, key) order or incomplete", len(got))
	}
	// Bounds are inclusive: [want[10].h, want[20].h] holds exactly 10..20.
	if got := rangeAll(t, db, want[10].h, want[20].h); !slices.Equal(got, want[10:21]) {
		t.Fatalf("Range [%x,%x] = %v, want %v", want[10].h, want[20].h, got, want[10:21])
	}
	if got := rangeAll(t, db, want[5].h, want[5].h); !slices.Equal(got, want[5:6]) {
		t.Fatalf("single-hash Range = %v", got)
	}
	if got := rangeAll(t, db, want[20].h, want[10].h); len(got) != 0 {
		t.Fatalf("Range with lo > hi = %v", got)
	}
	last := want[len(want)-1]
	if got := rangeAll(t, db, last.h, ^uint64(0)); !slices.Equal(got, want[len(want)-1:]) {
		t.Fatalf("Range to the top = %v", got)
	}
}

func TestRangeStopsAndIsSnapshot(t *testing.T) {
	db := openMem(t, testOptions(t))
	for i := range 50 {
		mustUpdate(t, db, key(i), setTo("a", "old", 0))
	}
	n := 0
	err := db.Range(0, ^uint64(0), func(_ uint64, k []byte, s version.Set) bool {
		if n == 0 { // writes during the scan are not seen
			for i := range 100 {
				mustUpdate(t, db, key(i), setTo("a", "new", 0))
			}
		}
		if !slices.Equal(values(s), []string{"old"}) {
			t.Fatalf("Range saw %q = %v, want the snapshot's old value", k, values(s))
		}
		n++
		return n < 40
	})
	if err != nil || n != 40 {
		t.Fatalf("Range visited %d (err %v), want 40 then stop", n, err)
	}
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
