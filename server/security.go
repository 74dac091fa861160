package server

import (
	"errors"
	"fmt"

	"github.com/ringkv/ringkv/cluster/transport"
)

// The peer port (--peer-port) and gossip (--gossip-port) let other nodes
// read and write this node's data, so who may use them is decided once, at
// startup, by peerMode:
//
//   - with --cluster-key: peers must prove the key (mutual HMAC), their
//     frames are encrypted (AES-GCM) and gossip is encrypted with a key
//     derived from it. Anything goes: any --bind, --requirepass, --join.
//   - without a key, on a loopback --bind (127.0.0.1, ::1, localhost) and
//     without --requirepass: plain peer frames and gossip, on loopback
//     only. This is the out-of-the-box single node and the loopback test
//     cluster; anyone who can run a process on the machine can reach it.
//   - without a key, exposed (--bind beyond loopback, or --requirepass set,
//     which a keyless peer port would let local processes bypass), with
//     --join: the node refuses to start (ErrClusterKeyRequired), saying
//     what to set.
//   - without a key, exposed, without --join: the node runs standalone: no
//     peer listener, no gossip, one warning saying how to enable
//     clustering.
//
// Whatever the mode, a peer frame never stands in for a client's AUTH:
// see serveExec (peerexec.go).

// peerMode is how a node runs its peer port and gossip.
type peerMode int

const (
	peerSealed     peerMode = iota // --cluster-key: authenticated, encrypted
	peerLoopback                   // no key, loopback only, no requirepass: plain
	peerStandalone                 // no key, exposed, no --join: no peer port, no gossip
)

// ErrClusterKeyRequired: an exposed node was asked to join a cluster
// without --cluster-key.
var ErrClusterKeyRequired = errors.New("server: --cluster-key is required to cluster this node")

// peerMode decides the mode from the configuration (see above).
func (c *Config) peerMode() (peerMode, error) {
	why := c.exposure()
	switch {
	case c.ClusterKey != "":
		return peerSealed, nil
	case why == "":
		return peerLoopback, nil
	case len(c.Join) == 0:
		return peerStandalone, nil
	}
	fix := "set --cluster-key (the same secret on every node, e.g. from `openssl rand -hex 32`)"
	if !transport.LoopbackAddr(c.Bind) {
		fix += " or bind to 127.0.0.1"
	}
	return 0, fmt.Errorf("%w: %s, and without a key anyone who reaches the peer and gossip ports "+
		"could join the cluster and read or write its data; %s", ErrClusterKeyRequired, why, fix)
}

// exposure says why a keyless peer port would be unsafe, or "" if it is
// not: the node listens beyond loopback, or has a password that a keyless
// peer port would let local processes bypass.
func (c *Config) exposure() string {
	switch {
	case !transport.LoopbackAddr(c.Bind):
		return fmt.Sprintf("--bind %q listens beyond loopback", c.Bind)
	case c.RequirePass != "":
		return "--requirepass is set"
	}
	return ""
}

// standaloneWarning is logged once by a node in peerStandalone mode.
func (c *Config) standaloneWarning() string {
	return "no peer port and no gossip: " + c.exposure() + " and no --cluster-key is set, so this node " +
		"runs standalone; to cluster it, set --cluster-key (the same secret on every node) and --join"
}
