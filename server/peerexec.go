package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/command"
)

// Errors of serveExec, returned to the calling node as its RemoteError.
var (
	errExecMalformed = errors.New("server: malformed exec request")
	errExecRefused   = errors.New("server: a peer may not run this command")
)

// notForwarded are commands a peer never runs here through MethodExec,
// whatever their key positions: administration, connection state,
// scripts and anything that reaches beyond its keys. (Most are keyless and
// refused for that alone; the list keeps them refused if that changes.)
var notForwarded = map[string]bool{
	"config": true, "shutdown": true, "flushall": true, "flushdb": true, "debug": true,
	"client": true, "auth": true, "hello": true, "reset": true, "quit": true, "select": true,
	"save": true, "bgsave": true, "bgrewriteaof": true, "acl": true, "module": true,
	"monitor": true, "sync": true, "psync": true, "replicaof": true, "slaveof": true,
	"multi": true, "exec": true, "discard": true, "watch": true, "unwatch": true,
	"script": true, "function": true, "migrate": true,
	"subscribe": true, "psubscribe": true, "ssubscribe": true, "cluster": true, "ringkv": true,
}

// forwardable reports whether a peer may run cmd here: only what a router
// forwards, a command on keys (FirstKey > 0) that is neither an admin
// command nor one allowed before AUTH, and not in notForwarded.
func forwardable(cmd *command.Command) bool {
	return cmd != nil && (cmd.FirstKey > 0 || cmd.Keys != nil) &&
		cmd.Flags&(command.Admin|command.NoAuth) == 0 &&
		!notForwarded[cmd.Name]
}

// serveExec runs a command forwarded by another node (MethodExec) here,
// whatever this node's view of the key's replicas. body is the protocol
// version byte (2 or 3) and the command as a RESP array; the reply is the
// RESP reply (for a client that tracks, both with tracking_route.go's
// additions). Only forwardable commands run; anything else is refused with
// errExecRefused. A panic in the command is logged and answered as an
// error reply, as a client's is.
//
// A peer frame never stands in for AUTH: the command runs as an
// authenticated client only when the peer proved the cluster key
// (transport.Authenticated; the forwarding node checked its own client's
// AUTH). Without a key it runs as a client that has not sent AUTH, so
// --requirepass (even one set later by CONFIG SET) still applies.
func (r *router) serveExec(ctx context.Context, from string, body []byte) ([]byte, error) {
	proto, origin, rest, ok := readHead(from, body) // tracking_route.go
	if !ok {
		return nil, errExecMalformed
	}
	rd := resp.NewReader(bytes.NewReader(rest), resp.Limits{MaxBulkLen: 1 << 40})
	args, err := rd.ReadCommand()
	if err != nil || len(args) == 0 {
		return nil, errExecMalformed
	}
	cmd := r.disp.Lookup(args[0])
	if cmd != nil {
		cmd = r.disp.Subcommand(cmd, args) // XGROUP CREATE key ...: the subcommand has the key
	}
	if !forwardable(cmd) {
		return nil, fmt.Errorf("%w: %q", errExecRefused, truncate(args[0], 32))
	}
	s := r.disp.NewSession(0, "peer:"+from, "")
	s.Authed, s.Proto, s.Forwarded = transport.Authenticated(ctx), proto, true
	if s.Authed {
		s.TrustPeer() // the forwarding node checked its ACL (Dispatcher.Permit)
	}
	encode := runFor(s, origin, proto)
	return encode(recovered(r.log, s.Addr, args, func() resp.Reply { return r.disp.Do(ctx, s, args) })), nil
}

// truncate returns at most n bytes of b, for error texts.
func truncate(b []byte, n int) string { return string(b[:min(len(b), n)]) }
