package command

import (
	"regexp"
	"strings"
	"testing"
)

var trackingLine = regexp.MustCompile(`tracking_[a-z_]+:\d+`)

// trackingInfo returns INFO's tracking lines, space-separated.
func trackingInfo(f *fixture) string {
	info := f.do("INFO", "clients").Str + f.do("INFO", "stats").Str
	return strings.Join(trackingLine.FindAllString(info, -1), " ")
}

// INFO's tracking counts follow the table as Redis 7.0.15's do (the same
// steps on redis-server print the same lines): keys of sessions that turn
// tracking off stay until invalidated or flushed; a key read by two
// sessions is one key and two items.
func TestTrackingInfo(t *testing.T) {
	f, l := trackFixture(t)
	a, b := l.add(f.client(1)), l.add(f.client(2))
	for _, step := range []struct {
		do   func()
		want string
	}{
		{func() {}, "tracking_clients:0 tracking_total_keys:0 tracking_total_items:0 tracking_total_prefixes:0"},
		{func() { a.do("CLIENT", "TRACKING", "on"); a.do("MGET", "k1", "k2", "k3"); a.do("GET", "k1") },
			"tracking_clients:1 tracking_total_keys:3 tracking_total_items:3 tracking_total_prefixes:0"},
		{func() { b.do("CLIENT", "TRACKING", "on"); b.do("GET", "k1") },
			"tracking_clients:2 tracking_total_keys:3 tracking_total_items:4 tracking_total_prefixes:0"},
		{func() { b.do("SET", "k1", "v") },
			"tracking_clients:2 tracking_total_keys:2 tracking_total_items:2 tracking_total_prefixes:0"},
		{func() { a.do("CLIENT", "TRACKING", "off"); b.do("CLIENT", "TRACKING", "off") },
			"tracking_clients:0 tracking_total_keys:2 tracking_total_items:2 tracking_total_prefixes:0"},
		{func() {
			a.do("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "PREFIX", "y")
			b.do("CLIENT", "TRACKING", "on", "BCAST")
		},
			"tracking_clients:2 tracking_total_keys:2 tracking_total_items:2 tracking_total_prefixes:3"},
		{func() { b.do("FLUSHALL") },
			"tracking_clients:2 tracking_total_keys:0 tracking_total_items:0 tracking_total_prefixes:3"},
	} {
		step.do()
		if got := trackingInfo(f); got != step.want {
			t.Errorf("got  %s\nwant %s", got, step.want)
		}
	}
}

// tracking-table-max-keys: an integer of 0 (no limit) and up, default
// 1000000; lowering it bounds the table at the next read.
func TestTrackingTableMaxKeysConfig(t *testing.T) {
	f, l := trackFixture(t)
	f.script(`
		> CONFIG GET tracking-table-max-keys
		1# "tracking-table-max-keys" => "1000000"
		> CONFIG SET tracking-table-max-keys -1
		(error) ERR CONFIG SET failed (possibly related to argument 'tracking-table-max-keys') - argument must be between 0 and 9223372036854775807 inclusive
		> CONFIG SET tracking-table-max-keys 1k
		(error) ERR CONFIG SET failed (possibly related to argument 'tracking-table-max-keys') - argument couldn't be parsed into an integer
		> CONFIG SET tracking-table-max-keys 0
		OK
	`)
	a := l.add(f.client(1))
	a.do("CLIENT", "TRACKING", "on")
	a.do("MGET", "k1", "k2", "k3", "k4")
	if got := trackingInfo(f); !strings.Contains(got, "tracking_total_keys:4 ") {
		t.Errorf("no limit: %s", got)
	}
	f.do("CONFIG", "SET", "tracking-table-max-keys", "2")
	a.do("GET", "k5")
	if got := trackingInfo(f); !strings.Contains(got, "tracking_total_keys:2 tracking_total_items:2 ") {
		t.Errorf("limit 2: %s", got)
	}
}
