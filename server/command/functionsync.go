package command

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"sync"

	"github.com/ringkv/ringkv/server/lua"
)

// Function libraries replicate to every node, whole: each change (FUNCTION
// LOAD, DELETE, FLUSH, RESTORE) takes a new stamp (a counter above every
// stamp this node has seen, and the node's name to break ties), is saved
// through Env.Functions and sent to the other members through
// Env.Broadcast. A node applies a set of libraries only if its stamp is
// newer than its own, so replicas converge on the last change made
// anywhere (last writer wins), and a node that missed changes while down
// catches up when the server exchanges stamps with it (FunctionSyncQuery).
//
// Messages (Dispatcher.FunctionSync):
//
//	'Q' stamp          query: answered 'F' (the answerer is newer), 'Q' (older) or nothing
//	'F' stamp payload  the libraries (FUNCTION DUMP's payload): applied if newer
//
// A stamp is the counter as a uvarint and the node name, length-prefixed.

// FunctionStore keeps a node's function libraries across restarts.
type FunctionStore interface {
	// Load returns what Save last stored; nil and no error when nothing was.
	Load() ([]byte, error)
	// Save stores b durably, replacing what was there.
	Save(b []byte) error
}

// stamp orders replicated library sets.
type stamp struct {
	counter uint64
	node    string
}

func (a stamp) newer(b stamp) bool {
	return a.counter > b.counter || (a.counter == b.counter && a.node > b.node)
}

func (a stamp) append(b []byte) []byte {
	b = binary.AppendUvarint(b, a.counter)
	b = binary.AppendUvarint(b, uint64(len(a.node)))
	return append(b, a.node...)
}

var errSyncMalformed = errors.New("command: malformed function sync message")

func readStamp(b []byte) (stamp, []byte, error) {
	c, n := binary.Uvarint(b)
	if n <= 0 {
		return stamp{}, nil, errSyncMalformed
	}
	b = b[n:]
	l, n := binary.Uvarint(b)
	if n <= 0 || l > uint64(len(b)-n) {
		return stamp{}, nil, errSyncMalformed
	}
	b = b[n:]
	return stamp{counter: c, node: string(b[:l])}, b[l:], nil
}

// functionSync is the libraries' stamp. applyMu serialises applying
// peers' libraries (which may wait for a running function); mu guards the
// stamp and is never held while waiting, so stamp queries and local
// changes do not queue behind an apply.
type functionSync struct {
	applyMu sync.Mutex
	mu      sync.Mutex
	stamp   stamp
}

// loadFunctions restores the libraries saved in env.Functions (at start).
func (d *Dispatcher) loadFunctions() {
	if d.env.Functions == nil {
		return
	}
	b, err := d.env.Functions.Load()
	if err == nil && len(b) > 0 {
		_, err = d.applyFull(b)
	}
	if err != nil {
		d.env.Logger.Error().Err(err).Msg("function libraries not restored; starting with none")
	}
}

// changeFunctions runs op, a local change of the libraries (FUNCTION LOAD,
// DELETE, FLUSH, RESTORE), then stamps, saves and broadcasts the result.
// No peer's libraries are applied in between.
func (d *Dispatcher) changeFunctions(ctx context.Context, op func() error) error {
	fs := &d.scripts.sync
	fs.applyMu.Lock()
	if err := op(); err != nil {
		fs.applyMu.Unlock()
		return err
	}
	fs.mu.Lock()
	fs.stamp = stamp{counter: fs.stamp.counter + 1, node: d.env.Settings.Params().Node}
	msg := d.fullMessage()
	d.saveFunctions(msg)
	fs.mu.Unlock()
	fs.applyMu.Unlock()
	if d.env.Broadcast != nil {
		if err := d.env.Broadcast(ctx, msg); err != nil {
			d.env.Logger.Warn().Err(err).Msg("function libraries not sent to every member; they catch up when they next exchange stamps")
		}
	}
	return nil
}

// fullMessage is 'F', the stamp and the dump (fs.mu held).
func (d *Dispatcher) fullMessage() []byte {
	msg := d.scripts.sync.stamp.append([]byte{'F'})
	return append(msg, d.scripts.engine.Dump()...)
}

func (d *Dispatcher) saveFunctions(msg []byte) {
	if d.env.Functions == nil {
		return
	}
	if err := d.env.Functions.Save(msg); err != nil {
		d.env.Logger.Error().Err(err).Msg("function libraries not saved")
	}
}

// FunctionSyncQuery is the message that asks a peer whether its function
// libraries are newer or older than this node's.
func (d *Dispatcher) FunctionSyncQuery() []byte {
	fs := &d.scripts.sync
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.stamp.append([]byte{'Q'})
}

// FunctionSync handles a function-replication message from a peer (or a
// peer's answer) and returns the message to send back, nil for none.
func (d *Dispatcher) FunctionSync(msg []byte) ([]byte, error) {
	if len(msg) == 0 {
		return nil, nil
	}
	switch msg[0] {
	case 'Q':
		theirs, _, err := readStamp(msg[1:])
		if err != nil {
			return nil, err
		}
		fs := &d.scripts.sync
		fs.mu.Lock()
		defer fs.mu.Unlock()
		switch {
		case fs.stamp.newer(theirs):
			return d.fullMessage(), nil
		case theirs.newer(fs.stamp):
			return fs.stamp.append([]byte{'Q'}), nil
		}
		return nil, nil
	case 'F':
		_, err := d.applyFull(msg)
		return nil, err
	}
	return nil, errSyncMalformed
}

// applyFull installs the libraries of an 'F' message if its stamp is
// newer than this node's, and saves them.
func (d *Dispatcher) applyFull(msg []byte) (bool, error) {
	if len(msg) == 0 || msg[0] != 'F' {
		return false, errSyncMalformed
	}
	theirs, payload, err := readStamp(msg[1:])
	if err != nil {
		return false, err
	}
	fs := &d.scripts.sync
	fs.applyMu.Lock()
	defer fs.applyMu.Unlock()
	fs.mu.Lock()
	newer := theirs.newer(fs.stamp)
	fs.mu.Unlock()
	if !newer {
		return false, nil
	}
	if err := d.scripts.engine.Restore(payload, lua.RestoreFlush); err != nil {
		return false, err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.stamp = theirs
	d.saveFunctions(bytes.Clone(msg))
	return true, nil
}
