package server

import (
	"bytes"
	"testing"

	"github.com/ringkv/ringkv/server/command"
)

// TestInvalidateCodec: what encodes decodes to the same keys, flush and
// origin, and every truncation of a body is refused rather than misread,
// but for the one that drops a whole origin (a body without one, as a
// node that predates origins sends).
func TestInvalidateCodec(t *testing.T) {
	for _, c := range []struct {
		keys   [][]byte
		flush  bool
		origin command.Origin
	}{
		{nil, true, command.Origin{}}, {[][]byte{[]byte("k")}, false, command.Origin{}},
		{[][]byte{[]byte("a"), {}, []byte("user:1")}, false, command.Origin{}},
		{[][]byte{[]byte("k")}, false, command.Origin{Node: "n1", ID: 300}},
		{nil, true, command.Origin{Node: "n2", ID: 1}},
	} {
		body := encodeInvalidate(c.keys, c.flush, c.origin)
		keys, flush, origin, err := decodeInvalidate(body)
		if err != nil || flush != c.flush || len(keys) != len(c.keys) || origin != c.origin {
			t.Fatalf("%q: got %q %v %+v %v", body, keys, flush, origin, err)
		}
		for i := range keys {
			if !bytes.Equal(keys[i], c.keys[i]) {
				t.Errorf("%q: key %d = %q, want %q", body, i, keys[i], c.keys[i])
			}
		}
		plain := len(encodeInvalidate(c.keys, c.flush, command.Origin{}))
		for n := 1; n < len(body); n++ {
			_, _, origin, err := decodeInvalidate(body[:n])
			switch {
			case n == plain && (err != nil || origin != command.Origin{}):
				t.Errorf("%q cut to its keys: origin %+v, %v", body, origin, err)
			case n != plain && err == nil:
				t.Errorf("%q cut to %d bytes decoded", body, n)
			}
		}
	}
}

// TestTrackedHead: a tracked request's head carries the client's ID and
// the node it came from; a plain one none; malformed heads are refused.
func TestTrackedHead(t *testing.T) {
	for _, c := range []struct {
		body   []byte
		proto  int
		origin command.Origin
		ok     bool
	}{
		{[]byte{2, '*'}, 2, command.Origin{}, true},
		{[]byte{3 | trackedFlag, 0xac, 0x02, '*'}, 3, command.Origin{Node: "n1", ID: 300}, true},
		{[]byte{2 | trackedFlag, 0, '*'}, 0, command.Origin{}, false}, // ID 0
		{[]byte{2 | trackedFlag, 0xac}, 0, command.Origin{}, false},   // cut ID
		{[]byte{4, '*'}, 0, command.Origin{}, false},
		{nil, 0, command.Origin{}, false},
	} {
		proto, origin, rest, ok := readHead("n1", c.body)
		if ok != c.ok || proto != c.proto || origin != c.origin || (ok && string(rest) != "*") {
			t.Errorf("%q: got %d %+v %q %v", c.body, proto, origin, rest, ok)
		}
	}
}
