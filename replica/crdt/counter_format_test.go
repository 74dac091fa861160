package crdt

import (
	"bytes"
	"math"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// decodeCounterLegacy is DecodeCounter as the release before removal
// records had it (version.FormatLegacy): the absorbed totals end the
// payload, and anything after them is refused.
func decodeCounterLegacy(b []byte) (Counter, error) {
	d := decoder{b: b}
	var c Counter
	switch d.byte() {
	case modeInt:
		c.base = d.varint()
	case modeFloat:
		c.float = true
		c.baseF = d.float()
		if math.IsNaN(c.baseF) {
			d.fail()
		}
	default:
		d.fail()
	}
	c.stamp.Time = d.varint()
	c.stamp.Node = d.string()
	c.stamp.Counter = d.uvarint()
	c.seen = d.totals(c.float)
	c.absorbed = d.totals(c.float)
	if d.bad || len(d.b) != 0 {
		return Counter{}, errMalformed
	}
	return c, nil
}

// incrAfterExpiry is INCRBY 5 by b on a counter that reached 20 (by a)
// and expired: the new payload counts from 0, so it carries a's 20 as
// removed totals.
func incrAfterExpiry(t *testing.T) Counter {
	t.Helper()
	old, err := Counter{}.SetBase(0, Stamp{Time: 1, Node: "a", Counter: 1}).Add("a", 20)
	if err != nil {
		t.Fatal(err)
	}
	cur := version.Set{{Dot: version.Dot{Node: "a", Counter: 1}, Kind: version.KindCounter,
		Value: old.AppendBinary(nil), Time: 1, Expiry: 10}}
	c, err := Incr(cur, 20, "b", 5)
	if err != nil || len(c.removed) == 0 {
		t.Fatalf("Incr after expiry: %+v, %v; want removed totals", c, err)
	}
	return c
}

// While a server holds the encoders to version.FormatLegacy (a ring
// member reads nothing newer), a counter payload is written without its
// removed totals, as bytes the previous release decodes, and with the
// same value (the removed totals are absorbed instead: INCR after an
// expiry still counts from 0). Once released, the removed totals are
// written again.
func TestCounterLegacyWriteFormat(t *testing.T) {
	c := incrAfterExpiry(t)
	if v, _ := c.Int(); v != 5 {
		t.Fatalf("INCRBY 5 after expiry = %d, want 5", v)
	}
	full := c.AppendBinary(nil) // no hold: ReadFormat
	if _, err := decodeCounterLegacy(full); err == nil {
		t.Fatalf("the legacy decoder read a payload with removed totals: the test cannot tell formats apart")
	}
	release := version.HoldLegacy()
	legacy := c.AppendBinary(nil)
	release()
	// Golden: the previous release's encoding of the same counter with
	// its removed totals absorbed.
	want := c
	want.absorbed, want.removed = joinTotals(c.absorbed, c.removed), nil
	if !bytes.Equal(legacy, want.AppendBinary(nil)) {
		t.Fatalf("legacy bytes %x, want %x", legacy, want.AppendBinary(nil))
	}
	got, err := decodeCounterLegacy(legacy)
	if err != nil {
		t.Fatalf("the previous release cannot decode the legacy bytes %x: %v", legacy, err)
	}
	if v, _ := got.Int(); v != 5 {
		t.Fatalf("legacy payload reads %d on the previous release, want 5", v)
	}
	if got, err := DecodeCounter(legacy); err != nil {
		t.Fatalf("DecodeCounter(legacy): %v", err)
	} else if v, _ := got.Int(); v != 5 {
		t.Fatalf("legacy payload reads %d, want 5", v)
	}
	if again := c.AppendBinary(nil); !bytes.Equal(again, full) {
		t.Fatalf("after release: %x, want the removed totals again %x", again, full)
	}
}

// Float mode (sorted-set scores) and a payload without removed totals:
// the legacy bytes are the full ones.
func TestCounterLegacyWriteFormatUnchanged(t *testing.T) {
	f := NewFloat().SetBaseFloat(1.5, Stamp{Time: 1, Node: "a", Counter: 1}).AddFloat("a", 2)
	i, _ := Counter{}.SetBase(3, Stamp{Time: 1, Node: "a", Counter: 1}).Add("b", 4)
	for _, c := range []Counter{f, i} {
		full := c.AppendBinary(nil)
		release := version.HoldLegacy()
		legacy := c.AppendBinary(nil)
		release()
		if !bytes.Equal(full, legacy) {
			t.Fatalf("%+v: legacy %x, full %x", c, legacy, full)
		}
		if _, err := decodeCounterLegacy(legacy); err != nil {
			t.Fatalf("%+v: legacy decoder: %v", c, err)
		}
	}
}
