package version

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
)

func TestSetRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 500; i++ {
		for _, s := range randomHistory(r) {
			s = append(s, Sibling{Dot: Dot{"z", 9}, Value: []byte{}, Time: -1, Expiry: 77})
			got, err := DecodeSet(s.AppendBinary(nil))
			if err != nil || !got.Equal(s) {
				t.Fatalf("round trip %v -> %v, %v", s, got, err)
			}
		}
	}
}

func TestDecodeSetRejectsGarbage(t *testing.T) {
	s, _ := Set(nil).Put("node", Context{}, val("hello"), 0)
	b := s.AppendBinary(nil)
	for i := 0; i < len(b); i++ {
		if _, err := DecodeSet(b[:i]); err == nil {
			t.Fatalf("truncated at %d accepted", i)
		}
	}
	if _, err := DecodeSet(append(b, 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
	if _, err := DecodeSet([]byte{9, 0}); err == nil {
		t.Fatal("unknown format accepted")
	}
}

func TestContextRoundTrip(t *testing.T) {
	v := Context{VV: VV{{"node-1", 3}, {"node-2", 1 << 50}}, Dots: []Dot{{"node-1", 7}, {"node-3", 2}}}
	tok := EncodeContext(v)
	for _, c := range tok {
		if c < '!' || c > '~' {
			t.Fatalf("unprintable %q in %q", c, tok)
		}
	}
	got, err := DecodeContext(tok)
	if err != nil || !got.Equal(v) {
		t.Fatalf("decode %q = %v, %v", tok, got, err)
	}
	if EncodeContext(Context{}) != "" {
		t.Fatal("empty context should encode as empty string")
	}
}

func TestDecodeContextRejects(t *testing.T) {
	tok := EncodeContext(Context{VV: VV{{"a", 1}}})
	bad := []string{"", "!!!", "abc", tok[:len(tok)-1], strings.ToUpper(tok), tok + "A",
		EncodeContext(Context{VV: VV{{"a", 1}}})[1:], strings.Repeat("A", maxContextLen+1)}
	flipped := []byte(tok)
	flipped[3] ^= 1
	bad = append(bad, string(flipped))
	for _, b := range bad {
		if b == tok {
			continue
		}
		if _, err := DecodeContext(b); err == nil {
			t.Errorf("DecodeContext(%q) accepted", b)
		}
	}
}

func FuzzDecodeContext(f *testing.F) {
	f.Add(EncodeContext(Context{VV: VV{{"a", 1}, {"b", 2}}}))
	f.Add("")
	f.Add("AQEBYQE")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := DecodeContext(s)
		if err != nil {
			return
		}
		if !v.valid() || v.IsZero() {
			t.Fatalf("accepted non-canonical %v", v)
		}
		if got, err := DecodeContext(EncodeContext(v)); err != nil || !got.Equal(v) {
			t.Fatalf("re-encode mismatch %v %v", got, err)
		}
	})
}

func FuzzDecodeSet(f *testing.F) {
	s, _ := Set(nil).Put("n", Context{}, val("v"), 0)
	f.Add(s.AppendBinary(nil))
	f.Add(removalSet().AppendBinary(nil)) // tombstones keeping removal records
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeSet(b)
		if err != nil {
			return
		}
		if got, err := DecodeSet(s.AppendBinary(nil)); err != nil || !got.Equal(s) {
			t.Fatalf("re-encode mismatch")
		}
	})
}

func BenchmarkDecodeSet(b *testing.B) {
	s, _ := Set(nil).Put("node-1", Context{}, Sibling{Value: make([]byte, 100), Time: 1}, 0)
	enc := s.AppendBinary(nil)
	for b.Loop() {
		if _, err := DecodeSet(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPutMerge(b *testing.B) {
	s, _ := Set(nil).Put("node-1", Context{}, Sibling{Value: make([]byte, 100), Time: 1}, 0)
	for b.Loop() {
		s2, _ := s.Put("node-1", s.Context(), Sibling{Value: make([]byte, 100), Time: 2}, 0)
		_ = s2
	}
}

func TestKindRoundTrip(t *testing.T) {
	s := Set{
		{Dot: Dot{"a", 1}, Value: []byte("x"), Kind: KindCounter, Time: 5},
		{Dot: Dot{"b", 2}, Value: []byte{}, Kind: KindHash, Time: 6, Expiry: 9},
		{Dot: Dot{"c", 3}, Value: []byte("plain"), Time: 7},
		{Dot: Dot{"d", 4}, Tombstone: true, Time: 8},
	}
	got, err := DecodeSet(s.AppendBinary(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(s) {
		t.Fatalf("round trip: got %+v, want %+v", got, s)
	}
	// A kind byte of 0 (a string spelled with the kind flag) is not an
	// encoding AppendBinary makes.
	for _, bad := range []Set{
		{{Dot: Dot{"a", 1}, Value: []byte("x"), Kind: KindHash}},
	} {
		b := bad.AppendBinary(nil)
		i := bytes.Index(b, []byte{flagKind, byte(KindHash)})
		if i < 0 {
			t.Fatal("kind byte not found")
		}
		b[i+1] = 0
		if _, err := DecodeSet(b); err == nil {
			t.Error("kind 0 behind the kind flag decoded")
		}
		b[i] = flagKind | flagTombstone | 0x40
		if _, err := DecodeSet(b); err == nil {
			t.Error("unknown flag bits decoded")
		}
	}
}

func TestContextBinaryPrefix(t *testing.T) {
	c := Context{VV: VV{{"a", 3}, {"b", 1}}, Dots: []Dot{{"c", 5}}}
	b := c.AppendBinary(nil)
	got, rest, err := DecodeContextPrefix(append(b, 'x'))
	if err != nil || !got.Equal(c) || string(rest) != "x" {
		t.Fatalf("DecodeContextPrefix = %+v %q %v", got, rest, err)
	}
	if _, _, err := DecodeContextPrefix(b[:len(b)-1]); err == nil {
		t.Fatal("a truncated context decoded")
	}
}
