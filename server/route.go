package server

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/command"
)

// MethodExec runs a client command on another node: body is the protocol
// version byte and the command as a RESP array; the reply is the RESP reply.
const MethodExec = replica.MethodUser

// router sends each client command where it belongs in a cluster: a
// single-key write to the key's coordinator, the first of its primaries
// that is up (Dynamo: writes are coordinated by a node in the key's
// preference list; one coordinator per key makes read-modify-writes such
// as INCR atomic), except a blind write (plain SET, MSET: command.Blind)
// arriving at one of the key's primaries, which runs here; MGET, MSET,
// DEL, UNLINK and EXISTS split by key and run in parallel; other
// multi-key commands run whole at their keys' coordinator when the keys
// share a partition, and get CROSSSLOT otherwise.
// Everything else runs here: reads may be coordinated anywhere. This is
// the one way a command reaches another node (MethodExec).
type router struct {
	self  string
	disp  *command.Dispatcher
	place replica.Placement
	coord coordinators
	peers replica.Caller
	// timeout is the request timeout. A forwarded call may take twice
	// that (the remote coordinator's quorum read, then its write) and no
	// more: a half-open peer must not hold the client.
	timeout time.Duration
	log     zerolog.Logger // panics in forwarded commands (serveExec)
	// forwarded counts the commands (and split commands' parts) sent to
	// another node to run (INFO forwarded_commands).
	forwarded atomic.Int64
}

// coordinators orders a key's primaries as candidate coordinators
// (replica.Coordinator.Coordinators).
type coordinators interface {
	Coordinators(key []byte) []string
}

// forwardSlack is what a forwarded call may take beyond the remote
// coordinator's own waits (the network and the remote's queue).
const forwardSlack = 500 * time.Millisecond

// maxReadParts bounds how many parts of a multi-key read run at once here.
const maxReadParts = 16

// split describes a multi-key command that is cut into per-node parts.
type split struct {
	step  int  // arguments per key (MSET: 2)
	write bool // parts go to a replica of their keys
	sum   bool // replies are integers to add (DEL, EXISTS); else arrays or OK
}

var splits = map[string]split{
	"mget": {step: 1}, "exists": {step: 1, sum: true}, "touch": {step: 1, sum: true},
	"del": {step: 1, write: true, sum: true}, "unlink": {step: 1, write: true, sum: true},
	"mset": {step: 2, write: true},
}

// exec runs one client command.
func (r *router) exec(ctx context.Context, s *command.Session, args [][]byte) resp.Reply {
	cmd := r.disp.Lookup(args[0])
	if cmd == nil || !s.Authed || !arityOK(cmd, len(args)) || len(r.place.Members()) == 1 {
		return r.disp.Do(ctx, s, args)
	}
	if rep := r.disp.Permit(s, args); rep.IsError() {
		return rep // ACL: checked here, where the client is, before any forward
	}
	if s.InMulti() { // queued here; EXEC takes the whole transaction to its coordinator
		if cmd.Name == "exec" {
			if rep, ok := r.routeTx(ctx, s); ok {
				return rep
			}
		}
		return r.disp.Do(ctx, s, args)
	}
	if cmd.Flags&command.Blocking != 0 {
		// A blocking command (BLPOP ...) waits here, for as long as its
		// client wants: its pops are quorum writes like any, and a push
		// coordinated elsewhere is seen by its periodic look.
		if keys := cmd.KeysOf(args); len(keys) > 1 && !r.disp.SamePartition(keys) {
			return errCrossSlot
		}
		return r.disp.Do(ctx, s, args)
	}
	if cmd.Keys != nil && cmd.Flags&command.ReadOnly == 0 { // scripts (routetx.go)
		if rep, ok := r.routeKeys(ctx, s, cmd, args); ok {
			return rep
		}
		return r.disp.Do(ctx, s, args)
	}
	if sub := r.disp.Subcommand(cmd, args); sub != cmd && sub.FirstKey > 0 && sub.Flags&command.Write != 0 &&
		len(args) > sub.FirstKey {
		// A container's write on a key (XGROUP CREATE key ...) runs at
		// the key's coordinator, as every other write of the key.
		return r.runAt(ctx, s, r.coord.Coordinators(args[sub.FirstKey]), args)
	}
	if cmd.FirstKey == 0 {
		return r.disp.Do(ctx, s, args)
	}
	if sp, ok := splits[cmd.Name]; ok && (sp.step == 1 || (len(args)-1)%sp.step == 0) {
		return r.splitExec(ctx, s, args, sp)
	}
	if keys := cmd.KeysOf(args); len(keys) > 1 {
		// A multi-key command (SMOVE, SINTERSTORE, RENAME, ...) runs whole
		// where its keys live, atomically, as in Redis Cluster; keys in
		// two partitions cannot be (DESIGN.md, "Replication defaults").
		if !r.disp.SamePartition(keys) {
			return errCrossSlot
		}
		if cmd.Flags&command.Write == 0 {
			return r.disp.Do(ctx, s, args)
		}
		return r.runAt(ctx, s, r.coord.Coordinators(keys[0]), args)
	}
	if cmd.Flags&command.Write == 0 {
		return r.disp.Do(ctx, s, args)
	}
	order := r.coord.Coordinators(args[cmd.FirstKey])
	if r.runsHere(order, command.Blind(cmd, args)) {
		return r.disp.Do(ctx, s, args)
	}
	return r.runAt(ctx, s, order, args)
}

// runsHere reports whether a write of a key whose coordinators are order
// runs on this node without a forward: a blind write (command.Blind) on
// one of the key's primaries.
func (r *router) runsHere(order []string, blind bool) bool {
	return blind && slices.Contains(order, r.self)
}

// runAt runs args on the first node of order that can be reached: here
// when that is this node, else forwarded with its reply relayed.
func (r *router) runAt(ctx context.Context, s *command.Session, order []string, args [][]byte) resp.Reply {
	var err error
	for _, node := range order {
		if node == r.self {
			return r.disp.Do(ctx, s, args)
		}
		var b []byte
		if b, err = r.forward(ctx, node, s, s.Proto, args); err == nil {
			r.noteWrite(s, b)
			return resp.Raw(b)
		}
		if errors.Is(err, transport.ErrTimeout) {
			// It may have run: running it again elsewhere could apply an
			// INCR twice. Say so; the client decides.
			return resp.Err("NOQUORUM " + node + " coordinates the key and did not answer in time; the command may have run")
		}
		if ctx.Err() != nil || isRemote(err) {
			break
		}
	}
	return resp.Err("NOQUORUM no replica of the key could be reached: " + err.Error())
}

// noteWrite records on s, for WAIT, the copies a write forwarded to its
// coordinator reached: the write quorum, unless it answered an error.
func (r *router) noteWrite(s *command.Session, reply []byte) {
	if len(reply) > 0 && reply[0] != '-' {
		s.NoteQuorumWrite()
	}
}

func arityOK(c *command.Command, n int) bool {
	return (c.Arity > 0 && n == c.Arity) || (c.Arity < 0 && n >= -c.Arity)
}

// target is the node that runs key's part: for reads this node; for
// writes the key's coordinator, or this node if it is a replica of the
// key and the write is blind (command.Blind).
func (r *router) target(key []byte, write, blind bool) string {
	if !write {
		return r.self
	}
	order := r.coord.Coordinators(key)
	if r.runsHere(order, blind) {
		return r.self
	}
	return order[0]
}

// forward runs args for s on node within the request timeout and returns
// its reply encoded for proto (for a tracking s, after remembering the
// keys it read: tracking_route.go).
func (r *router) forward(ctx context.Context, node string, s *command.Session, proto int, args [][]byte) ([]byte, error) {
	body := resp.Append(r.requestHead(s, proto), stringsReply(args), 2)
	timeout := 2*r.timeout + forwardSlack
	if c := r.disp.Lookup(args[0]); c != nil && c.Keys != nil {
		timeout = scriptForwardTimeout // a script may run for seconds
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.forwarded.Add(1)
	b, err := r.peers.Call(ctx, node, MethodExec, body)
	if err != nil {
		return nil, err
	}
	return r.received(s, node, body, b), nil
}

func isRemote(err error) bool {
	var re interface{ Remote() string }
	return errors.As(err, &re)
}

func stringsReply(args [][]byte) resp.Reply {
	elems := make([]resp.Reply, len(args))
	for i, a := range args {
		elems[i] = resp.Bulk(a)
	}
	return resp.Array(elems...)
}

// part is the share of a split command one node runs.
type part struct {
	node  string
	args  [][]byte
	index []int // position of each key in the original command
	reply resp.Reply
}

// splitExec cuts a multi-key command by node, runs the parts in parallel
// (reads here in up to maxReadParts parts, so their quorum reads overlap) and
// combines their replies. The command is not atomic across nodes.
func (r *router) splitExec(ctx context.Context, s *command.Session, args [][]byte, sp split) resp.Reply {
	byNode := map[string]*part{}
	var parts, local []*part
	blind := sp.write && command.Blind(r.disp.Lookup(args[0]), args)
	for i, k := 1, 0; i < len(args); i, k = i+sp.step, k+1 {
		node := r.target(args[i], sp.write, blind)
		p := byNode[node]
		if !sp.write && node == r.self { // reads: up to maxReadParts in parallel here
			if len(local) < maxReadParts {
				p = &part{node: node, args: [][]byte{args[0]}}
				local, parts = append(local, p), append(parts, p)
			}
			p = local[k%maxReadParts%len(local)]
		} else if p == nil {
			p = &part{node: node, args: [][]byte{args[0]}}
			byNode[node] = p
			parts = append(parts, p)
		}
		p.args = append(p.args, args[i:i+sp.step]...)
		p.index = append(p.index, k)
	}
	var wg sync.WaitGroup
	for _, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.reply = r.runPart(ctx, s, p)
		}()
	}
	wg.Wait()
	return combine(parts, (len(args)-1)/sp.step, sp)
}

// runPart runs one part here (with a session of the same identity) or on
// its node, and returns its reply decoded. A part whose node cannot be
// reached runs here: each of its keys then finds a coordinator itself.
func (r *router) runPart(ctx context.Context, s *command.Session, p *part) resp.Reply {
	if p.node != r.self {
		b, err := r.forward(ctx, p.node, s, 2, p.args)
		if err == nil {
			rep, _, perr := resp.ParseReply(b)
			if perr != nil {
				return resp.Err("ERR malformed reply from " + p.node)
			}
			return rep
		}
		if ctx.Err() != nil || isRemote(err) {
			return resp.Err("NOQUORUM " + p.node + " could not run its part: " + err.Error())
		}
	}
	sub := r.disp.NewSession(s.ID, s.Addr, s.LocalAddr)
	sub.Authed, sub.Proto = true, 2
	sub.TrustPeer() // the whole command passed Permit in exec
	return r.disp.Do(ctx, sub, p.args)
}

// combine assembles the parts' replies into the reply of the whole.
func combine(parts []*part, keys int, sp split) resp.Reply {
	var total int64
	elems := make([]resp.Reply, keys)
	for _, p := range parts {
		switch rep := p.reply; {
		case rep.IsError():
			return rep
		case sp.sum:
			total += rep.Int
		case rep.Kind == resp.KindArray:
			for j, k := range p.index {
				if j < len(rep.Elems) {
					elems[k] = rep.Elems[j]
				}
			}
		}
	}
	switch {
	case sp.sum:
		return resp.Int(total)
	case sp.write:
		return resp.OK()
	}
	return resp.Array(elems...)
}

// atCoordinator runs args, a command on key, at key's coordinator when
// that is another node (command.Env.AtCoordinator); ok is false when this
// node comes first among the key's reachable coordinators, or is alone.
func (r *router) atCoordinator(ctx context.Context, s *command.Session, key []byte, args [][]byte) (resp.Reply, bool) {
	if len(r.place.Members()) == 1 {
		return resp.Reply{}, false
	}
	var err error
	for _, node := range r.coord.Coordinators(key) {
		if node == r.self {
			return resp.Reply{}, false
		}
		var b []byte
		if b, err = r.forward(ctx, node, s, s.Proto, args); err == nil {
			rep, _, perr := resp.ParseReply(b)
			if perr != nil {
				return resp.Err("ERR malformed reply from " + node + ": " + perr.Error()), true
			}
			return rep, true
		}
		if errors.Is(err, transport.ErrTimeout) {
			return resp.Err("NOQUORUM " + node + " coordinates the key and did not answer in time; the command may have run"), true
		}
		if ctx.Err() != nil || isRemote(err) {
			break
		}
	}
	why := "no coordinator"
	if err != nil {
		why = err.Error()
	}
	return resp.Err("NOQUORUM no replica of the key could be reached: " + why), true
}
