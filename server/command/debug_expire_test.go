package command

import "testing"

// DEBUG SET-ACTIVE-EXPIRE turns the node's active expiry on and off
// (atoi's reading: any non-zero enables), and with it off an expired key
// still reads as missing, DEL answers 0 and EXPIRE does not resurrect it
// (Redis's expire.tcl: "EXPIRE should not resurrect keys").
func TestDebugSetActiveExpire(t *testing.T) {
	f := newFixture(t)
	var calls []bool
	f.env.ActiveExpire = func(on bool) { calls = append(calls, on) }
	for _, a := range []string{"0", "1", "abc", "-1", " 2x", "00"} {
		expect(t, "DEBUG SET-ACTIVE-EXPIRE "+a, f.do("DEBUG", "SET-ACTIVE-EXPIRE", a).String(), "OK")
	}
	want := []bool{false, true, false, true, true, false}
	if len(calls) != len(want) {
		t.Fatalf("ActiveExpire calls %v, want %v", calls, want)
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Errorf("ActiveExpire calls %v, want %v", calls, want)
			break
		}
	}
	f.script(`
		> DEBUG SET-ACTIVE-EXPIRE
		(error) ERR unknown subcommand or wrong number of arguments for 'SET-ACTIVE-EXPIRE'. Try DEBUG HELP.
		> SET foo bar PX 100
		OK
		> SET bar baz PX 100
		OK
		!advance 200
		> GET foo
		(nil)
		> EXPIRE foo 10
		(integer) 0
		> EXISTS foo
		(integer) 0
		> DEL bar
		(integer) 0
	`)
}
