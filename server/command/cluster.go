package command

import (
	"context"
	"errors"
	"strings"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/resp"
)

// Topology is what the server knows of the ring, for RINGKV LOCATE and
// MEMBERS. A single node answers with itself.
type Topology interface {
	// Locate returns key's partition, its preference list (N nodes) and
	// the fallback nodes after it.
	Locate(key []byte) (partition int, replicas, fallbacks []string)
	// Serving returns who serves key now: its coordinator (the first
	// primary that is up), the fallback standing in for each primary that
	// is down ([primary, fallback] pairs), and the down primaries with no
	// fallback left.
	Serving(key []byte) (coordinator string, standIns [][2]string, orphans []string)
	// Members lists every ring member with its state and addresses.
	Members() []Member
	// Clustered reports whether Members would list more than this node.
	// It is cheap: commands ask it on every call.
	Clustered() bool
	// Status is the cluster as RINGKV STATUS shows it: every known node
	// with what it reports of itself.
	Status(ctx context.Context) RingStatus
	// Transfers lists every node's partition transfers.
	Transfers(ctx context.Context) []replica.Transfer
	// Leave starts this node's graceful leave; Remove removes another
	// node from the ring. Their errors are the client's reply.
	Leave() error
	Remove(node string, force bool) error
}

// RingStatus is RINGKV STATUS's answer.
type RingStatus struct {
	Node, RingVersion string
	Partitions, N     int
	Members           []MemberStatus
}

// MemberStatus is one node in RINGKV STATUS. The numbers a node reports
// of itself are -1 when it did not answer.
type MemberStatus struct {
	Name, State, Ring, Client    string
	Primary, Replicas            int
	Keys, Bytes, Hints, Handoffs int64
	RingVersion                  string
}

// Member is one node as RINGKV MEMBERS shows it.
type Member struct {
	Name, State, ClientAddr string
	Partitions              int // partitions it is the first replica of
}

// clusterCommand answers CLUSTER exactly as a standalone Redis does, so
// cluster-aware clients fall back to standalone mode.
func (d *Dispatcher) clusterCommand(s *Session, args [][]byte) resp.Reply {
	return resp.Err("ERR This instance has cluster support disabled")
}

// ringkvCommand is RINGKV LOCATE key | MEMBERS | HELP.
func (d *Dispatcher) ringkvCommand() *Command {
	f := Fast | Loading | Stale
	return container("ringkv", -2, 0, "ringkv", nil,
		spec("locate", 3, ReadOnly|f, 2, 2, 1, "", d.ringLocate),
		keyless("members", 2, f, "", d.ringMembers),
		keyless("status", 2, Loading|Stale, "", d.ringStatus),
		keyless("transfers", 2, Loading|Stale, "", d.ringTransfers),
		keyless("leave", 2, Admin|NoScript, "", d.ringLeave),
		keyless("remove", -3, Admin|NoScript, "", d.ringRemove),
		keyless("help", 2, f, "", d.ringHelp),
	)
}

// RINGKV LOCATE key → partition, replicas [...], fallbacks [...],
// coordinator, standins [[primary, fallback] ...], unplaced [...]
func (d *Dispatcher) ringLocate(s *Session, args [][]byte) resp.Reply {
	p, replicas, fallbacks := d.env.Topology.Locate(args[2])
	coord, standIns, orphans := d.env.Topology.Serving(args[2])
	pairs := make([]resp.Reply, len(standIns))
	for i, si := range standIns {
		pairs[i] = names(si[:])
	}
	return resp.Map(
		resp.BulkString("partition"), resp.Int(int64(p)),
		resp.BulkString("replicas"), names(replicas),
		resp.BulkString("fallbacks"), names(fallbacks),
		resp.BulkString("coordinator"), resp.BulkString(coord),
		resp.BulkString("standins"), resp.Array(pairs...),
		resp.BulkString("unplaced"), names(orphans))
}

// RINGKV MEMBERS → one map per member.
func (d *Dispatcher) ringMembers(s *Session, args [][]byte) resp.Reply {
	ms := d.env.Topology.Members()
	out := make([]resp.Reply, len(ms))
	for i, m := range ms {
		out[i] = resp.Map(
			resp.BulkString("name"), resp.BulkString(m.Name),
			resp.BulkString("state"), resp.BulkString(m.State),
			resp.BulkString("client"), resp.BulkString(m.ClientAddr),
			resp.BulkString("partitions"), resp.Int(int64(m.Partitions)))
	}
	return resp.Array(out...)
}

// RINGKV STATUS → map: node, ring_version, partitions, n, members [map...].
func (d *Dispatcher) ringStatus(s *Session, args [][]byte) resp.Reply {
	st := d.env.Topology.Status(s.Context())
	ms := make([]resp.Reply, len(st.Members))
	for i, m := range st.Members {
		ms[i] = resp.Map(
			resp.BulkString("name"), resp.BulkString(m.Name),
			resp.BulkString("state"), resp.BulkString(m.State),
			resp.BulkString("ring"), resp.BulkString(m.Ring),
			resp.BulkString("client"), resp.BulkString(m.Client),
			resp.BulkString("primary"), resp.Int(int64(m.Primary)),
			resp.BulkString("replicas"), resp.Int(int64(m.Replicas)),
			resp.BulkString("keys"), resp.Int(m.Keys),
			resp.BulkString("bytes"), resp.Int(m.Bytes),
			resp.BulkString("hints"), resp.Int(m.Hints),
			resp.BulkString("transfers"), resp.Int(m.Handoffs),
			resp.BulkString("ring_version"), resp.BulkString(m.RingVersion))
	}
	return resp.Map(
		resp.BulkString("node"), resp.BulkString(st.Node),
		resp.BulkString("ring_version"), resp.BulkString(st.RingVersion),
		resp.BulkString("partitions"), resp.Int(int64(st.Partitions)),
		resp.BulkString("n"), resp.Int(int64(st.N)),
		resp.BulkString("members"), resp.Array(ms...))
}

// RINGKV TRANSFERS → one map per partition transfer, cluster-wide.
func (d *Dispatcher) ringTransfers(s *Session, args [][]byte) resp.Reply {
	ts := d.env.Topology.Transfers(s.Context())
	out := make([]resp.Reply, len(ts))
	for i, t := range ts {
		out[i] = resp.Map(
			resp.BulkString("node"), resp.BulkString(t.Node),
			resp.BulkString("partition"), resp.Int(int64(t.Partition)),
			resp.BulkString("source"), resp.BulkString(t.Source),
			resp.BulkString("state"), resp.BulkString(t.State),
			resp.BulkString("keys"), resp.Int(t.Keys),
			resp.BulkString("bytes"), resp.Int(t.Bytes),
			resp.BulkString("rate"), resp.Int(t.Rate),
			resp.BulkString("eta_ms"), resp.Int(t.ETAms),
			resp.BulkString("started_ms"), resp.Int(t.StartedMs),
			resp.BulkString("updated_ms"), resp.Int(t.UpdatedMs))
	}
	return resp.Array(out...)
}

// RINGKV LEAVE → +OK once the leave started.
func (d *Dispatcher) ringLeave(s *Session, args [][]byte) resp.Reply {
	if err := d.env.Topology.Leave(); err != nil {
		return resp.Err(err.Error())
	}
	return resp.OK()
}

// RINGKV REMOVE node [FORCE] → +OK once the removal is under way.
func (d *Dispatcher) ringRemove(s *Session, args [][]byte) resp.Reply {
	force := false
	switch {
	case len(args) == 4 && strings.EqualFold(string(args[3]), "force"):
		force = true
	case len(args) != 3:
		return resp.Err("ERR syntax error: RINGKV REMOVE <node> [FORCE]")
	}
	if err := d.env.Topology.Remove(string(args[2]), force); err != nil {
		return resp.Err(err.Error())
	}
	return resp.OK()
}

func (d *Dispatcher) ringHelp(s *Session, args [][]byte) resp.Reply {
	return help("RINGKV",
		"LOCATE <key>",
		"    Return the key's partition, its preference list (the N replicas), fallback nodes,",
		"    its coordinator now, the fallbacks standing in for down replicas, and the down",
		"    replicas with no fallback (their hints wait on the coordinator).",
		"MEMBERS",
		"    Return every ring member with its state, client address and partitions owned.",
		"STATUS",
		"    Return every known node: state, ring state, partitions held, keys, data size,",
		"    hints and partition transfers pending, and the ring version it acts on.",
		"TRANSFERS",
		"    Return every node's partition transfers: queued, active, syncing and recently done.",
		"LEAVE",
		"    Hand this node's partitions off to their new holders, then leave the cluster and stop.",
		"REMOVE <node> [FORCE]",
		"    Remove a failed node from the ring; its partitions are re-replicated from the",
		"    surviving copies. FORCE makes a live node leave, or accepts losing data when n=1.")
}

func names(list []string) resp.Reply {
	out := make([]resp.Reply, len(list))
	for i, n := range list {
		out[i] = resp.BulkString(n)
	}
	return resp.Array(out...)
}

// infoCluster keeps Redis's cluster_enabled:0 (ringkv is not Redis
// Cluster: any node serves any key) and adds the ring's facts.
func (d *Dispatcher) infoCluster(_ *Session) []string {
	out := []string{"cluster_enabled:0"}
	for _, e := range d.env.Info().Cluster {
		out = append(out, kv(e[0], e[1]))
	}
	return out
}

// localTopology is a single node's ring: itself.
type localTopology struct{ d *Dispatcher }

func (t localTopology) Locate([]byte) (int, []string, []string) {
	return 0, []string{t.d.env.Settings.Params().Node}, nil
}

func (t localTopology) Serving([]byte) (string, [][2]string, []string) {
	return t.d.env.Settings.Params().Node, nil, nil
}

func (t localTopology) Members() []Member {
	return []Member{{Name: t.d.env.Settings.Params().Node, State: "alive",
		ClientAddr: strings.TrimSpace(t.d.env.Settings.Params().Bind), Partitions: 1}}
}

func (localTopology) Clustered() bool { return false }

func (t localTopology) Status(context.Context) RingStatus {
	p := t.d.env.Settings.Params()
	return RingStatus{Node: p.Node, Partitions: 1, N: 1, Members: []MemberStatus{{Name: p.Node, State: "alive",
		Ring: "member", Client: strings.TrimSpace(p.Bind), Primary: 1, Replicas: 1, Keys: -1, Bytes: -1, Hints: -1}}}
}

func (t localTopology) Transfers(context.Context) []replica.Transfer { return nil }

func (t localTopology) Leave() error {
	return errors.New("ERR this node runs standalone (no cluster): there is no ring to leave")
}

func (t localTopology) Remove(string, bool) error {
	return errors.New("ERR this node runs standalone (no cluster): there is no ring to remove nodes from")
}
