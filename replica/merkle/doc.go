// Package merkle holds the hash trees of active anti-entropy (Dynamo §4.7),
// in the style of Riak's "tictac" AAE: a Tree cuts the 64-bit placement-hash
// space into 2^Bits equal segments (a key's segment is the top Bits bits of
// its hash) and keeps, per segment, the XOR of Digest(key, set) over the
// segment's keys. XOR makes the tree incremental: a write of one key XORs
// its old and new digests into its segment (Update), without reading any
// other key or segment, and in any order; an absent key contributes 0.
//
// A ring partition (Q a power of two, Q <= 2^Bits) is a contiguous run of
// segments (Span). Two replicas compare a partition's Root (the XOR of its
// segments, which does not depend on Bits), then the Segments of a
// partition whose roots differ (Diff), then the keys of each differing
// segment (their KeyDigests, DiffKeys), and ship only the differing keys'
// sets: the cost of an exchange follows the difference, not the data.
//
// The package is pure: no I/O, no clock, no goroutines, nothing of ringkv
// imported. A Tree is safe for concurrent use (segments are guarded by
// striped locks, one per 1024 segments, so an update touches one word
// under one uncontended lock); a reader may see some of a concurrent batch
// of updates and not others, which an exchange tolerates (it only costs a
// wasted descent). Marshal and Unmarshal persist a Tree. Start from New and
// Digest; the storage engine keeps one Tree per node (engine.DB) and the
// replica layer runs the exchange.
package merkle
