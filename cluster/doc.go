// Package cluster holds the identity of a ringkv node as the rest of the
// cluster sees it: its name, its client (RESP) and peer (RPC) addresses, and
// its membership State. It imports nothing of ringkv; the subpackages build
// on it: ring (pure partitioning and preference lists), membership (the Serf
// adapter that discovers nodes) and transport (peer RPC).
//
// Membership follows Dynamo §4.8: a node that fails stays a member of the
// cluster (and keeps its partitions in the ring) until it leaves gracefully or
// an operator removes it. Start from Node.
package cluster
