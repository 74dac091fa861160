package replica_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/engine"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
)

// TestElementsQuorumRead: a collection's element records written with
// W=2 of 3 (one replica missing each of a different third) are all seen
// by Elements with R=2 from every node, merged, in key order, across
// several pages; stopping early stops; with two replicas down the read
// fails with a quorum error instead of answering partially.
func TestElementsQuorumRead(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	ctx := context.Background()
	const n = 1300 // more than two pages
	coll := []byte("myhash")
	var want []string
	for i := 0; i < n; i++ {
		k := ring.ElementKey(ring.ElemHash, coll, fmt.Appendf(nil, "f%05d", i))
		want = append(want, string(k))
		// Write on two stores directly: the third misses it.
		for j, name := range []string{"n1", "n2", "n3"} {
			if j == i%3 {
				continue
			}
			s, _ := version.Set(nil).Put("a", version.Context{}, version.Sibling{Value: []byte("v"), Time: 1}, 0)
			if _, _, err := tc.stores[name].Merge(k, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A record of another collection with the same hash is not visited.
	other := ring.ElementKey(ring.ElemSet, coll, []byte("x"))
	if _, err := tc.coords["n1"].Update(ctx, other, replica.WriteOptions{}, set("x")); err != nil {
		t.Fatal(err)
	}
	for _, via := range []string{"n1", "n2", "n3"} {
		var got []string
		err := tc.coords[via].Elements(ctx, ring.ElementPrefix(ring.ElemHash, coll), nil, replica.ReadOptions{}, func(k []byte, s version.Set) bool {
			got = append(got, string(k))
			return true
		})
		if err != nil {
			t.Fatalf("via %s: %v", via, err)
		}
		if len(got) != n {
			t.Fatalf("via %s: %d records, want %d", via, len(got), n)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("via %s: record %d is %q, want %q", via, i, got[i], want[i])
			}
		}
	}
	// Resume after a key, stop early.
	var got []string
	err := tc.coords["n2"].Elements(ctx, ring.ElementPrefix(ring.ElemHash, coll), []byte(want[600]), replica.ReadOptions{}, func(k []byte, s version.Set) bool {
		got = append(got, string(k))
		return len(got) < 3
	})
	if err != nil || len(got) != 3 || got[0] != want[601] {
		t.Fatalf("resumed read = %q, %v", got, err)
	}
	tc.net.Isolate("n2")
	tc.net.Isolate("n3")
	err = tc.coords["n1"].Elements(ctx, ring.ElementPrefix(ring.ElemHash, coll), nil, replica.ReadOptions{}, func([]byte, version.Set) bool { return true })
	var qe *replica.QuorumError
	if !errors.As(err, &qe) {
		t.Fatalf("read with two replicas cut off: %v, want a quorum error", err)
	}
}

// TestKindTravelsWithForwardedWrites: a write forwarded to the key's
// coordinator (MethodApply) and replicated keeps its sibling kind.
func TestKindTravelsWithForwardedWrites(t *testing.T) {
	tc := newCluster(t, 3, 2, 2, "n4")
	ctx := context.Background()
	_, err := tc.coords["n4"].Update(ctx, []byte("k"), replica.WriteOptions{}, func(cur version.Set, _ int64) (*replica.Change, error) {
		return &replica.Change{Context: cur.Context(), Value: []byte("p"), Kind: version.KindZSet}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"n1", "n2", "n3"} { // W=2 acknowledged: the third copy may lag
		eventually(t, func() bool {
			s, err := tc.stores[n].Get([]byte("k"))
			return err == nil && len(s) == 1 && s[0].Kind == version.KindZSet && string(s[0].Value) == "p"
		})
	}
}

// countingStore counts the records its Prefix walks visit.
type countingStore struct {
	*engine.DB
	visited *atomic.Int64
}

func (s countingStore) Prefix(prefix, after []byte, fn func([]byte, version.Set) bool) error {
	return s.DB.Prefix(prefix, after, func(k []byte, v version.Set) bool {
		s.visited.Add(1)
		return fn(k, v)
	})
}

// A walk that stops after a few records reads a small first page from
// each replica, not a whole one: pages grow from elementsFirstPage as the
// walk goes on (TestElementsQuorumRead walks them all).
func TestShortElementWalksReadSmallPages(t *testing.T) {
	var visited atomic.Int64
	tc := newClusterWith(t, clusterOpts{n: 3, r: 2, w: 2, store: func(db *engine.DB) replica.Store {
		return countingStore{DB: db, visited: &visited}
	}})
	ctx := context.Background()
	coll := []byte("myset")
	var keys [][]byte
	for i := range 2000 {
		keys = append(keys, ring.ElementKey(ring.ElemSet, coll, fmt.Appendf(nil, "m%05d", i)))
	}
	s, _ := version.Set(nil).Put("a", version.Context{}, version.Sibling{Value: []byte("v"), Time: 1}, 0)
	for _, name := range []string{"n1", "n2", "n3"} {
		for _, k := range keys {
			if _, _, err := tc.stores[name].Merge(k, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	visited.Store(0)
	var got int
	err := tc.coords["n1"].Elements(ctx, ring.ElementPrefix(ring.ElemSet, coll), nil, replica.ReadOptions{}, func([]byte, version.Set) bool {
		got++
		return got < 4
	})
	if err != nil || got != 4 {
		t.Fatalf("walk of 4: %d records, %v", got, err)
	}
	if v := visited.Load(); v > 3*64 {
		t.Errorf("a walk of 4 records read %d from the replicas", v)
	}
}

// getCountingStore counts the store's point reads.
type getCountingStore struct {
	*engine.DB
	gets *atomic.Int64
}

func (s getCountingStore) Get(key []byte) (version.Set, error) {
	s.gets.Add(1)
	return s.DB.Get(key)
}

// A single node's walk of a collection drops the element records its
// header's removal clock covers. Given the header the caller read
// (ReadOptions.Header), it drops them by that clock without reading the
// header again: SPOP read the header once per pick. Without one, it
// reads the header itself.
func TestLocalElementWalkUsesTheCallersHeader(t *testing.T) {
	var gets atomic.Int64
	tc := newClusterWith(t, clusterOpts{n: 1, r: 1, w: 1, store: func(db *engine.DB) replica.Store {
		return getCountingStore{DB: db, gets: &gets}
	}})
	db, coord := tc.stores["n1"], tc.coords["n1"]
	coll := []byte("myset")
	old := version.Dot{Node: "a", Counter: 1} // the header write the dead member was added under
	removed := version.Context{}.With(old)
	hdr, _ := version.Set(nil).Put("a", version.Context{}.With(old), version.Sibling{Kind: version.KindSet, Value: crdt.EncodeHeader(removed), Time: 2}, 0)
	if _, _, err := db.Merge(ring.InternalKey(coll), hdr); err != nil {
		t.Fatal(err)
	}
	add := func(member string, stamp version.Dot) {
		s, _ := version.Set(nil).Put("b", version.Context{}, version.Sibling{Kind: version.KindSet, Value: crdt.EncodeElement(stamp, nil), Time: 1}, 0)
		if _, _, err := db.Merge(ring.ElementKey(ring.ElemSet, coll, []byte(member)), s); err != nil {
			t.Fatal(err)
		}
	}
	add("dead", old)
	add("live", version.Dot{Node: "a", Counter: 2})
	walk := func(o replica.ReadOptions) []string {
		t.Helper()
		var got []string
		err := coord.Elements(context.Background(), ring.ElementPrefix(ring.ElemSet, coll), nil, o, func(k []byte, _ version.Set) bool {
			_, _, m, _ := ring.ParseElement(k)
			got = append(got, string(m))
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	gets.Store(0)
	h, err := crdt.ResolveHeader(hdr, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := walk(replica.ReadOptions{Header: &h}); !slices.Equal(got, []string{"live"}) {
		t.Errorf("walk with the caller's header visited %q, want only the live member", got)
	}
	if n := gets.Load(); n != 0 {
		t.Errorf("walk with the caller's header read the store %d times, want 0", n)
	}
	if n := coord.Stats().ElementsDropped.Load(); n != 1 {
		t.Errorf("%d element records dropped, want the dead one", n)
	}
	add("dead", old) // back, as a late copy could bring it
	gets.Store(0)
	if got := walk(replica.ReadOptions{}); !slices.Equal(got, []string{"live"}) {
		t.Errorf("walk without a header visited %q, want only the live member", got)
	}
	if gets.Load() == 0 {
		t.Error("walk without a header did not read it")
	}
}
