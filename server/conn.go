package server

import (
	"errors"
	"net"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/command"
)

// flushAt is how many reply bytes may pile up before they are written even
// though more pipelined commands are waiting.
const flushAt = 64 << 10

// client is one accepted connection.
type client struct {
	conn net.Conn
	io   *connIO // conn with deadlines and figures (connio.go)
	out  *outbox // replies and pushed messages, in order (push.go)
	sess *command.Session
	pipe pipe // pipelined writes running (pipeline.go)
}

// serve runs one client connection until it closes, misbehaves or the
// server shuts down. Replies to pipelined commands are written together.
func (s *Server) serve(c *client) {
	defer s.drop(c)
	wr := resp.NewWriter(replyOut{c})
	rd := resp.NewReader(flushFirst{s, c, wr}, s.readLimits(c.sess))
	for !s.closing.Load() {
		rd.SetLimits(s.readLimits(c.sess))
		args, err := rd.ReadCommand()
		if err != nil {
			s.settle(c, wr)
			s.readFailed(c, wr, err)
			return
		}
		c.io.commandRead(rd, args)
		if s.pipelined(c, args, rd.Buffered() > 0) {
			c.io.commandDone()
			continue
		}
		s.settle(c, wr)
		reply := s.exec(c, args)
		c.io.commandDone()
		pushed, force := c.sess.TakePushed() // sent whatever CLIENT REPLY says (pubsub_session.go)
		wr.Write(resp.Raw(pushed))
		if c.sess.ReplyWanted() || force {
			wr.SetProto(c.sess.Proto)
			wr.Write(reply)
		}
		if c.sess.Close {
			_ = s.flush(c, wr)
			return
		}
		if wr.Buffered() > flushAt {
			if err := s.flush(c, wr); err != nil {
				return
			}
		}
	}
	s.settle(c, wr)
	_ = s.flush(c, wr)
}

// flushFirst is the source of a client's commands: before waiting for
// more bytes it writes the pending replies, so the replies to a pipeline
// go out in one write, and a command still arriving never holds back the
// replies before it (Redis writes replies before it waits for input).
type flushFirst struct {
	s  *Server
	c  *client
	wr *resp.Writer
}

func (f flushFirst) Read(p []byte) (int, error) {
	f.s.settle(f.c, f.wr)
	if err := f.s.flush(f.c, f.wr); err != nil {
		return 0, err
	}
	return f.c.io.Read(p)
}

// readLimits are the limits of sess's next command: Redis's small ones
// until it has authenticated (when a password is required).
func (s *Server) readLimits(sess *command.Session) resp.Limits {
	return resp.Limits{MaxBulkLen: s.env.Settings.ProtoMaxBulkLen(),
		Unauthenticated: s.disp.AuthRequired(sess)} // command/aclcheck.go
}

// readFailed ends a connection whose read failed: a protocol error is
// answered (Redis's reply) before closing.
func (s *Server) readFailed(c *client, wr *resp.Writer, err error) {
	var pe *resp.ProtocolError
	if errors.As(err, &pe) {
		s.log.Debug().Str("client", c.sess.Addr).Err(err).Msg("closing client after protocol error")
		wr.Write(pe.Reply())
		_ = s.flush(c, wr)
	}
}

// replyOut is where a client's replies are written: its outbox, marked
// as writing while it is (conn_inbox.go). The reply Writer writes here on
// a flush, and a large value as soon as its reply is written.
type replyOut struct{ c *client }

func (o replyOut) Write(p []byte) (int, error) {
	o.c.io.in.flushing.Store(true)
	defer o.c.io.in.flushing.Store(false)
	return o.c.out.Write(p)
}

func (o replyOut) WriteBuffers(bufs ...[]byte) (int, error) {
	o.c.io.in.flushing.Store(true)
	defer o.c.io.in.flushing.Store(false)
	return o.c.out.WriteBuffers(bufs...)
}

// flush writes the pending replies; a client closed for its output (over
// client-output-buffer-limit, or not reading) is logged.
func (s *Server) flush(c *client, wr *resp.Writer) error {
	err := wr.Flush()
	c.out.release() // pushes held during the commands follow their replies
	switch {
	case errors.Is(err, errObufLimit):
		s.log.Warn().Str("client", c.sess.Info().Line(time.Now())).
			Msg("client closed for overcoming of output buffer limits (client-output-buffer-limit)")
	case errors.Is(err, errWriteStall):
		s.log.Warn().Str("client", c.sess.Addr).Dur("stalled", c.io.idle(time.Now())).
			Msg("client closed: it stopped reading its replies")
	}
	return err
}

// exec runs one command for c.
func (s *Server) exec(c *client, args [][]byte) resp.Reply {
	start := s.metrics.now()
	r := recovered(s.log, c.conn.RemoteAddr().String(), args, func() resp.Reply {
		return s.runClient(c, args) // pubsub_client.go
	})
	s.metrics.observe(args, r, start) // metrics_requests.go: once per client command, where it arrived
	return r
}

// recovered runs a command. A panic in a handler is a bug: it is logged
// with its stack and answered as an error, and the node and the client's
// connection stay up.
func recovered(log zerolog.Logger, client string, args [][]byte, run func() resp.Reply) (reply resp.Reply) {
	defer func() {
		if r := recover(); r != nil {
			log.Error().Str("client", client).Str("command", commandName(args)).
				Interface("panic", r).Str("stack", string(debug.Stack())).
				Msg("command panicked; answered with an error (this is a bug: please report it with this log)")
			reply = resp.Err("ERR internal error while running '" + commandName(args) + "' (logged on the server)")
		}
	}()
	return run()
}

// commandName is args[0] cut to a printable length, for messages.
func commandName(args [][]byte) string {
	if len(args) == 0 {
		return ""
	}
	name := args[0]
	if len(name) > 32 {
		name = name[:32]
	}
	q := strconv.QuoteToASCII(string(name))
	return strings.ToLower(q[1 : len(q)-1])
}
