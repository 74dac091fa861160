package engine

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/rs/zerolog"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/ringkv/ringkv/replica/version"
)

// testOptions logs through t and disables the background sweeper.
func testOptions(t testing.TB) Options {
	return Options{Logger: zerolog.New(zerolog.NewTestWriter(t)), SweepInterval: -1}
}

func openMem(t testing.TB, o Options) *DB {
	t.Helper()
	db, err := OpenMem(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// put is a coordinator write by node under cur's full context.
func put(cur version.Set, node, val string, expiry int64) version.Set {
	s, _ := cur.Put(node, cur.Context(), version.Sibling{Value: []byte(val), Time: 1, Expiry: expiry}, 0)
	return s
}

// del is a tombstone by node under cur's full context.
func del(cur version.Set, node string) version.Set {
	s, _ := cur.Put(node, cur.Context(), version.Sibling{Tombstone: true, Time: 1}, 0)
	return s
}

// setTo returns an Update fn that writes a value over the current set.
func setTo(node, val string, expiry int64) func(version.Set) (version.Set, bool, error) {
	return func(cur version.Set) (version.Set, bool, error) {
		return put(cur, node, val, expiry), true, nil
	}
}

func mustUpdate(t testing.TB, db *DB, key string, fn func(version.Set) (version.Set, bool, error)) version.Set {
	t.Helper()
	s, err := db.Update([]byte(key), fn)
	if err != nil {
		t.Fatalf("Update %q: %v", key, err)
	}
	return s
}

func mustGet(t testing.TB, db *DB, key string) version.Set {
	t.Helper()
	s, err := db.Get([]byte(key))
	if err != nil {
		t.Fatalf("Get %q: %v", key, err)
	}
	return s
}

// values returns s's value siblings' values, tombstones as "-".
func values(s version.Set) []string {
	var out []string
	for _, sb := range s {
		if sb.Tombstone {
			out = append(out, "-")
		} else {
			out = append(out, string(sb.Value))
		}
	}
	return out
}

// indexEntries lists the expiry index as "key@expiry".
func indexEntries(t testing.TB, db *DB) []string {
	t.Helper()
	it := db.ldb.NewIterator(util.BytesPrefix([]byte{prefixExpiry}), nil)
	defer it.Release()
	var out []string
	for it.Next() {
		exp, h, key, ok := parseExpiryKey(it.Key())
		if !ok || h != Hash(key) {
			t.Fatalf("bad index key %x", it.Key())
		}
		out = append(out, fmt.Sprintf("%s@%d", key, exp))
	}
	return out
}

func key(i int) string { return "key:" + strconv.Itoa(i) }
