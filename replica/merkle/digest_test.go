package merkle

import "testing"

// TestDigestGolden pins Digest: every node must compute the same digest
// for the same (key, set) across versions, or every segment of a
// mixed-version cluster differs and anti-entropy ships everything.
func TestDigestGolden(t *testing.T) {
	for _, c := range []struct {
		key, set string
		want     uint64
	}{
		{"key", "\x01\x00", 0xcc9911b3381a004d},
		{"", "", 0x1772864f16076936},
		// The key is length-prefixed: moving a byte across the boundary
		// changes the digest.
		{"ke", "y\x01\x00", 0x9af901d856e9d636},
	} {
		if got := Digest([]byte(c.key), []byte(c.set)); got != c.want {
			t.Errorf("Digest(%q, %q) = %#x, want %#x", c.key, c.set, got, c.want)
		}
	}
}

func BenchmarkDigest(b *testing.B) {
	key, set := []byte("user:1234567"), make([]byte, 140)
	b.SetBytes(int64(len(key) + len(set)))
	b.ReportAllocs()
	for b.Loop() {
		Digest(key, set)
	}
}

// Every stored write digests its record: Digest reuses its hash state.
// (Under the race detector sync.Pool drops some of what it is given, so
// the bound is under one allocation per call, not zero; a new state is
// two.)
func TestDigestReusesItsState(t *testing.T) {
	key, enc := []byte("key:000000123456"), make([]byte, 60)
	Digest(key, enc) // the pool's first state
	if n := testing.AllocsPerRun(200, func() { Digest(key, enc) }); n >= 1 {
		t.Errorf("Digest made %.2f allocations per call, want under 1", n)
	}
}
