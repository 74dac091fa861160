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

// TestWalkDropsElementsOfADeletedIncarnation: a hash deleted and written
// again keeps its old fields' records, dead under the header's removal
// clock; the first walk of the collection drops them on every replica it
// reads (each by its own copy of the header), and never a live one.
func TestWalkDropsElementsOfADeletedIncarnation(t *testing.T) {
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
	elem := func(stamp version.Dot, f string) {
		t.Helper()
		if _, err := rc.coords["n1"].Update(ctx, ring.ElementKey(ring.ElemHash, hk, []byte(f)), replica.WriteOptions{W: 3},
			func(cur version.Set, now int64) (*replica.Change, error) {
				return &replica.Change{Context: cur.Context(), Value: crdt.EncodeElement(stamp, []byte("v"))}, nil
			}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := rc.coords["n1"].Update(ctx, hk, replica.WriteOptions{W: 3}, hdrWrite)
	if err != nil {
		t.Fatal(err)
	}
	elem(res.Dot, "old1")
	elem(res.Dot, "old2")
	if _, err := rc.coords["n1"].Update(ctx, hk, replica.WriteOptions{W: 3}, func(cur version.Set, now int64) (*replica.Change, error) {
		return &replica.Change{Context: cur.Context(), Delete: true}, nil
	}); err != nil {
		t.Fatal(err)
	}
	res, err = rc.coords["n1"].Update(ctx, hk, replica.WriteOptions{W: 3}, hdrWrite)
	if err != nil {
		t.Fatal(err)
	}
	elem(res.Dot, "new")
	var seen []string
	err = rc.coords["n2"].Elements(ctx, ring.ElementPrefix(ring.ElemHash, hk), nil, replica.ReadOptions{R: 3}, func(k []byte, s version.Set) bool {
		_, _, m, _ := ring.ParseElement(k)
		seen = append(seen, string(m))
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != "new" {
		t.Fatalf("walk returned %q, want only the live incarnation's field", seen)
	}
	for name, db := range rc.stores {
		for _, f := range []string{"old1", "old2"} {
			if s, _ := db.Get(ring.ElementKey(ring.ElemHash, hk, []byte(f))); len(s) != 0 {
				t.Errorf("%s still holds dead field %s", name, f)
			}
		}
		if s, _ := db.Get(ring.ElementKey(ring.ElemHash, hk, []byte("new"))); len(s) == 0 {
			t.Errorf("%s dropped the live field", name)
		}
	}
}
