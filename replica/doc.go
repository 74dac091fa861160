// Package replica is ringkv's Dynamo logic: the coordinator that runs a
// key's reads and writes over its preference list with N/R/W quorums
// (Dynamo §4.5), merging sibling sets (package version) as it goes.
//
// The coordinator sees storage, placement and other nodes only through the
// small interfaces declared here (Store, Placement, Peers), so one node is
// the same code as a cluster: a single node's placement names only itself.
// It does not parse commands (server/command does) nor own sockets
// (cluster/transport does). Start from Coordinator.
package replica
