package command

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// monitors are the sessions in MONITOR mode on this node.
type monitors struct {
	n    atomic.Int32 // len(list), read without mu on every command
	mu   sync.Mutex
	list []*Session
}

func (m *monitors) add(s *Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.ps.monitor.Swap(true) {
		return
	}
	m.list = append(m.list, s)
	m.n.Store(int32(len(m.list)))
}

func (m *monitors) remove(s *Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !s.ps.monitor.Swap(false) {
		return
	}
	for i, x := range m.list {
		if x == s {
			m.list = append(m.list[:i:i], m.list[i+1:]...)
			break
		}
	}
	m.n.Store(int32(len(m.list)))
}

func (m *monitors) snapshot() []*Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.list
}

// MONITOR: every command this node's clients run is then shown to s.
func (d *Dispatcher) monitor(s *Session, _ [][]byte) resp.Reply {
	if s.inExclusive {
		return resp.Err("ERR MONITOR isn't allowed for DENY BLOCKING client")
	}
	if s.push != nil {
		d.pubsub.monitors.add(s)
	}
	return resp.OK()
}

// feedFirst are the commands MONITOR shows before they run (Redis's
// skip_monitor commands, which feed the monitors themselves), so that a
// script's own commands follow it.
var feedFirst = map[string]bool{"eval": true, "evalsha": true, "eval_ro": true,
	"evalsha_ro": true, "fcall": true, "fcall_ro": true}

// FeedMonitors shows a command a client of this node sent to the MONITOR
// sessions, wherever in the cluster it is coordinated, as Redis's
// replicationFeedMonitors does: once it ran (before it runs for scripts:
// the server calls it with before set, then without), not if it was
// refused (unknown, arity, NOAUTH, subscribe mode, queued by MULTI: it
// shows when EXEC runs it), nor if it is an admin command.
func (d *Dispatcher) FeedMonitors(s *Session, args [][]byte, before bool) {
	if d.pubsub.monitors.n.Load() == 0 || len(args) == 0 {
		return
	}
	cmd, rej := d.resolve(args)
	switch {
	case rej.Kind == resp.KindError || feedFirst[cmd.Name] != before, cmd.Flags&Admin != 0,
		cmd.Flags&NoAuth == 0 && d.authRequired(s), d.aclRefuses(s, cmd, args), // aclcheck.go
		s.tx != nil && !txControl[cmd.Name]:
		return
	}
	if _, ok := d.subscribeGate(s, cmd); !ok {
		return
	}
	d.feed(s.Addr, args)
}

// feedNested shows a command run inside a transaction or script of a
// client of this node (Redis shows a script's as client "lua"). Forwarded
// sessions (ID 0) are shown on the node their client is connected to.
func (d *Dispatcher) feedNested(s *Session, cmd *Command, args [][]byte) {
	if !s.inExclusive || s.ID == 0 || d.pubsub.monitors.n.Load() == 0 || cmd.Flags&Admin != 0 {
		return
	}
	addr := s.Addr
	if kind, _, ok := d.gate.running(); ok && kind != "multi" {
		addr = "lua"
	}
	d.feed(addr, args)
}

// feed formats one MONITOR line and pushes it to every monitor.
func (d *Dispatcher) feed(addr string, args [][]byte) {
	line := monitorLine(d.env.Clock(), addr, args)
	for _, m := range d.pubsub.monitors.snapshot() {
		if m.push != nil {
			m.push.Push(line)
		}
	}
}

// monitorLine is Redis's MONITOR line, a status reply in either protocol:
// +<unix seconds>.<micro> [0 <addr>] "arg" ... with AUTH's and HELLO
// AUTH's credentials shown as "(redacted)".
func monitorLine(now time.Time, addr string, args [][]byte) []byte {
	b := []byte{'+'}
	b = strconv.AppendInt(b, now.Unix(), 10)
	b = append(b, '.')
	us := strconv.Itoa(now.Nanosecond() / 1000)
	b = append(b, strings.Repeat("0", 6-len(us))+us...)
	b = append(b, " [0 "+addr+"]"...)
	redact := redacted(strings.ToLower(string(args[0])), args) // as SLOWLOG (slowlog.go)
	for i, a := range args {
		b = append(b, ' ')
		if redact[i] {
			a = []byte("(redacted)")
		}
		b = resp.AppendQuote(b, a)
	}
	return append(b, '\r', '\n')
}
