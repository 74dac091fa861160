package command

import (
	"strings"
	"testing"
)

// Redis's "not enough good replicas" (unit/scripting): with
// min-replicas-to-write 1 and no other member alive, writes answer
// NOREPLICAS, up front for a write command, an EXEC of one or a script
// that may write, call by call for a script without a shebang; reads and
// no-writes scripts run. It used to write.
func TestMinReplicasToWrite(t *testing.T) {
	f := newFixture(t)
	f.do("SET", "x", "some value")
	f.do("CONFIG", "SET", "min-replicas-to-write", "1")
	const refused = "(error) NOREPLICAS Not enough good replicas to write."
	for _, c := range []struct{ cmd, want string }{
		{"EVAL \"#!lua flags=no-writes\nreturn redis.call('get','x')\" 1 x", `"some value"`},
		{"EVAL \"return redis.call('get','x')\" 1 x", `"some value"`},
		{"EVAL \"#!lua\nreturn redis.call('get','x')\" 1 x", refused},
		{"EVAL \"return redis.call('set','x',1)\" 1 x", refused + " script: 4cb91861d207e5689edc816618ab68f9d6de3b44, on @user_script:1."},
		{"SET x 1", refused},
		{"GET x", `"some value"`},
		{"MULTI", "OK"},
		{"SET x 2", refused},
		{"EXEC", "(error) EXECABORT Transaction discarded because of previous errors."},
		{"INFO replication", ""},
		{"CONFIG SET min-replicas-max-lag 0", "OK"},
		{"SET x 3", "OK"},
	} {
		got := f.line(c.cmd).String()
		if c.cmd == "INFO replication" {
			if want := "min_slaves_good_slaves:0"; !strings.Contains(got, want) {
				t.Errorf("INFO replication lacks %s:\n%s", want, got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%q = %s, want %s", c.cmd, got, c.want)
		}
	}
}
