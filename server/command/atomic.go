package command

import (
	"sync"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// gate makes transactions and scripts atomic on a node: every command
// holds it shared while it runs, and an exclusive section (EXEC, a script,
// FCALL) holds it alone, so no other command of this node interleaves with
// it. In a cluster the router sends a transaction or script whose keys share
// a partition, and every single-key write of that partition, to the same
// coordinator, so this one node-wide gate is enough for atomicity.
//
// While an exclusive section has run longer than the busy threshold
// (busy-reply-threshold, Redis's lua-time-limit), other commands are not
// held but refused with BUSY, as Redis does, so that a client can still
// send SCRIPT KILL (flag AllowBusy: it bypasses the gate).
type gate struct {
	mu      sync.Mutex
	readers int           // commands holding the gate shared
	writers int           // exclusive sections waiting for the readers to drain
	cur     *section      // the exclusive section running, if any
	changed chan struct{} // closed and replaced when a waiter may go on
}

// section is one exclusive run.
type section struct {
	kind  string // "multi", "script", "function"
	start time.Time
	busy  bool // ran past the threshold: others are refused
}

func newGate() *gate { return &gate{changed: make(chan struct{})} }

// signal wakes every waiter to look again. g.mu must be held.
func (g *gate) signal() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// wait releases g.mu until the next signal, then takes it again.
func (g *gate) wait() {
	ch := g.changed
	g.mu.Unlock()
	<-ch
	g.mu.Lock()
}

// shared waits until no exclusive section runs or waits, then holds the
// gate shared until release is called. If the section running is busy it
// returns ok=false at once, with that section's kind.
func (g *gate) shared() (release func(), busyKind string, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.cur != nil || g.writers > 0 {
		if g.cur != nil && g.cur.busy {
			return nil, g.cur.kind, false
		}
		g.wait()
	}
	g.readers++
	return g.release, "", true
}

func (g *gate) release() {
	g.mu.Lock()
	g.readers--
	if g.readers == 0 && g.writers > 0 {
		g.signal()
	}
	g.mu.Unlock()
}

// exclusive runs fn with the gate held alone, after the commands holding
// it shared finish (new ones wait). After threshold (0: never) the section
// is marked busy. If the section it waits for goes busy, it gives up and
// returns that section's kind with ok=false, as Redis refuses every command
// read while a script is busy (so nothing queued behind a killed script
// runs after it).
func (g *gate) exclusive(kind string, threshold time.Duration, fn func()) (busyKind string, ok bool) {
	g.mu.Lock()
	g.writers++
	for g.cur != nil || g.readers > 0 {
		if g.cur != nil && g.cur.busy {
			g.writers--
			g.signal() // readers held off by this writer may go on
			busyKind = g.cur.kind
			g.mu.Unlock()
			return busyKind, false
		}
		g.wait()
	}
	g.writers--
	sec := &section{kind: kind, start: time.Now()}
	g.cur = sec
	g.mu.Unlock()
	var t *time.Timer
	if threshold > 0 {
		t = time.AfterFunc(threshold, func() {
			g.mu.Lock()
			if g.cur == sec {
				sec.busy = true
				g.signal()
			}
			g.mu.Unlock()
		})
	}
	defer func() {
		if t != nil {
			t.Stop()
		}
		g.mu.Lock()
		g.cur = nil
		g.signal()
		g.mu.Unlock()
	}()
	fn()
	return "", true
}

// busy reports whether an exclusive section runs past its threshold now,
// and its kind.
func (g *gate) busy() (kind string, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cur != nil && g.cur.busy {
		return g.cur.kind, true
	}
	return "", false
}

// running returns the kind and start of the exclusive section running,
// if any.
func (g *gate) running() (kind string, since time.Time, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cur == nil {
		return "", time.Time{}, false
	}
	return g.cur.kind, g.cur.start, true
}

// errBusy is the reply to a command refused while a script is busy.
func errBusy(kind string) resp.Reply {
	if kind == "function" {
		return resp.Err("BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.")
	}
	return resp.Err("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")
}

// exclusive runs fn for s with every other command of this node held off
// (a transaction's EXEC: kind "multi"; a script: "script"; FCALL:
// "function"). Inside fn, commands run with d.call. Sections do not nest:
// a command already inside one (s.inExclusive) runs fn directly.
func (d *Dispatcher) exclusive(s *Session, kind string, fn func() resp.Reply) resp.Reply {
	if s.inExclusive {
		return fn()
	}
	var r resp.Reply
	threshold := time.Duration(0)
	if kind != "multi" {
		threshold = d.env.Settings.BusyThreshold()
	}
	busyKind, ok := d.gate.exclusive(kind, threshold, func() {
		s.inExclusive = true
		defer func() { s.inExclusive = false }()
		r = fn()
	})
	d.sendHeldBroadcasts(s) // tracking_send.go
	if !ok {
		r = errBusy(busyKind)
		if kind == "multi" {
			r = execAbort(r)
		}
	}
	return r
}

// call runs one command for s from inside an exclusive section (a queued
// command of EXEC, redis.call): the name is looked up and the arity
// checked as Do does, but neither the gate nor MULTI queueing applies.
func (d *Dispatcher) call(s *Session, args [][]byte) resp.Reply {
	if len(args) == 0 {
		return resp.Err("ERR empty command")
	}
	cmd, rej := d.resolve(args)
	if rej.Kind == resp.KindError {
		return rej
	}
	return d.run(s, cmd, args)
}
