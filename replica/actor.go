package replica

// actorID is the name this node's writes carry in their dots: the node
// name and the store's current actor token.
type actorID struct {
	token string // the store's Actor()
	name  string // node "." token
}

// actorID returns the dot name for new writes. The store changes its
// token whenever it may have lost history, so a dot is never issued twice
// (Riak KV issue 679): counters restart under a name no one has seen.
func (c *Coordinator) actorID() string {
	tok := c.store.Actor()
	if a := c.actor.Load(); a != nil && a.token == tok {
		return a.name
	}
	a := &actorID{token: tok, name: c.cfg.Node + "." + tok}
	c.actor.Store(a)
	return a.name
}

// Actor returns the name this node's next write carries in its dot (the
// node name and the store's current actor token): the actor a counter
// increment is credited to (crdt.Counter).
func (c *Coordinator) Actor() string { return c.actorID() }
