package replica_test

import (
	"context"
	"testing"
	"time"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
)

// TestReapDeletedCollection: a deleted hash's header tombstone is not
// reaped while its element records exist anywhere (reaping it first would
// let them come back); the reaper drops the elements the tombstone made
// dead, on every replica, and reaps the header after. An element written
// under a concurrent header version (not covered) keeps both.
func TestReapDeletedCollection(t *testing.T) {
	rc := newRing(t, 3, 0, 2, 2)
	ctx := context.Background()
	hk := []byte("h")
	hdrWrite := func(cur version.Set, now int64) (*replica.Change, error) {
		h, err := crdt.ResolveHeader(cur, now)
		if err != nil {
			return nil, err
		}
		return &replica.Change{Context: cur.Context(), Kind: version.KindHash, Value: crdt.EncodeHeader(h.Removed)}, nil
	}
	res, err := rc.coords["n1"].Update(ctx, hk, replica.WriteOptions{W: 3}, hdrWrite)
	if err != nil {
		t.Fatal(err)
	}
	fields := [][]byte{[]byte("a"), []byte("b")}
	for _, f := range fields {
		_, err := rc.coords["n1"].Update(ctx, ring.ElementKey(ring.ElemHash, hk, f), replica.WriteOptions{W: 3},
			func(cur version.Set, now int64) (*replica.Change, error) {
				return &replica.Change{Context: cur.Context(), Value: crdt.EncodeElement(res.Dot, []byte("v"))}, nil
			})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rc.coords["n1"].Update(ctx, hk, replica.WriteOptions{W: 3}, func(cur version.Set, now int64) (*replica.Change, error) {
		return &replica.Change{Context: cur.Context(), Delete: true}, nil
	}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // past the grace (1ms)
	elementsLeft := func() int {
		n := 0
		for _, db := range rc.stores {
			for _, f := range fields {
				if s, _ := db.Get(ring.ElementKey(ring.ElemHash, hk, f)); len(s) > 0 {
					n++
				}
			}
		}
		return n
	}
	// The first round drops the dead elements but must not reap the
	// header while any copy of them was still there when it checked.
	if _, err := rc.coords["n1"].ReapOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if left := elementsLeft(); left != 0 {
		t.Fatalf("%d element copies left after a reap round, want 0", left)
	}
	eventually(t, func() bool {
		_, _ = rc.coords["n1"].ReapOnce(ctx)
		for _, db := range rc.stores {
			if s, _ := db.Get(hk); len(s) != 0 {
				return false
			}
		}
		return true
	})

	// A live element under an uncovered header version blocks reaping.
	res, err = rc.coords["n1"].Update(ctx, hk, replica.WriteOptions{W: 3}, hdrWrite)
	if err != nil {
		t.Fatal(err)
	}
	orphan := version.Dot{Node: "elsewhere", Counter: 9} // a header write not merged yet
	if _, err := rc.coords["n1"].Update(ctx, ring.ElementKey(ring.ElemHash, hk, []byte("c")), replica.WriteOptions{W: 3},
		func(cur version.Set, now int64) (*replica.Change, error) {
			return &replica.Change{Context: cur.Context(), Value: crdt.EncodeElement(orphan, []byte("v"))}, nil
		}); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.coords["n1"].Update(ctx, hk, replica.WriteOptions{W: 3}, func(cur version.Set, now int64) (*replica.Change, error) {
		return &replica.Change{Context: cur.Context(), Delete: true}, nil
	}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	for range 3 {
		if _, err := rc.coords["n1"].ReapOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for name, db := range rc.stores {
		if s, _ := db.Get(hk); len(s) == 0 {
			t.Fatalf("%s reaped the header while an uncovered element exists", name)
		}
		if s, _ := db.Get(ring.ElementKey(ring.ElemHash, hk, []byte("c"))); len(s) == 0 {
			t.Fatalf("%s dropped an element its header tombstone does not cover", name)
		}
	}
}
