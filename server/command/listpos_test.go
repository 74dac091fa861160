package command

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

func TestPosIntOrder(t *testing.T) {
	vals := []int64{math.MinInt64, math.MinInt64 + 1, -1 << 40, -65026, -65025, -255, -254, -2, -1, 0, 1, 2,
		253, 254, 255, 256, 65024, 65025, 1 << 40, math.MaxInt64 - 1, math.MaxInt64}
	for i, v := range vals {
		e := posInt(v)
		if n, ok := posHead(e); !ok || n != v {
			t.Fatalf("posHead(posInt(%d)) = %d, %v", v, n, ok)
		}
		if bytes.IndexByte(e, 0) >= 0 {
			t.Fatalf("posInt(%d) = %x has a zero byte", v, e)
		}
		if i > 0 {
			p := posInt(vals[i-1])
			if bytes.Compare(p, e) >= 0 || bytes.HasPrefix(e, p) || bytes.HasPrefix(p, e) {
				t.Fatalf("posInt(%d)=%x vs posInt(%d)=%x: not ordered and prefix-free", vals[i-1], p, v, e)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a, b := int64(r.Uint64()), int64(r.Uint64())>>uint(r.IntN(64))
		if (a < b) != (bytes.Compare(posInt(a), posInt(b)) < 0) {
			t.Fatalf("order of %d and %d", a, b)
		}
	}
	// non-canonical heads are refused
	for _, id := range [][]byte{{0x82, 0x01, 0x05}, {0x7e, 0xff, 0x05}, {0x7f, 0xff}, {0x80, 1}, {0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {0x81}} {
		if n, ok := posHead(id); ok {
			t.Errorf("posHead(%x) = %d, want not ok", id, n)
		}
	}
}

// checkBetween asserts a < id < b (nil: unbounded), the alphabet, and
// that id+anything stays below b.
func checkBetween(t *testing.T, a, id, b []byte) {
	t.Helper()
	if a != nil && bytes.Compare(a, id) >= 0 {
		t.Fatalf("id %x not after %x", id, a)
	}
	if b != nil && (bytes.Compare(id, b) >= 0 || bytes.HasPrefix(b, id)) {
		t.Fatalf("id %x not before %x", id, b)
	}
	if bytes.IndexByte(id, 0) >= 0 || id[len(id)-1] < 2 {
		t.Fatalf("id %x outside the alphabet", id)
	}
}

// TestListPosRandom inserts at random places (head, tail, between
// neighbours) with several actors and checks every new identifier falls
// strictly between its neighbours and all are distinct.
func TestListPosRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var ids [][]byte
	seen := map[string]bool{}
	for i := range 5000 {
		tag := posTag(version.Dot{Node: fmt.Sprint("n", r.IntN(3)), Counter: uint64(i + 1)})
		k := r.IntN(len(ids) + 1)
		if r.IntN(3) == 0 { // favour the ends, as pushes do
			k = len(ids) * r.IntN(2)
		}
		var a, b []byte
		if k > 0 {
			a = ids[k-1]
		}
		if k < len(ids) {
			b = ids[k]
		}
		id := posID(posBetween(a, b), tag)
		checkBetween(t, a, id, b)
		if seen[string(id)] {
			t.Fatalf("duplicate id %x", id)
		}
		seen[string(id)] = true
		ids = slices.Insert(ids, k, id)
	}
	if !slices.IsSortedFunc(ids, bytes.Compare) {
		t.Fatal("ids out of order")
	}
}

// TestListPosAdversarial builds identifiers that stress bytesBetween: a
// prefix of its neighbour, runs of 0xff and 0x01, repeated inserts at one
// spot.
func TestListPosAdversarial(t *testing.T) {
	tag := posTag(version.Dot{Node: "x", Counter: 1})
	cases := [][2][]byte{
		{{0x81, 0x01}, {0x81, 0x01, 0x80, 0x02}},
		{{0x81, 0x01}, {0x81, 0x01, 0x01, 0x01, 0x02}},
		{{0x81, 0xff, 0xff}, {0x82, 0x01, 0x02}},
		{{0x81, 0x05, 0x03}, {0x81, 0x06}},
		{{0x81, 0x05}, {0x81, 0x05, 0x02}},
		{{0x90}, {0x91}},
		{nil, {0x01, 0x01, 0x02}},
		{{0xff, 0xff}, nil},
		{{0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, nil},
		{nil, {0x78, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x02}},
	}
	for _, c := range cases {
		checkBetween(t, c[0], posID(posBetween(c[0], c[1]), tag), c[1])
	}
	// 2000 inserts right after one element: growth stays slow.
	a, b := posID(posInt(0), tag), posID(posInt(1), tag)
	for i := range 2000 {
		id := posID(posBetween(a, b), posTag(version.Dot{Node: "x", Counter: uint64(i + 2)}))
		checkBetween(t, a, id, b)
		b = id
	}
	if len(b) > 400 {
		t.Errorf("after 2000 inserts at one spot an id is %d bytes", len(b))
	}
	// 2000 inserts each right after the previous one.
	a, b = posID(posInt(0), tag), posID(posInt(1), tag)
	for i := range 2000 {
		id := posID(posBetween(a, b), posTag(version.Dot{Node: "y", Counter: uint64(i + 2)}))
		checkBetween(t, a, id, b)
		a = id
	}
	if len(a) > 400 {
		t.Errorf("after 2000 inserts each after the last an id is %d bytes", len(a))
	}
	// Pushes at the ends stay short.
	last, first := a, a
	for i := range 100000 {
		tg := posTag(version.Dot{Node: "x", Counter: uint64(i + 5000)})
		last = posID(posAfter(last), tg)
		first = posID(posBefore(first), tg)
	}
	if len(last) > 30 || len(first) > 30 {
		t.Errorf("after 100000 pushes: %d and %d bytes", len(last), len(first))
	}
}

// TestListPosConcurrent: two replicas start from the same list and
// insert concurrently at the same places; the union of their elements,
// sorted, keeps every element once and each replica's own order, and is
// the same whichever replica merges.
func TestListPosConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	base := [][]byte{}
	for i := range 10 {
		base = append(base, posID(posAfter(last(base)), posTag(version.Dot{Node: "base", Counter: uint64(i + 1)})))
	}
	replicas := [2][][]byte{slices.Clone(base), slices.Clone(base)}
	for side, node := range []string{"a", "b"} {
		rr := rand.New(rand.NewPCG(uint64(side), 9))
		for i := range 300 {
			l := replicas[side]
			k := rr.IntN(len(l) + 1)
			var a, b []byte
			if k > 0 {
				a = l[k-1]
			}
			if k < len(l) {
				b = l[k]
			}
			id := posID(posBetween(a, b), posTag(version.Dot{Node: node, Counter: uint64(i + 1)}))
			replicas[side] = slices.Insert(l, k, id)
		}
	}
	_ = r
	merge := func(x, y [][]byte) [][]byte {
		m := slices.Concat(x, y)
		slices.SortFunc(m, bytes.Compare)
		return slices.CompactFunc(m, bytes.Equal)
	}
	ab, ba := merge(replicas[0], replicas[1]), merge(replicas[1], replicas[0])
	if len(ab) != 10+600 {
		t.Fatalf("merged %d elements, want 610", len(ab))
	}
	if !slices.EqualFunc(ab, ba, bytes.Equal) {
		t.Fatal("merge order depends on who merges")
	}
	for side := range replicas {
		pos := map[string]int{}
		for i, id := range ab {
			pos[string(id)] = i
		}
		for i := 1; i < len(replicas[side]); i++ {
			if pos[string(replicas[side][i-1])] >= pos[string(replicas[side][i])] {
				t.Fatalf("replica %d's order not kept", side)
			}
		}
	}
}

func last(l [][]byte) []byte {
	if len(l) == 0 {
		return nil
	}
	return l[len(l)-1]
}

func TestPosTagDistinct(t *testing.T) {
	seen := map[string]version.Dot{}
	for _, node := range []string{"", "a", "b", "node-1", "node-10"} {
		for _, c := range []uint64{0, 1, 2, 253, 254, 255, 1 << 20, math.MaxUint64} {
			d := version.Dot{Node: node, Counter: c}
			tg := posTag(d)
			if o, ok := seen[string(tg)]; ok {
				t.Fatalf("tags of %v and %v collide", o, d)
			}
			seen[string(tg)] = d
			for _, b := range tg {
				if b < 2 {
					t.Fatalf("tag %x of %v has a byte below 2", tg, d)
				}
			}
		}
	}
}
