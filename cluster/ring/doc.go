// Package ring places keys on nodes: Dynamo partitioning strategy 3
// (DeCandia et al. §6.2). The 64-bit murmur3 hash space is cut into Q equal
// partitions (Q a power of two, fixed when the cluster is created); partition
// p is the contiguous hash range [p<<shift, (p+1)<<shift). Storage orders keys
// by the same Hash, so a partition is a contiguous key range on disk.
//
// A Ring maps every partition to a primary owner and a preference order over
// all members. It is computed from the member set alone, so every node that
// sees the same members derives the same Ring (compare Version). Ownership is
// "balanced rendezvous": each partition starts at its rendezvous
// (highest-random-weight) winner, then a minimum-cost transport repair moves
// partitions along the cheapest paths (least rendezvous weight lost) until
// every node owns within ±15% of Q/S.
// Preference lists (Dynamo §4.3) are not the paper's clockwise walk, whose
// replica load inherits the ownership skew: positions 2..8 of every list are
// assigned like ownership (balanced rendezvous, no node twice per list), so
// a node's replica load over the first N positions stays within ±15% of
// N·Q/S (tested for N=3, S=3..64). The order continues past N over all
// members (rendezvous order): the fallbacks of sloppy quorum (§4.6).
//
// The package is pure: no goroutines, clock, network or logging. It does not
// decide membership (see cluster/membership); it maps a given member set.
// Start from New; use Space alone where only Q is known (storage).
package ring
