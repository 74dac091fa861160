package replica_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// TestElementsReverseMirrorsForward: with each record missing on a
// different replica (W=2 of 3), ElementsReverse with R=2 visits from
// every node exactly the records Elements visits, in the opposite order, across several pages; it resumes before a key, stops
// early, and fails with a quorum error when two replicas are cut off. A
// forward request in the old format (no flag byte) is still served.
func TestElementsReverseMirrorsForward(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	ctx := context.Background()
	const n = 1300 // more than two pages
	coll := []byte("mylist")
	prefix := ring.ElementPrefix(ring.ElemList, coll)
	var want []string
	for i := 0; i < n; i++ {
		k := ring.ElementKey(ring.ElemList, coll, fmt.Appendf(nil, "p%05d", i))
		want = append(want, string(k))
		for j, name := range []string{"n1", "n2", "n3"} {
			if j == i%3 {
				continue
			}
			// Replicas hold different siblings: the merge must join them.
			s, _ := version.Set(nil).Put(name, version.Context{}, version.Sibling{Value: []byte(name), Time: 1}, 0)
			if _, _, err := tc.stores[name].Merge(k, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	other := ring.ElementKey(ring.ElemSet, coll, []byte("x")) // same hash, another collection
	if _, err := tc.coords["n1"].Update(ctx, other, replica.WriteOptions{}, set("x")); err != nil {
		t.Fatal(err)
	}
	type rec struct {
		key  string
		sibs int
	}
	walk := func(via string, reverse bool, from []byte, limit int) []rec {
		t.Helper()
		var got []rec
		fn := func(k []byte, s version.Set) bool {
			got = append(got, rec{string(k), len(s)})
			return len(got) < limit
		}
		var err error
		if reverse {
			err = tc.coords[via].ElementsReverse(ctx, prefix, from, replica.ReadOptions{}, fn)
		} else {
			err = tc.coords[via].Elements(ctx, prefix, from, replica.ReadOptions{}, fn)
		}
		if err != nil {
			t.Fatalf("via %s (reverse %v): %v", via, reverse, err)
		}
		return got
	}
	for _, via := range []string{"n1", "n2", "n3"} {
		fwd, rev := walk(via, false, nil, n+1), walk(via, true, nil, n+1)
		if len(fwd) != n || len(rev) != n {
			t.Fatalf("via %s: %d forward, %d reverse records, want %d", via, len(fwd), len(rev), n)
		}
		slices.Reverse(rev)
		for i := range fwd {
			// Which two replicas answer a page varies, so the sibling
			// counts may differ; each record must be there once.
			if fwd[i].key != want[i] || rev[i].key != want[i] || rev[i].sibs == 0 {
				t.Fatalf("via %s: record %d forward %v, reverse %v, want %q", via, i, fwd[i], rev[i], want[i])
			}
		}
	}
	// Resume before a key (a page boundary's neighbourhood too), stop early.
	for _, at := range []int{1, 600, 787, n - 1} {
		got := walk("n2", true, []byte(want[at]), 3)
		if len(got) != min(3, at) || got[0].key != want[at-1] {
			t.Fatalf("reverse read before %d = %v", at, got)
		}
	}
	if got := walk("n3", true, []byte(want[0]), 3); len(got) != 0 {
		t.Fatalf("reverse read before the first = %v", got)
	}
	// The old request format: prefix, after, limit, no flag byte.
	body := binary.AppendUvarint(nil, uint64(len(prefix)))
	body = append(body, prefix...)
	body = binary.AppendUvarint(body, uint64(len(want[1297])))
	body = append(body, want[1297]...)
	body = binary.AppendUvarint(body, 10)
	if b, err := tc.coords["n1"].ServePeer(ctx, "n2", replica.MethodElements, body); err != nil || len(b) < 9 || b[len(b)-1] != 0 {
		t.Fatalf("old-format forward request: %x, %v", b, err)
	}
	if _, err := tc.coords["n1"].ServePeer(ctx, "n2", replica.MethodElements, append(body, 7)); err == nil {
		t.Fatal("an unknown flag byte was accepted")
	}
	tc.net.Isolate("n2")
	tc.net.Isolate("n3")
	err := tc.coords["n1"].ElementsReverse(ctx, prefix, nil, replica.ReadOptions{}, func([]byte, version.Set) bool { return true })
	var qe *replica.QuorumError
	if !errors.As(err, &qe) {
		t.Fatalf("reverse read with two replicas cut off: %v, want a quorum error", err)
	}
}
