package version

import (
	"bytes"
	"errors"
	"testing"
)

func bigvalSets() []Set {
	past := Context{VV: VV{{"a", 3}, {"b", 1}}, Dots: []Dot{{"c", 7}}}
	return []Set{
		{},
		{{Dot: Dot{"a", 1}, Value: []byte("v"), Time: 5}},
		{{Dot: Dot{"a", 1}, Value: []byte{}, Time: 5}},
		{{Dot: Dot{"a", 1}, Tombstone: true, Time: 5, Past: past}},
		{
			{Dot: Dot{"a", 4}, Value: bytes.Repeat([]byte("x"), 300), Time: 9, Expiry: 99, Enc: StrEncRaw, Past: past},
			{Dot: Dot{"b", 2}, Tombstone: true, Time: 8},
			{Dot: Dot{"c", 8}, Value: []byte("cnt"), Kind: KindCounter, Time: -3},
			{Dot: Dot{"d", 1}, Value: []byte{}, Time: 1},
		},
		{
			{Dot: Dot{"a", 4}, Value: []byte("first"), Time: 9},
			{Dot: Dot{"b", 2}, Tombstone: true, Time: 8},
		},
	}
}

// failWriter fails its write number fail (from 1).
type failWriter struct {
	bytes.Buffer
	n, fail int
}

var errWrite = errors.New("write failed")

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n++; w.n == w.fail {
		return 0, errWrite
	}
	return w.Buffer.Write(p)
}

// WriteBinary writes AppendBinary's bytes, EncodedLen is their length, and
// DecodeSet reads them back; a failed write is reported.
func TestWriteBinaryRoundTrip(t *testing.T) {
	for i, s := range bigvalSets() {
		want := s.AppendBinary(nil)
		var w failWriter
		n, err := s.WriteBinary(&w)
		if err != nil || n != int64(len(want)) || !bytes.Equal(w.Bytes(), want) {
			t.Errorf("set %d: WriteBinary wrote %d %v: %q, want %q", i, n, err, w.Bytes(), want)
		}
		if got := s.EncodedLen(); got != len(want) {
			t.Errorf("set %d: EncodedLen %d, want %d", i, got, len(want))
		}
		got, err := DecodeSet(w.Bytes())
		if err != nil || !got.Equal(s) {
			t.Errorf("set %d: decoded %v %v", i, got, err)
		}
		for fail := 1; fail <= w.n; fail++ {
			if _, err := s.WriteBinary(&failWriter{fail: fail}); !errors.Is(err, errWrite) {
				t.Errorf("set %d: write %d failing: %v", i, fail, err)
			}
		}
	}
}

// DecodeOwnedSet decodes what DecodeSet does, and an append to its last
// value grows it in b's spare room without changing the decoded bytes.
func TestDecodeOwnedSetAppendsInPlace(t *testing.T) {
	for i, s := range bigvalSets() {
		enc := s.AppendBinary(nil)
		b := append(make([]byte, 0, len(enc)+16), enc...)
		got, err := DecodeOwnedSet(b)
		if err != nil || !got.Equal(s) {
			t.Fatalf("set %d: decoded %v %v", i, got, err)
		}
		if len(got) == 0 || got[len(got)-1].Tombstone {
			continue
		}
		last := got[len(got)-1].Value
		old := bytes.Clone(last)
		grown := append(last, "tail"...)
		if &grown[0] != &b[len(b)-len(old)-0 : cap(b)][0] {
			t.Errorf("set %d: the append copied the value", i)
		}
		if !bytes.Equal(grown, append(old, "tail"...)) || !bytes.Equal(got[len(got)-1].Value, old) {
			t.Errorf("set %d: grown %q, decoded value now %q", i, grown, got[len(got)-1].Value)
		}
		if again, err := DecodeSet(b); err != nil || !again.Equal(s) {
			t.Errorf("set %d: the encoding changed under the append: %v", i, err)
		}
	}
	if _, err := DecodeOwnedSet([]byte{9}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("bad format: %v", err)
	}
}

// EncodedLen counts every field's varint as AppendBinary writes it, at
// each length boundary and for negative times, and allocates nothing.
func TestEncodedLenVarints(t *testing.T) {
	vals := []int64{0, 1, -1, 63, 64, -64, -65, 127, 128, 1 << 20, -(1 << 40), 1<<63 - 1, -1 << 63}
	for _, v := range vals {
		u := uint64(v)
		s := Set{{
			Dot:    Dot{Node: string(bytes.Repeat([]byte("n"), int(u%300))), Counter: u},
			Past:   Context{VV: VV{{"a", u}}, Dots: []Dot{{"b", u | 1}}},
			Value:  bytes.Repeat([]byte("v"), int(u%200)),
			Kind:   KindCounter,
			Time:   v,
			Expiry: v,
		}}
		if got, want := s.EncodedLen(), len(s.AppendBinary(nil)); got != want {
			t.Errorf("%d: EncodedLen %d, want %d", v, got, want)
		}
	}
	s := bigvalSets()[4]
	if n := testing.AllocsPerRun(10, func() { s.EncodedLen() }); n != 0 {
		t.Errorf("EncodedLen allocates %v times", n)
	}
}
