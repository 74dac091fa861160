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
	sess *command.Session
}

// serve runs one client connection until it closes, misbehaves or the
// server shuts down. Replies to pipelined commands are written together.
func (s *Server) serve(c *client) {
	defer s.drop(c)
	rd := resp.NewReader(c.conn, resp.Limits{MaxBulkLen: s.env.Settings.ProtoMaxBulkLen()})
	wr := resp.NewWriter(c.conn)
	for !s.closing.Load() {
		if d := s.env.Settings.Timeout(); d > 0 && rd.Buffered() == 0 {
			_ = c.conn.SetReadDeadline(time.Now().Add(time.Duration(d) * time.Second))
		}
		args, err := rd.ReadCommand()
		if err != nil {
			var pe *resp.ProtocolError
			if errors.As(err, &pe) {
				s.log.Debug().Str("client", c.conn.RemoteAddr().String()).Err(err).Msg("closing client after protocol error")
				wr.Write(pe.Reply())
				_ = wr.Flush()
			}
			return
		}
		reply := s.exec(c, args)
		wr.SetProto(c.sess.Proto)
		wr.Write(reply)
		if c.sess.Close {
			_ = wr.Flush()
			return
		}
		if rd.Buffered() == 0 || wr.Buffered() > flushAt {
			if err := wr.Flush(); err != nil {
				return
			}
		}
	}
	_ = wr.Flush()
}

// exec runs one command for c.
func (s *Server) exec(c *client, args [][]byte) resp.Reply {
	return recovered(s.log, c.conn.RemoteAddr().String(), args, func() resp.Reply {
		return s.route.exec(s.ctx, c.sess, args)
	})
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
