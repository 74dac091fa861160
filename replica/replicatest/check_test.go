//go:build !race

package replicatest

import (
	"strings"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

func dot(n string, c uint64) version.Dot { return version.Dot{Node: n, Counter: c} }

func sib(d version.Dot, v string, past ...version.Dot) version.Sibling {
	var ctx version.Context
	for _, p := range past {
		ctx = ctx.With(p)
	}
	return version.Sibling{Dot: d, Past: ctx, Value: []byte(v), Tombstone: v == ""}
}

// state puts set on every replica of key (a, b, c).
func state(key string, set version.Set) State {
	st := State{Replicas: map[string][]string{key: {"a", "b", "c"}}, Copies: map[string]map[string]version.Set{key: {}}}
	for _, n := range st.Replicas[key] {
		st.Copies[key][n] = set
	}
	return st
}

func checks(vs []Violation) string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Check)
	}
	return strings.Join(out, ",")
}

// Every invariant can fail: each case breaks one and expects exactly its
// violations (one per replica for per-key checks).
func TestCheckerFindsEachViolation(t *testing.T) {
	a1, a2, b1 := dot("a", 1), dot("a", 2), dot("b", 1)
	put := func(seq int, d version.Dot, v string) Write {
		return Write{Seq: seq, Cmd: "put", Key: "k", Value: v, Dot: d, Context: version.Context{}.With(d), Acked: true}
	}
	cases := []struct {
		name string
		calm bool
		st   State
		ws   []Write
		want string
	}{
		{"kept", false, state("k", version.Set{sib(a1, "x")}), []Write{put(1, a1, "x")}, ""},
		{"covered", false, state("k", version.Set{sib(b1, "y", a1)}), []Write{put(1, a1, "x"), put(2, b1, "y")}, ""},
		{"lost", false, state("k", version.Set{sib(b1, "y")}), []Write{put(1, a1, "x"), put(2, b1, "y")}, "acked,acked,acked"},
		{"reused dot", false, state("k", version.Set{sib(a1, "zzz")}), []Write{put(1, a1, "aaa"), put(2, a1, "zzz")},
			"dot,acked,acked,acked"},
		{"resurrected", false, state("k", version.Set{sib(a1, "x")}),
			[]Write{put(1, a1, "x"), {Seq: 2, Cmd: "del", Key: "k", Dot: a2, Context: version.Context{}.With(a1).With(a2), Acked: true}},
			"deleted,deleted,deleted"},
		{"set-add", false, state("k", version.Set{sib(b1, "e1", a1)}),
			[]Write{{Seq: 1, Cmd: "vset", Key: "k", Value: "e1,e2", Elem: "e2", Dot: a1, Acked: true}, {Seq: 2, Cmd: "vset", Key: "k", Value: "e1", Elem: "e1", Dot: b1, Acked: true}},
			"set-add,set-add,set-add"},
		{"counter too high", false, state("k", version.Set{sib(a2, "5", a1)}),
			[]Write{{Seq: 1, Cmd: "incr", Key: "k", Value: "1", Dot: a1, Acked: true}, {Seq: 2, Cmd: "incr", Key: "k", Value: "5", Dot: a2, Acked: true}},
			"counter,counter,counter"},
		{"counter calm", true, state("k", version.Set{sib(a2, "1", a1)}),
			[]Write{{Seq: 1, Cmd: "incr", Key: "k", Value: "1", Dot: a1, Acked: true}, {Seq: 2, Cmd: "incr", Key: "k", Value: "1", Dot: a2, Acked: true}},
			"counter,counter,counter"},
		{"reaped", false, state("k", nil),
			[]Write{put(1, a1, "x"), {Seq: 2, Cmd: "del", Key: "k", Claim: version.Context{}.With(a1), Maybe: true}}, ""},
		{"lost, not deleted", false, state("k", nil),
			[]Write{put(1, a1, "x"), {Seq: 2, Cmd: "del", Key: "k", Claim: version.Context{}.With(b1), Maybe: true}}, "acked,acked,acked"},
		{"unavailable", true, state("k", version.Set{sib(a1, "x")}), []Write{put(1, a1, "x"), {Seq: 2, Cmd: "put", Key: "k", Err: "NOQUORUM"}}, "available"},
	}
	for _, tc := range cases {
		h := &History{Writes: tc.ws}
		if got := checks((Checker{Calm: tc.calm}).Check(tc.st, h)); got != tc.want {
			t.Errorf("%s: violations %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCheckerFindsDivergence(t *testing.T) {
	st := state("k", version.Set{sib(dot("a", 1), "x")})
	st.Copies["k"]["b"] = nil
	st.Copies["k"]["d"] = version.Set{sib(dot("a", 1), "x")}
	st.Hints = map[string]int64{"e": 2}
	vs := Checker{}.Check(st, &History{})
	want := []string{
		`converged: k differs: a holds {a:1="x"}, b holds {}`,
		"converged: k is stored on d, not one of its replicas [a b c]",
		"converged: e holds 2 hints",
	}
	if len(vs) != len(want) {
		t.Fatalf("got %v", vs)
	}
	for i := range want {
		if vs[i].String() != want[i] {
			t.Errorf("violation %d = %q, want %q", i, vs[i], want[i])
		}
	}
}
