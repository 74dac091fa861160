package transport

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// serveConn authenticates an inbound connection, then reads its requests.
func (t *TCP) serveConn(nc net.Conn) {
	defer t.wg.Done()
	remote := nc.RemoteAddr().String()
	br := bufio.NewReaderSize(nc, readBufSize)
	stop := context.AfterFunc(t.ctx, func() { _ = nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(t.cfg.HandshakeTimeout))
	sess, err := serverHandshake(nc, br, &t.cfg)
	_ = nc.SetDeadline(time.Time{})
	if !stop() {
		_ = nc.Close()
		return
	}
	if err != nil {
		_ = nc.Close()
		ev := t.log.Debug()
		if errors.Is(err, ErrAuth) || errors.Is(err, ErrVersion) || errors.Is(err, ErrProtocol) {
			ev = t.log.Warn()
		}
		ev.Err(err).Str("remote", remote).Msg("peer refused")
		return
	}
	t.log.Debug().Str("peer", sess.peer).Str("remote", remote).Bool("sealed", sess.recv != nil).Msg("peer connected")
	t.startConn(nc, br, sess, false)
}

// readRequests reads requests and serves each on a worker goroutine, at
// most MaxInflight at once; replies go back in completion order. A worker
// that finishes waits workerIdle for the next request before it exits, so
// a busy connection reuses goroutines whose stacks have already grown to
// what a handler needs (a fresh goroutine per request spent 6% of a
// cluster member's CPU growing stacks, in a SET profile).
func (c *conn) readRequests() {
	defer c.t.wg.Done()
	jobs := make(chan request)
	for {
		h, body, err := c.readFrame()
		if err == nil && h.kind != kindRequest {
			err = fmt.Errorf("%w: reply on an inbound connection", ErrProtocol)
		}
		if err != nil {
			if errors.Is(err, ErrFrameTooLarge) || errors.Is(err, ErrProtocol) || errors.Is(err, ErrAuth) {
				c.t.log.Warn().Err(err).Str("peer", c.peer).Str("remote", c.nc.RemoteAddr().String()).
					Msg("closing peer connection")
			}
			c.fail(err)
			return
		}
		select {
		case c.sem <- struct{}{}:
		case <-c.ctx.Done():
			return
		}
		r := request{h: h, body: body}
		select {
		case jobs <- r: // an idle worker took it
		default:
			c.t.wg.Add(1)
			go c.worker(r, jobs)
		}
	}
}

// request is one inbound request frame.
type request struct {
	h    frameHeader
	body []byte
}

// workerIdle is how long a peer request worker waits for more work.
const workerIdle = time.Second

// worker serves r, then the requests it is handed, until none comes for
// workerIdle or the conn fails.
func (c *conn) worker(r request, jobs <-chan request) {
	defer c.t.wg.Done()
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		c.serve(r.h, r.body)
		idle.Reset(workerIdle)
		select {
		case r = <-jobs:
		case <-idle.C:
			return
		case <-c.ctx.Done():
			return
		}
	}
}

// serve runs the handler for one request and queues its reply.
func (c *conn) serve(h frameHeader, body []byte) {
	defer func() { <-c.sem }()
	ctx := c.ctx
	if h.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(h.timeout)*time.Millisecond)
		defer cancel()
	}
	resp, err := c.t.handle(ctx, c.peer, h.method, body)
	if err == nil && len(resp) > c.peerMax {
		err = fmt.Errorf("%w: reply of %d bytes, %s accepts %d", ErrFrameTooLarge, len(resp), c.peer, c.peerMax)
	}
	out := outFrame{h: frameHeader{id: h.id, kind: kindReply, method: h.method}, body: resp}
	if err != nil {
		out.h.kind, out.body = kindError, []byte(err.Error())
		out.body = out.body[:min(len(out.body), c.peerMax)]
	}
	out.h.size = len(out.body)
	select {
	case c.out <- out:
	case <-c.ctx.Done():
	}
}
