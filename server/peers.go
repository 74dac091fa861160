package server

import (
	"context"
	"sync"
)

// eachPeer runs fn for every other ring member that gossip sees up, all at
// once, under ctx bounded by the request timeout, and returns when every
// call has: the one way this node talks to all its peers (PUBLISH and
// PUBSUB, function replication). A down or silent member never holds the
// caller past the timeout.
func (s *Server) eachPeer(ctx context.Context, fn func(ctx context.Context, node string)) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, node := range s.place.Members() {
		if node == s.cfg.Node || !s.health.Up(node) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(ctx, node)
		}()
	}
	wg.Wait()
}
