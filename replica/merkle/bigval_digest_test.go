package merkle

import (
	"bytes"
	"testing"
)

// A Digester fed an encoding in pieces gives Digest's value.
func TestDigesterMatchesDigest(t *testing.T) {
	enc := bytes.Repeat([]byte("0123456789abcdef"), 1000)
	for _, key := range [][]byte{nil, []byte("k"), bytes.Repeat([]byte("K"), 300)} {
		for _, cut := range []int{0, 1, 15, 16, 17, 999, len(enc)} {
			d := NewDigester(key)
			d.Write(enc[:cut])
			d.Write(enc[cut:])
			if got, want := d.Sum(), Digest(key, enc); got != want {
				t.Errorf("key %d bytes, cut at %d: %x, want %x", len(key), cut, got, want)
			}
		}
	}
}
