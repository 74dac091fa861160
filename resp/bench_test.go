package resp

import (
	"bytes"
	"fmt"
	"testing"
)

// loopReader serves data over and over, like a client that never stops
// pipelining.
type loopReader struct {
	data []byte
	off  int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := copy(p, l.data[l.off:])
	l.off = (l.off + n) % len(l.data)
	return n, nil
}

// pipelinedSetGet is what redis-benchmark -P 16 sends: alternating SET and
// GET of 16-byte keys with 3-byte values.
func pipelinedSetGet(n int) []byte {
	var b []byte
	for i := range n {
		key := fmt.Sprintf("key:%012d", i)
		b = Append(b, Array(BulkString("SET"), BulkString(key), BulkString("xxx")), 2)
		b = Append(b, Array(BulkString("GET"), BulkString(key)), 2)
	}
	return b
}

func BenchmarkReadCommand(b *testing.B) {
	data := pipelinedSetGet(512)
	r := NewReader(&loopReader{data: data}, Limits{})
	b.SetBytes(int64(len(data) / 1024)) // average bytes per command
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.ReadCommand(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadCommandInline(b *testing.B) {
	data := bytes.Repeat([]byte("SET key:000000000001 xxx\r\nGET key:000000000001\r\n"), 512)
	r := NewReader(&loopReader{data: data}, Limits{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.ReadCommand(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadLargeBulk(b *testing.B) {
	val := bytes.Repeat([]byte("x"), 1<<20)
	data := Append(nil, Array(BulkString("SET"), BulkString("k"), Bulk(val)), 2)
	r := NewReader(&loopReader{data: data}, Limits{})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.ReadCommand(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriter(b *testing.B) {
	w := NewWriter(discard{})
	val := []byte("xxx")
	b.ReportAllocs()
	for b.Loop() {
		w.Write(OK())
		w.Write(Bulk(val))
		if w.Buffered() > 16<<10 {
			_ = w.Flush()
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
