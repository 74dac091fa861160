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

// readRequests reads requests and serves each in its own goroutine, at most
// MaxInflight at once; replies go back in completion order.
func (c *conn) readRequests() {
	defer c.t.wg.Done()
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
		c.t.wg.Add(1)
		go c.serve(h, body)
	}
}

// serve runs the handler for one request and queues its reply.
func (c *conn) serve(h frameHeader, body []byte) {
	defer func() { <-c.sem; c.t.wg.Done() }()
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
