package transport

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestTCPEcho(t *testing.T) {
	bk := newBook()
	var gotFrom atomic.Value
	b := listen(t, "b", bk, HandlerFunc(func(ctx context.Context, from string, m uint8, body []byte) ([]byte, error) {
		gotFrom.Store(from)
		return echo(ctx, from, m, body)
	}))
	a := listen(t, "a", bk, echo)
	if got := mustCall(t, a, "b", 7, []byte("hello")); string(got) != "\x07hello" {
		t.Fatalf("reply %q", got)
	}
	if gotFrom.Load() != "a" {
		t.Fatalf("handler saw from=%v, want a", gotFrom.Load())
	}
	if got := mustCall(t, b, "a", 1, nil); string(got) != "\x01" {
		t.Fatalf("reverse reply %q", got)
	}
}

func TestTCPRemoteError(t *testing.T) {
	bk := newBook()
	listen(t, "b", bk, HandlerFunc(func(context.Context, string, uint8, []byte) ([]byte, error) {
		return nil, errors.New("no such partition")
	}))
	a := listen(t, "a", bk, echo)
	_, err := a.Call(ctxTimeout(t, 5*time.Second), "b", 1, nil)
	var re *RemoteError
	if !errors.As(err, &re) || re.Msg != "no such partition" || re.Node != "b" {
		t.Fatalf("got %v, want RemoteError from b", err)
	}
}

func TestTCPSelfCall(t *testing.T) {
	bk := newBook()
	a := listen(t, "a", bk, HandlerFunc(func(_ context.Context, from string, _ uint8, body []byte) ([]byte, error) {
		body[0] = 'X' // must not reach the caller's slice
		return []byte(from), nil
	}))
	body := []byte("abc")
	if got := mustCall(t, a, "a", 1, body); string(got) != "a" || string(body) != "abc" {
		t.Fatalf("reply %q, body %q", got, body)
	}
}

// 1000 concurrent calls over 2 connections; the handler sleeps a random time
// so replies come back out of order, and each must reach its own caller.
func TestTCPConcurrentOutOfOrder(t *testing.T) {
	bk := newBook()
	var inflight, peak atomic.Int64
	listen(t, "b", bk, HandlerFunc(func(ctx context.Context, from string, m uint8, body []byte) ([]byte, error) {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(time.Duration(mrand.IntN(5000)) * time.Microsecond)
		return echo(ctx, from, m, body)
	}))
	a := listen(t, "a", bk, echo)
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for i := range 1000 {
		wg.Go(func() {
			body := fmt.Appendf(nil, "request-%d", i)
			resp, err := a.Call(ctxTimeout(t, 10*time.Second), "b", uint8(i), body)
			if err == nil && (resp[0] != uint8(i) || !bytes.Equal(resp[1:], body)) {
				err = fmt.Errorf("call %d got %q", i, resp)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := liveConns(a, "b"); n != 2 {
		t.Errorf("%d live connections to b, want 2", n)
	}
	if peak.Load() < 50 {
		t.Errorf("peak concurrency %d: requests were not multiplexed", peak.Load())
	}
}

func liveConns(t *TCP, peer string) int {
	t.mu.Lock()
	p := t.mu.peers[peer]
	t.mu.Unlock()
	n := 0
	for i := range p.slots {
		if c := p.slots[i].Load(); c != nil && c.alive() {
			n++
		}
	}
	return n
}

func TestTCPDeadline(t *testing.T) {
	bk := newBook()
	var hadDeadline atomic.Bool
	listen(t, "b", bk, HandlerFunc(func(ctx context.Context, from string, m uint8, body []byte) ([]byte, error) {
		if m == 1 { // slow
			_, ok := ctx.Deadline()
			hadDeadline.Store(ok)
			<-ctx.Done()
			time.Sleep(20 * time.Millisecond) // reply late, after the caller gave up
		}
		return echo(ctx, from, m, body)
	}), func(c *Config) { c.PoolSize = 1 })
	a := listen(t, "a", bk, echo, func(c *Config) { c.PoolSize = 1 })
	mustCall(t, a, "b", 2, nil)
	before := liveConnPtr(a, "b")
	start := time.Now()
	_, err := a.Call(ctxTimeout(t, 50*time.Millisecond), "b", 1, []byte("slow"))
	wantErr(t, err, ErrTimeout, context.DeadlineExceeded)
	if d := time.Since(start); d > time.Second {
		t.Fatalf("timed out after %v", d)
	}
	if !hadDeadline.Load() {
		t.Error("handler ctx had no deadline")
	}
	time.Sleep(50 * time.Millisecond) // let the late reply arrive and be dropped
	if got := mustCall(t, a, "b", 2, []byte("fast")); string(got) != "\x02fast" {
		t.Fatalf("reply %q", got)
	}
	if liveConnPtr(a, "b") != before {
		t.Fatal("connection was replaced after a timeout")
	}
}

func liveConnPtr(t *TCP, peer string) *conn {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.mu.peers[peer].slots[0].Load()
}

func TestTCPRedial(t *testing.T) {
	bk := newBook()
	b := listen(t, "b", bk, echo)
	addr := b.Addr()
	a := listen(t, "a", bk, echo)
	mustCall(t, a, "b", 1, nil)
	_ = b.Close()
	for range 3 { // pooled conns are dead, dials fail (then fail fast)
		_, err := a.Call(ctxTimeout(t, time.Second), "b", 1, nil)
		wantErr(t, err, ErrUnreachable)
	}
	listen(t, "b", bk, echo, func(c *Config) { c.Addr = addr })
	eventually(t, "call after restart", func() error {
		_, err := a.Call(ctxTimeout(t, time.Second), "b", 1, nil)
		return err
	})
}

func TestTCPServerClosePendingCalls(t *testing.T) {
	bk := newBook()
	started := make(chan struct{})
	b := listen(t, "b", bk, HandlerFunc(func(ctx context.Context, _ string, _ uint8, _ []byte) ([]byte, error) {
		close(started)
		<-ctx.Done() // Close cancels running handlers
		return nil, ctx.Err()
	}))
	a := listen(t, "a", bk, echo)
	errc := make(chan error)
	go func() {
		_, err := a.Call(context.Background(), "b", 1, nil)
		errc <- err
	}()
	<-started
	_ = b.Close()
	wantErr(t, <-errc, ErrUnreachable)
	_ = a.Close()
	_, err := a.Call(context.Background(), "b", 1, nil)
	wantErr(t, err, ErrClosed)
}

func TestTCPLargePayload(t *testing.T) {
	bk := newBook()
	listen(t, "b", bk, echo)
	a := listen(t, "a", bk, echo)
	body := make([]byte, 8<<20)
	_, _ = rand.Read(body)
	got, err := a.Call(ctxTimeout(t, 60*time.Second), "b", 3, body) // slow under -race on a busy machine
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != 3 || !bytes.Equal(got[1:], body) {
		t.Fatal("8 MiB payload corrupted")
	}
}

func TestTCPFrameTooLarge(t *testing.T) {
	bk := newBook()
	small := func(c *Config) { c.MaxFrameSize = 1 << 20 }
	listen(t, "b", bk, HandlerFunc(func(_ context.Context, _ string, m uint8, body []byte) ([]byte, error) {
		return make([]byte, int(m)<<20), nil // m MiB
	}), small)
	a := listen(t, "a", bk, echo, small)
	_, err := a.Call(ctxTimeout(t, 5*time.Second), "b", 0, make([]byte, 1<<20+1))
	wantErr(t, err, ErrFrameTooLarge)
	_, err = a.Call(ctxTimeout(t, 5*time.Second), "b", 2, nil) // 2 MiB reply
	var re *RemoteError
	if !errors.As(err, &re) {
		t.Fatalf("oversized reply: got %v, want RemoteError", err)
	}
	mustCall(t, a, "b", 1, make([]byte, 1<<20)) // the limit itself passes
}

func TestTCPClientClosePendingCalls(t *testing.T) {
	bk := newBook()
	started := make(chan struct{})
	listen(t, "b", bk, HandlerFunc(func(ctx context.Context, _ string, _ uint8, _ []byte) ([]byte, error) {
		close(started)
		<-ctx.Done() // the caller's connection closes
		return nil, ctx.Err()
	}))
	a := listen(t, "a", bk, echo)
	errc := make(chan error)
	go func() {
		_, err := a.Call(context.Background(), "b", 1, nil)
		errc <- err
	}()
	<-started
	_ = a.Close()
	wantErr(t, <-errc, ErrClosed)
}

func TestTCPUnknownNode(t *testing.T) {
	a := listen(t, "a", newBook(), echo)
	_, err := a.Call(ctxTimeout(t, time.Second), "nobody", 1, nil)
	wantErr(t, err, ErrUnreachable)
}

func TestConfigValidate(t *testing.T) {
	for _, edit := range []func(*Config){
		func(c *Config) { c.Name = "" },
		func(c *Config) { c.Addr = "" },
		func(c *Config) { c.PoolSize = 0 },
		func(c *Config) { c.MaxFrameSize = 0 },
		func(c *Config) { c.DialTimeout = 0 },
	} {
		c := TestConfig("a")
		edit(&c)
		if _, err := Listen(c); err == nil {
			t.Errorf("invalid config %+v accepted", c)
		}
	}
}

// Retry ends the fail-fast window after a failed dial: the first call
// after the peer is back dials at once (membership calls Retry when it
// sees the node alive again).
func TestTCPRetryEndsBackoff(t *testing.T) {
	bk := newBook()
	b := listen(t, "b", bk, echo)
	addr := b.Addr()
	a := listen(t, "a", bk, echo, func(c *Config) { c.DialBackoff = time.Hour })
	_ = b.Close()
	_, err := a.Call(ctxTimeout(t, time.Second), "b", 1, nil)
	wantErr(t, err, ErrUnreachable)
	listen(t, "b", bk, echo, func(c *Config) { c.Addr = addr })
	_, err = a.Call(ctxTimeout(t, time.Second), "b", 1, nil)
	wantErr(t, err, ErrUnreachable) // still inside the hour of backoff
	a.Retry("b")
	mustCall(t, a, "b", 1, nil)
}
