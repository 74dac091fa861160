package main

import (
	"fmt"
	"strings"
	"time"
)

// NodeInfo is what the anti-entropy mode reads from one node's
// `INFO cluster handoff aae`.
type NodeInfo struct {
	Members      int   // cluster_members
	Sent         int64 // peer_bytes_sent: frames written to peers since the node started
	Received     int64 // peer_bytes_received
	Exchanges    int64 // aae_exchanges: tree-root exchanges this node took part in (started or answered)
	Repaired     int64 // aae_keys_repaired: keys this node's exchanges repaired
	HintsPending int64 // hints_pending
	HintsDropped int64 // hints_dropped
	TreeReady    bool  // aae_tree_ready
}

// infoFields maps the INFO field names the mode needs to NodeInfo.
var infoFields = map[string]func(*NodeInfo, int64){
	"cluster_members":     func(n *NodeInfo, v int64) { n.Members = int(v) },
	"peer_bytes_sent":     func(n *NodeInfo, v int64) { n.Sent = v },
	"peer_bytes_received": func(n *NodeInfo, v int64) { n.Received = v },
	"aae_exchanges":       func(n *NodeInfo, v int64) { n.Exchanges = v },
	"aae_keys_repaired":   func(n *NodeInfo, v int64) { n.Repaired = v },
	"hints_pending":       func(n *NodeInfo, v int64) { n.HintsPending = v },
	"hints_dropped":       func(n *NodeInfo, v int64) { n.HintsDropped = v },
	"aae_tree_ready":      func(n *NodeInfo, v int64) { n.TreeReady = v == 1 },
}

// ParseNodeInfo reads an INFO reply. Every field of infoFields must be
// there: a ringkv without them cannot be measured.
func ParseNodeInfo(info string) (NodeInfo, error) {
	var n NodeInfo
	missing, err := parseInfoInts(info, infoFields, &n)
	if err == nil && len(missing) > 0 {
		err = fmt.Errorf("bench: INFO lacks %s (is this ringkv older than the anti-entropy counters?)", strings.Join(missing, ", "))
	}
	return n, err
}

// Cluster is one INFO reading per node, in name order (n1, n2, n3); a
// node that is down or did not answer reads as zero with Up false.
type Cluster []NodeState

// NodeState is one node's reading.
type NodeState struct {
	Up bool
	NodeInfo
}

// Sum adds f over the nodes that answered.
func (c Cluster) Sum(f func(NodeInfo) int64) int64 {
	var s int64
	for _, n := range c {
		if n.Up {
			s += f(n.NodeInfo)
		}
	}
	return s
}

// Field accessors for Sum. Summed over the nodes, exchanges counts every
// exchange twice (the node that starts it and the one that answers).
func sent(n NodeInfo) int64      { return n.Sent }
func exchanges(n NodeInfo) int64 { return n.Exchanges }
func repaired(n NodeInfo) int64  { return n.Repaired }
func pending(n NodeInfo) int64   { return n.HintsPending }
func dropped(n NodeInfo) int64   { return n.HintsDropped }

// Settle decides, from successive readings, when an anti-entropy repair
// is over: at least Need keys repaired since the first reading, and then
// every node has taken part in two more rounds without anything repaired.
// In a round every node takes part in one exchange with each other node
// (the lower name starts it, the other answers; aae_exchanges counts
// both), so a node counts n-1 exchanges per round. The first node only
// starts exchanges, so two rounds of its own have completed at least one
// full exchange with every peer; the later ones' counts can include
// exchanges answered while their own round is still running, so the
// check is a strong hint, and the callers verify the data afterwards.
// With Need 0 it waits for two quiet rounds. First and Last are when the
// repaired count was first and last seen to grow (zero if it never grew).
type Settle struct {
	Need        int64
	First, Last time.Time

	started  bool
	base     int64   // repaired at the first reading
	count    int64   // repaired at the last reading that grew it
	exchMark []int64 // per node: exchanges at that reading
}

// Observe takes one reading at now and reports whether the repair is over.
// Readings in which a node did not answer only advance the repair count.
func (s *Settle) Observe(now time.Time, c Cluster) bool {
	r := c.Sum(repaired)
	if !s.started {
		s.started, s.base, s.count = true, r, r
		s.mark(c)
		return false
	}
	if r > s.count {
		if s.First.IsZero() {
			s.First = now
		}
		s.Last, s.count = now, r
		s.mark(c)
		return false
	}
	if s.count-s.base < s.Need {
		return false
	}
	for i, n := range c {
		if !n.Up || n.Exchanges-s.exchMark[i] < int64(2*(len(c)-1)) {
			return false
		}
	}
	return true
}

// Repaired is how many keys the exchanges repaired since the first reading
// (a key repaired by two nodes counts twice).
func (s *Settle) Repaired() int64 { return s.count - s.base }

// mark remembers every node's exchange count; a node that did not answer
// keeps its old mark.
func (s *Settle) mark(c Cluster) {
	if s.exchMark == nil {
		s.exchMark = make([]int64, len(c))
	}
	for i, n := range c {
		if n.Up {
			s.exchMark[i] = n.Exchanges
		}
	}
}

// WithFlag returns args with --name's value set to value, replacing an
// existing --name (and its value) or appending it.
func WithFlag(args []string, name, value string) []string {
	out := append([]string(nil), args...)
	for i := 0; i+1 < len(out); i++ {
		if out[i] == "--"+name {
			out[i+1] = value
			return out
		}
	}
	return append(out, "--"+name, value)
}

// AliveIn counts the members an INFO cluster section lists as alive
// ("memberN:name=n2,state=alive,...").
func AliveIn(info string) int {
	n := 0
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && strings.HasPrefix(k, "member") && strings.Contains(","+v+",", ",state=alive,") {
			n++
		}
	}
	return n
}
