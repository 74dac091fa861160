package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// handoffKeys names the handoff mode's keys: hk:000000000 ...
const handoffKeys = "hk:%09d"

// handoffLoad is the data loaded before the join: pseudo-random printable
// values, so LevelDB has nothing to gain from compression.
func handoffLoad(h HandoffConfig) Load {
	return Load{KeyFormat: handoffKeys, Count: h.keys(), Size: h.Value, Random: true}
}

// bulkLoad SETs every key of l through h.Conns connections spread over
// ports, each pipelining h.Depth commands at a time, and fails on the
// first error reply.
func bulkLoad(ctx context.Context, ports []int, h HandoffConfig, l Load) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	per := (l.Count + h.Conns - 1) / h.Conns
	for i := range h.Conns {
		lo, hi := i*per, min((i+1)*per, l.Count)
		if lo >= hi {
			break
		}
		wg.Go(func() {
			if err := loadRange(ctx, ports[i%len(ports)], h.Depth, l, lo, hi); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// loadRange SETs keys [lo, hi) of l through one connection to port,
// depth commands per round trip.
func loadRange(ctx context.Context, port, depth int, l Load, lo, hi int) error {
	conn, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("bench: loader: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	bw, br := bufio.NewWriterSize(conn, 1<<18), bufio.NewReaderSize(conn, 1<<16)
	set, key, val, buf := []byte("SET"), []byte(nil), []byte(nil), []byte(nil)
	for i := lo; i < hi; i += depth {
		n := min(depth, hi-i)
		for j := i; j < i+n; j++ {
			key, val = fmt.Appendf(key[:0], l.KeyFormat, j), l.Value(val, j)
			buf = AppendCommand(buf[:0], set, key, val)
			if _, err := bw.Write(buf); err != nil {
				return fmt.Errorf("bench: loader to port %d: %w", port, err)
			}
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("bench: loader to port %d: %w", port, err)
		}
		if err := readOKs(br, n); err != nil {
			return fmt.Errorf("bench: loader to port %d, keys from %d: %w", port, i, err)
		}
	}
	return nil
}

// readOKs reads n simple-string replies, failing on anything else.
func readOKs(br *bufio.Reader, n int) error {
	for range n {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) == 0 || line[0] != '+' {
			return fmt.Errorf("reply %q", line)
		}
	}
	return nil
}
