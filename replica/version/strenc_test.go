package version

import (
	"bytes"
	"testing"
)

func TestStrEncRoundTrip(t *testing.T) {
	s := Set{
		{Dot: Dot{"a", 1}, Value: []byte("abcd"), Enc: StrEncRaw, Time: 5},
		{Dot: Dot{"b", 2}, Value: []byte("3"), Enc: StrEncString, Time: 6, Expiry: 9},
		{Dot: Dot{"c", 3}, Value: []byte("x"), Kind: KindCounter, Enc: StrEncRaw, Time: 7},
		{Dot: Dot{"d", 4}, Value: []byte("plain"), Time: 8},
		{Dot: Dot{"e", 5}, Tombstone: true, Time: 9},
	}
	got, err := DecodeSet(s.AppendBinary(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(s) {
		t.Fatalf("round trip: got %+v, want %+v", got, s)
	}
}

// An encoding made before StrEnc existed (flags without bits 3-4) is the
// same bytes as one of StrEncAuto siblings, and decodes as StrEncAuto.
func TestStrEncOldEncoding(t *testing.T) {
	// Hand-built as the format-1 codec wrote it before StrEnc: one sibling
	// {Dot a:1, Value "v", Time 5, Expiry 7}, an empty past (VV, dots).
	old := []byte{setFormat, 1, 1, 'a', 1, flagExpiry, 10, 14, 0, 0, 1, 'v'}
	got, err := DecodeSet(old)
	if err != nil {
		t.Fatal(err)
	}
	want := Set{{Dot: Dot{"a", 1}, Value: []byte("v"), Time: 5, Expiry: 7}}
	if !got.Equal(want) || got[0].Enc != StrEncAuto {
		t.Fatalf("old encoding decoded as %+v, want %+v", got, want)
	}
	if enc := want.AppendBinary(nil); !bytes.Equal(enc, old) {
		t.Fatalf("StrEncAuto encodes as % x, want the old % x", enc, old)
	}
}

func TestStrEncRejects(t *testing.T) {
	base := Set{{Dot: Dot{"a", 1}, Value: []byte("v"), Time: 5}}
	b := base.AppendBinary(nil)
	i := bytes.Index(b, []byte{'a', 1}) + 2 // the flags byte
	for _, flags := range []byte{
		byte(strEncLimit) << flagEncShift,                  // not an encoding
		byte(StrEncRaw)<<flagEncShift | flagTombstone,      // a marked tombstone
		byte(StrEncString)<<flagEncShift | 1<<5 | flagKind, // unknown bit above
	} {
		bad := bytes.Clone(b)
		bad[i] = flags
		if s, err := DecodeSet(bad); err == nil {
			t.Errorf("flags %08b decoded as %+v", flags, s)
		}
	}
}

// Concurrent siblings keep their own marks through a merge, in either
// order; a later write over both carries only its own.
func TestStrEncMerge(t *testing.T) {
	raw, _ := Set(nil).Put("a", Context{}, Sibling{Value: []byte("ab"), Enc: StrEncRaw, Time: 1}, 0)
	auto, _ := Set(nil).Put("b", Context{}, Sibling{Value: []byte("12"), Time: 2}, 0)
	for _, m := range []Set{raw.Merge(auto), auto.Merge(raw)} {
		if len(m) != 2 || m[0].Enc != StrEncRaw || m[1].Enc != StrEncAuto {
			t.Fatalf("merge lost a mark: %+v", m)
		}
		next, _ := m.Put("c", m.Context(), Sibling{Value: []byte("x"), Enc: StrEncString, Time: 3}, 0)
		if len(next) != 1 || next[0].Enc != StrEncString {
			t.Fatalf("a write over both: %+v", next)
		}
	}
	// Two copies of one write that differ only in their mark (a bug
	// elsewhere) merge the same either way.
	a := Set{{Dot: Dot{"a", 1}, Value: []byte("v"), Time: 1}}
	b := Set{{Dot: Dot{"a", 1}, Value: []byte("v"), Enc: StrEncRaw, Time: 1}}
	if !a.Merge(b).Equal(b.Merge(a)) {
		t.Fatal("merge of differing copies is not commutative")
	}
}
