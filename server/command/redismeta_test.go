package command

import (
	"slices"
	"strings"
	"testing"
)

// metaExceptions are the table entries that knowingly differ from Redis
// 7.0's metadata, with why. Each must still differ (the test says when
// one no longer does).
var metaExceptions = map[string]string{}

// TestTableAgreesWithRedis checks every command ringkv shares with Redis
// against Redis's own metadata (redisdata/): arity, key positions and the
// flags the table has bits for must be Redis's, or COMMAND INFO would
// tell clients one thing while the table does another.
func TestTableAgreesWithRedis(t *testing.T) {
	f := newFixture(t)
	meta := redisMeta()
	shared := 0
	for _, c := range f.d.all() {
		rc := meta[c.Name]
		if rc == nil {
			continue
		}
		shared++
		var diffs []string
		if rc.arity != int64(c.Arity) {
			diffs = append(diffs, "arity")
		}
		if !rc.sameKeys(c) {
			diffs = append(diffs, "key positions")
		}
		var ours, theirs []string
		for i, n := range flagNames {
			if n != "" && c.Flags&(1<<i) != 0 {
				ours = append(ours, n)
			}
		}
		for _, fl := range rc.flags {
			if tableFlag(fl) {
				theirs = append(theirs, fl)
			}
		}
		slices.Sort(ours)
		slices.Sort(theirs)
		if !slices.Equal(ours, theirs) {
			diffs = append(diffs, "flags "+strings.Join(ours, ",")+" vs Redis "+strings.Join(theirs, ","))
		}
		why, excused := metaExceptions[c.Name]
		switch {
		case len(diffs) > 0 && !excused:
			t.Errorf("%s differs from Redis 7.0: %s", c.Name, strings.Join(diffs, "; "))
		case len(diffs) == 0 && excused:
			t.Errorf("%s no longer differs from Redis (%s): drop its exception", c.Name, why)
		}
	}
	if shared < 80 {
		t.Errorf("only %d commands found in Redis's metadata", shared)
	}
}

// TestRedisMetaParsed checks the embedded metadata: every Redis 7.0
// command with its documentation.
func TestRedisMetaParsed(t *testing.T) {
	meta := redisMeta()
	for _, name := range []string{"get", "client|pause", "object|encoding", "latency|doctor", "wait", "xadd"} {
		rc := meta[name]
		if rc == nil || rc.docs == nil {
			t.Fatalf("%s missing from Redis's metadata", name)
		}
	}
	if got := meta["exec"]; !got.skipSlowlog {
		t.Error("exec is not skip_slowlog")
	}
	if n := len(meta); n < 350 {
		t.Errorf("%d commands and subcommands, want Redis 7.0's ~370", n)
	}
}
