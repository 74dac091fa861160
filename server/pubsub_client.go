package server

import (
	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/command"
)

// Wiring of pub/sub and MONITOR into a client connection (push.go holds
// the outbox, pubsub.go the peer method).

// attachOutbox gives a new client its outbox: the session pushes through
// it, and its output limit class follows its subscriptions.
func (s *Server) attachOutbox(c *client) {
	sess := c.sess
	c.io.class = sess.OutputClass
	c.out = newOutbox(c.io, c.conn, func() command.ObufLimit {
		return s.env.Settings.ObufLimit(sess.OutputClass())
	}, s.log.With().Str("client", sess.Addr).Logger())
	sess.SetPusher(c.out)
	sess.SetInbox(c.io) // conn_inbox.go
}

// runClient runs one command of c: pushes wait until its reply is written
// (the connection loop releases them after flushing), and MONITOR sees it
// once it ran (a script before it runs). A PUBLISH (or PUBSUB count) first
// lets the subscribers' input that arrived before it run, as Redis's one
// event loop would have.
func (s *Server) runClient(c *client, args [][]byte) resp.Reply {
	s.disp.CatchUp(c.sess, args) // PUBLISH: subscribers' earlier input first (command/pubsub_order.go)
	c.out.hold()
	s.disp.FeedMonitors(c.sess, args, true)
	r := s.route.exec(s.ctx, c.sess, args)
	s.disp.FeedMonitors(c.sess, args, false)
	return r
}

// endClient drops a finished client's subscriptions and MONITOR, then
// lets what its outbox still holds go out.
func (s *Server) endClient(c *client) {
	s.disp.EndSession(c.sess)
	c.io.inputClosed() // nobody waits for it any more (conn_inbox.go)
	c.out.close(closeGrace)
}

// stopKeyEvents stops the timers of expired notifications (shutdown).
func (s *Server) stopKeyEvents() {
	if s.disp != nil {
		s.disp.StopKeyEvents()
	}
}

// startFanout connects the dispatcher to the other nodes' subscribers.
func (s *Server) startFanout() {
	if s.tr != nil {
		s.disp.SetFanout(fanout{s})
		s.bg.Add(1)
		go s.trackingLoop() // tracking.go
	}
}
