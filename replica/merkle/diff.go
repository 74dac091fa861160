package merkle

// Diff returns the indexes at which a and b differ, in increasing order:
// the segments (relative to the start of the run both were taken from)
// whose keys must be compared. An index present in only one of them
// differs. Both runs must come from trees with the same Bits.
func Diff(a, b []uint64) []int {
	var out []int
	for i := range max(len(a), len(b)) {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			out = append(out, i)
		}
	}
	return out
}

// KeyDigest is one key of a segment with its Digest.
type KeyDigest struct {
	Key    []byte
	Digest uint64
}

// DiffKeys returns the keys whose digests differ between a and b (one
// segment's keys on two replicas), including keys only one of them holds,
// in a's order then b's. Neither input needs to be sorted; a key must not
// appear twice in one input.
func DiffKeys(a, b []KeyDigest) [][]byte {
	theirs := make(map[string]uint64, len(b))
	for _, kd := range b {
		theirs[string(kd.Key)] = kd.Digest
	}
	var out [][]byte
	for _, kd := range a {
		d, ok := theirs[string(kd.Key)]
		if !ok || d != kd.Digest {
			out = append(out, kd.Key)
		}
		delete(theirs, string(kd.Key))
	}
	for _, kd := range b {
		if _, ok := theirs[string(kd.Key)]; ok {
			out = append(out, kd.Key)
		}
	}
	return out
}
