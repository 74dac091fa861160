package main

import (
	"encoding/json"
	"testing"
)

// The ring's balance from STATUS: shares of the mean per member, a removed
// node left out of S, and the balance line.
func TestRingBalance(t *testing.T) {
	f := newFakeNode(t, false, "")
	f.on("RINGKV STATUS", threeNodes(statusMember("n0", "left", "removed", "", 0, 0, -1, -1, -1, -1, "")))
	r := f.run("ring")
	want := `ring 3f2a9c1e  Q=64  N=3  S=3

NAME  RING    PRIMARY  OF-MEAN  REPLICAS  OF-MEAN
n1    member  22       103.1%   64        100.0%
n2    member  21       98.4%    64        100.0%
n3    member  21       98.4%    64        100.0%

balance: primary 98.4%..103.1% of mean, replicas 100.0%..100.0% of mean (Q=64, S=3, Q/S=21.3)
`
	if r.code != exitOK || r.out != want {
		t.Fatalf("exit %d\n%s\nwant\n%s\nstderr %s", r.code, r.out, want, r.errOut)
	}
	r = f.run("ring", "--json")
	var got ringReport
	if err := json.Unmarshal([]byte(r.out), &got); err != nil || r.code != exitOK {
		t.Fatalf("exit %d %v: %s", r.code, err, r.out)
	}
	if got.Nodes != 3 || len(got.Members) != 3 || got.Members[0].PrimaryPct != 103.1 ||
		got.PrimaryMinPct != 98.4 || got.ReplicasMaxPct != 100 || got.PartitionsPerNode < 21.33 || got.PartitionsPerNode > 21.34 {
		t.Fatalf("%+v", got)
	}
}

// A joining member that owns nothing yet shows as 0% of the mean.
func TestRingBalanceJoining(t *testing.T) {
	s, err := decodeStatus(threeNodes(statusMember("n4", "alive", "joining", "10.0.0.4:6379", 0, 0, 0, 0, 0, 12, ringB)))
	if err != nil {
		t.Fatal(err)
	}
	r := ringBalance(s)
	// 64 primaries over 4 members: a mean of 16; n1's 22 are 137.5% of it.
	if r.Nodes != 4 || r.PrimaryMinPct != 0 || r.PrimaryMaxPct != 137.5 || r.ReplicasMinPct != 0 || r.ReplicasMaxPct != 133.3 {
		t.Fatalf("%+v", r)
	}
}
