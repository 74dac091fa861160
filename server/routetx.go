package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/command"
)

// MethodTx runs a transaction (MULTI ... EXEC) taken from a client of
// another node on this node, its partition's coordinator: body is the
// protocol version byte and the transaction as a RESP array (encodeTx); the
// reply is EXEC's RESP reply.
const MethodTx = replica.MethodUser + 3

// Transactions and scripts in a cluster (DESIGN.md, "Replication
// defaults"): one whose keys all fall in one partition runs, whole, on
// that partition's coordinator, the node where every single-key write of
// the partition runs too, so the coordinator's gate makes it atomic. Keys
// in several partitions answer CROSSSLOT, Redis Cluster's error; users
// co-locate keys with hash tags ({user1}:a, {user1}:b).

var errCrossSlot = resp.Err("CROSSSLOT Keys in request don't hash to the same slot")

// routeTx runs EXEC for s on its transaction's coordinator when that is
// another node; ok is false when EXEC should run here (no transaction, no
// keys, or this node coordinates them).
func (r *router) routeTx(ctx context.Context, s *command.Session) (resp.Reply, bool) {
	keys, ok := r.disp.PendingTx(s)
	if !ok || len(keys) == 0 {
		return resp.Reply{}, false
	}
	if !r.disp.SamePartition(keys) {
		// Only if the ring changed under the transaction: queueing checks.
		r.disp.TakeTx(s)
		return errCrossSlot, true
	}
	order := r.coord.Coordinators(keys[0])
	if len(order) == 0 || order[0] == r.self {
		return resp.Reply{}, false
	}
	tx := r.disp.TakeTx(s)
	body := resp.Append(r.requestHead(s, s.Proto), encodeTx(tx), 2)
	return r.callAt(ctx, s, order, MethodTx, body, func() resp.Reply {
		return r.disp.RunTx(ctx, s, tx)
	}), true
}

// routeKeys runs a command whose keys are found by its Keys function
// (EVAL, EVALSHA, FCALL) on the coordinator of their partition; ok is false
// when it should run here (no keys, or this node coordinates them).
func (r *router) routeKeys(ctx context.Context, s *command.Session, cmd *command.Command, args [][]byte) (resp.Reply, bool) {
	keys := cmd.KeysOf(args)
	if len(keys) == 0 {
		return resp.Reply{}, false
	}
	if !r.disp.SamePartition(keys) {
		return errCrossSlot, true
	}
	order := r.coord.Coordinators(keys[0])
	if len(order) == 0 || order[0] == r.self {
		return resp.Reply{}, false
	}
	rep := r.runAt(ctx, s, order, args)
	if cmd.Name == "evalsha" && isNoScript(rep) {
		// The coordinator has not seen the script: send its body, which
		// it caches, as EVAL.
		if body, ok := r.disp.ScriptBody(string(args[1])); ok {
			eval := append([][]byte{[]byte("EVAL"), body}, args[2:]...)
			rep = r.runAt(ctx, s, order, eval)
		}
	}
	return rep, true
}

// isNoScript reports whether rep is a NOSCRIPT error, relayed or not.
func isNoScript(rep resp.Reply) bool {
	const p = "NOSCRIPT"
	switch rep.Kind {
	case resp.KindRaw:
		return bytes.HasPrefix(rep.Bytes, []byte("-"+p))
	case resp.KindError:
		return strings.HasPrefix(rep.Str, p)
	}
	return false
}

// scriptForwardTimeout bounds a script or transaction run on another
// node: far longer than a single command's forward (a script may run for
// seconds; SCRIPT KILL on its coordinator ends it), yet a dead peer does
// not hold the client for ever.
const scriptForwardTimeout = time.Minute

// callAt sends body with method to the first node of order that can be
// reached and relays its reply; local runs the call here when this node
// comes first among the reachable ones.
func (r *router) callAt(ctx context.Context, s *command.Session, order []string, method uint8, body []byte, local func() resp.Reply) resp.Reply {
	var err error
	for _, node := range order {
		if node == r.self {
			return local()
		}
		cctx, cancel := context.WithTimeout(ctx, scriptForwardTimeout)
		var b []byte
		b, err = r.peers.Call(cctx, node, method, body)
		cancel()
		if err == nil {
			b = r.received(s, node, body, b) // tracking_route.go
			r.noteWrite(s, b)
			return resp.Raw(b)
		}
		if errors.Is(err, transport.ErrTimeout) {
			return resp.Err("NOQUORUM " + node + " coordinates the keys and did not answer in time; the transaction may have run")
		}
		if ctx.Err() != nil || isRemote(err) {
			break
		}
	}
	return resp.Err("NOQUORUM no replica of the keys could be reached: " + err.Error())
}

// encodeTx is a transaction on the wire: an array whose first element is
// the watched keys ([key, context, "1"|"0" for live] each) and whose other
// elements are the queued commands.
func encodeTx(tx command.Tx) resp.Reply {
	ws := make([]resp.Reply, len(tx.Watched))
	for i, w := range tx.Watched {
		live := "0"
		if w.Live {
			live = "1"
		}
		ws[i] = resp.Array(resp.Bulk(w.Key), resp.BulkString(w.Context), resp.BulkString(live))
	}
	elems := []resp.Reply{resp.Array(ws...)}
	for _, c := range tx.Commands {
		elems = append(elems, stringsReply(c))
	}
	return resp.Array(elems...)
}

var errTxMalformed = errors.New("server: malformed transaction")

// decodeTx reverses encodeTx.
func decodeTx(b []byte) (command.Tx, error) {
	rep, _, err := resp.ParseReply(b)
	if err != nil || rep.Kind != resp.KindArray || len(rep.Elems) == 0 || rep.Elems[0].Kind != resp.KindArray {
		return command.Tx{}, errTxMalformed
	}
	var tx command.Tx
	for _, w := range rep.Elems[0].Elems {
		if len(w.Elems) != 3 {
			return command.Tx{}, errTxMalformed
		}
		tx.Watched = append(tx.Watched, command.Watch{Key: bulk(w.Elems[0]),
			Context: string(bulk(w.Elems[1])), Live: string(bulk(w.Elems[2])) == "1"})
	}
	for _, c := range rep.Elems[1:] {
		if c.Kind != resp.KindArray || len(c.Elems) == 0 {
			return command.Tx{}, errTxMalformed
		}
		args := make([][]byte, len(c.Elems))
		for i, a := range c.Elems {
			args[i] = bulk(a)
		}
		tx.Commands = append(tx.Commands, args)
	}
	return tx, nil
}

// bulk is a parsed bulk string's bytes.
func bulk(r resp.Reply) []byte {
	if r.Bytes != nil {
		return bytes.Clone(r.Bytes)
	}
	return []byte(r.Str)
}

// serveTx runs a transaction sent by another node (MethodTx). Every queued
// command must be one a peer may run here (forwardable) or a keyless
// command that neither writes nor administers, so a transaction cannot
// carry what MethodExec refuses. The session is authenticated only if the
// peer proved the cluster key, as in serveExec.
func (r *router) serveTx(ctx context.Context, from string, body []byte) ([]byte, error) {
	proto, origin, rest, ok := readHead(from, body) // tracking_route.go
	if !ok {
		return nil, errTxMalformed
	}
	tx, err := decodeTx(rest)
	if err != nil {
		return nil, err
	}
	for _, c := range tx.Commands {
		if cmd := r.disp.Lookup(c[0]); cmd != nil && !txForwardable(cmd) {
			return nil, fmt.Errorf("%w: %q in a transaction", errExecRefused, truncate(c[0], 32))
		}
	}
	s := r.disp.NewSession(0, "peer:"+from, "")
	s.Authed, s.Proto = transport.Authenticated(ctx), proto
	if s.Authed {
		s.TrustPeer() // the forwarding node checked its ACL when queueing
	}
	encode := runFor(s, origin, proto)
	args := [][]byte{[]byte("exec")}
	return encode(recovered(r.log, s.Addr, args, func() resp.Reply { return r.disp.RunTx(ctx, s, tx) })), nil
}

// txForwardable reports whether a transaction sent by a peer may hold cmd.
func txForwardable(cmd *command.Command) bool {
	if notForwarded[cmd.Name] {
		return false
	}
	if cmd.Flags&(command.Admin|command.NoAuth) != 0 {
		return false
	}
	return cmd.FirstKey > 0 || cmd.Keys != nil || cmd.Flags&command.Write == 0
}
