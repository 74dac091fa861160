package server

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// A collection write re-stamps the header and writes an element; they
// travel as one group (replica.Coordinator.UpdateGroup): each replica
// receives one frame for both and merges them in one write, so a
// replica never holds the header without the element written with it
// (an empty collection: EXISTS 1, HLEN 0), and the write costs one round.
func TestCollectionWriteIsOneGroup(t *testing.T) {
	// Copies get 5 s, not the cluster's 300 ms: a copy to n2 that missed
	// its timeout on a loaded machine would become a hint, and the hint's
	// later delivery a second frame counted against the next command.
	_, nodes := routedCluster(t, func(c *replica.Config) { c.Timeout = 5 * time.Second })
	var frames atomic.Int64
	refuse := []byte("refused-field")
	wrapHandler(t, nodes, "n2", func(m uint8, body []byte) error {
		if m != replica.MethodMerge && m != replica.MethodMergeBatch {
			return nil
		}
		frames.Add(1)
		if bytes.Contains(body, refuse) {
			return errors.New("test: n2 refuses this write")
		}
		return nil
	})

	if got := nodes["n1"].do("RPUSH", "l", "a", "b"); got != "(integer) 2" {
		t.Fatalf("RPUSH = %s", got)
	}
	// settled waits (bounded) until n2 holds every record as n1 does, and
	// no frame arrived for 20 ms: no copy is in flight to n2 (W=2 is met
	// before the last copy lands), and the next command's quorum read
	// finds n2 current, so it sends n2 no read repair.
	settled := func(same bool) int64 {
		deadline := time.Now().Add(5 * time.Second)
		last := frames.Load()
		for time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			n := frames.Load()
			if n == last && (!same || sameRecords(t, nodes["n1"], nodes["n2"])) {
				break
			}
			last = n
		}
		return last
	}
	for _, cmd := range [][]string{
		{"HSET", "h", "f", "1"},
		{"SADD", "s", "m"},
		{"HINCRBY", "c", "f", "2"},
		{"ZADD", "z", "1", "m"},
		{"ZINCRBY", "z", "1", "m"},
		{"LPOP", "l"},
		{"RPUSH", "l", "c"},
		{"LPUSH", "l", "z"},
	} {
		before := settled(true)
		if got := nodes["n1"].do(cmd...); strings.HasPrefix(got, "(error)") || got == "(nil)" {
			t.Fatalf("%v = %s", cmd, got)
		}
		if n := settled(true) - before; n != 1 {
			t.Errorf("%v sent n2 %d merge frames, want 1 (header and element together)", cmd, n)
		}
	}

	// n2 refuses the frame that carries the element: it must not keep the
	// header alone. n3 acknowledges, so the write meets W=2.
	if got := nodes["n1"].do("HSET", "e", string(refuse), "1"); got != "(integer) 1" {
		t.Fatalf("HSET e = %s", got)
	}
	settled(false) // n2 refused e's records: it will not hold them
	hdr := stored(t, nodes["n2"], string(ring.InternalKey([]byte("e"))))
	elem := stored(t, nodes["n2"], string(ring.ElementKey(ring.ElemHash, []byte("e"), refuse)))
	if hdr != elem {
		t.Errorf("n2 holds the header: %v, the element: %v; want both or neither", hdr, elem)
	}
	for _, n := range []string{"n1", "n3"} {
		if got := nodes[n].do("HLEN", "e"); got != "(integer) 1" {
			t.Errorf("HLEN e on %s = %s, want 1", n, got)
		}
	}
}

// wrapHandler puts check in front of node's peer handler: a non-nil
// error is node's answer instead of serving the call.
func wrapHandler(t *testing.T, nodes map[string]*testNode, node string, check func(m uint8, body []byte) error) {
	t.Helper()
	n := nodes[node]
	tr, ok := n.route.peers.(*transport.MemTransport)
	if !ok {
		t.Fatalf("%s is not on the in-memory network", node)
	}
	tr.SetHandler(transport.HandlerFunc(func(ctx context.Context, from string, m uint8, b []byte) ([]byte, error) {
		if err := check(m, b); err != nil {
			return nil, err
		}
		if m == MethodExec {
			return n.route.serveExec(ctx, from, b)
		}
		return n.route.coord.(*replica.Coordinator).ServePeer(ctx, from, m, b)
	}))
}

// sameRecords reports whether a and b store the same records.
func sameRecords(t *testing.T, a, b *testNode) bool {
	t.Helper()
	all := func(n *testNode) map[string]version.Set {
		m := map[string]version.Set{}
		if err := n.db.Range(0, math.MaxUint64, func(_ uint64, k []byte, s version.Set) bool {
			m[string(k)] = s
			return true
		}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	x, y := all(a), all(b)
	if len(x) != len(y) {
		return false
	}
	for k, s := range x {
		if !s.Equal(y[k]) {
			return false
		}
	}
	return true
}
