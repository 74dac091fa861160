package replica_test

import (
	"context"
	"testing"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// A read that finds a value past its expiry expires it in the store at
// once, as Redis expires a key on access: the key stops counting in Len
// (DBSIZE) without waiting for the sweep (off in this test).
func TestReadExpiresAnExpiredValue(t *testing.T) {
	tc := newCluster(t, 1, 1, 1)
	c, db := tc.coords["n1"], tc.stores["n1"]
	ctx := context.Background()
	_, err := c.Update(ctx, []byte("k"), replica.WriteOptions{}, func(cur version.Set, now int64) (*replica.Change, error) {
		return &replica.Change{Context: cur.Context(), Value: []byte("v"), Expiry: now + 1}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if db.Len() != 1 {
		t.Fatalf("Len = %d before expiry", db.Len())
	}
	eventually(t, func() bool {
		s, err := c.Get(ctx, []byte("k"), replica.ReadOptions{})
		_, live := s.Winner(c.Now())
		return err == nil && !live
	})
	if n := db.Len(); n != 0 {
		t.Fatalf("Len = %d after reading the expired key, want 0", n)
	}
	s, err := db.Get([]byte("k"))
	if err != nil || !s.Tombstones() {
		t.Fatalf("stored set after expiry on access: %v %v, want tombstones", s, err)
	}
}

// SCAN expires the expired keys it passes, as Redis's scan does.
func TestScanExpiresExpiredValues(t *testing.T) {
	tc := newCluster(t, 1, 1, 1)
	c, db := tc.coords["n1"], tc.stores["n1"]
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c"} {
		exp := int64(0)
		_, err := c.Update(ctx, []byte(k), replica.WriteOptions{}, func(cur version.Set, now int64) (*replica.Change, error) {
			if k != "a" {
				exp = now + 1
			}
			return &replica.Change{Context: cur.Context(), Value: []byte("v"), Expiry: exp}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, func() bool {
		if _, err := c.Scan(ctx, 0, func([]byte, version.Set) bool { return true }); err != nil {
			t.Fatal(err)
		}
		return db.Len() == 1
	})
}
