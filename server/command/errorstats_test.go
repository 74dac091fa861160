package command

import (
	"strings"
	"testing"
)

// infoLines returns INFO section's "name:value" lines (the header dropped).
func (f *fixture) infoLines(section string) []string {
	var out []string
	for _, l := range strings.Split(f.do("INFO", section).Text(), "\r\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// infoField returns one INFO stats field's value.
func (f *fixture) infoField(name string) string {
	for _, l := range f.infoLines("stats") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return v
		}
	}
	f.t.Fatalf("INFO stats has no %s", name)
	return ""
}

// Error replies count by code as Redis's afterErrorReply counts them: a
// rejection, a failed command, an EXECABORT, a script's error_reply under
// its own code, a redis.call error once (not again as EVAL's reply), and
// a code beyond 30 bytes or without a space under ERR. The cases and
// counts are those redis-server 7.0.15 gives.
func TestErrorStats(t *testing.T) {
	f := newFixture(t)
	for _, l := range []string{
		"NOSUCH", "GET", "SET a b", "INCR a", "EVAL \"return redis.error_reply('MY_ERR_CODE custom msg')\" 0",
		"EVAL \"return redis.error_reply('')\" 0", "EVAL \"return redis.call('incr','a')\" 0",
		"EVAL \"redis.pcall('incr','a') return 1\" 0", "EVAL \"return redis.pcall('incr','a')\" 0",
		"EVAL \"return {err='NOSPACE'}\" 0", "EVAL \"error('x')\" 0", "EVAL \"return redis.call('nosuch')\" 0",
		"EVAL \"return redis.error_reply('" + strings.Repeat("X", 31) + " y')\" 0",
		"EVAL \"return redis.error_reply('" + strings.Repeat("Y", 30) + " y')\" 0",
		"MULTI", "GET", "EXEC",
	} {
		f.line(l)
	}
	want := []string{"errorstat_ERR:count=12", "errorstat_EXECABORT:count=1", "errorstat_MY_ERR_CODE:count=1",
		"errorstat_" + strings.Repeat("Y", 30) + ":count=1"}
	expect(t, "INFO errorstats", strings.Join(f.infoLines("errorstats"), "\n"), strings.Join(want, "\n"))
	expect(t, "total_error_replies", f.infoField("total_error_replies"), "15")
	for _, args := range [][]string{{"INFO"}, {"INFO", "all"}, {"INFO", "everything"}, {"INFO", "default"}} {
		if !strings.Contains(f.do(args...).Text(), "# Errorstats\r\nerrorstat_ERR:count=12\r\n") {
			t.Errorf("%s lacks errorstats", args)
		}
	}
	f.do("CONFIG", "RESETSTAT")
	expect(t, "after RESETSTAT", strings.Join(f.infoLines("errorstats"), "\n"), "")
	expect(t, "total after RESETSTAT", f.infoField("total_error_replies"), "0")
	f.line("EVALSHA 0000000000000000000000000000000000000000 0")
	expect(t, "NOSCRIPT", strings.Join(f.infoLines("errorstats"), "\n"), "errorstat_NOSCRIPT:count=1")
}
