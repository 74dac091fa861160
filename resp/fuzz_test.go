package resp

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
)

var fuzzSeeds = []string{
	// valid
	"*1\r\n$4\r\nPING\r\n",
	"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\n\r\n",
	"*0\r\n*-1\r\nPING\r\n",
	"set a \"b\\x41\\n\" 'c\\'d'\r\n",
	pipeline,
	"\r\n\n \t\n",
	// partial
	"*2\r\n$3\r\nGET\r\n",
	"*1\r\n$5\r\nab",
	"*1\r",
	"GET a",
	"\"unterminated",
	// malformed
	"*x\r\n", "*1\r\n:1\r\n", "*1\r\n$-1\r\n", "*1\r\n$1\r\nab\r\n", "*1\rX",
	"*1\r\n$99999999999999999999\r\n", "*9\r\n", "*1\r\n$65\r\n",
	"a\"b\"c\n", "'a'b\n", "a\x00\"b\n",
	"*11111111111111111111111111111111111", "$" + string(bytes.Repeat([]byte("x"), 40)),
}

func FuzzReader(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxBulkLen: 64, MaxMultiBulk: 8, MaxInline: 32}
		want, wantErr := naiveParse(data, lim)
		sizes := []int{1 + len(data)%5, 2, 11, 1, 64}
		got, gotErr := readAll(NewReader(&chunkReader{data: bytes.Clone(data), sizes: sizes}, lim))
		if !reflect.DeepEqual(got, toStrings(want)) || !sameError(gotErr, wantErr) {
			t.Fatalf("input %q:\nreader %q, %v\noracle %q, %v", data, got, gotErr, toStrings(want), wantErr)
		}
		roundTrip(t, bytes.Split(data, []byte{0xff}))
	})
}

// roundTrip encodes args as a RESP array with Append and reads them back.
func roundTrip(t *testing.T, args [][]byte) {
	elems := make([]Reply, len(args))
	for i, a := range args {
		elems[i] = Bulk(a)
	}
	enc := Append(nil, Array(elems...), 2)
	r := NewReader(bytes.NewReader(enc), Limits{})
	got, err := r.ReadCommand()
	if err != nil || len(got) != len(args) {
		t.Fatalf("round trip of %q: got %q, %v", args, got, err)
	}
	for i := range args {
		if !bytes.Equal(got[i], args[i]) {
			t.Fatalf("round trip of %q: got %q", args, got)
		}
	}
	if _, err := r.ReadCommand(); err != io.EOF {
		t.Fatalf("round trip of %q: trailing %v", args, err)
	}
}

func sameError(a, b error) bool {
	var pa, pb *ProtocolError
	if errors.As(a, &pa) && errors.As(b, &pb) {
		return pa.Msg == pb.Msg
	}
	return a == b
}

func toStrings(cmds [][][]byte) [][]string {
	var out [][]string
	for _, c := range cmds {
		out = append(out, strs(c))
	}
	return out
}

// TestReaderMatchesOracle runs the fuzz seeds through the oracle comparison
// with default limits and many chunkings, so plain `go test` covers it.
func TestReaderMatchesOracle(t *testing.T) {
	for _, s := range fuzzSeeds {
		for _, lim := range []Limits{{}, {MaxBulkLen: 64, MaxMultiBulk: 8, MaxInline: 32}} {
			want, wantErr := naiveParse([]byte(s), lim)
			for size := 1; size <= 8; size++ {
				r := NewReader(&chunkReader{data: []byte(s), sizes: []int{size}}, lim)
				got, gotErr := readAll(r)
				if !reflect.DeepEqual(got, toStrings(want)) || !sameError(gotErr, wantErr) {
					t.Fatalf("%q by %d: reader %q, %v; oracle %q, %v", s, size, got, gotErr, toStrings(want), wantErr)
				}
			}
		}
	}
}
