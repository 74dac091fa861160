package engine

import (
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// benchDB opens a DB on real files with the default everysec policy.
func benchDB(b *testing.B) *DB {
	o := Options{SweepInterval: -1}
	db, err := Open(b.TempDir(), o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

var value100 = make([]byte, 100)

func write100(cur version.Set) (version.Set, bool, error) {
	s, _ := cur.Put("node-1", cur.Context(), version.Sibling{Value: value100, Time: 1}, 0)
	return s, true, nil
}

const benchKeys = 100_000

func benchKey(i uint64) []byte { return []byte("key:" + strconv.FormatUint(i%benchKeys, 10)) }

func BenchmarkUpdate(b *testing.B) {
	db := benchDB(b)
	r := rand.New(rand.NewPCG(1, 2))
	b.SetBytes(100)
	for b.Loop() {
		if _, err := db.Update(benchKey(r.Uint64()), write100); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdateParallel(b *testing.B) {
	db := benchDB(b)
	var seed atomic.Uint64
	b.SetBytes(100)
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(seed.Add(1), 2))
		for pb.Next() {
			if _, err := db.Update(benchKey(r.Uint64()), write100); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkUpdateSyncAlwaysParallel(b *testing.B) {
	db, err := Open(b.TempDir(), Options{SweepInterval: -1, Sync: SyncAlways})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var seed atomic.Uint64
	b.SetParallelism(16) // group commit needs concurrent writers
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(seed.Add(1), 2))
		for pb.Next() {
			if _, err := db.Update(benchKey(r.Uint64()), write100); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// filledDB holds benchKeys keys, compacted into tables.
func filledDB(b *testing.B) *DB {
	db := benchDB(b)
	for i := range uint64(benchKeys) {
		if _, err := db.Update(benchKey(i), write100); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.ldb.CompactRange(*dataRange(0, ^uint64(0))); err != nil {
		b.Fatal(err)
	}
	return db
}

func benchGet(b *testing.B, db *DB, prefix string) {
	r := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		k := append([]byte(prefix), benchKey(r.Uint64())...)
		if _, err := db.Get(k); err != nil {
			b.Fatal(err)
		}
	}
}

func benchGetParallel(b *testing.B, db *DB, prefix string) {
	var seed atomic.Uint64
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(seed.Add(1), 2))
		for pb.Next() {
			k := append([]byte(prefix), benchKey(r.Uint64())...)
			if _, err := db.Get(k); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkGet(b *testing.B) {
	db := filledDB(b)
	b.Run("hit", func(b *testing.B) { benchGet(b, db, "") })
	b.Run("miss", func(b *testing.B) { benchGet(b, db, "missing-") })
	b.Run("hit-parallel", func(b *testing.B) { benchGetParallel(b, db, "") })
	b.Run("miss-parallel", func(b *testing.B) { benchGetParallel(b, db, "missing-") })
}
