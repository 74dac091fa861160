package crdt

import (
	"bytes"
	"math/rand"
	"reflect"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// randomElementRecord is an element record as replicas merge them: string
// and counter siblings written concurrently under random header stamps,
// some expired, and tombstones, plain or keeping a counter removal.
func randomElementRecord(t *testing.T, rng *rand.Rand, now int64) version.Set {
	t.Helper()
	nodes := []string{"a", "b", "c"}
	var s version.Set
	for i, n := 0, 1+rng.Intn(4); i < n; i++ {
		node := nodes[rng.Intn(len(nodes))]
		hdr := version.Dot{Node: nodes[rng.Intn(len(nodes))], Counter: uint64(1 + rng.Intn(4))}
		var sb version.Sibling
		switch rng.Intn(4) {
		case 0: // a string value
			sb = version.Sibling{Value: EncodeElement(hdr, []byte{byte('a' + rng.Intn(26))})}
		case 1: // a counter (HINCRBY)
			c, err := Incr(nil, now, node, int64(rng.Intn(100)))
			if err != nil {
				t.Fatal(err)
			}
			sb = version.Sibling{Kind: version.KindCounter, Value: EncodeElement(hdr, c.AppendBinary(nil))}
		case 2: // a removal (HDEL) of what a counter held
			c, err := Incr(nil, now, node, int64(1+rng.Intn(100)))
			if err != nil {
				t.Fatal(err)
			}
			held := version.Set{{Kind: version.KindCounter, Value: c.AppendBinary(nil)}}
			sb = version.Sibling{Tombstone: true, Kind: version.KindCounter, Value: Removal(held)}
		default: // a plain tombstone
			sb = version.Sibling{Tombstone: true}
		}
		sb.Time = now - int64(rng.Intn(10))
		if !sb.Tombstone && rng.Intn(5) == 0 {
			sb.Expiry = now - 1 // expired
		}
		s, _ = s.Put(node, version.Context{}, sb, 0) // concurrent with all before
	}
	return s
}

// TestLiveElementsOwnedAgrees: a walk's LiveElementsOwned answers what
// LiveElements answers, over random records and removal clocks, and
// LiveElements leaves its record as it found it (its callers read the
// record again to write it).
func TestLiveElementsOwnedAgrees(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const now = 1_000_000
	live := 0
	for i := 0; i < 2000; i++ {
		s := randomElementRecord(t, rng, now)
		var removed version.Context
		for _, n := range []string{"a", "b", "c"} {
			if rng.Intn(2) == 0 {
				removed.VV = removed.VV.Join(version.VV{{Node: n, Counter: uint64(rng.Intn(4))}})
			}
		}
		before := cloneRecord(s)
		want, werr := LiveElements(s, now, removed)
		if !reflect.DeepEqual(s, before) {
			t.Fatalf("record %d: LiveElements changed its record:\n%+v\nwas\n%+v", i, s, before)
		}
		wantList, lerr := LiveListElements(s, now, removed)
		got, gerr := LiveElementsOwned(cloneRecord(s), now, removed)
		gotList, glerr := LiveListElementsOwned(cloneRecord(s), now, removed)
		if (werr == nil) != (gerr == nil) || (lerr == nil) != (glerr == nil) {
			t.Fatalf("record %d: errors %v, %v; owned %v, %v", i, werr, lerr, gerr, glerr)
		}
		if !sameSiblings(want, got) || !sameSiblings(wantList, gotList) {
			t.Fatalf("record %d (%+v) removed %v:\nLiveElements %+v\nowned %+v\nlist %+v\nlist owned %+v",
				i, before, removed, want, got, wantList, gotList)
		}
		live += len(want)
	}
	if live == 0 {
		t.Fatal("no record had a live sibling: the test tests nothing")
	}
}

func sameSiblings(a, b []*version.Sibling) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Dot != b[i].Dot || a[i].Kind != b[i].Kind || !bytes.Equal(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

// cloneRecord is a deep copy of s.
func cloneRecord(s version.Set) version.Set {
	out := make(version.Set, len(s))
	for i := range s {
		out[i] = s[i]
		out[i].Value = bytes.Clone(s[i].Value)
		out[i].Past.VV = append(version.VV(nil), s[i].Past.VV...)
		out[i].Past.Dots = append([]version.Dot(nil), s[i].Past.Dots...)
	}
	return out
}
