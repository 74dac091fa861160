package command

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// CLIENT PAUSE timeout [WRITE|ALL] holds this node's commands, as Redis
// 7.0 does, until the timeout or CLIENT UNPAUSE: with ALL every command
// (CLIENT UNPAUSE included, from any client); with WRITE those that may
// write (flag write, EVAL, EVALSHA, FCALL, PUBLISH, SPUBLISH, PFCOUNT, and
// EXEC of a transaction that queued one). A pause only grows: a second
// CLIENT PAUSE can extend it or turn WRITE into ALL, not shorten it.
// Commands forwarded by other nodes are held like local ones (ringkv has
// no replication link to exempt); a held command whose request is
// cancelled (its forwarding peer gave up, the node shuts down) answers an
// error without running.

type pauseMode int

const (
	pauseOff pauseMode = iota
	pauseWrite
	pauseAll
)

// pauser is the node's pause state. Its zero value is not paused.
type pauser struct {
	on      atomic.Bool // a pause was set and not lifted: commands look closer
	mu      sync.Mutex
	mode    pauseMode
	end     time.Time
	changed chan struct{} // closed when the pause is lifted or changed
	stopped bool          // the node shuts down: held commands give up (StopPauses)
	waiting atomic.Int64  // commands held now (INFO blocked_clients)
}

// errPausedShutdown answers a command held by CLIENT PAUSE when the node
// shuts down: it never runs (Redis exits without running it).
var errPausedShutdown = errors.New("the server is shutting down; the command was held by CLIENT PAUSE and did not run")

// StopPauses makes the commands CLIENT PAUSE holds give up now, and those
// arriving later not wait (the server's shutdown: SIGTERM waited for the
// pause to run out, or for the shutdown's grace period).
func (d *Dispatcher) StopPauses() {
	p := &d.intro.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = true
	p.signal()
}

// pause starts or grows a pause.
func (p *pauser) pause(mode pauseMode, end time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode == pauseOff || time.Now().After(p.end) {
		p.mode, p.end = pauseOff, time.Time{}
	}
	p.mode = max(p.mode, mode)
	if end.After(p.end) {
		p.end = end
	}
	p.on.Store(true)
	p.signal()
}

// unpause lifts the pause.
func (p *pauser) unpause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode, p.end = pauseOff, time.Time{}
	p.on.Store(false)
	p.signal()
}

// signal wakes the held commands to look again. p.mu must be held.
func (p *pauser) signal() {
	if p.changed != nil {
		close(p.changed)
	}
	p.changed = make(chan struct{})
}

// holds reports whether a command that writes (or not) must wait now, and
// until when, with the channel that announces a change; errPausedShutdown
// if it must give up.
func (p *pauser) holds(write bool) (bool, time.Time, <-chan struct{}, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode != pauseOff && !time.Now().Before(p.end) { // it ran out
		p.mode, p.end = pauseOff, time.Time{}
		p.on.Store(false)
	}
	if p.mode == pauseOff || (p.mode == pauseWrite && !write) {
		return false, time.Time{}, nil, nil
	}
	if p.stopped {
		return true, time.Time{}, nil, errPausedShutdown
	}
	if p.changed == nil {
		p.changed = make(chan struct{})
	}
	return true, p.end, p.changed, nil
}

// wait holds the caller while the pause applies to it; it fails if ctx
// ends first or the node shuts down.
func (p *pauser) wait(ctx context.Context, write bool) error {
	for counted := false; ; {
		held, end, changed, err := p.holds(write)
		if err != nil || !held {
			return err
		}
		if !counted {
			counted = true
			p.waiting.Add(1)
			defer p.waiting.Add(-1)
		}
		t := time.NewTimer(time.Until(end))
		select {
		case <-t.C:
		case <-changed:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
		t.Stop()
	}
}

// mayReplicate are the commands without the write flag that Redis holds
// in a WRITE pause (its hidden flag may_replicate).
var mayReplicate = map[string]bool{"eval": true, "evalsha": true, "fcall": true,
	"publish": true, "spublish": true, "pfcount": true}

// mayWrite reports whether cmd (args) is held by a WRITE pause: EXEC is
// if its transaction queued such a command.
func (d *Dispatcher) mayWrite(s *Session, cmd *Command) bool {
	if cmd.Flags&Write != 0 || mayReplicate[cmd.Name] {
		return true
	}
	if cmd.Name == "exec" && s.tx != nil {
		for _, q := range s.tx.cmds {
			if c, _ := d.resolve(q); c != nil && (c.Flags&Write != 0 || mayReplicate[c.Name]) {
				return true
			}
		}
	}
	return false
}

// paused holds cmd while a CLIENT PAUSE applies to it (Dispatcher.Do
// calls it before running or queueing a command); it answers an error
// only if ctx ended while the command was held.
func (d *Dispatcher) paused(ctx context.Context, s *Session, cmd *Command) resp.Reply {
	if !d.intro.pause.on.Load() {
		return resp.Reply{}
	}
	if err := d.intro.pause.wait(ctx, d.mayWrite(s, cmd)); err != nil {
		return errorReply(err)
	}
	return resp.Reply{}
}

// CLIENT PAUSE timeout [WRITE|ALL]
func (d *Dispatcher) clientPause(_ *Session, args [][]byte) resp.Reply {
	if len(args) > 4 {
		return resp.Err("ERR unknown subcommand or wrong number of arguments for '" + string(args[1]) + "'. Try CLIENT HELP.")
	}
	ms, ok := resp.ParseInt(args[2])
	switch {
	case !ok:
		return resp.Err("ERR timeout is not an integer or out of range")
	case ms < 0:
		return resp.Err("ERR timeout is negative")
	}
	mode := pauseAll
	switch {
	case len(args) == 4 && strings.EqualFold(string(args[3]), "write"):
		mode = pauseWrite
	case len(args) == 4 && strings.EqualFold(string(args[3]), "all"):
	case len(args) == 4:
		return resp.Err("ERR CLIENT PAUSE mode must be WRITE or ALL")
	}
	if ms > math.MaxInt64-time.Now().UnixMilli() {
		// Redis 7.0 adds the timeout to now in a long long: the end
		// overflows into the past and nothing is paused. Holding every
		// command for ever (CLIENT UNPAUSE included) would be worse.
		return resp.OK()
	}
	d.intro.pause.pause(mode, time.Now().Add(time.Duration(min(ms, maxPauseMs))*time.Millisecond))
	return resp.OK()
}

// maxPauseMs keeps the pause's end representable (about 292 years).
const maxPauseMs = int64(time.Duration(1<<62) / time.Millisecond)

// CLIENT UNPAUSE
func (d *Dispatcher) clientUnpause(_ *Session, _ [][]byte) resp.Reply {
	d.intro.pause.unpause()
	return resp.OK()
}
