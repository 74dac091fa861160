package command

// replyMode is a session's CLIENT REPLY state, with Redis's flags
// (CLIENT_REPLY_OFF, CLIENT_REPLY_SKIP, CLIENT_REPLY_SKIP_NEXT).
type replyMode struct {
	off      bool // CLIENT REPLY OFF: no replies until ON
	skip     bool // the current command's reply is dropped
	skipNext bool // CLIENT REPLY SKIP: so is the next command's
}

// ReplyWanted reports whether the reply of the command just run is sent
// (CLIENT REPLY), and moves a pending SKIP on to the next command (Redis's
// resetClient). The connection loop calls it once per command it read.
func (s *Session) ReplyWanted() bool {
	want := !s.reply.off && !s.reply.skip
	s.reply.skip, s.reply.skipNext = s.reply.skipNext, false
	return want
}
