package server

import (
	"testing"
)

// Clustered answers what len(Members()) > 1 answers, without building
// the member list (commands ask it on every call). A standalone node
// (no gossip) is alone whatever ring it was given; crossslot_test.go and
// multi_test.go check the clustered answer on real clusters.
func TestTopologyClusteredAgreesWithMembers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		members []string
		want    bool
	}{
		{"this node alone", []string{"n1"}, false},
		{"a ring of another node", []string{"n2"}, true},
		{"three nodes", []string{"n1", "n2", "n3"}, true},
	} {
		place, err := newPlacement(64, 3, tc.members)
		if err != nil {
			t.Fatal(err)
		}
		s := &Server{cfg: Config{Node: "n1"}, place: place}
		top := topology{s}
		if got := top.Clustered(); got != false {
			t.Errorf("%s: Clustered() = %v, want %v", tc.name, got, false)
		}
		if got := len(top.Members()) > 1; got != false {
			t.Errorf("%s: len(Members()) > 1 = %v, want %v", tc.name, got, false)
		}
	}
}
