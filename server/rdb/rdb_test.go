package rdb

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestCRC64(t *testing.T) {
	// Redis's crc64 self-test value.
	if got := CRC64([]byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64 = %x", got)
	}
}

func TestLZF(t *testing.T) {
	got, ok := DecompressLZF([]byte("\x01aa\xe0\x22\x00\x01aa"), 47)
	if !ok || string(got) != string(bytes.Repeat([]byte("a"), 47)) {
		t.Errorf("got %q %v", got, ok)
	}
	for _, c := range []struct {
		in   string
		size uint64
	}{{"\x01a", 2}, {"\x20", 3}, {"\x01aa\xe0\xff\x00", 300}, {"\x01aa", 3}, {"", 0}} {
		if _, ok := DecompressLZF([]byte(c.in), c.size); ok {
			t.Errorf("%x/%d decoded", c.in, c.size)
		}
	}
}

// TestSealOpen: a sealed body opens; a short, newer or corrupt payload
// does not; an older version does.
func TestSealOpen(t *testing.T) {
	p := Seal([]byte("body"))
	if body, ok := Open(p); !ok || string(body) != "body" {
		t.Fatalf("Open = %q %v", body, ok)
	}
	if _, ok := Open(p[:9]); ok {
		t.Error("short payload opened")
	}
	bad := bytes.Clone(p)
	bad[0] ^= 1
	if _, ok := Open(bad); ok {
		t.Error("corrupt payload opened")
	}
	for v := uint16(9); v <= Version+1; v++ {
		q := binary.LittleEndian.AppendUint16([]byte("body"), v)
		q = binary.LittleEndian.AppendUint64(q, CRC64(q))
		if _, ok := Open(q); ok != (v <= Version) {
			t.Errorf("RDB %d payload opens: %v", v, ok)
		}
	}
}

// TestStrings: what AppendString and AppendLen write, Reader reads back,
// in Redis's encodings (integers as integers).
func TestStrings(t *testing.T) {
	var out []byte
	vals := [][]byte{[]byte(""), []byte("-5"), []byte("12345"), []byte("-70000"), []byte("123456789012"),
		[]byte("007"), bytes.Repeat([]byte("x"), 70), bytes.Repeat([]byte("y"), 20000)}
	for _, v := range vals {
		out = AppendString(out, v)
	}
	out = AppendLen(out, 1<<40)
	if want := "\x00\xc0\xfb\xc1\x39\x30\xc2\x90\xee\xfe\xff\x0c123456789012\x03007"; !bytes.HasPrefix(out, []byte(want)) {
		t.Errorf("encoded %x", out[:40])
	}
	r := NewReader(out)
	for _, v := range vals {
		if got := r.Str(); !bytes.Equal(got, v) {
			t.Errorf("read %q, want %q", got, v)
		}
	}
	if n := r.Len(); n != 1<<40 || r.Bad() || len(r.Rest()) != 0 {
		t.Errorf("length %d, bad %v, %d left", n, r.Bad(), len(r.Rest()))
	}
	if r.Byte(); !r.Bad() || r.Take(0) != nil || r.Str() != nil {
		t.Error("reading past the end did not stick")
	}
}
