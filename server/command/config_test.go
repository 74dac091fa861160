package command

import "testing"

// TestConfigSanity is Redis's "CONFIG sanity" test: every parameter CONFIG
// GET * lists can be set to the value it has, one at a time and all at
// once, and keeps it.
func TestConfigSanity(t *testing.T) {
	f := newFixture(t)
	all := f.do("CONFIG", "GET", "*")
	if len(all.Elems) < 20 {
		t.Fatalf("CONFIG GET *: %s", all)
	}
	args := []string{"CONFIG", "SET"}
	for i := 0; i+1 < len(all.Elems); i += 2 {
		k, v := all.Elems[i].Text(), all.Elems[i+1].Text()
		if r := f.do("CONFIG", "SET", k, v); r.Str != "OK" {
			t.Errorf("CONFIG SET %s %q: %s", k, v, r)
		}
		args = append(args, k, v)
	}
	if r := f.do(args...); r.Str != "OK" {
		t.Errorf("CONFIG SET of every parameter at once: %s", r)
	}
	if again := f.do("CONFIG", "GET", "*"); again.String() != all.String() {
		t.Errorf("CONFIG GET * changed:\n%s\nwas:\n%s", again, all)
	}
}

func TestConfigImmutable(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> CONFIG SET daemonize yes
		(error) ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config
		> CONFIG SET port 1
		(error) ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config
		> CONFIG SET appendonly yes
		(error) ERR CONFIG SET failed (possibly related to argument 'appendonly') - can't set immutable config
		> CONFIG SET databases 2
		(error) ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config
		> CONFIG SET maxmemory-samples 10
		(error) ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - can't set immutable config
		> CONFIG SET port 6379 timeout 5 appendfsync always
		(error) ERR CONFIG SET failed (possibly related to argument 'appendfsync') - can't set immutable config
		> CONFIG GET timeout
		1# "timeout" => "0"
		> CONFIG SET port 6379 save "" appendfsync EVERYSEC timeout 5
		OK
		> CONFIG GET timeout
		1# "timeout" => "5"
		> CONFIG SET latency-monitor-threshold 20 slowlog-max-len 5 slowlog-log-slower-than -1
		OK
		> CONFIG GET latency-monitor-threshold
		1# "latency-monitor-threshold" => "20"
	`)
}

// TestConfigGetMultiple is Redis's "CONFIG GET multiple args": patterns
// and names at once, each parameter once.
func TestConfigGetMultiple(t *testing.T) {
	f := newFixture(t)
	res := f.do("CONFIG", "GET", "maxmemory", "maxmemory*", "bind", "*of")
	seen := map[string]bool{}
	for i := 0; i < len(res.Elems); i += 2 {
		k := res.Elems[i].Text()
		if seen[k] {
			t.Errorf("CONFIG GET lists %s twice", k)
		}
		seen[k] = true
	}
	for _, k := range []string{"maxmemory", "maxmemory-policy", "maxmemory-clients", "maxmemory-samples",
		"bind", "replicaof", "slaveof"} {
		if !seen[k] {
			t.Errorf("CONFIG GET maxmemory maxmemory* bind *of lacks %s: %s", k, res)
		}
	}
}
