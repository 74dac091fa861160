package command

import (
	"bytes"
	"context"
	"strings"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// Transactions: MULTI queues commands on the session, EXEC runs them
// inside one exclusive section (atomic.go), after checking that no
// WATCHed key changed. A watch is optimistic, like Redis's: WATCH records
// the key's causal context (and whether it held a value); EXEC reads the
// key again, under the gate, and runs nothing if either changed. Comparing
// contexts rather than local modification flags makes a watch hold in a
// cluster, where a write may reach the key through any node: every write
// gives the key a new dot.
//
// In a cluster (more than one ring member) every key a transaction names,
// watched or queued, must fall in one partition, so that the whole
// transaction runs on that partition's coordinator (the server's router
// sends it there); a command that names another partition answers
// CROSSSLOT and the transaction is discarded at EXEC, as in Redis Cluster.

// txControl are the commands that run at once inside MULTI (Redis's
// processCommand list); every other command is queued.
var txControl = map[string]bool{"exec": true, "discard": true, "multi": true,
	"watch": true, "quit": true, "reset": true}

// txState is MULTI's queue.
type txState struct {
	cmds  [][][]byte // queued commands, copied
	dirty bool       // a command was refused while queueing: EXEC aborts
	first []byte     // the first key a queued command named (its partition is the transaction's)
}

// watch is one WATCHed key as WATCH saw it.
type watch struct {
	key  []byte
	ctx  string // version.EncodeContext of the key's context
	live bool   // the key held a value
}

// emptyContext is the encoded context of a key with no history.
var emptyContext = version.EncodeContext(version.Context{})

var (
	errCrossSlot  = resp.Err("CROSSSLOT Keys in request don't hash to the same slot")
	errExecAbort  = resp.Err("EXECABORT Transaction discarded because of previous errors.")
	errNotInMulti = resp.Err("ERR Command not allowed inside a transaction")
)

// txFail marks s's transaction, if any, to abort at EXEC.
func (s *Session) txFail() {
	if s.tx != nil {
		s.tx.dirty = true
	}
}

// resetTx forgets s's transaction and watches (EXEC, DISCARD, RESET).
func (s *Session) resetTx() { s.tx, s.watched = nil, nil }

// execAbort is EXEC's reply when it is refused for why, as Redis's
// execCommandAbort words it.
func execAbort(why resp.Reply) resp.Reply {
	return resp.Err("EXECABORT Transaction discarded because of: " + strings.TrimPrefix(why.Str, "ERR "))
}

// queue adds a command to s's transaction. While a script is busy the
// command is refused, not queued, and the transaction fails, as in Redis
// (EXEC and scripts see the busy section in the gate itself).
func (d *Dispatcher) queue(s *Session, cmd *Command, args [][]byte) resp.Reply {
	if kind, busy := d.gate.busy(); busy && cmd.Flags&AllowBusy == 0 {
		cmd.rejected.Add(1)
		s.txFail()
		d.env.Stats.CountError(errBusy(kind))
		return errBusy(kind)
	}
	if cmd.Flags&NoMulti != 0 {
		s.txFail()
		return errNotInMulti
	}
	keys := cmd.KeysOf(args)
	if !d.samePartition(s, keys) {
		s.txFail()
		return errCrossSlot
	}
	cp := make([][]byte, len(args))
	for i, a := range args {
		cp[i] = bytes.Clone(a)
	}
	s.tx.cmds = append(s.tx.cmds, cp)
	if s.tx.first == nil && len(keys) > 0 {
		s.tx.first = bytes.Clone(keys[0])
	}
	return resp.Simple("QUEUED")
}

// clustered reports whether this node is one of several ring members.
func (d *Dispatcher) clustered() bool { return d.env.Topology.Clustered() }

// samePartition reports whether keys fall in the partition of every key
// s's transaction and watches already name (always true on a single node).
func (d *Dispatcher) samePartition(s *Session, keys [][]byte) bool {
	if len(keys) == 0 || !d.clustered() {
		return true
	}
	var first []byte
	if len(s.watched) > 0 {
		first = s.watched[0].key
	} else if s.tx != nil {
		first = s.tx.first
	}
	if first == nil {
		first = keys[0]
	}
	return d.SamePartition(append([][]byte{first}, keys...))
}

// SamePartition reports whether every key falls in one ring partition.
func (d *Dispatcher) SamePartition(keys [][]byte) bool {
	if len(keys) < 2 {
		return true
	}
	p, _, _ := d.env.Topology.Locate(keys[0])
	for _, k := range keys[1:] {
		if q, _, _ := d.env.Topology.Locate(k); q != p {
			return false
		}
	}
	return true
}

// subcommand returns the subcommand args names, or cmd itself.
// Subcommand is the table entry args names: a container's subcommand
// (XGROUP CREATE ...) or cmd itself.
func (d *Dispatcher) Subcommand(cmd *Command, args [][]byte) *Command { return d.subcommand(cmd, args) }

func (d *Dispatcher) subcommand(cmd *Command, args [][]byte) *Command {
	if cmd.subs != nil && len(args) >= 2 {
		if sub := lookup(cmd.subs, args[1]); sub != nil {
			return sub
		}
	}
	return cmd
}

// MULTI
func (d *Dispatcher) multi(s *Session, _ [][]byte) resp.Reply {
	if s.tx != nil {
		return resp.Err("ERR MULTI calls can not be nested")
	}
	s.tx = &txState{}
	return resp.OK()
}

// DISCARD
func (d *Dispatcher) discard(s *Session, _ [][]byte) resp.Reply {
	if s.tx == nil {
		return resp.Err("ERR DISCARD without MULTI")
	}
	s.resetTx()
	return resp.OK()
}

// WATCH key [key ...]
func (d *Dispatcher) watch(s *Session, args [][]byte) resp.Reply {
	if s.tx != nil {
		return resp.Err("ERR WATCH inside MULTI is not allowed")
	}
	if !d.samePartition(s, args[1:]) {
		return errCrossSlot
	}
	for _, k := range args[1:] {
		w, err := d.look(s, k)
		if err != nil {
			return errorReply(err)
		}
		s.watched = append(s.watched, w)
	}
	return resp.OK()
}

// look reads key as WATCH records it.
func (d *Dispatcher) look(s *Session, key []byte) (watch, error) {
	set, err := d.env.KV.Get(s.Context(), key, replica.ReadOptions{})
	if err != nil {
		return watch{}, err
	}
	_, live := set.Winner(d.env.KV.Now())
	return watch{key: bytes.Clone(key), ctx: version.EncodeContext(set.Context()), live: live}, nil
}

// UNWATCH
func (d *Dispatcher) unwatch(s *Session, _ [][]byte) resp.Reply {
	s.watched = nil
	return resp.OK()
}

// EXEC
func (d *Dispatcher) exec(s *Session, _ [][]byte) resp.Reply {
	if s.tx == nil {
		return resp.Err("ERR EXEC without MULTI")
	}
	tx, watched := s.tx, s.watched
	s.resetTx()
	if tx.dirty {
		if kind, busy := d.gate.busy(); busy {
			// Redis refuses EXEC itself while a script is busy, before it
			// looks at the queue: the abort names BUSY (multi.tcl "EXEC
			// and script timeout").
			return execAbort(errBusy(kind))
		}
		return errExecAbort
	}
	return d.execTx(s, watched, tx.cmds)
}

// execTx runs cmds alone on this node unless a watched key changed, in
// which case it runs nothing and answers a null array.
func (d *Dispatcher) execTx(s *Session, watched []watch, cmds [][][]byte) resp.Reply {
	return d.exclusive(s, "multi", func() resp.Reply {
		for _, w := range watched {
			now, err := d.look(s, w.key)
			if err != nil {
				return errorReply(err)
			}
			if !w.live && now.ctx == emptyContext {
				// A key that held no live value (absent, or expired
				// but not yet swept) and was then flushed: FLUSHALL
				// touches only keys that exist, as in Redis.
				continue
			}
			if now.ctx != w.ctx || (w.live && !now.live) {
				return resp.NullArray()
			}
		}
		replies := make([]resp.Reply, len(cmds))
		for i, c := range cmds {
			if replies[i] = d.execDenied(s, c); replies[i].IsError() {
				continue // aclcheck.go
			}
			replies[i] = d.call(s, c)
		}
		return resp.Array(replies...)
	})
}

// Tx is a transaction taken from its session to run on another node (the
// coordinator of its partition): what WATCH saw and the queued commands.
type Tx struct {
	Watched  []Watch
	Commands [][][]byte
}

// Watch is one watched key as WATCH saw it.
type Watch struct {
	Key     []byte
	Context string // version.EncodeContext
	Live    bool
}

// PendingTx returns the keys s's transaction names (watched and queued),
// and ok=false unless EXEC would run it (in MULTI and not discarded).
func (d *Dispatcher) PendingTx(s *Session) (keys [][]byte, ok bool) {
	if s.tx == nil || s.tx.dirty {
		return nil, false
	}
	for _, w := range s.watched {
		keys = append(keys, w.key)
	}
	for _, c := range s.tx.cmds {
		if cmd := lookup(d.cmds, c[0]); cmd != nil {
			keys = append(keys, d.subcommand(cmd, c).KeysOf(c)...)
		}
	}
	return keys, true
}

// TakeTx removes s's transaction, as EXEC does, for RunTx on another node.
// Call it only after PendingTx said ok.
func (d *Dispatcher) TakeTx(s *Session) Tx {
	tx := Tx{Commands: s.tx.cmds}
	for _, w := range s.watched {
		tx.Watched = append(tx.Watched, Watch{Key: w.key, Context: w.ctx, Live: w.live})
	}
	s.resetTx()
	return tx
}

// RunTx runs a transaction taken on another node (TakeTx) here, for s,
// under ctx: EXEC's reply.
func (d *Dispatcher) RunTx(ctx context.Context, s *Session, tx Tx) resp.Reply {
	s.ctx = ctx
	defer func() { s.ctx = nil }()
	watched := make([]watch, len(tx.Watched))
	for i, w := range tx.Watched {
		watched[i] = watch{key: w.Key, ctx: w.Context, live: w.Live}
	}
	for _, c := range tx.Commands {
		if len(c) == 0 {
			return resp.Err("ERR empty command in a transaction")
		}
	}
	return d.execTx(s, watched, tx.Commands)
}

// InMulti reports whether s is inside MULTI (its commands are queued).
func (s *Session) InMulti() bool { return s.tx != nil }
