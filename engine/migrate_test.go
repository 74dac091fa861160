package engine

import (
	"bytes"
	"testing"

	"github.com/spaolacci/murmur3"
	"github.com/syndtr/goleveldb/leveldb"

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
		if _, ok := rehashed(it.Key()); ok {
			t.Errorf("record %q still under its format-1 hash", it.Key())
		}
	}
}
