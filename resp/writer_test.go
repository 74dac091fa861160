package resp

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"unsafe"
)

func TestAppend(t *testing.T) {
	tests := []struct {
		name         string
		r            Reply
		resp2, resp3 string
	}{
		{"ok", OK(), "+OK\r\n", "+OK\r\n"},
		{"simple", Simple("a\r\nb"), "+a  b\r\n", "+a  b\r\n"},
		{"error", Err("ERR bad\nthing"), "-ERR bad thing\r\n", "-ERR bad thing\r\n"},
		{"error dash", Err("-WRONGTYPE x"), "-WRONGTYPE x\r\n", "-WRONGTYPE x\r\n"},
		{"errf", Errf("ERR %d", 7), "-ERR 7\r\n", "-ERR 7\r\n"},
		{"int", Int(-42), ":-42\r\n", ":-42\r\n"},
		{"bulk", Bulk([]byte("a\r\nb")), "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n"},
		{"bulk nil", Bulk(nil), "$0\r\n\r\n", "$0\r\n\r\n"},
		{"bulk string", BulkString("abc"), "$3\r\nabc\r\n", "$3\r\nabc\r\n"},
		{"null", Null(), "$-1\r\n", "_\r\n"},
		{"zero reply", Reply{}, "$-1\r\n", "_\r\n"},
		{"null array", NullArray(), "*-1\r\n", "_\r\n"},
		{"empty array", Array(), "*0\r\n", "*0\r\n"},
		{"array", Array(Int(1), BulkString("a"), Null()), "*3\r\n:1\r\n$1\r\na\r\n$-1\r\n", "*3\r\n:1\r\n$1\r\na\r\n_\r\n"},
		{"nested", Array(Array(Int(1)), Array()), "*2\r\n*1\r\n:1\r\n*0\r\n", "*2\r\n*1\r\n:1\r\n*0\r\n"},
		{"map", Map(BulkString("k"), Int(1)), "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"},
		{"map odd", Map(BulkString("k")), "*2\r\n$1\r\nk\r\n$-1\r\n", "%1\r\n$1\r\nk\r\n_\r\n"},
		{"set", Set(BulkString("a"), BulkString("b")), "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "~2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{"double", Double(3.5), "$3\r\n3.5\r\n", ",3.5\r\n"},
		{"double 0.1", Double(0.1), "$3\r\n0.1\r\n", ",0.1\r\n"},
		{"double int", Double(-2), "$2\r\n-2\r\n", ",-2\r\n"},
		{"double big", Double(1e20), "$5\r\n1e+20\r\n", ",1e+20\r\n"},
		{"double inf", Double(math.Inf(1)), "$3\r\ninf\r\n", ",inf\r\n"},
		{"double -inf", Double(math.Inf(-1)), "$4\r\n-inf\r\n", ",-inf\r\n"},
		{"double nan", Double(math.NaN()), "$3\r\nnan\r\n", ",nan\r\n"},
		{"true", Bool(true), ":1\r\n", "#t\r\n"},
		{"false", Bool(false), ":0\r\n", "#f\r\n"},
		{"verbatim", Verbatim("txt", "hi\r\n"), "$4\r\nhi\r\n\r\n", "=8\r\ntxt:hi\r\n\r\n"},
		{"verbatim bad fmt", Verbatim("markdown", "x"), "$1\r\nx\r\n", "=5\r\ntxt:x\r\n"},
		{"unknown kind", Reply{Kind: 99}, "-ERR internal error: unknown reply kind Kind(99)\r\n",
			"-ERR internal error: unknown reply kind Kind(99)\r\n"},
	}
	for _, tt := range tests {
		if got := string(Append(nil, tt.r, 2)); got != tt.resp2 {
			t.Errorf("%s RESP2: got %q, want %q", tt.name, got, tt.resp2)
		}
		if got := string(Append(nil, tt.r, 3)); got != tt.resp3 {
			t.Errorf("%s RESP3: got %q, want %q", tt.name, got, tt.resp3)
		}
	}
}

func TestAppendDouble(t *testing.T) {
	a, b := 0.1, 0.2
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "-0"}, {1.5, "1.5"}, {a + b, "0.30000000000000004"},
		{1e16, "10000000000000000"}, {1e17, "1e+17"}, {123456789012345680, "1.2345678901234568e+17"},
		{0.0001, "0.0001"}, {0.00001, "1e-05"}, {1.5e-300, "1.5e-300"},
	}
	for _, tt := range tests {
		if got := string(appendDouble(nil, tt.f)); got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.f, got, tt.want)
		}
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	f.n++
	return 0, errors.New("broken pipe")
}

func TestWriter(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	if w.Proto() != 2 {
		t.Fatalf("default proto %d, want 2", w.Proto())
	}
	w.Write(Null())
	w.SetProto(3)
	w.Write(Null())
	w.SetProto(7)
	if w.Proto() != 2 {
		t.Fatalf("SetProto(7) gave proto %d, want 2", w.Proto())
	}
	if w.Buffered() != 8 || out.Len() != 0 {
		t.Fatalf("Buffered %d, written %d before Flush", w.Buffered(), out.Len())
	}
	if err := w.Flush(); err != nil || out.String() != "$-1\r\n_\r\n" || w.Buffered() != 0 {
		t.Fatalf("Flush: %v, wrote %q, Buffered %d", err, out.String(), w.Buffered())
	}
	if err := w.Flush(); err != nil || out.Len() != 8 {
		t.Fatalf("empty Flush: %v, wrote %q", err, out.String())
	}

	fw := &failWriter{}
	w = NewWriter(fw)
	w.Write(OK())
	if err1, err2 := w.Flush(), w.Flush(); err1 == nil || err2 != err1 || fw.n != 1 {
		t.Fatalf("errors %v, %v after %d writes; want one sticky error", err1, err2, fw.n)
	}
}

func TestWriterNoAllocs(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	val := []byte("value")
	allocs := testing.AllocsPerRun(100, func() {
		out.Reset()
		w.Write(OK())
		w.Write(Bulk(val))
		w.Write(Int(12345))
		w.Write(Null())
		_ = w.Flush()
	})
	if allocs > 0 {
		t.Errorf("%.1f allocations per batch of simple replies", allocs)
	}
}

// writes records what each Write was given: a copy, and where it was.
type writes struct {
	calls [][]byte
	from  []*byte
}

func (w *writes) Write(p []byte) (int, error) {
	w.calls = append(w.calls, bytes.Clone(p))
	w.from = append(w.from, unsafe.SliceData(p))
	return len(p), nil
}

func (w *writes) joined() []byte { return bytes.Join(w.calls, nil) }

// vecWrites is writes that is also a BuffersWriter; it counts the
// WriteBuffers calls.
type vecWrites struct {
	writes
	vec int
}

func (w *vecWrites) WriteBuffers(bufs ...[]byte) (int, error) {
	w.vec++
	n := 0
	for _, b := range bufs {
		m, _ := w.Write(b)
		n += m
	}
	return n, nil
}

// A large bulk string is written from the reply's own bytes, not copied
// into the buffer, wherever it sits in the reply; the bytes on the wire
// are Append's.
func TestWriterLargeBulkWrittenThrough(t *testing.T) {
	big := bytes.Repeat([]byte("v"), directBulk)
	bigStr := strings.Repeat("s", directBulk+1)
	for _, tt := range []struct {
		name  string
		reply Reply
		proto int
	}{
		{"bulk", Bulk(big), 2},
		{"string bulk", BulkString(bigStr), 2},
		{"array", Array(Int(1), Bulk(big), Null(), BulkString(bigStr)), 2},
		{"resp3 map", Map(BulkString("k"), Array(Bulk(big))), 3},
	} {
		for _, vec := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/vectored=%v", tt.name, vec), func(t *testing.T) {
				out := &vecWrites{}
				var w *Writer
				if vec {
					w = NewWriter(out)
				} else {
					w = NewWriter(&out.writes)
				}
				w.SetProto(tt.proto)
				w.Write(OK())
				w.Write(tt.reply)
				w.Write(Int(7))
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
				want := Append(Append(Append(nil, OK(), tt.proto), tt.reply, tt.proto), Int(7), tt.proto)
				if got := out.joined(); !bytes.Equal(got, want) {
					t.Fatalf("wrote %d bytes, want %d (%q...)", len(got), len(want), got[:min(len(got), 40)])
				}
				direct := 0
				for i, p := range out.calls {
					if len(p) >= directBulk {
						if from := out.from[i]; from != &big[0] && from != unsafe.StringData(bigStr) {
							t.Errorf("a %d-byte write is a copy of the reply's bytes", len(p))
						}
						direct++
					}
				}
				if direct == 0 {
					t.Error("no write came straight from the reply's bytes")
				}
				if vec && out.vec != direct {
					t.Errorf("%d large bulk strings in %d vectored writes, want one each", direct, out.vec)
				}
			})
		}
	}

	fw := &failWriter{}
	w := NewWriter(fw)
	w.Write(Bulk(big))
	w.Write(Bulk(big))
	if err := w.Flush(); err == nil || fw.n != 1 {
		t.Fatalf("Flush after a failed write: %v after %d writes; want the error after one", err, fw.n)
	}
}
