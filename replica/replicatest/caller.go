package replicatest

import (
	"context"
	"errors"
	"time"

	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/replica"
)

// caller is a node's replica.Caller: the in-memory transport, except that
// a peer down or cut off answers after a round trip (as a refused
// connection does) rather than at once. Every failure then has its own
// instant, so a request's answers arrive in one order on every run.
type caller struct {
	tr  *transport.MemTransport
	rtt func(to string) time.Duration
}

var _ replica.Caller = caller{}

func (c caller) Call(ctx context.Context, to string, method uint8, body []byte) ([]byte, error) {
	b, err := c.tr.Call(ctx, to, method, body)
	if errors.Is(err, transport.ErrUnreachable) {
		t := time.NewTimer(c.rtt(to))
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	return b, err
}
