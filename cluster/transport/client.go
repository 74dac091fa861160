package transport

import (
	"context"
	"fmt"
	"sync"
)

// call is one request awaiting its reply on a client conn.
type call struct {
	mu        sync.Mutex // held by writeLoop while it reads the body
	abandoned bool       // the caller gave up; do not send
	res       chan result
}

type result struct {
	body []byte
	err  error
}

// call sends one request on c and waits for its reply or ctx's end. A reply
// arriving after the caller gave up is dropped.
func (c *conn) call(ctx context.Context, method uint8, body []byte) ([]byte, error) {
	if len(body) > c.peerMax {
		return nil, fmt.Errorf("%w: %d bytes, %s accepts %d", ErrFrameTooLarge, len(body), c.peer, c.peerMax)
	}
	cl := &call{res: make(chan result, 1)}
	id, err := c.register(cl)
	if err != nil {
		return nil, err
	}
	deadline, ok := ctx.Deadline()
	h := frameHeader{id: id, kind: kindRequest, method: method, timeout: timeoutMs(deadline, ok), size: len(body)}
	select {
	case c.out <- outFrame{h: h, body: body, call: cl}:
	case <-c.ctx.Done(): // fail() delivers the error to cl.res
	case <-ctx.Done():
		return nil, c.abandon(id, cl, ctx.Err())
	}
	select {
	case r := <-cl.res:
		return r.body, r.err
	case <-ctx.Done():
		return nil, c.abandon(id, cl, ctx.Err())
	}
}

func (c *conn) register(cl *call) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.err != nil {
		return 0, c.mu.err
	}
	c.mu.nextID++
	c.mu.pending[c.mu.nextID] = cl
	return c.mu.nextID, nil
}

// abandon forgets call id and, if the writer is sending its body, waits
// until it is done so the caller may reuse the body.
func (c *conn) abandon(id uint64, cl *call, err error) error {
	c.mu.Lock()
	delete(c.mu.pending, id)
	c.mu.Unlock()
	cl.mu.Lock()
	cl.abandoned = true
	cl.mu.Unlock()
	return ctxError(err)
}

// readReplies dispatches replies to waiting calls by id.
func (c *conn) readReplies() {
	defer c.t.wg.Done()
	for {
		h, body, err := c.readFrame()
		if err == nil && h.kind == kindRequest {
			err = fmt.Errorf("%w: request on an outbound connection", ErrProtocol)
		}
		if err != nil {
			c.fail(err)
			return
		}
		c.mu.Lock()
		cl := c.mu.pending[h.id]
		delete(c.mu.pending, h.id)
		c.mu.Unlock()
		switch {
		case cl == nil: // late reply: its caller gave up
		case h.kind == kindError:
			cl.res <- result{err: &RemoteError{Node: c.peer, Msg: string(body)}}
		default:
			cl.res <- result{body: body}
		}
	}
}
