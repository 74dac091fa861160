package ring

import (
	"encoding/binary"
	"slices"

	"github.com/spaolacci/murmur3"
)

// Ring is an immutable placement of Q partitions on a member set. It is safe
// for concurrent use. Build a new Ring on every membership change.
type Ring struct {
	Space
	members []string   // sorted, distinct
	names   [][]byte   // members as bytes, for scoring
	owner   []int32    // partition -> member index
	owned   [][]int    // member index -> partitions owned, ascending
	prefs   [][]string // partition -> first min(S, tableDepth) of Walk
	version uint64
}

// New builds the ring of q partitions over members. The order of members
// does not matter: every caller with the same set gets an identical Ring.
// Names must be non-empty and distinct.
func New(q int, members []string) (*Ring, error) {
	space, err := NewSpace(q)
	if err != nil {
		return nil, err
	}
	sorted, err := normalize(members)
	if err != nil {
		return nil, err
	}
	r := &Ring{Space: space, members: sorted, names: make([][]byte, len(sorted))}
	for i, m := range sorted {
		r.names[i] = []byte(m)
	}
	ranks := assignRanks(q, r.names, min(len(sorted), tableDepth))
	r.owner = ranks[0]
	r.owned = make([][]int, len(sorted))
	for p, o := range r.owner {
		r.owned[o] = append(r.owned[o], p)
	}
	r.version = version(q, sorted)
	r.prefs = r.prefTable(ranks)
	return r, nil
}

func normalize(members []string) ([]string, error) {
	if len(members) == 0 {
		return nil, ErrNoMembers
	}
	sorted := slices.Clone(members)
	slices.Sort(sorted)
	for i, m := range sorted {
		if m == "" {
			return nil, ErrEmptyName
		}
		if i > 0 && sorted[i-1] == m {
			return nil, ErrDuplicate
		}
	}
	return sorted, nil
}

// version hashes Q and the sorted member set (each name length-prefixed).
func version(q int, sorted []string) uint64 {
	h := murmur3.New64()
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(q))
	h.Write(buf[:])
	for _, m := range sorted {
		binary.BigEndian.PutUint64(buf[:], uint64(len(m)))
		h.Write(buf[:])
		h.Write([]byte(m))
	}
	return h.Sum64()
}

// Version identifies the ring: a hash of Q and the member set. Two nodes
// with equal Versions hold identical rings.
func (r *Ring) Version() uint64 { return r.version }

// Members returns the member names, sorted.
func (r *Ring) Members() []string { return slices.Clone(r.members) }

// Len returns the number of members.
func (r *Ring) Len() int { return len(r.members) }

// Contains reports whether node is a member.
func (r *Ring) Contains(node string) bool {
	_, ok := slices.BinarySearch(r.members, node)
	return ok
}

// Owner returns the primary owner of partition p.
func (r *Ring) Owner(p int) string { return r.members[r.owner[p]] }

// Owned returns the partitions whose primary owner is node, ascending
// (nil if node is not a member).
func (r *Ring) Owned(node string) []int {
	i, ok := slices.BinarySearch(r.members, node)
	if !ok {
		return nil
	}
	return slices.Clone(r.owned[i])
}
