package server

import (
	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/command"
)

// Pipelined single-key commands run together. A connection's commands
// run one after another, so a pipeline (redis-cli --pipe, a client
// library's pipeline, redis-benchmark -P) waits for each write's quorum
// round, and in a cluster for each forward to the key's coordinator and
// each read's round to a replica, in turn: a bulk load into three nodes
// took 13 minutes per million keys.
//
// So in a cluster a command of one key (a write or a read) that arrives
// with more of the pipeline already read, or behind commands already
// running, starts at once, on a session of its own with the client's
// identity, and the connection reads on; up to pipeWindow run at a time.
// Replies go out in the order of the commands. Order is kept where the
// client itself can see it: a command on a key that a running command
// holds, and every command that is not a single-key one (MULTI, a
// multi-key or split command, a script, a blocking or admin command ...),
// first waits for all of them. Commands of different keys in one window
// may take effect in any order, as commands sent on different connections
// may: another client can see the later of two writes before the earlier
// for those few milliseconds. Only a connection in the plain state runs
// commands this way (command.Dispatcher.Pipelinable), and ACL permission
// is checked first, in order. A single node keeps running them one after
// another: there nothing waits for another node, and the goroutine and
// session each would cost more than they save (a 50,000-key redis-cli
// --pipe load took 0.9 s in turn and 1.3 s this way; into three nodes,
// 17.9 s and 6.5 s).

// pipeWindow is how many commands of one connection may run at once.
const pipeWindow = 64

// pipeWorkersMax is how many goroutines wait between pipelined commands
// to run the next (workers).
const pipeWorkersMax = 1024

// pipeArgsMax bounds the argument bytes of a command run from the window:
// its arguments are copied (the reader's buffer moves on), so a larger
// one (a big SET) runs in turn instead, and a connection's window holds
// at most pipeWindow × pipeArgsMax bytes outside its query buffer.
const pipeArgsMax = 64 << 10

// pipe is one connection's running commands, oldest first.
type pipe struct {
	running []*piped
	keys    map[string]bool
}

// piped is one running command: its reply once done is closed.
type piped struct {
	done  chan struct{}
	reply resp.Reply
	write bool
}

// pipelined starts args if it is a single-key command that may run while
// the connection reads on; it reports whether it did. more says whether
// more input is buffered behind it.
func (s *Server) pipelined(c *client, args [][]byte, more bool) bool {
	p := &c.pipe
	if !more && len(p.running) == 0 || len(p.running) >= pipeWindow || len(s.place.Members()) == 1 {
		return false
	}
	cmd := s.disp.Lookup(args[0])
	if cmd == nil || cmd.Flags&(command.Write|command.ReadOnly) == 0 || cmd.Flags&(command.Blocking|command.Atomic|command.Admin) != 0 ||
		cmd.Keys != nil || !arityOK(cmd, len(args)) || !s.disp.Pipelinable(c.sess) {
		return false
	}
	if _, split := splits[cmd.Name]; split {
		return false
	}
	keys := cmd.KeysOf(args)
	if len(keys) != 1 || p.keys[string(keys[0])] {
		return false
	}
	n := 0
	for _, a := range args {
		n += len(a)
	}
	if n > pipeArgsMax {
		return false
	}
	if rep := s.disp.Permit(c.sess, args); rep.IsError() {
		// Refused (and counted, logged) once: the refusal takes its turn
		// among the replies.
		w := &piped{done: make(chan struct{}), reply: rep}
		close(w.done)
		p.running = append(p.running, w)
		s.metrics.observe(args, rep, s.metrics.now())
		return true
	}
	own := make([][]byte, len(args)) // args alias the reader's buffer
	buf := make([]byte, 0, n)
	for i, a := range args {
		buf = append(buf, a...)
		own[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	if p.keys == nil {
		p.keys = map[string]bool{}
	}
	p.keys[string(keys[0])] = true
	s.pipelinedCmds.Add(1)
	w := &piped{done: make(chan struct{}), write: cmd.Flags&command.Write != 0}
	p.running = append(p.running, w)
	sub := s.disp.NewSession(c.sess.ID, c.sess.Addr, c.sess.LocalAddr)
	sub.Authed, sub.Proto = true, c.sess.Proto
	sub.TrustPeer() // permitted above
	start := s.metrics.now()
	s.pipeWorkers.run(func() {
		defer close(w.done)
		w.reply = recovered(s.log, c.sess.Addr, own, func() resp.Reply {
			return s.route.exec(s.ctx, sub, own)
		})
		s.metrics.observe(own, w.reply, start)
	})
	return true
}

// settle waits for the connection's running commands and queues their
// replies, in order, ahead of anything else.
func (s *Server) settle(c *client, wr *resp.Writer) {
	p := &c.pipe
	if len(p.running) == 0 {
		return
	}
	wr.SetProto(c.sess.Proto)
	for _, w := range p.running {
		<-w.done
		if w.write && !w.reply.IsError() {
			c.sess.NoteQuorumWrite() // for WAIT, as a forwarded write
		}
		wr.Write(w.reply)
	}
	clear(p.running)
	p.running = p.running[:0]
	clear(p.keys)
}
