package command

import (
	"context"
	"sort"

	"github.com/ringkv/ringkv/resp"
)

// pubsub is a dispatcher's pub/sub state: the local subscriptions, the
// MONITOR sessions and the way to the other nodes.
type pubsub struct {
	hub      *hub
	monitors *monitors
	fan      Fanout // nil: a single node
	expiries expiryWatch
	track    tracker // CLIENT TRACKING (tracking.go)
}

func newPubSub() *pubsub { return &pubsub{hub: newHub(), monitors: &monitors{}} }

// pubsubCommands are the table entries of pub/sub.
func (d *Dispatcher) pubsubCommands() []*Command {
	const f, g = NoScript | Loading | Stale, "pubsub"
	const fs = Loading | Stale
	sub := func(k subKind) Handler {
		return func(s *Session, args [][]byte) resp.Reply { return d.subscribe(s, k, args[1:]) }
	}
	unsub := func(k subKind) Handler {
		return func(s *Session, args [][]byte) resp.Reply { return d.unsubscribe(s, k, args[1:]) }
	}
	return []*Command{
		keyless("subscribe", -2, f, g, sub(subChannel)),
		keyless("psubscribe", -2, f, g, sub(subPattern)),
		spec("ssubscribe", -2, f, 1, -1, 1, g, sub(subShard)),
		keyless("unsubscribe", -1, f, g, unsub(subChannel)),
		keyless("punsubscribe", -1, f, g, unsub(subPattern)),
		spec("sunsubscribe", -1, f, 1, -1, 1, g, unsub(subShard)),
		keyless("publish", 3, fs|Fast, g, d.publish),
		spec("spublish", 3, fs|Fast, 1, 1, 1, g, d.publish),
		container("pubsub", -2, 0, g, nil,
			keyless("channels", -2, fs, "", d.pubsubChannels),
			keyless("shardchannels", -2, fs, "", d.pubsubChannels),
			keyless("numsub", -2, fs, "", d.pubsubNumsub),
			keyless("shardnumsub", -2, fs, "", d.pubsubNumsub),
			keyless("numpat", 2, fs, "", d.pubsubNumpat),
			keyless("help", 2, fs, "", d.pubsubHelp),
		),
		keyless("monitor", 1, Admin|NoScript|Loading|Stale, "server", d.monitor),
	}
}

// subscribe adds s to each name of kind k and answers one confirmation
// per name with s's subscription count after it.
func (d *Dispatcher) subscribe(s *Session, k subKind, names [][]byte) resp.Reply {
	var out []byte
	s.ps.mu.Lock()
	defer s.ps.mu.Unlock()
	set, n := s.kindSet(k)
	for _, name := range names {
		if _, ok := (*set)[string(name)]; !ok {
			if *set == nil {
				*set = map[string]struct{}{}
			}
			(*set)[string(name)] = struct{}{}
			n.Add(1)
			d.pubsub.hub.add(k, string(name), s)
		}
		out = confirm(out, s.Proto, verbs[k].sub, name, s.countOf(k))
	}
	return s.confirmed(out)
}

// countOf is the count a confirmation of kind k carries: channels and
// patterns together, or shard channels alone, as Redis counts them.
func (s *Session) countOf(k subKind) int {
	if k == subShard {
		return int(s.ps.nShard.Load())
	}
	return int(s.ps.nChannels.Load() + s.ps.nPatterns.Load())
}

// unsubscribe removes s from each name of kind k, or from all of them
// (sorted) when names is empty; without any it answers one confirmation
// with a null name.
func (d *Dispatcher) unsubscribe(s *Session, k subKind, names [][]byte) resp.Reply {
	var out []byte
	s.ps.mu.Lock()
	defer s.ps.mu.Unlock()
	set, n := s.kindSet(k)
	if len(names) == 0 {
		if len(*set) == 0 {
			return s.confirmed(confirm(nil, s.Proto, verbs[k].unsub, nil, s.countOf(k)))
		}
		for _, name := range sortedNames(*set) {
			names = append(names, []byte(name))
		}
	}
	for _, name := range names {
		if _, ok := (*set)[string(name)]; ok {
			delete(*set, string(name))
			n.Add(-1)
			d.pubsub.hub.remove(k, string(name), s)
		}
		out = confirm(out, s.Proto, verbs[k].unsub, name, s.countOf(k))
	}
	return s.confirmed(out)
}

func sortedNames(set map[string]struct{}) []string {
	out := make([]string, 0, len(set))
	for name := range set {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// EndSession drops everything a closing connection held: its
// subscriptions and MONITOR. The server calls it when the client goes.
func (d *Dispatcher) EndSession(s *Session) {
	s.ps.mu.Lock()
	for k := subChannel; k <= subShard; k++ {
		set, n := s.kindSet(k)
		for name := range *set {
			d.pubsub.hub.remove(k, name, s)
		}
		*set = nil
		n.Store(0)
	}
	s.ps.mu.Unlock()
	d.pubsub.monitors.remove(s)
	d.untrack(s) // tracking_send.go
}

// PUBLISH channel message / SPUBLISH shardchannel message: the number of
// receivers on every node of the cluster.
func (d *Dispatcher) publish(s *Session, args [][]byte) resp.Reply {
	m := Message{Shard: lower(args[0][0]) == 's', Channel: args[1], Payload: args[2]}
	n, own := d.publishAll(s.Context(), s, []Message{m})
	return s.pushOwn(own, resp.Int(n))
}

// publishAll delivers msgs here and on every other node and returns the
// receivers counted everywhere, and the frames for self (see hub.deliver;
// self may be nil).
func (d *Dispatcher) publishAll(ctx context.Context, self *Session, msgs []Message) (int64, []byte) {
	var total int64
	var own []byte
	for _, m := range msgs {
		n, o := d.pubsub.hub.deliver(m, self)
		total += int64(n)
		own = append(own, o...)
	}
	if fan := d.pubsub.fan; fan != nil {
		total += fan.Publish(ctx, msgs)
	}
	return total, own
}

// subscribeGate refuses what a RESP2 client may not run in subscribe mode,
// and keyspace commands on a MONITOR connection, with Redis's texts. ok is
// false with the error reply.
func (d *Dispatcher) subscribeGate(s *Session, cmd *Command) (resp.Reply, bool) {
	if s.ps.monitor.Load() && cmd.Flags&(Write|ReadOnly) != 0 {
		return resp.Err("ERR Replica can't interact with the keyspace"), false
	}
	if s.Proto != 2 || !s.subscribed() {
		return resp.Reply{}, true
	}
	switch cmd.Name {
	case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe",
		"psubscribe", "punsubscribe", "quit", "reset":
		return resp.Reply{}, true
	}
	return resp.Err("ERR Can't execute '" + cmd.Name + "': only (P|S)SUBSCRIBE / " +
		"(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"), false
}

// pingPubSub is PING: in RESP2 subscribe mode Redis answers the array
// ["pong", message or ""] instead of +PONG.
func (d *Dispatcher) pingPubSub(s *Session, args [][]byte) resp.Reply {
	if s.Proto != 2 || !s.subscribed() || len(args) > 2 {
		return d.ping(s, args)
	}
	msg := resp.BulkString("")
	if len(args) == 2 {
		msg = resp.Bulk(args[1])
	}
	return resp.Array(resp.BulkString("pong"), msg)
}

// resetPubSub is RESET: it also ends every subscription and MONITOR.
func (d *Dispatcher) resetPubSub(s *Session, args [][]byte) resp.Reply {
	d.EndSession(s)
	return d.reset(s, args)
}

// pubsubGate is subscribeGate for Do: a refusal is counted as Redis's
// rejectCommand counts it, and fails a MULTI in progress.
func (d *Dispatcher) pubsubGate(s *Session, cmd *Command) (resp.Reply, bool) {
	r, ok := d.subscribeGate(s, cmd)
	if !ok {
		d.env.Stats.CountError(r)
		cmd.rejected.Add(1)
		s.txFail()
	}
	return r, ok
}
