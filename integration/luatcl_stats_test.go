package integration

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestLuaTclCallStats replays Redis 7.0.15's "Consistent eval error
// reporting" (unit/scripting.tcl) and a few more refused calls on ringkv
// and redis-server: each script's reply, then the commandstats of the
// commands involved (times left out), errorstats and total_error_replies
// must be the same. A call the script refuses (OOM, read-only script,
// no-script command, ACL) counts in its command's rejected_calls.
func TestLuaTclCallStats(t *testing.T) {
	t.Parallel()
	ref := StartRedisServer(t)
	n := StartNode(t, NodeOptions{})
	oomPcall := `local t = redis.pcall('set','x','y') if t['err'] == "OOM command not allowed when used memory > 'maxmemory'." then return 1 else return 0 end`
	roPcall := `local t = redis.pcall('set','x','y') if t['err'] == "ERR Write commands are not allowed from read-only scripts." then return 1 else return 0 end`
	steps := [][][]string{
		{{"CONFIG", "SET", "maxmemory", "1"}, {"EVAL", "return redis.call('set','x','y')", "1", "x"}},
		{{"EVAL", oomPcall, "1", "x"}},
		{{"EVAL", "return redis.pcall('set','x','y')", "1", "x"}},
		{{"CONFIG", "SET", "maxmemory", "0"}, {"EVAL", "return redis.call('select',99)", "0"}},
		{{"EVAL", "local t = redis.pcall('select',99) if t['err'] == 'ERR DB index is out of range' then return 1 else return 0 end", "0"}},
		{{"EVAL_RO", "return redis.call('set','x','y')", "1", "x"}},
		{{"EVAL_RO", roPcall, "1", "x"}},
		{{"EVAL", "return redis.call('get')", "0"}},
		{{"EVAL", "return redis.call('nosuch')", "0"}},
		{{"EVAL", "return redis.pcall('multi')", "0"}},
		{{"EVAL", "return redis.pcall('config','nosuch')", "0"}},
		{{"ACL", "SETUSER", "al", "on", "nopass", "+@all", "-get", "~*"}, {"AUTH", "al", "x"},
			{"EVAL", "return redis.pcall('get','x')", "0"}, {"AUTH", "default", "x"}, {"ACL", "DELUSER", "al"}},
		{{"FUNCTION", "LOAD", "#!lua name=st\nredis.register_function('f', function() return redis.pcall('set','x','y') end)"},
			{"FCALL_RO", "f", "0"}, {"FUNCTION", "FLUSH"}},
	}
	usec := regexp.MustCompile(`usec=\d+,usec_per_call=[\d.]+,`)
	stats := func(c *RESPConn) []string {
		var out []string
		for _, section := range []string{"commandstats", "errorstats", "stats"} {
			for _, l := range strings.Split(c.Do("INFO", section).Str, "\r\n") {
				if strings.HasPrefix(l, "cmdstat_") && !strings.HasPrefix(l, "cmdstat_config") &&
					!strings.HasPrefix(l, "cmdstat_info") && !strings.HasPrefix(l, "cmdstat_function") ||
					strings.HasPrefix(l, "errorstat_") || strings.HasPrefix(l, "total_error_replies:") {
					out = append(out, usec.ReplaceAllString(l, ""))
				}
			}
		}
		slices.Sort(out)
		return out
	}
	a, b := DialRESP(t, n.Addr()), DialRESP(t, ref)
	for _, step := range steps {
		for _, c := range []*RESPConn{a, b} {
			c.Do("CONFIG", "RESETSTAT")
		}
		var got, want []string
		for _, cmd := range step {
			got = append(got, a.Do(cmd...).Raw)
			want = append(want, b.Do(cmd...).Raw)
		}
		got, want = append(got, stats(a)...), append(want, stats(b)...)
		if !slices.Equal(got, want) {
			t.Errorf("%q:\n\t ringkv: %q\n\t  redis: %q", step, got, want)
		}
	}
}
