package command

import (
	"bytes"
	"testing"
)

// grow extends a value in place when it has the room, zeroing the gap
// SETRANGE leaves even where a retried write left bytes, copies it when
// it has none, and never returns nil (APPEND of "" to a missing key
// stores an empty string).
func TestGrowInPlace(t *testing.T) {
	buf := append(make([]byte, 0, 16), "abc"...)
	copy(buf[3:16], "XXXXXXXXXXXXX") // a retried write's leftovers
	got := grow(buf[:3], 5, []byte("de"))
	if string(got) != "abc\x00\x00de" || &got[0] != &buf[0] {
		t.Errorf("in place: %q (same buffer %v)", got, &got[0] == &buf[0])
	}
	old := []byte("abc")
	got = grow(old[:3:3], 3, []byte("de"))
	if string(got) != "abcde" || &got[0] == &old[0] || string(old) != "abc" {
		t.Errorf("copy: %q, old now %q", got, old)
	}
	if got := grow(nil, 0, nil); got == nil || len(got) != 0 {
		t.Errorf("grow(nil) = %#v", got)
	}
	if got := grow(nil, 2, []byte("x")); !bytes.Equal(got, []byte("\x00\x00x")) {
		t.Errorf("grow(nil, 2, x) = %q", got)
	}
}
