package main

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ringkv/ringkv/resp"
)

const (
	ringA = "3f2a9c1e77aa0011"
	ringB = "9b00c0de11223344"
)

func statusMember(name, state, ring, client string, primary, replicas, keys, bytes, hints, transfers int, version string) resp.Reply {
	return rmap("name", name, "state", state, "ring", ring, "client", client, "primary", primary,
		"replicas", replicas, "keys", keys, "bytes", bytes, "hints", hints, "transfers", transfers,
		"ring_version", version)
}

// threeNodes is a cluster of three, n3 failed, the two alive on one ring.
func threeNodes(extra ...resp.Reply) resp.Reply {
	members := append([]resp.Reply{
		statusMember("n2", "alive", "member", "127.0.0.1:6380", 21, 64, 998, 1153433, 3, 0, ringA),
		statusMember("n1", "alive", "member", "127.0.0.1:6379", 22, 64, 1021, 1258291, 0, 0, ringA),
		statusMember("n3", "failed", "member", "127.0.0.1:6381", 21, 64, -1, -1, -1, -1, ""),
	}, extra...)
	return rmap("node", "n1", "ring_version", ringA, "partitions", 64, "n", 3, "members", resp.Array(members...))
}

// The members table, the header line and the exact requests; a RESP2 node
// (flat arrays for maps, HELLO refused) prints the same as a RESP3 one.
func TestStatusTable(t *testing.T) {
	want := `node n1  ring 3f2a9c1e  Q=64  N=3  converged: yes

NAME  STATE   RING    CLIENT          PRIMARY  REPLICAS  KEYS  DATA     HINTS  TRANSFERS  RING-VERSION
n1    alive   member  127.0.0.1:6379  22       64        1021  1.2 MiB  0      0          3f2a9c1e
n2    alive   member  127.0.0.1:6380  21       64        998   1.1 MiB  3      0          3f2a9c1e
n3    failed  member  127.0.0.1:6381  21       64        ?     ?        ?      ?          ?
`
	for _, resp3 := range []bool{true, false} {
		f := newFakeNode(t, resp3, "")
		f.on("RINGKV STATUS", threeNodes())
		r := f.run("status")
		if r.code != exitOK || r.out != want || r.errOut != "" {
			t.Fatalf("resp3=%v: exit %d\n%s\nwant\n%s\nstderr %s", resp3, r.code, r.out, want, r.errOut)
		}
		if got := f.commands(); !slices.Equal(got, []string{"HELLO 3", "RINGKV STATUS"}) {
			t.Fatalf("resp3=%v: sent %q", resp3, got)
		}
	}
}

// A joining member on another ring version: not converged, and marked.
func TestStatusNotConverged(t *testing.T) {
	f := newFakeNode(t, true, "")
	f.on("RINGKV STATUS", threeNodes(statusMember("n4", "alive", "joining", "10.0.0.4:6379", 0, 0, 0, 0, 0, 12, ringB)))
	r := f.run("status")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	lines := strings.Split(r.out, "\n")
	if want := "node n1  ring 3f2a9c1e  Q=64  N=3  converged: no (2 of 3 alive members on ring 3f2a9c1e)"; lines[0] != want {
		t.Fatalf("header %q, want %q", lines[0], want)
	}
	if n4 := lines[6]; !strings.HasPrefix(n4, "n4    alive   joining  10.0.0.4:6379") || !strings.HasSuffix(n4, "  12         9b00c0de *") {
		t.Fatalf("n4 row %q", n4)
	}
	if !strings.Contains(r.out, "\n* ring version differs from the majority's (3f2a9c1e)") {
		t.Fatalf("no footnote:\n%s", r.out)
	}
}

// --json prints the reply's fields under their RESP names, plus converged.
func TestStatusJSON(t *testing.T) {
	for _, resp3 := range []bool{true, false} {
		f := newFakeNode(t, resp3, "")
		f.on("RINGKV STATUS", threeNodes())
		r := f.run("status", "--json")
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.errOut)
		}
		var got struct {
			clusterStatus
			Converged *bool `json:"converged"`
		}
		if err := json.Unmarshal([]byte(r.out), &got); err != nil {
			t.Fatalf("%v: %s", err, r.out)
		}
		want, _ := decodeStatus(threeNodes())
		if got.Converged == nil || !*got.Converged || got.Node != "n1" || got.Partitions != 64 || got.N != 3 ||
			!slices.Equal(got.Members, want.Members) {
			t.Fatalf("resp3=%v: %s", resp3, r.out)
		}
		var raw struct{ Members []map[string]any }
		_ = json.Unmarshal([]byte(r.out), &raw)
		keys := slices.Sorted(maps.Keys(raw.Members[0]))
		wantKeys := []string{"bytes", "client", "hints", "keys", "name", "primary", "replicas", "ring", "ring_version", "state", "transfers"}
		if !slices.Equal(keys, wantKeys) {
			t.Fatalf("member keys %q, want %q", keys, wantKeys)
		}
	}
}

// The majority is the most reported version; a tie goes to the asked node's.
func TestConverge(t *testing.T) {
	m := func(name, state, v string) member {
		return member{Name: name, State: state, Ring: "member", RingVersion: v}
	}
	cases := []struct {
		self    string
		members []member
		want    convergence
	}{
		{"a", []member{m("1", "alive", "a"), m("2", "alive", "a"), m("3", "alive", "b")}, convergence{"a", 2, 3, false}},
		{"b", []member{m("1", "alive", "a"), m("2", "alive", "b")}, convergence{"b", 1, 2, false}},
		{"z", []member{m("1", "alive", "c"), m("2", "alive", "b")}, convergence{"b", 1, 2, false}},
		{"a", []member{m("1", "alive", "a"), m("2", "failed", "b"), m("3", "suspect", "")}, convergence{"a", 1, 1, true}},
		{"a", []member{m("1", "alive", "a"), m("2", "alive", "")}, convergence{"a", 1, 2, false}},
		{"a", nil, convergence{}},
	}
	for i, c := range cases {
		if got := converge(clusterStatus{RingVersion: c.self, Members: c.members}); got != c.want {
			t.Errorf("case %d: %+v, want %+v", i, got, c.want)
		}
	}
}
