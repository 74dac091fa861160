package command

import (
	"context"
	"sort"
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// Fanout carries pub/sub to the other nodes of a cluster (the server's
// peer method). Both calls return within a bounded time and skip nodes
// that are down or do not answer.
type Fanout interface {
	// Publish delivers msgs on every other node and returns how many
	// receivers they had there.
	Publish(ctx context.Context, msgs []Message) int64
	// Ask puts q to every other node and returns the answers it got.
	Ask(ctx context.Context, q Query) []Answer
}

// QueryOp is the PUBSUB question a Query asks.
type QueryOp uint8

// Query operations.
const (
	QueryChannels QueryOp = iota + 1 // active channels matching Pattern
	QueryNumSub                      // subscribers of each of Names
	QueryNumPat                      // subscribed patterns
)

// Query is one PUBSUB question, put to this node and to every other.
type Query struct {
	Op      QueryOp
	Shard   bool     // shard channels (SHARDCHANNELS, SHARDNUMSUB)
	Pattern []byte   // QueryChannels; nil: every channel
	Names   [][]byte // QueryNumSub
}

// Answer is one node's answer to a Query: the channels (QueryChannels) or
// patterns (QueryNumPat) it has, or one subscriber count per name
// (QueryNumSub).
type Answer struct {
	Names  [][]byte
	Counts []int64
}

// SetFanout connects the dispatcher to the other nodes; call it before
// serving clients. Without it pub/sub is local to this node.
func (d *Dispatcher) SetFanout(f Fanout) { d.pubsub.fan = f }

// Deliver delivers msgs to this node's subscribers only (a message another
// node published) and returns the number of receivers.
func (d *Dispatcher) Deliver(msgs []Message) int64 {
	var n int64
	for _, m := range msgs {
		k, _ := d.pubsub.hub.deliver(m, nil)
		n += int64(k)
	}
	return n
}

// Answer answers q from this node's subscriptions only.
func (d *Dispatcher) Answer(q Query) Answer {
	h := d.pubsub.hub
	k := subChannel
	if q.Shard {
		k = subShard
	}
	var a Answer
	switch q.Op {
	case QueryChannels:
		for _, c := range h.active(k, q.Pattern) {
			a.Names = append(a.Names, []byte(c))
		}
	case QueryNumPat:
		for _, p := range h.active(subPattern, nil) {
			a.Names = append(a.Names, []byte(p))
		}
	case QueryNumSub:
		for _, name := range q.Names {
			a.Counts = append(a.Counts, int64(h.count(k, string(name))))
		}
	}
	return a
}

// ask answers q for the whole cluster: the union of names, the sum of
// counts.
func (d *Dispatcher) ask(s *Session, q Query) Answer {
	all := []Answer{d.Answer(q)}
	if fan := d.pubsub.fan; fan != nil {
		all = append(all, fan.Ask(s.Context(), q)...)
	}
	out := Answer{Counts: make([]int64, len(q.Names))}
	seen := map[string]bool{}
	for _, a := range all {
		for _, name := range a.Names {
			if !seen[string(name)] {
				seen[string(name)] = true
				out.Names = append(out.Names, name)
			}
		}
		for i := 0; i < len(a.Counts) && i < len(out.Counts); i++ {
			out.Counts[i] += a.Counts[i]
		}
	}
	sort.Slice(out.Names, func(i, j int) bool { return string(out.Names[i]) < string(out.Names[j]) })
	return out
}

// PUBSUB CHANNELS [pattern] / PUBSUB SHARDCHANNELS [pattern]
func (d *Dispatcher) pubsubChannels(s *Session, args [][]byte) resp.Reply {
	if len(args) > 3 {
		return resp.Err("ERR unknown subcommand or wrong number of arguments for '" +
			string(args[1]) + "'. Try PUBSUB HELP.")
	}
	q := Query{Op: QueryChannels, Shard: isShard(args[1])}
	if len(args) == 3 {
		q.Pattern = args[2]
	}
	a := d.ask(s, q)
	out := make([]resp.Reply, len(a.Names))
	for i, name := range a.Names {
		out[i] = resp.Bulk(name)
	}
	return resp.Array(out...)
}

// isShard reports whether a PUBSUB subcommand name is a SHARD one.
func isShard(sub []byte) bool { return strings.HasPrefix(strings.ToLower(string(sub)), "shard") }

// PUBSUB NUMSUB [channel ...] / PUBSUB SHARDNUMSUB [shardchannel ...]
func (d *Dispatcher) pubsubNumsub(s *Session, args [][]byte) resp.Reply {
	q := Query{Op: QueryNumSub, Shard: isShard(args[1]), Names: args[2:]}
	a := d.ask(s, q)
	out := make([]resp.Reply, 0, 2*len(q.Names))
	for i, name := range q.Names {
		out = append(out, resp.Bulk(name), resp.Int(a.Counts[i]))
	}
	return resp.Array(out...)
}

// PUBSUB NUMPAT: distinct patterns subscribed anywhere in the cluster.
func (d *Dispatcher) pubsubNumpat(s *Session, _ [][]byte) resp.Reply {
	return resp.Int(int64(len(d.ask(s, Query{Op: QueryNumPat}).Names)))
}

// PUBSUB HELP, Redis 7.0's text.
func (d *Dispatcher) pubsubHelp(_ *Session, _ [][]byte) resp.Reply {
	lines := []string{"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
		"HELP",
		"    Prints this help."}
	out := make([]resp.Reply, len(lines))
	for i, l := range lines {
		out[i] = resp.Simple(l)
	}
	return resp.Array(out...)
}
