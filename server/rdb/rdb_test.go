package rdb

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCRC64(t *testing.T) {
	// Redis's crc64 self-test value.
	if got := CRC64([]byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64 = %x", got)
	}
}

func TestLZF(t *testing.T) {
	got, ok := DecompressLZF(unhex(t, "016161e02200016161"), 47)
	if !ok || string(got) != string(bytes.Repeat([]byte("a"), 47)) {
		t.Errorf("got %q %v", got, ok)
	}
	for _, c := range []struct {
		in   string
		size uint64
	}{{"0161", 2}, {"20", 3}, {"016161e0ff00", 300}, {"016161", 3}, {"", 0}} {
		if _, ok := DecompressLZF(unhex(t, c.in), c.size); ok {
			t.Errorf("%s/%d decoded", c.in, c.size)
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
	if want := "00c0fbc13930c290eefeff0c313233343536373839303132" + "03303037"; !bytes.HasPrefix(out, unhex(t, want)) {
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
