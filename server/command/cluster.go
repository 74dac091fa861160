package command

import (
	"strings"

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

func (d *Dispatcher) ringHelp(s *Session, args [][]byte) resp.Reply {
	return help("RINGKV",
		"LOCATE <key>",
		"    Return the key's partition, its preference list (the N replicas), fallback nodes,",
		"    its coordinator now, the fallbacks standing in for down replicas, and the down",
		"    replicas with no fallback (their hints wait on the coordinator).",
		"MEMBERS",
		"    Return every ring member with its state, client address and partitions owned.")
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
