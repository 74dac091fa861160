package crdt

import (
	"math/rand"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// hdrWrite is a header write at node under cur's whole context, carrying
// the removal clock cur resolves to (what a collection command does).
func hdrWrite(t *testing.T, cur version.Set, node string, kind version.Kind, now int64) (version.Set, version.Dot) {
	t.Helper()
	h, err := ResolveHeader(cur, now)
	if err != nil {
		t.Fatal(err)
	}
	return cur.Put(node, cur.Context(), version.Sibling{Kind: kind, Value: EncodeHeader(h.Removed), Time: now}, 0)
}

func elemWrite(cur version.Set, node string, hdr version.Dot, body string, now int64) version.Set {
	s, _ := cur.Put(node, cur.Context(), version.Sibling{Value: EncodeElement(hdr, []byte(body)), Time: now}, 0)
	return s
}

func liveBodies(t *testing.T, hdr version.Set, elems map[string]version.Set, now int64) map[string]string {
	t.Helper()
	h, err := ResolveHeader(hdr, now)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	if !h.Live || h.Kind != version.KindHash {
		return out
	}
	for f, s := range elems {
		live, err := LiveElements(s, now, h.Removed)
		if err != nil {
			t.Fatal(err)
		}
		if w := Newest(live); w != nil {
			out[f] = string(w.Value)
		}
	}
	return out
}

// TestDelRemovesWhatItSaw: DEL on one side of a partition and HSET of
// another field on the other: after the merge the field DEL saw is gone,
// the one written concurrently survives, whatever the merge order.
func TestDelRemovesWhatItSaw(t *testing.T) {
	hdr, h1 := hdrWrite(t, nil, "a", version.KindHash, 10)
	f1 := elemWrite(nil, "a", h1, "one", 10)

	// Side 1 deletes the key.
	del, _ := hdr.Put("a", hdr.Context(), version.Sibling{Tombstone: true, Time: 20}, 0)
	// Side 2 sets f2 (and overwrites f1) without seeing the DEL.
	hdr2, h2 := hdrWrite(t, hdr, "b", version.KindHash, 15)
	f2 := elemWrite(nil, "b", h2, "two", 15)
	f1b := elemWrite(f1, "b", h2, "uno", 15)

	for _, merged := range []version.Set{del.Merge(hdr2), hdr2.Merge(del)} {
		got := liveBodies(t, merged, map[string]version.Set{"f1": f1.Merge(f1b), "f2": f2}, 30)
		if len(got) != 2 || got["f2"] != "two" || got["f1"] != "uno" {
			t.Fatalf("after DEL || HSET: %v, want f1=uno (rewritten unseen) f2=two", got)
		}
	}
	// Without side 2's writes, DEL removes everything.
	if got := liveBodies(t, del, map[string]version.Set{"f1": f1}, 30); len(got) != 0 {
		t.Fatalf("after DEL: %v, want empty", got)
	}
	// A new HSET after the DEL starts an empty hash: f1 stays dead.
	hdr3, h3 := hdrWrite(t, del, "a", version.KindHash, 40)
	f3 := elemWrite(nil, "a", h3, "three", 40)
	got := liveBodies(t, hdr3, map[string]version.Set{"f1": f1, "f3": f3}, 50)
	if len(got) != 1 || got["f3"] != "three" {
		t.Fatalf("HSET after DEL: %v, want only f3", got)
	}
}

// TestExpiryRemovesWhatItRetimed: elements written under an expired
// header version die with it; a new incarnation starts empty.
func TestExpiryRemovesWhatItRetimed(t *testing.T) {
	hdr, h1 := hdrWrite(t, nil, "a", version.KindHash, 10)
	hdr[0].Expiry = 100
	f1 := elemWrite(nil, "a", h1, "one", 10)
	if got := liveBodies(t, hdr, map[string]version.Set{"f1": f1}, 50); got["f1"] != "one" {
		t.Fatalf("before expiry: %v", got)
	}
	if got := liveBodies(t, hdr, map[string]version.Set{"f1": f1}, 100); len(got) != 0 {
		t.Fatalf("at expiry: %v, want empty", got)
	}
	swept, _ := hdr.Expire(100) // the sweeper's tombstone, same stamp
	hdr2, h2 := hdrWrite(t, swept, "a", version.KindHash, 120)
	f2 := elemWrite(nil, "a", h2, "two", 120)
	got := liveBodies(t, hdr2, map[string]version.Set{"f1": f1, "f2": f2}, 130)
	if len(got) != 1 || got["f2"] != "two" {
		t.Fatalf("after expiry and a new HSET: %v, want only f2", got)
	}
}

// TestHeaderResolutionLaws: over random histories of header writes,
// tombstones and type changes on three nodes, merged in random orders,
// ResolveHeader depends only on the merged set (commutative, associative,
// idempotent merges give equal resolutions).
func TestHeaderResolutionLaws(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	nodes := []string{"a", "b", "c"}
	for round := 0; round < 300; round++ {
		reps := make([]version.Set, 3)
		now := int64(1)
		for step := 0; step < 12; step++ {
			i := r.Intn(3)
			now += int64(r.Intn(3))
			switch r.Intn(4) {
			case 0, 1:
				reps[i], _ = hdrWrite(t, reps[i], nodes[i], version.KindHash, now)
			case 2:
				reps[i], _ = reps[i].Put(nodes[i], reps[i].Context(), version.Sibling{Tombstone: true, Time: now}, 0)
			case 3:
				reps[i], _ = reps[i].Put(nodes[i], reps[i].Context(), version.Sibling{Value: []byte("s"), Time: now}, 0)
			}
			if r.Intn(3) == 0 { // gossip
				j := r.Intn(3)
				reps[j] = reps[j].Merge(reps[i])
			}
		}
		a, b, c := reps[0], reps[1], reps[2]
		for _, pair := range [][2]version.Set{
			{a.Merge(b), b.Merge(a)},
			{a.Merge(b).Merge(c), a.Merge(b.Merge(c))},
			{a.Merge(a), a},
		} {
			x, err1 := ResolveHeader(pair[0], now)
			y, err2 := ResolveHeader(pair[1], now)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if x.Kind != y.Kind || x.Live != y.Live || !x.Removed.Equal(y.Removed) || !x.Context.Equal(y.Context) {
				t.Fatalf("round %d: resolutions differ: %+v vs %+v", round, x, y)
			}
		}
	}
}

func TestElementPayloadRoundTrip(t *testing.T) {
	d := version.Dot{Node: "n1", Counter: 7}
	got, body, err := DecodeElement(EncodeElement(d, []byte("body")))
	if err != nil || got != d || string(body) != "body" {
		t.Fatalf("round trip: %v %q %v", got, body, err)
	}
	for _, bad := range [][]byte{nil, {0}, {5, 'a'}, {1, 'a', 0}, {1, 'a'}} {
		if _, _, err := DecodeElement(bad); err == nil {
			t.Errorf("DecodeElement(%v) succeeded", bad)
		}
	}
}

func FuzzDecodeCollectionPayloads(f *testing.F) {
	f.Add(EncodeElement(version.Dot{Node: "x", Counter: 1}, []byte("v")))
	f.Add(EncodeHeader(version.Context{VV: version.VV{{Node: "a", Counter: 2}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if d, body, err := DecodeElement(b); err == nil {
			if d2, body2, err := DecodeElement(EncodeElement(d, body)); err != nil || d2 != d || string(body2) != string(body) {
				t.Fatalf("element %q does not round-trip", b)
			}
		}
		if c, err := DecodeHeader(b); err == nil {
			if c2, err := DecodeHeader(EncodeHeader(c)); err != nil || !c2.Equal(c) {
				t.Fatalf("header %q does not round-trip", b)
			}
		}
	})
}
