package engine

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// TestRangeFromResumesAfterCursor pages through every record, many of
// which share a hash (a collection's elements), with a (hash, key) cursor:
// each record is visited exactly once, in order.
func TestRangeFromResumesAfterCursor(t *testing.T) {
	db := openMem(t, testOptions(t))
	var want []string
	for i := range 30 {
		k := fmt.Appendf(nil, "k%02d", i)
		if i%3 == 0 { // elements of one collection: one hash
			k = append([]byte{0xFF, 'h', 1, 'c'}, fmt.Appendf(nil, "m%02d", i)...)
		}
		if _, err := db.Update(k, setTo("n1", "v", 0)); err != nil {
			t.Fatal(err)
		}
		want = append(want, string(k))
	}
	var got []string
	var afterHash uint64
	var afterKey []byte
	for pages := 0; ; pages++ {
		if pages > 40 {
			t.Fatal("paging does not end")
		}
		n := 0
		err := db.RangeFrom(0, ^uint64(0), afterHash, afterKey, func(h uint64, key []byte, _ version.Set) bool {
			if n == 4 {
				return false
			}
			got = append(got, string(key))
			afterHash, afterKey = h, bytes.Clone(key)
			n++
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if len(got) != len(want) {
		t.Fatalf("paged %d records, want %d: %q", len(got), len(want), got)
	}
	seen := map[string]bool{}
	for _, k := range got {
		if seen[k] {
			t.Fatalf("record %q visited twice", k)
		}
		seen[k] = true
	}
	h0, ok, err := db.NextRecordHash(0)
	if err != nil || !ok {
		t.Fatalf("NextRecordHash(0) = %v, %v", ok, err)
	}
	if _, ok, _ := db.NextRecordHash(h0 + 1); !ok && len(want) > 1 {
		// Possible only if every record shares h0; they do not.
		t.Fatal("NextRecordHash found nothing after the first hash")
	}
	if has, err := db.HasRecords(0, h0-1); err != nil || (h0 > 0 && has) {
		t.Fatalf("HasRecords below the first hash = %v, %v", has, err)
	}
}

// TestHandoffStateRoundTrip stores, lists and deletes handoff records.
func TestHandoffStateRoundTrip(t *testing.T) {
	db := openMem(t, testOptions(t))
	for _, name := range []string{"in/2", "in/10", "ring"} {
		if err := db.SetHandoffState(name, []byte("v-"+name)); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	if err := db.EachHandoffState("in/", func(name string, v []byte) bool {
		if string(v) != "v-"+name {
			t.Fatalf("%s = %q", name, v)
		}
		names = append(names, name)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 {
		t.Fatalf("records under in/ = %v, want in/10 and in/2", names)
	}
	if err := db.SetHandoffState("in/2", nil); err != nil {
		t.Fatal(err)
	}
	if v, err := db.HandoffState("in/2"); err != nil || v != nil {
		t.Fatalf("deleted record = %q, %v", v, err)
	}
	if v, _ := db.HandoffState("ring"); string(v) != "v-ring" {
		t.Fatalf("ring = %q", v)
	}
}
