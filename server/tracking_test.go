package server

import (
	"bytes"
	"testing"
)

// TestInvalidateCodec: what encodes decodes to the same keys and flush,
// and every truncation of a body is refused rather than misread.
func TestInvalidateCodec(t *testing.T) {
	for _, c := range []struct {
		keys  [][]byte
		flush bool
	}{{nil, true}, {[][]byte{[]byte("k")}, false}, {[][]byte{[]byte("a"), {}, []byte("user:1")}, false}} {
		body := encodeInvalidate(c.keys, c.flush)
		keys, flush, err := decodeInvalidate(body)
		if err != nil || flush != c.flush || len(keys) != len(c.keys) {
			t.Fatalf("%q: got %q %v %v", body, keys, flush, err)
		}
		for i := range keys {
			if !bytes.Equal(keys[i], c.keys[i]) {
				t.Errorf("%q: key %d = %q, want %q", body, i, keys[i], c.keys[i])
			}
		}
		for n := 1; n < len(body); n++ {
			if _, _, err := decodeInvalidate(body[:n]); err == nil && n < len(body) {
				t.Errorf("%q cut to %d bytes decoded", body, n)
			}
		}
	}
}
