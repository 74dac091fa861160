// Package version implements ringkv's causal versions: dotted version vectors
// over sibling sets (Preguiça, Baquero et al., "Dotted Version Vectors"; the
// Dynamo paper §4.4 with Riak 2.0's fix for sibling explosion).
//
// A key's state is a Set: its concurrent versions (Siblings). Every sibling
// carries a Dot, the (node, counter) event that wrote it, and Past, the
// causal context (a version vector, VV) the writer had seen. A sibling is
// obsolete when another sibling's Past covers its Dot. Everything a replica
// ever does to a key is one of two pure operations: Put (a coordinator
// writes a new sibling under a context) and Merge (a replica absorbs another
// replica's Set). Merge is commutative, associative and idempotent, so
// replication, read repair, hinted handoff and anti-entropy all converge.
//
// The package is pure: no clock, no I/O, no goroutines. Times are passed in
// as Unix milliseconds. Start from Set, Set.Put and Set.Merge; contexts
// travel to clients through EncodeContext and DecodeContext.
package version
