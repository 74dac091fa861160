package command

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ringkv/ringkv/replica"
)

type fakeTopology struct{}

func (fakeTopology) Locate(key []byte) (int, []string, []string) {
	return len(key), []string{"n2", "n3", "n1"}, []string{"n4"}
}

func (fakeTopology) Serving(key []byte) (string, [][2]string, []string) {
	return "n3", [][2]string{{"n2", "n4"}}, []string{"n1"}
}

func (fakeTopology) Members() []Member {
	return []Member{{Name: "n1", State: "alive", ClientAddr: "10.0.0.1:6379", Partitions: 512},
		{Name: "n2", State: "failed", ClientAddr: "10.0.0.2:6379", Partitions: 512}}
}

func (fakeTopology) Clustered() bool { return true }

func (fakeTopology) Status(context.Context) RingStatus {
	return RingStatus{Node: "n1", RingVersion: "abc", Partitions: 1024, N: 3, Members: []MemberStatus{
		{Name: "n1", State: "alive", Ring: "member", Client: "10.0.0.1:6379", Primary: 512, Replicas: 1024,
			Keys: 10, Bytes: 2048, Hints: 0, Handoffs: 3, RingVersion: "abc"}}}
}

func (fakeTopology) Transfers(context.Context) []replica.Transfer {
	return []replica.Transfer{{Node: "n1", Partition: 7, Source: "n2", State: "active", Keys: 5, Bytes: 500, Rate: 100, ETAms: 20}}
}

func (fakeTopology) Leave() error { return errors.New("ERR leave refused") }

func (fakeTopology) Remove(node string, force bool) error {
	if node == "n2" && force {
		return nil
	}
	return errors.New("ERR node '" + node + "' is alive")
}

func TestRingkvAdmin(t *testing.T) {
	f := newFixture(t)
	f.env.Topology = fakeTopology{}
	f.script(`
		> RINGKV LEAVE
		(error) ERR leave refused
		> RINGKV REMOVE n2
		(error) ERR node 'n2' is alive
		> RINGKV REMOVE n2 FORCE
		OK
		> RINGKV REMOVE n2 FORCE extra
		(error) ERR syntax error: RINGKV REMOVE <node> [FORCE]
		> RINGKV REMOVE
		(error) ERR wrong number of arguments for 'ringkv|remove' command`)
	st := f.line("RINGKV STATUS").String()
	for _, want := range []string{`"ring_version"`, `"abc"`, `(integer) 1024`, `"transfers"`, `(integer) 3`, `"member"`} {
		if !strings.Contains(st, want) {
			t.Fatalf("RINGKV STATUS lacks %s:\n%s", want, st)
		}
	}
	tr := f.line("RINGKV TRANSFERS").String()
	for _, want := range []string{`"active"`, `"n2"`, `"eta_ms"`, `(integer) 20`} {
		if !strings.Contains(tr, want) {
			t.Fatalf("RINGKV TRANSFERS lacks %s:\n%s", want, tr)
		}
	}
}

func TestRingkvAdminStandalone(t *testing.T) {
	f := newFixture(t, func(p *Params) { p.Node = "solo" })
	f.script(`
		> RINGKV LEAVE
		(error) ERR this node runs standalone (no cluster): there is no ring to leave
		> RINGKV REMOVE x
		(error) ERR this node runs standalone (no cluster): there is no ring to remove nodes from
		> RINGKV TRANSFERS
		(empty array)`)
}

func TestClusterAnswersAsStandaloneRedis(t *testing.T) {
	f := newFixture(t, func(p *Params) { p.Node = "node" })
	f.script(`
		> CLUSTER INFO
		(error) ERR This instance has cluster support disabled
		> CLUSTER SLOTS
		(error) ERR This instance has cluster support disabled
		> RINGKV LOCATE k
		1# "partition" => (integer) 0
		2# "replicas" => 1) "node"
		3# "fallbacks" => (empty array)
		4# "coordinator" => "node"
		5# "standins" => (empty array)
		6# "unplaced" => (empty array)`)
}

func TestRingkvLocateAndMembers(t *testing.T) {
	f := newFixture(t)
	f.env.Topology = fakeTopology{}
	f.script(`
		> RINGKV LOCATE abc
		1# "partition" => (integer) 3
		2# "replicas" => 1) "n2"
		   2) "n3"
		   3) "n1"
		3# "fallbacks" => 1) "n4"
		4# "coordinator" => "n3"
		5# "standins" => 1) 1) "n2"
		      2) "n4"
		6# "unplaced" => 1) "n1"
		> RINGKV LOCATE
		(error) ERR wrong number of arguments for 'ringkv|locate' command
		> RINGKV FOO
		(error) ERR unknown subcommand 'FOO'. Try RINGKV HELP.`)
	got := f.line("RINGKV MEMBERS").String()
	if !strings.Contains(got, `"failed"`) || !strings.Contains(got, "(integer) 512") {
		t.Fatalf("RINGKV MEMBERS = %s", got)
	}
	info := f.line("INFO cluster").String()
	if !strings.Contains(info, "cluster_enabled:0") {
		t.Fatalf("INFO cluster = %s", info)
	}
}
