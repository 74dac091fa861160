package crdt

import (
	"errors"
	"math"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// incr writes INCRBY n at node (also the actor) on s, as the command layer.
func incr(t *testing.T, s version.Set, node string, now, n int64) version.Set {
	t.Helper()
	c, err := Incr(s, now, node, n)
	if err != nil {
		t.Fatalf("incr %d at %s: %v", n, node, err)
	}
	ns, _ := s.Put(node, s.Context(), version.Sibling{Kind: version.KindCounter, Value: c.AppendBinary(nil), Time: now}, 0)
	return ns
}

// set writes SET v at node on s.
func set(s version.Set, node string, now int64, v string) version.Set {
	k, b := Assign(s, now, node, []byte(v))
	ns, _ := s.Put(node, s.Context(), version.Sibling{Kind: k, Value: b, Time: now}, 0)
	return ns
}

func get(t *testing.T, s version.Set) string {
	t.Helper()
	v, ok := Resolve(s, 0)
	if !ok {
		return "(nil)"
	}
	return string(v.Bytes)
}

// Issue 8: 20 INCRs on each side of a partition add up to 40 once healed.
func TestConcurrentIncrsAddUp(t *testing.T) {
	var a, b version.Set
	for i := int64(0); i < 20; i++ {
		a = incr(t, a, "a", 10+i, 1)
		b = incr(t, b, "b", 10+i, 1)
	}
	if got := get(t, a.Merge(b)); got != "40" {
		t.Fatalf("healed counter = %s, want 40", got)
	}
	// A DECR on one side and INCRBY on the other.
	a = incr(t, a.Merge(b), "a", 50, -5)
	b = incr(t, b, "b", 51, 7)
	if got := get(t, b.Merge(a)); got != "42" {
		t.Fatalf("after decr/incrby = %s, want 42", got)
	}
}

// DESIGN.md: a SET concurrent with increments keeps the SET's value plus
// the increments its writer had not seen.
func TestSetConcurrentWithIncrs(t *testing.T) {
	var s version.Set
	s = incr(t, s, "a", 1, 3) // both sides saw 3
	a, b := s, s
	a = incr(t, a, "a", 2, 1)
	a = set(a, "a", 3, "100") // saw a's +1
	a = incr(t, a, "a", 4, 2) // after the SET
	b = incr(t, b, "b", 5, 10)
	b = incr(t, b, "c", 6, 1)
	if got := get(t, a.Merge(b)); got != "113" {
		t.Fatalf("SET 100 + its own later +2 + unseen +10 +1 = %s, want 113", got)
	}
}

// A plain SET on a plain key stays plain; INCR over it counts from it.
func TestPlainSetStaysPlain(t *testing.T) {
	s := set(nil, "a", 1, "7")
	if s[0].Kind != version.KindString {
		t.Fatalf("plain SET wrote kind %d", s[0].Kind)
	}
	s = incr(t, s, "b", 2, 1)
	if got := get(t, s); got != "8" {
		t.Fatalf("INCR over 7 = %s", got)
	}
	s = set(s, "a", 3, "x")
	if got := get(t, s); got != "x" {
		t.Fatalf("SET x over a counter = %s", got)
	}
	if _, err := Incr(s, 4, "a", 1); !errors.Is(err, ErrNotInteger) {
		t.Fatalf("INCR over x: %v", err)
	}
}

// A base set on a node whose clock is behind still wins over the base it
// saw, including in siblings that carried that base forward.
func TestBaseStampAboveWhatItSaw(t *testing.T) {
	s := set(nil, "fast", 1000, "5")
	s = incr(t, s, "fast", 1001, 1)
	shared := s
	s = set(s, "slow", 10, "50") // sequentially after, clock far behind
	other := incr(t, shared, "c", 1002, 1)
	if got := get(t, s.Merge(other)); got != "51" {
		t.Fatalf("got %s, want 50 + c's unseen 1 = 51", got)
	}
}

func TestOverflow(t *testing.T) {
	s := set(nil, "a", 1, "9223372036854775806")
	s = incr(t, s, "a", 2, 1)
	if _, err := Incr(s, 3, "a", 1); !errors.Is(err, ErrOverflow) {
		t.Fatalf("INCR at max: %v", err)
	}
	a := incr(t, set(nil, "a", 1, "9223372036854775800"), "a", 2, 1)
	b, c := incr(t, a, "b", 3, 5), incr(t, a, "c", 3, 5)
	m := b.Merge(c)
	v, _ := Resolve(m, 0)
	if string(v.Bytes) != "9223372036854775811" {
		t.Fatalf("merged past int64 = %s", v.Bytes)
	}
	if _, ok := v.Counter.Int(); ok {
		t.Fatal("Int() ok past int64")
	}
	if _, err := Incr(m, 4, "a", -100); !errors.Is(err, ErrNotInteger) {
		t.Fatalf("INCR on an out-of-range value: %v", err)
	}
	c0, err := Counter{}.Add("x", math.MinInt64)
	if err != nil || string(c0.Bytes()) != "-9223372036854775808" {
		t.Fatalf("Add MinInt64 = %s, %v", c0.Bytes(), err)
	}
}

func TestFloatMode(t *testing.T) {
	c := NewFloat().SetBaseFloat(1.5, Stamp{Time: 1, Node: "a"})
	c = c.AddFloat("a", 0.25).AddFloat("b", -1)
	if got := string(c.Bytes()); got != "0.75" {
		t.Fatalf("float counter = %s", got)
	}
	d, err := DecodeCounter(c.AppendBinary(nil))
	if err != nil || d.Float() != 0.75 || !d.IsFloat() {
		t.Fatalf("decoded %v, %v", d, err)
	}
	live := []*version.Sibling{{Kind: version.KindString, Value: []byte("2.5"), Time: 9}}
	r, err := ResolveCounter(live, true)
	if err != nil || r.Float() != 2.5 {
		t.Fatalf("float base from a string: %v %v", r.Float(), err)
	}
	live[0].Value = []byte("abc")
	if _, err := ResolveCounter(live, true); !errors.Is(err, ErrNotFloat) {
		t.Fatalf("non-float base: %v", err)
	}
}

func TestResolveHeaderAndExpiry(t *testing.T) {
	s := version.Set{{Dot: version.Dot{Node: "a", Counter: 1}, Kind: version.KindHash, Value: []byte{1}, Time: 5, Expiry: 99}}
	v, ok := Resolve(s, 0)
	if !ok || v.Kind != version.KindHash || IsString(v.Kind) || v.Expiry != 99 || v.Counter != nil {
		t.Fatalf("header resolves to %+v", v)
	}
	if _, ok := Resolve(s, 100); ok {
		t.Fatal("expired header is live")
	}
	if !IsString(version.KindCounter) || !IsString(version.KindString) {
		t.Fatal("IsString")
	}
}

func TestDecodeRejects(t *testing.T) {
	good := Counter{}.SetBase(3, Stamp{1, "n", 2})
	good, _ = good.Add("b", 1)
	good, _ = good.Add("a", -1)
	b := good.AppendBinary(nil)
	if _, err := DecodeCounter(b); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{nil, {0}, {3}, append(b, 0), b[:len(b)-1]} {
		if _, err := DecodeCounter(bad); err == nil {
			t.Errorf("decoded %x", bad)
		}
	}
	// Actors out of order.
	c := Counter{seen: []total{{actor: "b"}, {actor: "a"}}}
	if _, err := DecodeCounter(c.AppendBinary(nil)); err == nil {
		t.Error("decoded unsorted actors")
	}
}
