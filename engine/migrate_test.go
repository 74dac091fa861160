package engine

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/spaolacci/murmur3"
	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/merkle"
	"github.com/ringkv/ringkv/replica/version"
)

// toFormat1 rewrites dir as format 1 laid it out: every record placed by
// murmur3 of the whole key, tagged or not.
func toFormat1(t *testing.T, dir string) {
	t.Helper()
	ldb, err := leveldb.OpenFile(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ldb.Close()
	var b leveldb.Batch
	it := ldb.NewIterator(nil, nil)
	for it.Next() {
		k := it.Key()
		var old []byte
		switch k[0] {
		case prefixData:
			_, key, _ := parseDataKey(k)
			old = dataKey(murmur3.Sum64(key), key)
		case prefixExpiry:
			exp, _, key, _ := parseExpiryKey(k)
			old = expiryKey(exp, murmur3.Sum64(key), key)
		case prefixHint:
			target, _, key, _ := parseHintKey(k)
			old = hintKey(target, murmur3.Sum64(key), key)
		case prefixTomb: // format 5's
			b.Delete(append([]byte(nil), k...))
			continue
		default:
			continue
		}
		b.Delete(append([]byte(nil), k...))
		b.Put(old, append([]byte(nil), it.Value()...))
	}
	it.Release()
	b.Put(metaKey(metaFormat), u64(1))
	if err := ldb.Write(&b, nil); err != nil {
		t.Fatal(err)
	}
}

func TestOpenMigratesFormat1HashTags(t *testing.T) {
	dir := t.TempDir()
	db := mustOpen(t, dir, testOptions(t))
	keys := [][]byte{[]byte("{user1}:cart"), []byte("{user1}:orders"), []byte("plain"), []byte("{}notag")}
	for i, k := range keys {
		exp := int64(0)
		if i == 0 {
			exp = 4102444800000 // an expiry-index record too
		}
		_, err := db.Update(k, func(cur version.Set) (version.Set, bool, error) {
			s, _ := cur.Put("n1", cur.Context(), version.Sibling{Value: k, Time: 1, Expiry: exp}, 0)
			return s, true, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	toFormat1(t, dir)
	if Hash(keys[0]) == murmur3.Sum64(keys[0]) {
		t.Fatal("the tagged key hashes alike in both formats: the test proves nothing")
	}

	db = mustOpen(t, dir, testOptions(t))
	for _, k := range keys {
		s, err := db.Get(k)
		if err != nil || len(s) != 1 || !bytes.Equal(s[0].Value, k) {
			t.Errorf("after migration Get(%q) = %v, %v", k, s, err)
		}
	}
	if n, err := db.Sweep(4102444800001, 100); err != nil || n != 1 {
		t.Errorf("expiry index after migration: swept %d, %v; want the tagged key's 1", n, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ldb, err := leveldb.OpenFile(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ldb.Close()
	if f, _ := ldb.Get(metaKey(metaFormat), nil); !bytes.Equal(f, u64(formatVersion)) {
		t.Errorf("format marker %x, want %d", f, formatVersion)
	}
	it := ldb.NewIterator(nil, nil)
	defer it.Release()
	for it.Next() {
		if _, ok := migratedKey(it.Key()); ok {
			t.Errorf("record %q still under its format-1 hash", it.Key())
		}
	}
}

// Format-3 user keys that start with 0xFF, stored unescaped by that
// format: one a format-4 reader would take for a hash field's element
// record, and a pair where one's escaped form is the other's old key.
var (
	oldSmall = []byte("\xffh\x01ab")     // ElementKey('h', "a", "b"); has an expiry
	oldTag   = []byte("\xff{t}")         // escaped: \xff\x00\xff{t} ...
	oldTwin  = []byte("\xff\x00\xff{t}") // ... this old key, placed alike (by tag t)
	oldBig   = []byte("\xffbig")         // a blob
	oldHint  = []byte("\xffhinted")      // a hint only
	plain    = []byte("plain")
)

const oldExpiry = 4102444800000

// format3 builds in dir what a format-3 build left: the keys above stored
// as they are, placed by murmur3 of their hash tag (format 3's Hash), a
// hint for target "n2", and no live count if recount is set (the count
// a clean Close saved otherwise).
func format3(t *testing.T, dir string, o Options, big []byte, recount bool) {
	t.Helper()
	if Hash(oldTag) != Hash(ring.InternalKey(oldTag)) || Hash(oldTag) != murmur3.Sum64(ring.Tag(oldTwin)) {
		t.Fatal("the twins do not collide: the test proves less")
	}
	if !ring.IsElement(oldSmall) {
		t.Fatal("oldSmall does not read as an element record")
	}
	db := mustOpen(t, dir, o)
	for _, k := range [][]byte{plain, oldSmall, oldTag, oldTwin, oldBig} {
		v, exp := k, int64(0)
		switch {
		case bytes.Equal(k, oldSmall):
			exp = oldExpiry
		case bytes.Equal(k, oldBig):
			v = big
		}
		_, err := db.Update(k, func(cur version.Set) (version.Set, bool, error) {
			s, _ := cur.Put("n1", cur.Context(), version.Sibling{Value: v, Time: 1, Expiry: exp}, 0)
			return s, true, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var none version.Set
	hs, _ := none.Put("n1", none.Context(), version.Sibling{Value: []byte("h"), Time: 1}, 0)
	if err := db.PutHint("n2", oldHint, hs); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ldb, err := leveldb.OpenFile(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ldb.Close()
	var b leveldb.Batch
	it := ldb.NewIterator(nil, nil)
	for it.Next() {
		k := it.Key()
		var old []byte
		switch k[0] {
		case prefixData:
			_, key, _ := parseDataKey(k)
			old = dataKey(murmur3.Sum64(ring.Tag(key)), key)
		case prefixExpiry:
			exp, _, key, _ := parseExpiryKey(k)
			old = expiryKey(exp, murmur3.Sum64(ring.Tag(key)), key)
		case prefixHint:
			target, _, key, _ := parseHintKey(k)
			old = hintKey(target, murmur3.Sum64(ring.Tag(key)), key)
		default:
			continue
		}
		b.Delete(append([]byte(nil), k...))
		b.Put(old, append([]byte(nil), it.Value()...))
	}
	it.Release()
	b.Put(metaKey(metaFormat), u64(3))
	if recount {
		b.Delete(metaKey(metaLive))
	} else {
		// What the format-3 build's Close saved (today's build does not
		// count oldSmall, which it reads as an element record).
		b.Put(metaKey(metaLive), u64(5))
	}
	if err := ldb.Write(&b, nil); err != nil {
		t.Fatal(err)
	}
}

// checkFormat4 checks dir after the migration of format3's directory.
func checkFormat4(t *testing.T, dir string, o Options, big []byte) {
	t.Helper()
	db := mustOpen(t, dir, o)
	for _, k := range [][]byte{plain, oldSmall, oldTag, oldTwin, oldBig} {
		want := k
		if bytes.Equal(k, oldBig) {
			want = big
		}
		s, err := db.Get(ring.InternalKey(k))
		if err != nil || len(s) != 1 || !bytes.Equal(s[0].Value, want) {
			t.Errorf("after migration Get(InternalKey(%q)) = %d siblings, %v", k, len(s), err)
		}
	}
	if s, err := db.Get(oldTag); err != nil || len(s) != 0 {
		t.Errorf("the old unescaped key %q still reads %d siblings, %v", oldTag, len(s), err)
	}
	if n := db.Len(); n != 5 {
		t.Errorf("Len = %d, want 5", n)
	}
	if s, err := db.HintedSet(ring.InternalKey(oldHint)); err != nil || len(s) != 1 || string(s[0].Value) != "h" {
		t.Errorf("hint after migration: %v, %v", s, err)
	}
	raw, err := db.ldb.Get(dataKey(Hash(ring.InternalKey(oldBig)), ring.InternalKey(oldBig)), nil)
	if err != nil {
		t.Fatal(err)
	}
	ref, ok, err := parseBlobRecord(raw)
	if !ok || err != nil {
		t.Fatalf("the big value's record is not a blob record (%v)", err)
	}
	enc, err := db.blobs.get(ref.id)
	if err != nil {
		t.Fatal(err)
	}
	if bk, _ := db.blobs.key(ref.id); !bytes.Equal(bk, ring.InternalKey(oldBig)) {
		t.Errorf("blob written for key %q, want the internal key", bk)
	}
	if d := merkle.Digest(ring.InternalKey(oldBig), enc); ref.digest != d {
		t.Errorf("blob record digest %x, want %x (the new key's)", ref.digest, d)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if f := blobFiles(t, dir); len(f) != 1 {
		t.Errorf("blob files after migration: %v, want 1", f)
	}

	// The raw records: all current, nothing staged, format 4 stamped.
	ldb, err := leveldb.OpenFile(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := ldb.Get(metaKey(metaFormat), nil); !bytes.Equal(f, u64(formatVersion)) {
		t.Errorf("format marker %x, want %d", f, formatVersion)
	}
	it := ldb.NewIterator(nil, nil)
	recs := 0
	for it.Next() {
		k := it.Key()
		if bytes.HasPrefix(k, metaKey(metaStaged)) || bytes.Equal(k, metaKey(metaStagedAll)) {
			t.Errorf("left over: %q", k)
		}
		var key []byte
		var h uint64
		switch k[0] {
		case prefixData:
			h, key, _ = parseDataKey(k)
		case prefixExpiry:
			_, h, key, _ = parseExpiryKey(k)
		case prefixHint:
			_, h, key, _ = parseHintKey(k)
		default:
			continue
		}
		recs++
		if _, ok := ring.UserKey(key); !ok || h != Hash(key) {
			t.Errorf("record %q: not a user key's internal key, or under hash %x", k, h)
		}
	}
	it.Release()
	ldb.Close()
	if recs != 5+1+1 {
		t.Errorf("%d d/x/h records, want 7 (nothing lost, nothing doubled)", recs)
	}

	// Reopen: the orphan sweep keeps the blob; the expiry index still
	// expires the small key.
	db = mustOpen(t, dir, o)
	defer db.Close()
	if s, err := db.Get(ring.InternalKey(oldBig)); err != nil || len(s) != 1 || !bytes.Equal(s[0].Value, big) {
		t.Errorf("big value after a second reopen: %d siblings, %v", len(s), err)
	}
	if n, err := db.Sweep(oldExpiry+1, 100); err != nil || n != 1 {
		t.Errorf("expiry index after migration: swept %d, %v; want 1", n, err)
	}
	if s, err := db.Get(ring.InternalKey(oldSmall)); err != nil || s.HasLive() {
		t.Errorf("after the sweep the expired key still holds a value: %v, %v", s, err)
	}
	if n := db.Len(); n != 4 {
		t.Errorf("Len after the sweep = %d, want 4", n)
	}
}

func TestOpenMigratesFormat3ToInternalKeys(t *testing.T) {
	dir := t.TempDir()
	o := testOptions(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16+1) // > 1 MiB
	format3(t, dir, o, big, true)
	if f := blobFiles(t, dir); len(f) != 1 {
		t.Fatalf("blob files before migration: %v, want 1", f)
	}
	checkFormat4(t, dir, o, big)
}

var errCrash = errors.New("simulated crash")

// A migration that stops before any of its batches (one record each)
// leaves a directory the next Open migrates: nothing lost, nothing moved
// twice, no orphan blob left.
func TestMigrationCrashAtEveryBatch(t *testing.T) {
	defer func(n int) { migrateBatch = n }(migrateBatch)
	migrateBatch = 1
	o := blobOptions(t)
	big := bytes.Repeat([]byte("x"), 4<<10)
	for crashAt := 1; ; crashAt++ {
		dir := t.TempDir()
		format3(t, dir, o, big, crashAt%2 == 0)
		calls, crashed := 0, ""
		migrateCrash = func(phase int) error {
			if calls++; calls == crashAt {
				crashed = fmt.Sprintf("phase %d", phase)
				return errCrash
			}
			return nil
		}
		db, err := Open(dir, o)
		migrateCrash = nil
		if crashed == "" {
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			if crashAt < 10 {
				t.Fatalf("only %d batches: the test proves little", crashAt)
			}
			return
		}
		if !errors.Is(err, errCrash) {
			t.Fatalf("Open with a crash at batch %d = %v", crashAt, err)
		}
		t.Run(fmt.Sprintf("batch%d_%s", crashAt, crashed), func(t *testing.T) {
			checkFormat4(t, dir, o, big)
		})
	}
}

// A directory of format 4 has no tombstone index: Open builds it (and a
// format-1 directory gets it after its move), so reaping finds the
// tombstones written before the upgrade.
func TestMigrateIndexesTombstones(t *testing.T) {
	for _, from := range []uint64{1, 4} {
		t.Run(fmt.Sprint("format", from), func(t *testing.T) {
			dir := t.TempDir()
			db := mustOpen(t, dir, testOptions(t))
			mustUpdate(t, db, "live", setTo("a", "v", 0))
			for _, k := range []string{"gone1", "gone2", "{tag}gone3"} {
				mustUpdate(t, db, k, func(cur version.Set) (version.Set, bool, error) { return tombAt(cur, "a", 10), true, nil })
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if from == 1 {
				toFormat1(t, dir)
			} else {
				dropTombIndex(t, dir, from)
			}
			db = mustOpen(t, dir, testOptions(t))
			var got []string
			if err := db.Tombstones(11, func(_ uint64, key []byte, _ version.Set) bool {
				got = append(got, string(key))
				return true
			}); err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if want := []string{"gone1", "gone2", "{tag}gone3"}; !slices.Equal(got, want) {
				t.Fatalf("after migrating format %d, Tombstones = %v, want %v", from, got, want)
			}
		})
	}
}

// dropTombIndex makes dir look written by a build of format from, which
// kept no tombstone index.
func dropTombIndex(t *testing.T, dir string, from uint64) {
	t.Helper()
	ldb, err := leveldb.OpenFile(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ldb.Close()
	var b leveldb.Batch
	it := ldb.NewIterator(util.BytesPrefix([]byte{prefixTomb}), nil)
	for it.Next() {
		b.Delete(bytes.Clone(it.Key()))
	}
	it.Release()
	if b.Len() == 0 {
		t.Fatal("no tombstone index entries to drop: the test proves nothing")
	}
	b.Put(metaKey(metaFormat), u64(from))
	if err := ldb.Write(&b, nil); err != nil {
		t.Fatal(err)
	}
}
