// Package membership tells a ringkv node who is in the cluster. It adapts
// HashiCorp Serf (SWIM gossip over memberlist) to ringkv: nodes join by
// gossip address, advertise their client/peer addresses and partition count
// as Serf tags, and are reported as cluster.Node values.
//
// Membership is explicit, as in Dynamo §4.8: a node that fails stays a
// member (state Failed) and keeps its place in the ring, because outages are
// usually transient and re-placing data on every blip would be costly; only a
// node that left gracefully (Leave) or was removed by an operator is dropped.
// Serf's ReconnectTimeout is therefore long (72h): Serf forgets a failed node
// only after that. RingMembers returns the names the ring is built from.
//
// All nodes must share the partition count Q (tag "q"): a node with another
// Q is refused when it tries to merge into the cluster (CheckQ).
//
// Every node advertises the highest data format it reads (tag "fmt";
// none on releases before it, FormatUnadvertised). Lagging says which
// members hold the cluster back from writing a newer format; once a node
// writes it, RequireFormat refuses members that cannot read it.
//
// Gossip is encrypted and authenticated with Config.SecretKey (the cluster
// key, through DeriveKey). Without a key anyone who reaches the gossip port
// could join and be handed partitions, so Validate allows keyless gossip
// only on a loopback BindAddr (ErrNoKey).
//
// The package decides nothing about data placement (see cluster/ring) and
// carries no data (see cluster/transport). Start from New and Config.
package membership
