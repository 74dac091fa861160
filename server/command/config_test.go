package command

import (
	"errors"
	"fmt"
	"testing"
)

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
		> CONFIG SET bind 10.0.0.1
		(error) ERR CONFIG SET failed (possibly related to argument 'bind') - can't set immutable config
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

// TestConfigMaxMemoryClients checks maxmemory-clients against redis-server
// 7.0.15's answers (by hand, and integration/fidelity_clientevict_test.go):
// bytes with units or a percentage up to 100%.
func TestConfigMaxMemoryClients(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> CONFIG SET maxmemory-clients 200%
		(error) ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100
		> CONFIG SET maxmemory-clients 5%
		OK
		> CONFIG GET maxmemory-clients
		1# "maxmemory-clients" => "5%"
		> CONFIG SET maxmemory-clients -5%
		(error) ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value
		> CONFIG SET maxmemory-clients 1mb
		OK
		> CONFIG GET maxmemory-clients
		1# "maxmemory-clients" => "1048576"
		> CONFIG SET maxmemory-clients 18446744073709551615
		OK
		> CONFIG GET maxmemory-clients
		1# "maxmemory-clients" => "1%"
		> CONFIG SET maxmemory-clients 9223372036854775808
		(error) ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100
		> CONFIG SET maxmemory-clients abc
		(error) ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value
	`)
}

// TestConfigRollbackOnSetError is Redis's "CONFIG SET rollback on set
// error": a value that fails validation restores the ones before it.
func TestConfigRollbackOnSetError(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> CONFIG SET maxmemory 10000002
		OK
		> CONFIG SET maxmemory 10000001 maxmemory-clients 200% client-query-buffer-limit invalid
		(error) ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100
		> CONFIG GET maxmemory maxmemory-clients client-query-buffer-limit
		1# "client-query-buffer-limit" => "1073741824"
		2# "maxmemory" => "10000002"
		3# "maxmemory-clients" => "0"
	`)
}

// TestConfigRollbackOnApplyError is Redis's "CONFIG SET rollback on apply
// error": a port the server cannot listen on restores every parameter of
// the CONFIG SET, and the applies that succeeded run again.
func TestConfigRollbackOnApplyError(t *testing.T) {
	f := newFixture(t)
	var listened []int
	f.env.Settings.OnPort(func(port int) error {
		listened = append(listened, port)
		if port == 7001 {
			return errors.New("address in use")
		}
		return nil
	})
	f.script(`
		> CONFIG SET maxmemory 10000001 port 7001 client-query-buffer-limit 10m
		(error) ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.
		> CONFIG GET maxmemory port client-query-buffer-limit
		1# "client-query-buffer-limit" => "1073741824"
		2# "maxmemory" => "0"
		3# "port" => "6379"
		> CONFIG SET port 7002 maxmemory 5mb
		OK
		> CONFIG GET port maxmemory
		1# "maxmemory" => "5242880"
		2# "port" => "7002"
		> CONFIG SET port 7002
		OK
	`)
	if fmt.Sprint(listened) != "[7001 7002]" {
		t.Errorf("listened on %v, want [7001 7002] (an unchanged port is not applied again)", listened)
	}
}

// TestConfigClientEvictionLimit checks the limit maxmemory-clients sets,
// as Redis's getClientEvictionLimit: a percentage of maxmemory (none while
// maxmemory is 0), and never under 128 KiB.
func TestConfigClientEvictionLimit(t *testing.T) {
	for _, c := range []struct {
		maxmem, clients string
		want            int64
	}{
		{"0", "0", 0}, {"0", "10%", 0}, {"10mb", "10%", 1 << 20}, {"0", "2mb", 2 << 20},
		{"0", "1k", 128 << 10}, {"1mb", "1%", 128 << 10}, {"10mb", "0", 0},
	} {
		s := NewSettings(DefaultParams())
		if err := s.Set([][2]string{{"maxmemory", c.maxmem}, {"maxmemory-clients", c.clients}}); err != nil {
			t.Fatal(err)
		}
		if got := s.ClientEvictionLimit(); got != c.want {
			t.Errorf("maxmemory %s maxmemory-clients %s: limit %d, want %d", c.maxmem, c.clients, got, c.want)
		}
	}
}
