package server

import (
	"context"
)

// ACL users replicate to every member the way the function libraries do
// (broadcast.go): the same peer method (MethodBroadcast) and stamp
// exchange, with the command layer's ACL messages (command.IsACLSync), so
// a user created on one node can AUTH on any. Users, like Redis's without
// an aclfile, are not kept across a restart of the whole cluster; a node
// that restarts alone catches up from its peers at the next exchange.

// syncMessage hands a peer's replication message (or answer) to the
// command layer: ACL users or function libraries.
func (s *Server) syncMessage(msg []byte) ([]byte, error) {
	if s.disp.IsACLSync(msg) {
		return s.disp.ACLSync(msg)
	}
	return s.disp.FunctionSync(msg)
}

// broadcastACL sends an ACL change to every other member that is up; the
// ones it could not reach catch up at the next stamp exchange.
func (s *Server) broadcastACL(ctx context.Context, msg []byte) error {
	return s.replicate(ctx, msg, "ACL users")
}

// syncACLOnce compares the users' stamp with every member that is up.
func (s *Server) syncACLOnce() {
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.RequestTimeout)
	defer cancel()
	q := s.disp.ACLSyncQuery()
	for _, node := range s.place.Members() {
		if node == s.cfg.Node || !s.health.Up(node) {
			continue
		}
		if err := s.exchange(ctx, node, q); err != nil {
			s.log.Debug().Str("peer", node).Err(err).Msg("ACL users stamp exchange failed")
		}
	}
}
