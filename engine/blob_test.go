package engine

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// blobOptions stores sets of 1 KiB and more in blobs.
func blobOptions(t testing.TB) Options {
	o := treeOptions(t, 6)
	o.BlobMin = 1 << 10
	return o
}

func blobFiles(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, "blobs"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// A large set lives in a blob that its record points at; reads, scans,
// the Merkle tree and the count see it as if it were inline, and the blob
// goes when the record stops pointing at it.
func TestLargeValuesLiveInBlobs(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, blobOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	big := strings.Repeat("v", 5000)
	mustUpdate(t, db, "big", setTo("a", big, 0))
	mustUpdate(t, db, "small", setTo("a", "s", 0))
	raw, err := db.ldb.Get(dataKey(Hash([]byte("big")), []byte("big")), nil)
	if err != nil || raw[0] != blobMarker || len(raw) > 64 {
		t.Fatalf("record of a large set: %d bytes, %v", len(raw), err)
	}
	if got := values(mustGet(t, db, "big")); !slices.Equal(got, []string{big}) {
		t.Fatal("Get of a large set")
	}
	if n := len(blobFiles(t, dir)); n != 1 {
		t.Fatalf("%d blob files, want 1", n)
	}
	seen := map[string]int{}
	if err := db.Range(0, ^uint64(0), func(_ uint64, k []byte, s version.Set) bool {
		seen[string(k)] = len(s[0].Value)
		return true
	}); err != nil || seen["big"] != 5000 || seen["small"] != 1 {
		t.Fatalf("Range: %v %v", seen, err)
	}
	checkTree(t, db, "with a blob")

	mustUpdate(t, db, "big", setTo("a", big+"x", 0)) // replaced: the old blob goes
	if n := len(blobFiles(t, dir)); n != 1 {
		t.Fatalf("%d blob files after an overwrite, want 1", n)
	}
	mustUpdate(t, db, "big", setTo("a", "short", 0)) // inline again
	if n := len(blobFiles(t, dir)); n != 0 {
		t.Fatalf("%d blob files after the set shrank", n)
	}
	mustUpdate(t, db, "big", setTo("a", big, 0))
	mustUpdate(t, db, "big", func(cur version.Set) (version.Set, bool, error) { return del(cur, "a"), true, nil })
	if n := len(blobFiles(t, dir)); n != 0 || db.Len() != 1 {
		t.Fatalf("after DEL: %d blob files, Len %d", n, db.Len())
	}
	checkTree(t, db, "after the blob went")
}

// Blobs survive a restart, an unclean one recounts and rebuilds the tree
// without reading them, and Open removes the blobs no record points at.
func TestBlobsAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, blobOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		mustUpdate(t, db, key(i), setTo("a", strings.Repeat(key(i), 500), 0))
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	crashed := t.TempDir()
	copyDir(t, dir, crashed) // with blobs/
	db.Close()

	orphans := fileBlobs{dir: filepath.Join(crashed, "blobs")}
	if err := orphans.put(1<<40, []byte(key(3)), []byte("not pointed at")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(orphans.path(1<<41), []byte("torn"), 0o644); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(crashed, blobOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	waitRebuild(t, db2)
	if n := len(blobFiles(t, crashed)); n != 20 {
		t.Fatalf("%d blob files after Open, want the 20 in use", n)
	}
	if db2.Len() != 20 {
		t.Fatalf("recounted Len = %d", db2.Len())
	}
	checkTree(t, db2, "rebuilt over blobs")
	if got := values(mustGet(t, db2, key(7))); !slices.Equal(got, []string{strings.Repeat(key(7), 500)}) {
		t.Fatal("value after restart")
	}
	mustUpdate(t, db2, "next", setTo("a", strings.Repeat("n", 2000), 0))
	if ref, _, _ := parseBlobRecord(mustRaw(t, db2, "next")); ref.id <= 1<<41 {
		t.Fatalf("blob id %d reuses an id seen at Open", ref.id)
	}
	if err := db2.Flush(db2.opt.Now()); err != nil {
		t.Fatal(err)
	}
	if n := len(blobFiles(t, crashed)); n != 0 {
		t.Fatalf("%d blob files after Flush", n)
	}
}

func mustRaw(t testing.TB, db *DB, k string) []byte {
	t.Helper()
	raw, err := db.ldb.Get(dataKey(Hash([]byte(k)), []byte(k)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// Readers racing writers that replace a blob never see a missing blob:
// they read the record again.
func TestBlobReadersRaceWriters(t *testing.T) {
	db, err := Open(t.TempDir(), blobOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustUpdate(t, db, "k", setTo("a", strings.Repeat("0", 4000), 0))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s, err := db.Get([]byte("k"))
				if err != nil || len(s) != 1 || len(s[0].Value) != 4000 {
					t.Errorf("Get during overwrites: %d siblings, %v", len(s), err)
					return
				}
			}
		}()
	}
	for i := range 100 {
		mustUpdate(t, db, "k", setTo("a", strings.Repeat(string(rune('0'+i%10)), 4000), 0))
	}
	close(stop)
	wg.Wait()
}

// The blob record format round-trips and rejects damage.
func TestBlobRecord(t *testing.T) {
	enc := bytes.Repeat([]byte{7}, 3000)
	raw := blobRecord(42, enc, 0xfeedface, true)
	ref, ok, err := parseBlobRecord(raw)
	if !ok || err != nil || ref.id != 42 || ref.size != 3000 || ref.digest != 0xfeedface || !ref.live {
		t.Fatalf("parse: %+v %v %v", ref, ok, err)
	}
	if _, ok, err := parseBlobRecord(raw[:len(raw)-1]); !ok || err == nil {
		t.Fatal("a truncated record parsed")
	}
	if _, ok, _ := parseBlobRecord(version.Set{}.AppendBinary(nil)); ok {
		t.Fatal("an inline set parsed as a blob record")
	}
}

// A blob whose key is longer than 1 KiB survives a restart: Open's orphan
// sweep read a fixed 1 KiB of each blob's header, took such a key's blob
// for a torn one and deleted the value.
func TestBlobWithLongKeySurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, blobOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("k", 3000)
	want := strings.Repeat("v", 4000)
	mustUpdate(t, db, long, setTo("a", want, 0))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir, blobOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := values(mustGet(t, db, long)); !slices.Equal(got, []string{want}) {
		t.Fatalf("after a restart the long key's value is %d values, want it intact", len(got))
	}
}
