package server

import (
	"context"
	"errors"
	"net"
	"time"

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
	ctx := context.Background()
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
		reply := s.route.exec(ctx, c.sess, args)
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
