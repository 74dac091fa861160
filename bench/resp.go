package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
)

// AppendCommand appends args as a RESP array of bulk strings, the form
// redis-cli --pipe expects.
func AppendCommand(dst []byte, args ...[]byte) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, '\r', '\n')
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// Load describes a stream of SETs: keys fmt.Sprintf(KeyFormat, i) for i in
// [0, Count), each with a Size-byte value.
type Load struct {
	KeyFormat string // e.g. "key:%07d"
	Count     int
	Size      int
	Random    bool // values pseudo-random printable (incompressible-ish); else all 'x' like redis-benchmark
}

// Value fills v with key i's value: deterministic, so runs are comparable.
func (l Load) Value(v []byte, i int) []byte {
	v = v[:0]
	x := uint64(i)*0x9E3779B97F4A7C15 + 1
	for range l.Size {
		if !l.Random {
			v = append(v, 'x')
			continue
		}
		x ^= x << 13 // xorshift64
		x ^= x >> 7
		x ^= x << 17
		v = append(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"[x&63])
	}
	return v
}

// WriteTo writes the whole stream as RESP SET commands.
func (l Load) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	var n int64
	set, key, val := []byte("SET"), make([]byte, 0, 64), make([]byte, 0, l.Size)
	buf := make([]byte, 0, 256+l.Size)
	for i := range l.Count {
		key, val = fmt.Appendf(key[:0], l.KeyFormat, i), l.Value(val, i)
		buf = AppendCommand(buf[:0], set, key, val)
		m, err := bw.Write(buf)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, bw.Flush()
}
