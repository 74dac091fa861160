package crdt

import (
	"bytes"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// DecodeCounter never panics; what it accepts re-encodes to a payload that
// decodes to the same counter, and resolves and adds without panicking.
func FuzzDecodeCounter(f *testing.F) {
	c := Counter{}.SetBase(-7, Stamp{Time: 5, Node: "n.1", Counter: 2})
	c, _ = c.Add("a", 3)
	c, _ = c.Add("b", -4)
	f.Add(c.AppendBinary(nil))
	f.Add(NewFloat().SetBaseFloat(1.5, Stamp{Time: 1, Node: "x"}).AddFloat("y", -2).AppendBinary(nil))
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0})
	r := c
	r.removed = []total{{actor: "a", p: 2}}
	f.Add(r.AppendBinary(nil))                                     // removed totals (a counter after a DEL)
	f.Add(Counter{stamp: c.stamp, seen: c.seen}.AppendBinary(nil)) // a DEL's removal record
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeCounter(b)
		if err != nil {
			return
		}
		enc := c.AppendBinary(nil)
		d, err := DecodeCounter(enc)
		if err != nil {
			t.Fatalf("re-encoding %x does not decode: %v", enc, err)
		}
		if !bytes.Equal(d.AppendBinary(nil), enc) {
			t.Fatalf("not a fixed point: %x", enc)
		}
		_ = c.Bytes()
		if !c.IsFloat() {
			_, _ = c.Add("z", -1)
		}
		live := []*version.Sibling{{Kind: version.KindCounter, Value: b, Time: 1}}
		_, _ = ResolveCounter(live, c.IsFloat())
		// As a removal record beside a live counter.
		rec := version.Set{{Tombstone: true, Kind: version.KindCounter, Value: b}, *live[0]}
		_, _ = Resolve(rec, 0)
		_, _ = Incr(rec, 2, "z", 1)
	})
}
