package version

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// removalSet holds a tombstone keeping a removal record (a counter's
// totals a DEL removed), an expired one, a plain tombstone and a value.
func removalSet() Set {
	return Set{
		{Dot: Dot{"a", 1}, Tombstone: true, Kind: KindCounter, Value: []byte("rec"), Time: 5},
		{Dot: Dot{"b", 2}, Tombstone: true, Kind: KindCounter, Value: []byte{}, Time: 6, Expiry: 6},
		{Dot: Dot{"c", 3}, Tombstone: true, Time: 7},
		{Dot: Dot{"d", 4}, Value: []byte("v"), Time: 8},
	}
}

// A tombstone's removal record survives every encoding: AppendBinary,
// WriteBinary and EncodedLen agree, and DecodeSet reads it back.
func TestRemovalTombstoneRoundTrip(t *testing.T) {
	s := removalSet()
	want := s.AppendBinary(nil)
	got, err := DecodeSet(want)
	if err != nil || !got.Equal(s) {
		t.Fatalf("round trip: %+v, %v; want %+v", got, err, s)
	}
	var w bytes.Buffer
	if n, err := s.WriteBinary(&w); err != nil || n != int64(len(want)) || !bytes.Equal(w.Bytes(), want) {
		t.Fatalf("WriteBinary wrote %d %v: %x, want %x", n, err, w.Bytes(), want)
	}
	if n := s.EncodedLen(); n != len(want) {
		t.Fatalf("EncodedLen %d, want %d", n, len(want))
	}
	if o, err := DecodeOwnedSet(bytes.Clone(want)); err != nil || !o.Equal(s) {
		t.Fatalf("DecodeOwnedSet: %+v, %v", o, err)
	}
	// Tombstones with records only are still a record the reaper takes.
	if tombs := s[:3]; !tombs.Tombstones() || tombs.HasLive() || tombs.MinExpiry() != 0 {
		t.Fatalf("records-only set: Tombstones %v HasLive %v MinExpiry %d", tombs.Tombstones(), tombs.HasLive(), tombs.MinExpiry())
	}
	// The same write as a plain tombstone and with a record: merge picks
	// one by content, whatever the order.
	plain := Set{{Dot: Dot{"a", 1}, Tombstone: true, Time: 5}}
	if m1, m2 := plain.Merge(s[:1]), s[:1].Merge(plain); !m1.Equal(m2) || !m1.Equal(s[:1]) {
		t.Fatalf("merge of a plain and a recorded copy: %+v vs %+v", m1, m2)
	}
}

// Encodings made before removal records existed decode unchanged, and a
// set without records encodes to the same bytes (mixed-version clusters).
func TestOldEncodingsUnchanged(t *testing.T) {
	// format 1, two siblings: ("a",1) tombstone at time 5 with an empty
	// past; ("b",2) counter value "x" at time 6, expiry 9.
	old, _ := hex.DecodeString("0102" + "0161" + "01" + "01" + "0a" + "0000" +
		"0162" + "02" + "06" + "01" + "0c" + "12" + "0000" + "0178")
	want := Set{
		{Dot: Dot{"a", 1}, Tombstone: true, Time: 5},
		{Dot: Dot{"b", 2}, Kind: KindCounter, Value: []byte("x"), Time: 6, Expiry: 9},
	}
	got, err := DecodeSet(old)
	if err != nil || !got.Equal(want) || got[0].Value != nil {
		t.Fatalf("old encoding: %+v, %v", got, err)
	}
	if b := want.AppendBinary(nil); !bytes.Equal(b, old) {
		t.Fatalf("re-encoded as %x, want %x", b, old)
	}
}

// An expired counter keeps its payload as its tombstone's removal record
// (a few bytes), so what expired stays removed after the value is freed;
// other expired values drop their bytes as before.
func TestExpireKeepsCounterRecord(t *testing.T) {
	s := Set{
		{Dot: Dot{"a", 1}, Kind: KindCounter, Value: []byte("payload"), Time: 1, Expiry: 5},
		{Dot: Dot{"b", 1}, Value: []byte("str"), Enc: StrEncRaw, Time: 1, Expiry: 5},
		{Dot: Dot{"c", 1}, Kind: KindHash, Value: []byte("hdr"), Time: 1, Expiry: 5},
	}
	e, changed := s.Expire(5)
	if !changed {
		t.Fatal("nothing expired")
	}
	if c := e[0]; !c.Tombstone || c.Kind != KindCounter || string(c.Value) != "payload" {
		t.Fatalf("expired counter = %+v", c)
	}
	for _, sb := range e[1:] {
		if !sb.Tombstone || sb.Kind != KindString || sb.Value != nil || sb.Enc != StrEncAuto {
			t.Fatalf("expired value = %+v", sb)
		}
	}
	if got, err := DecodeSet(e.AppendBinary(nil)); err != nil || !got.Equal(e) {
		t.Fatalf("expired set round trip: %+v, %v", got, err)
	}
	if m := s.Merge(e); !m.Equal(e) || !e.Merge(s).Equal(e) {
		t.Fatalf("merge with expired copy = %v", m)
	}
}
