package command

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestLCS(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> SET a ohmytext
		OK
		> SET b mynewtext
		OK
		> LCS a b
		"mytext"
		> LCS a b LEN
		(integer) 6
		> LCS a b IDX
		1# "matches" => 1) 1) 1) (integer) 4
		         2) (integer) 7
		      2) 1) (integer) 5
		         2) (integer) 8
		   2) 1) 1) (integer) 2
		         2) (integer) 3
		      2) 1) (integer) 0
		         2) (integer) 1
		2# "len" => (integer) 6
		> LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN
		1# "matches" => 1) 1) 1) (integer) 4
		         2) (integer) 7
		      2) 1) (integer) 5
		         2) (integer) 8
		      3) (integer) 4
		2# "len" => (integer) 6
		> LCS a b MINMATCHLEN -3 WITHMATCHLEN
		"mytext"
		> LCS a missing
		""
		> LCS missing missing2 LEN
		(integer) 0
		> LCS a b LEN IDX
		(error) ERR If you want both the length and indexes, please just use IDX.
		> LCS a b MINMATCHLEN
		(error) ERR syntax error
		> LCS a b MINMATCHLEN x
		(error) ERR value is not an integer or out of range
		> LCS a b FOO
		(error) ERR syntax error
		> LCS a
		(error) ERR wrong number of arguments for 'lcs' command
	`)
}

func TestLCSMemoryLimit(t *testing.T) {
	f := newFixture(t, func(p *Params) { p.ProtoMaxBulkLen = 1 << 20 })
	a := string(bytes.Repeat([]byte("a"), 600))
	f.do("SET", "a", a)
	f.do("SET", "b", a[:400])
	if r := f.do("LCS", "a", "a", "LEN"); r.Str != "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len" {
		t.Errorf("600x600 LCS under a 1 MiB limit: %s", r)
	}
	if r := f.do("LCS", "a", "b", "LEN"); r.String() != "(integer) 400" { // 601*401*4 < 1 MiB
		t.Errorf("600x400 LCS: %s", r)
	}
}

// naiveLCSLen is the length of a longest common subsequence by plain
// recursion with memo, written apart from newLCSTable's loop.
func naiveLCSLen(a, b []byte) int {
	memo := map[[2]int]int{}
	var rec func(i, j int) int
	rec = func(i, j int) int {
		if i == len(a) || j == len(b) {
			return 0
		}
		k := [2]int{i, j}
		if v, ok := memo[k]; ok {
			return v
		}
		v := max(rec(i+1, j), rec(i, j+1))
		if a[i] == b[j] {
			v = max(v, 1+rec(i+1, j+1))
		}
		memo[k] = v
		return v
	}
	return rec(0, 0)
}

// isSubsequence reports whether s is a subsequence of v.
func isSubsequence(s, v []byte) bool {
	for _, c := range v {
		if len(s) > 0 && s[0] == c {
			s = s[1:]
		}
	}
	return len(s) == 0
}

// TestLCSAgainstNaive checks the length, that the recovered string is a
// common subsequence of that length, and that the runs, read back to
// front, spell it out of matching stretches of both strings.
func TestLCSAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		rnd := func() []byte {
			v := make([]byte, r.IntN(14))
			for i := range v {
				v[i] = "abc"[r.IntN(3)]
			}
			return v
		}
		a, b := rnd(), rnd()
		tab := newLCSTable(a, b)
		want := naiveLCSLen(a, b)
		seq, runs := tab.walk(0)
		if tab.length() != int64(want) || len(seq) != want || !isSubsequence(seq, a) || !isSubsequence(seq, b) {
			t.Fatalf("LCS(%q, %q) = %d %q, naive length %d", a, b, tab.length(), seq, want)
		}
		var spelled []byte
		for i := len(runs) - 1; i >= 0; i-- {
			m := runs[i]
			if !bytes.Equal(a[m.a0:m.a1+1], b[m.b0:m.b1+1]) || m.a1-m.a0 != m.b1-m.b0 {
				t.Fatalf("LCS(%q, %q): run %+v does not match", a, b, m)
			}
			if i < len(runs)-1 && (m.a0 <= runs[i+1].a1 || m.b0 <= runs[i+1].b1) {
				t.Fatalf("LCS(%q, %q): runs out of order: %+v", a, b, runs)
			}
			spelled = append(spelled, a[m.a0:m.a1+1]...)
		}
		if !bytes.Equal(spelled, seq) {
			t.Fatalf("LCS(%q, %q): runs spell %q, not %q", a, b, spelled, seq)
		}
		minLen := int64(1 + r.IntN(3))
		_, long := tab.walk(minLen)
		var kept []lcsMatch
		for _, m := range runs {
			if m.len() >= minLen {
				kept = append(kept, m)
			}
		}
		if len(long) != len(kept) {
			t.Fatalf("LCS(%q, %q) MINMATCHLEN %d: %+v, want %+v", a, b, minLen, long, kept)
		}
	}
}
