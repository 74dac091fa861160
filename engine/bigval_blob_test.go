package engine

import (
	"bytes"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"

	"github.com/ringkv/ringkv/replica/merkle"
	"github.com/ringkv/ringkv/replica/version"
)

// A set streamed to its blob is stored byte for byte as the encoding
// AppendBinary makes, with the record (size, CRC-32C, digest) the
// encoding would have: the format is unchanged, and a blob written by
// the old code reads as before.
func TestStreamedBlobIsTheEncoding(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, blobOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key := []byte("big")
	big := strings.Repeat("v", 5000)
	mustUpdate(t, db, "big", setTo("a", big, 0))
	stored := mustUpdate(t, db, "big", func(cur version.Set) (version.Set, bool, error) {
		// a second sibling, with a tombstone last
		return cur.Merge(version.Set{{Dot: version.Dot{Node: "z", Counter: 1}, Tombstone: true, Time: 1}}), true, nil
	})
	enc := stored.AppendBinary(nil)
	raw, err := db.ldb.Get(dataKey(Hash(key), key), nil)
	if err != nil {
		t.Fatal(err)
	}
	ref, ok, err := parseBlobRecord(raw)
	if !ok || err != nil {
		t.Fatalf("not a blob record: %v", err)
	}
	if want := blobRecord(ref.id, enc, merkle.Digest(key, enc), true); !bytes.Equal(raw, want) {
		t.Fatalf("record %x, want %x", raw, want)
	}
	got, err := db.blobs.get(ref.id)
	if err != nil || !bytes.Equal(got, enc) || ref.crc != crc32.Checksum(enc, castagnoli) {
		t.Fatalf("blob holds %d bytes (%v), want the %d of the encoding", len(got), err, len(enc))
	}
	if s := mustGet(t, db, "big"); !s.Equal(stored) {
		t.Fatalf("read back %v", values(s))
	}
}

// A write gets a large value in a buffer of its own with room to grow: an
// append to it (APPEND) writes in place, and the value stored and read
// back is the grown one, while a read's copy has no room (nothing may
// append into a buffer readers share).
func TestWriteGrowsLargeValueInPlace(t *testing.T) {
	t.Run("files", func(t *testing.T) {
		db, err := Open(t.TempDir(), blobOptions(t))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		growInPlace(t, db)
	})
	t.Run("memory", func(t *testing.T) {
		db, err := OpenMem(blobOptions(t))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		growInPlace(t, db)
	})
}

func growInPlace(t *testing.T, db *DB) {
	t.Helper()
	big := strings.Repeat("v", 5000)
	mustUpdate(t, db, "big", setTo("a", big, 0))
	if s := mustGet(t, db, "big"); cap(s[0].Value) != len(s[0].Value) {
		t.Errorf("a read's value has room to grow: cap %d, len %d", cap(s[0].Value), len(s[0].Value))
	}
	inPlace := false
	mustUpdate(t, db, "big", func(cur version.Set) (version.Set, bool, error) {
		old := cur[0].Value
		if cap(old)-len(old) < 100 {
			t.Errorf("a write's value has %d bytes of room", cap(old)-len(old))
			return nil, false, nil
		}
		nv := append(old, "tail"...)
		inPlace = &nv[0] == &old[0]
		next, _ := cur.Put("a", cur.Context(), version.Sibling{Value: nv, Time: 2}, 0)
		return next, true, nil
	})
	if !inPlace {
		t.Error("the append copied the value")
	}
	if got := values(mustGet(t, db, "big")); len(got) != 1 || got[0] != big+"tail" {
		t.Errorf("stored %d bytes, want %d", len(got[0]), len(big)+4)
	}
}

// A large read collects first when a large value was used since the last
// such collection, once; small reads and a second large read do not.
func TestCollectBigOncePerLargeUse(t *testing.T) {
	db, err := OpenMem(blobOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cycles := func(f func()) uint32 {
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		f()
		runtime.ReadMemStats(&b)
		return b.NumForcedGC - a.NumForcedGC
	}
	db.usedBig(bigFree)
	if n := cycles(func() { db.collectBig(bigFree - 1) }); n != 0 {
		t.Errorf("a small read ran %d collections", n)
	}
	if n := cycles(func() { db.collectBig(bigFree) }); n != 1 {
		t.Errorf("a large read after a large use ran %d collections, want 1", n)
	}
	if n := cycles(func() { db.collectBig(bigFree) }); n != 0 {
		t.Errorf("a second large read ran %d collections, want 0", n)
	}
	db.noteFreed(bigFree) // a DEL's drop
	if n := cycles(func() { db.collectBig(bigFree) }); n < 1 {
		t.Errorf("a large read after a large drop ran %d collections, want 1", n)
	}
}

// The size a blob's record carries is what was streamed, not what was
// expected: the write format (version.WriteFormat) may change between
// EncodedLen and the stream (once, when the ring's last old member goes),
// and that must not fail the write and stop the node's writes.
func TestBlobRecordCarriesTheSizeWritten(t *testing.T) {
	db, err := Open(t.TempDir(), blobOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := version.Set{{Dot: version.Dot{Node: "a", Counter: 1}, Value: []byte(strings.Repeat("v", 5000)), Time: 1}}
	enc := s.AppendBinary(nil)
	id, record, _, err := db.putBlobSet([]byte("big"), s, len(enc)-3)
	if err != nil {
		t.Fatalf("putBlobSet with a size estimate off by 3: %v", err)
	}
	ref, ok, err := parseBlobRecord(record)
	if !ok || err != nil || ref.id != id || ref.size != uint64(len(enc)) {
		t.Fatalf("record %+v (%v), want id %d and the %d bytes written", ref, err, id, len(enc))
	}
}
