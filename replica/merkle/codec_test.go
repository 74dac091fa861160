package merkle

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestMarshalRoundTrip(t *testing.T) {
	for _, bits := range []int{0, 3, 12} {
		tr := mustNew(t, bits)
		r := rand.New(rand.NewPCG(uint64(bits), 1))
		for range 100 {
			tr.Update(r.Uint64(), 0, r.Uint64())
		}
		got, err := Unmarshal(tr.Marshal())
		if err != nil {
			t.Fatalf("bits=%d: %v", bits, err)
		}
		if !got.Equal(tr) || got.Bits() != bits {
			t.Fatalf("bits=%d: round trip changed the tree", bits)
		}
	}
}

func TestUnmarshalRejectsDamage(t *testing.T) {
	tr := mustNew(t, 4)
	tr.Update(1<<63, 0, 42)
	good := tr.Marshal()
	bad := map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)-9],
		"extended":  append(append([]byte(nil), good...), 0),
		"format":    append([]byte{2}, good[1:]...),
	}
	for i := range good {
		b := append([]byte(nil), good...)
		b[i] ^= 0x10
		bad["flip"+string(rune('a'+i%26))+string(rune('0'+i/26))] = b
	}
	for name, b := range bad {
		if _, err := Unmarshal(b); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Unmarshal = %v, want ErrCorrupt", name, err)
		}
	}
}

func FuzzUnmarshal(f *testing.F) {
	tr, _ := New(2)
	tr.Update(7, 0, 9)
	f.Add(tr.Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Unmarshal(b)
		if err != nil {
			return
		}
		if again, err := Unmarshal(got.Marshal()); err != nil || !again.Equal(got) {
			t.Fatalf("re-marshal of an accepted tree fails: %v", err)
		}
	})
}

func BenchmarkRoot(b *testing.B) {
	tr, _ := New(DefaultBits)
	for i := range tr.Len() {
		tr.seg[i] = uint64(i) * 0x9e3779b97f4a7c15
	}
	for _, n := range []int{256, tr.Len()} {
		b.Run(map[int]string{256: "partition-of-256", tr.Len(): "whole-tree"}[n], func(b *testing.B) {
			for b.Loop() {
				tr.Root(0, n)
			}
		})
	}
}

func BenchmarkUpdate(b *testing.B) {
	tr, _ := New(DefaultBits)
	var h uint64
	for b.Loop() {
		h += 0x9e3779b97f4a7c15
		tr.Update(h, h, h+1)
	}
}

func BenchmarkMarshal(b *testing.B) {
	tr, _ := New(DefaultBits)
	for b.Loop() {
		tr.Marshal()
	}
}
