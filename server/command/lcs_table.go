package command

// Pure logic of LCS: the longest common subsequence of two strings by
// Redis's dynamic programme, and the matched ranges Redis reports for IDX.

// lcsTable holds at(i, j), the length of the longest common subsequence of
// a[:i] and b[:j], for every i <= len(a) and j <= len(b).
type lcsTable struct {
	a, b []byte
	t    []uint32 // row i at t[i*(len(b)+1):]
}

// lcsTableBytes is the memory newLCSTable takes for strings of lengths
// na and nb (Redis refuses LCS when this exceeds proto-max-bulk-len).
func lcsTableBytes(na, nb int) uint64 { return uint64(na+1) * uint64(nb+1) * 4 }

func newLCSTable(a, b []byte) *lcsTable {
	w := len(b) + 1
	t := make([]uint32, (len(a)+1)*w)
	for i := 1; i <= len(a); i++ {
		row, prev := t[i*w:(i+1)*w], t[(i-1)*w:i*w]
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				row[j] = prev[j-1] + 1
			} else {
				row[j] = max(prev[j], row[j-1])
			}
		}
	}
	return &lcsTable{a: a, b: b, t: t}
}

func (l *lcsTable) at(i, j int) uint32 { return l.t[i*(len(l.b)+1)+j] }

// length is the length of the longest common subsequence of a and b.
func (l *lcsTable) length() int64 { return int64(l.at(len(l.a), len(l.b))) }

// lcsMatch is one contiguous run of the subsequence: a[a0..a1] equals
// b[b0..b1] (inclusive).
type lcsMatch struct{ a0, a1, b0, b1 int }

func (m lcsMatch) len() int64 { return int64(m.a1 - m.a0 + 1) }

// walk recovers the subsequence and its runs, walking back from the ends
// of both strings as Redis does (so the runs come last one first). Runs
// shorter than minLen are left out of the list (minLen <= 0 keeps all).
func (l *lcsTable) walk(minLen int64) ([]byte, []lcsMatch) {
	a, b := l.a, l.b
	idx := l.length()
	seq := make([]byte, idx)
	var out []lcsMatch
	unset := len(a) // cur.a0 == unset: no run in progress
	cur := lcsMatch{a0: unset}
	for i, j := len(a), len(b); i > 0 && j > 0; {
		emit := false
		if a[i-1] == b[j-1] {
			seq[idx-1] = a[i-1]
			switch {
			case cur.a0 == unset:
				cur = lcsMatch{i - 1, i - 1, j - 1, j - 1}
			case cur.a0 == i && cur.b0 == j: // extends the run backward
				cur.a0--
				cur.b0--
			default:
				emit = true
			}
			emit = emit || cur.a0 == 0 || cur.b0 == 0
			idx, i, j = idx-1, i-1, j-1
		} else {
			if l.at(i-1, j) > l.at(i, j-1) {
				i--
			} else {
				j--
			}
			emit = cur.a0 != unset
		}
		if emit {
			if minLen <= 0 || cur.len() >= minLen {
				out = append(out, cur)
			}
			cur.a0 = unset
		}
	}
	return seq, out
}
