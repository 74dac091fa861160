package transport

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// memNodes attaches echo nodes named names; they are closed when the test
// (or synctest bubble) ends.
func memNodes(t *testing.T, n *MemNetwork, names ...string) map[string]*MemTransport {
	nodes := make(map[string]*MemTransport)
	for _, name := range names {
		nodes[name] = n.Node(name, echo)
		t.Cleanup(func() { _ = nodes[name].Close() })
	}
	return nodes
}

func TestMemPartitionHeal(t *testing.T) {
	n := NewMemNetwork(1)
	nodes := memNodes(t, n, "a", "b", "c")
	a := nodes["a"]
	n.Partition([]string{"a", "b"}, []string{"c"})
	mustCall(t, a, "b", 1, nil)
	_, err := a.Call(ctxTimeout(t, time.Second), "c", 1, nil)
	wantErr(t, err, ErrUnreachable)
	_, err = nodes["c"].Call(ctxTimeout(t, time.Second), "a", 1, nil)
	wantErr(t, err, ErrUnreachable)
	n.Heal()
	mustCall(t, a, "c", 1, nil)

	n.Isolate("b")
	_, err = a.Call(ctxTimeout(t, time.Second), "b", 1, nil)
	wantErr(t, err, ErrUnreachable)
	mustCall(t, nodes["b"], "b", 1, nil) // a node always reaches itself
	n.Heal()
	mustCall(t, a, "b", 1, nil)
}

func TestMemDownUp(t *testing.T) {
	n := NewMemNetwork(1)
	nodes := memNodes(t, n, "a", "b")
	n.Down("b")
	_, err := nodes["a"].Call(ctxTimeout(t, time.Second), "b", 1, nil)
	wantErr(t, err, ErrUnreachable)
	_, err = nodes["b"].Call(ctxTimeout(t, time.Second), "a", 1, nil)
	wantErr(t, err, ErrUnreachable)
	n.Up("b")
	mustCall(t, nodes["a"], "b", 1, nil)
	_ = nodes["b"].Close()
	_, err = nodes["a"].Call(ctxTimeout(t, time.Second), "b", 1, nil)
	wantErr(t, err, ErrUnreachable)
	n.Node("b", echo) // restart under the same name
	mustCall(t, nodes["a"], "b", 1, nil)
}

// dropPattern runs 200 sequential calls over a lossy link and records which
// were lost.
func dropPattern(t *testing.T, seed int64) (lost []bool) {
	synctest.Test(t, func(t *testing.T) {
		n := NewMemNetwork(seed)
		a := memNodes(t, n, "a", "b")["a"]
		n.SetDrop("a", "b", 0.3)
		n.SetDrop(Any, "a", 0.1) // replies
		for range 200 {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
			_, err := a.Call(ctx, "b", 1, nil)
			cancel()
			if err != nil && !errors.Is(err, ErrTimeout) {
				t.Fatal(err)
			}
			lost = append(lost, err != nil)
		}
	})
	return lost
}

func TestMemDropDeterministic(t *testing.T) {
	p1, p2, other := dropPattern(t, 42), dropPattern(t, 42), dropPattern(t, 7)
	if !slices.Equal(p1, p2) {
		t.Fatal("same seed, different drops")
	}
	if slices.Equal(p1, other) {
		t.Fatal("different seeds, same drops")
	}
	lost := 0
	for _, l := range p1 {
		if l {
			lost++
		}
	}
	// P(lost) = 1 - 0.7*0.9 = 0.37
	if lost < 40 || lost > 110 {
		t.Fatalf("%d of 200 calls lost, want about 74", lost)
	}
}

// A lost reply: the handler ran, the caller times out.
func TestMemDropReply(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := NewMemNetwork(1)
		var served atomic.Int64
		a := n.Node("a", echo)
		b := n.Node("b", counting(&served))
		defer a.Close()
		defer b.Close()
		n.SetDrop("b", "a", 1)
		_, err := a.Call(ctxTimeout(t, time.Second), "b", 1, nil)
		wantErr(t, err, ErrTimeout)
		if served.Load() != 1 {
			t.Fatalf("served %d, want 1", served.Load())
		}
	})
}

func TestMemDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := NewMemNetwork(1)
		nodes := memNodes(t, n, "a", "b")
		a := nodes["a"]
		n.SetDelay("a", "b", 100*time.Millisecond)
		n.SetDelay("b", Any, 30*time.Millisecond)

		start := time.Now()
		_, err := a.Call(ctxTimeout(t, 50*time.Millisecond), "b", 1, nil)
		wantErr(t, err, ErrTimeout, context.DeadlineExceeded)
		if d := time.Since(start); d != 50*time.Millisecond {
			t.Fatalf("gave up after %v, want 50ms", d)
		}
		start = time.Now()
		mustCall(t, a, "b", 1, nil)
		if d := time.Since(start); d != 130*time.Millisecond {
			t.Fatalf("round trip took %v, want 130ms", d)
		}
	})
}

// The handler sees the caller's deadline.
func TestMemHandlerDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := NewMemNetwork(1)
		a := n.Node("a", nil)
		b := n.Node("b", HandlerFunc(func(ctx context.Context, _ string, _ uint8, _ []byte) ([]byte, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}))
		defer a.Close()
		defer b.Close()
		_, err := a.Call(ctxTimeout(t, time.Second), "b", 1, nil)
		wantErr(t, err, ErrTimeout)
	})
}

// Messages are copied: neither side sees the other's later writes.
func TestMemCopies(t *testing.T) {
	n := NewMemNetwork(1)
	shared := []byte("server")
	a := n.Node("a", nil)
	b := n.Node("b", HandlerFunc(func(_ context.Context, from string, _ uint8, body []byte) ([]byte, error) {
		body[0] = 'X'
		return shared, nil
	}))
	defer a.Close()
	defer b.Close()
	req := []byte("client")
	resp := mustCall(t, a, "b", 1, req)
	resp[0] = 'Y'
	if string(req) != "client" || string(shared) != "server" {
		t.Fatalf("shared memory: req %q, shared %q", req, shared)
	}
	_, err := b.Call(ctxTimeout(t, time.Second), "a", 1, nil)
	var re *RemoteError
	if !errors.As(err, &re) {
		t.Fatalf("call to a node without handler: %v", err)
	}
}
