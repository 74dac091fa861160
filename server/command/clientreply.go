package command

import (
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// replyMode is a session's CLIENT REPLY state, with Redis's flags
// (CLIENT_REPLY_OFF, CLIENT_REPLY_SKIP, CLIENT_REPLY_SKIP_NEXT).
type replyMode struct {
	off      bool // CLIENT REPLY OFF: no replies until ON
	skip     bool // the current command's reply is dropped
	skipNext bool // CLIENT REPLY SKIP: so is the next command's
}

// CLIENT REPLY ON|OFF|SKIP. ON answers +OK (even as the command a SKIP
// skips); OFF and SKIP answer nothing, and SKIP drops the next command's
// reply too (unless OFF is in force).
func (d *Dispatcher) clientReply(s *Session, args [][]byte) resp.Reply {
	switch strings.ToLower(string(args[2])) {
	case "on":
		s.reply.off, s.reply.skip = false, false
	case "off":
		s.reply.off = true
	case "skip":
		s.reply.skip = true
		s.reply.skipNext = !s.reply.off
	default:
		return errSyntax
	}
	return resp.OK()
}

// ReplyWanted reports whether the reply of the command just run is sent
// (CLIENT REPLY), and moves a pending SKIP on to the next command (Redis's
// resetClient). The connection loop calls it once per command it read.
func (s *Session) ReplyWanted() bool {
	want := !s.reply.off && !s.reply.skip
	s.reply.skip, s.reply.skipNext = s.reply.skipNext, false
	return want
}

// Pipelinable reports whether s is in the plain state in which a
// connection may run its pipelined single-key writes while earlier ones
// still run, each on a session of its own (server/pipeline.go): it has
// authenticated, is in no transaction, script or forwarded run, wants
// every reply, subscribes to nothing and tracks nothing; and the node
// has no MONITOR client and no CLIENT PAUSE. What those states do per
// command (queueing, dropped replies, pushed frames, invalidations, the
// monitor's feed, the pause) needs the commands one after another.
func (d *Dispatcher) Pipelinable(s *Session) bool {
	return s.Authed && s.tx == nil && s.reply == (replyMode{}) && s.scriptCall == nil && s.fwd == nil &&
		!s.inExclusive && s.ps.nChannels.Load() == 0 && s.ps.nPatterns.Load() == 0 &&
		s.ps.nShard.Load() == 0 && !s.ps.monitor.Load() && d.pubsub.monitors.n.Load() == 0 &&
		d.pubsub.track.state(s.ID) == nil && !d.intro.pause.on.Load()
}
