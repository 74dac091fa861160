package command

// Tracking for commands that run on another node for a client of this one
// (a write, transaction or script forwarded to its keys' coordinator,
// server/route.go). The client's tracking state stays on its own node, so
// the node that runs the command records the keys its read-only commands
// read, for the client's node to remember (Dispatcher.ForwardedRan), and
// tags the invalidations its writes send to the other nodes with the
// client (Origin), so that NOLOOP holds where the client is.

// Origin is the client of another node a forwarded command runs for: its
// node's name and its CLIENT ID there. The zero Origin is none.
type Origin struct {
	Node string
	ID   uint64
}

// forwarded is what the node running a forwarded command records for its
// origin.
type forwarded struct {
	origin Origin
	reads  [][]byte // keys read by its read-only commands, in order
}

// RunFor marks s, a session running commands forwarded by another node,
// as running them for o: their reads are recorded (TrackedReads) and the
// invalidations of their writes carry o.
func (s *Session) RunFor(o Origin) { s.fwd = &forwarded{origin: o} }

// TrackedReads are the keys the read-only commands s ran for its origin
// read (RunFor), in order; nil without an origin.
func (s *Session) TrackedReads() [][]byte {
	if s.fwd == nil {
		return nil
	}
	return s.fwd.reads
}

// origin is the client s runs commands for; the zero Origin when s is a
// client of this node (or nil: an expiry).
func (s *Session) origin() Origin {
	if s == nil || s.fwd == nil {
		return Origin{}
	}
	return s.fwd.origin
}

// noteForwardedRead records the keys of a read-only command s runs for
// another node's client, as trackAfter remembers those of its own.
func (s *Session) noteForwardedRead(cmd *Command, args [][]byte) {
	if s.fwd != nil && cmd.Flags&ReadOnly != 0 && cmd.Group != "pubsub" {
		s.fwd.reads = append(s.fwd.reads, cmd.KeysOf(args)...)
	}
}

// TracksForwarded reports whether a command of s run on another node must
// report its reads and tag its invalidations with s: s has tracking on.
func (d *Dispatcher) TracksForwarded(s *Session) bool { return d.pubsub.track.state(s.ID) != nil }

// ForwardedRan does, for a command of s that ran on another node, what
// trackAfter does for one run here: the keys it read (reads, as the other
// node reported them) are remembered for s, unless OPTIN/OPTOUT and CLIENT
// CACHING say not to, and a CLIENT CACHING given for it ends. The
// invalidations of its writes come back from that node tagged with s.
func (d *Dispatcher) ForwardedRan(s *Session, reads [][]byte) {
	t := &d.pubsub.track
	st := t.state(s.ID)
	if st == nil {
		return
	}
	if len(reads) > 0 {
		for _, dl := range t.remember(st, reads) {
			d.sendTracking(dl)
		}
	}
	if s.tx == nil && !s.inExclusive {
		t.mu.Lock()
		st.caching = false
		t.mu.Unlock()
	}
}
