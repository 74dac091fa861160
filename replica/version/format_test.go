package version

import (
	"bytes"
	"testing"
)

// decodeSetLegacy is DecodeSet as the release before removal records had
// it (FormatLegacy): a tombstone has no Kind and no Value.
func decodeSetLegacy(b []byte) (Set, error) {
	d := decoder{b: b}
	if d.byte() != setFormat {
		return nil, ErrCorrupt
	}
	n := d.uvarint()
	if d.err != nil || n > uint64(len(b)) {
		return nil, ErrCorrupt
	}
	s := make(Set, n)
	for i := range s {
		sb := &s[i]
		sb.Dot.Node = d.string()
		sb.Dot.Counter = d.uvarint()
		flags := d.byte()
		sb.Tombstone = flags&flagTombstone != 0
		if flags&flagKind != 0 {
			sb.Kind = Kind(d.byte())
			if sb.Kind == KindString || sb.Tombstone {
				d.fail()
			}
		}
		sb.Enc = StrEnc(flags & flagEncMask >> flagEncShift)
		if flags&^(flagTombstone|flagExpiry|flagKind|flagEncMask) != 0 || sb.Enc >= strEncLimit ||
			(sb.Enc != StrEncAuto && sb.Tombstone) {
			d.fail()
		}
		sb.Time = d.varint()
		if flags&flagExpiry != 0 {
			sb.Expiry = d.varint()
		}
		sb.Past = d.context()
		if !sb.Tombstone {
			sb.Value = d.bytes()
			if sb.Value == nil && d.err == nil {
				sb.Value = []byte{}
			}
		}
		if d.err == nil && (sb.Dot.Node == "" || sb.Dot.Counter == 0 || (i > 0 && !s[i-1].Dot.Less(sb.Dot))) {
			d.err = ErrCorrupt
		}
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, ErrCorrupt
	}
	return s, nil
}

// stripped is s with its tombstones' removal records dropped: the set the
// previous release would have held.
func stripped(s Set) Set {
	out := append(Set(nil), s...)
	for i := range out {
		if out[i].Tombstone {
			out[i].Kind, out[i].Value = KindString, nil
		}
	}
	return out
}

// encodings returns s's AppendBinary, WriteBinary and EncodedLen,
// failing t unless they agree.
func encodings(t *testing.T, s Set) []byte {
	t.Helper()
	b := s.AppendBinary(nil)
	var w bytes.Buffer
	if n, err := s.WriteBinary(&w); err != nil || n != int64(len(b)) || !bytes.Equal(w.Bytes(), b) {
		t.Fatalf("WriteBinary wrote %d %v: %x, AppendBinary %x", n, err, w.Bytes(), b)
	}
	if n := s.EncodedLen(); n != len(b) {
		t.Fatalf("EncodedLen %d, AppendBinary wrote %d", n, len(b))
	}
	return b
}

// While a HoldLegacy is held (a ring member reads nothing newer), a set
// whose tombstones keep removal records, an expired counter's among them,
// is encoded as the same set without the records: bytes the previous
// release decodes. Released, the records are written again. Decoding
// reads both whatever the write format.
func TestLegacyWriteFormatStripsRemovalRecords(t *testing.T) {
	s := removalSet()
	if got := WriteFormat(); got != ReadFormat {
		t.Fatalf("WriteFormat with no hold = %d, want %d", got, ReadFormat)
	}
	full := encodings(t, s)
	if _, err := decodeSetLegacy(full); err == nil {
		t.Fatal("the legacy decoder read removal records: the test cannot tell formats apart")
	}
	release := HoldLegacy()
	release2 := HoldLegacy()
	if got := WriteFormat(); got != FormatLegacy || WritesRemovals() {
		t.Fatalf("WriteFormat held = %d, want %d", got, FormatLegacy)
	}
	legacy := encodings(t, s)
	golden := encodings(t, stripped(s)) // the previous release's bytes for it
	release()
	release() // a second call releases nothing more
	if WritesRemovals() {
		t.Fatal("one of two holds released: still FormatLegacy")
	}
	release2()
	if !bytes.Equal(legacy, golden) {
		t.Fatalf("legacy bytes %x, want those of the set without records %x", legacy, golden)
	}
	got, err := decodeSetLegacy(legacy)
	if err != nil || !got.Equal(stripped(s)) {
		t.Fatalf("previous release decodes %+v, %v; want %+v", got, err, stripped(s))
	}
	if got, err := DecodeSet(legacy); err != nil || !got.Equal(stripped(s)) {
		t.Fatalf("DecodeSet(legacy) = %+v, %v", got, err)
	}
	if again := encodings(t, s); !bytes.Equal(again, full) {
		t.Fatalf("released: %x, want the records again %x", again, full)
	}
	if got, err := DecodeSet(full); err != nil || !got.Equal(s) {
		t.Fatalf("DecodeSet(full) = %+v, %v", got, err)
	}
}
