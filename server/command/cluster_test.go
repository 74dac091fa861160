package command

import (
	"strings"
	"testing"
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
