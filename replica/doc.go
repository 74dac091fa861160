// Package replica is ringkv's Dynamo logic: the coordinator that runs a
// key's reads and writes over its preference list with N/R/W quorums
// (Dynamo §4.5), merging sibling sets (package version) as it goes, and
// the machinery that keeps replicas in step without anyone reading: sloppy
// quorum and hinted handoff (§4.6, quorum.go and handoff.go), Merkle-tree
// anti-entropy (§4.7, aae.go over package merkle's trees kept by the
// store), and tombstone reaping (reap.go).
//
// The coordinator sees storage, placement and other nodes only through the
// small interfaces declared here (Store, Placement, Caller; Config.Up for
// membership's view), so one node is the same code as a cluster: a single
// node's placement names only itself. Its decisions are pure functions
// over answers (plan.go: where copies go, when a quorum is met, which
// replicas to repair, which tombstones may go); goroutines only gather the
// answers. It does not parse commands (server/command does) nor own
// sockets (cluster/transport does). Start from Coordinator.
package replica
