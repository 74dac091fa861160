package command

import (
	"context"
	"strings"
	"testing"
)

// A command runs when the root or one selector alone allows it with all
// its keys; denials name what Redis 7.0.15 names (replies checked
// against redis-server, see integration/fidelity_aclsel_test.go), and
// ACL LOG records them.
func TestACLSelectorEnforce(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> ACL SETUSER s on nopass ~a* +get +@transaction (+set ~b*) (+publish &ch*) (%R~d* +@read)
		OK
		> ACL LIST
		1) "user default on nopass ~* &* +@all"
		2) "user s on nopass ~a* resetchannels -@all +@transaction +get (~b* resetchannels -@all +set) (resetchannels &ch* -@all +publish) (%R~d* resetchannels -@all +@read)"
		> AUTH s x
		OK
		> SET b1 v
		OK
		> GET b1
		(error) NOPERM this user has no permissions to access one of the keys used as arguments
		> GET a1
		(nil)
		> PUBLISH ch1 m
		(integer) 0
		> PUBLISH zz m
		(error) NOPERM this user has no permissions to access one of the channels used as arguments
		> MGET d1 d2
		1) (nil)
		2) (nil)
		> MGET d1 a1
		(error) NOPERM this user has no permissions to access one of the keys used as arguments
		> INCR b1
		(error) NOPERM this user has no permissions to run the 'incr' command
		> MULTI
		OK
		> SET b2 v
		QUEUED
		> SET zz v
		(error) NOPERM this user has no permissions to access one of the keys used as arguments
		> EXEC
		(error) EXECABORT Transaction discarded because of previous errors.
		> AUTH default x
		OK
	`)
	log := f.line("ACL LOG 4").String()
	for _, want := range []string{`"object" => "zz"`, `"object" => "incr"`, `"object" => "a1"`, `"reason" => "channel"`} {
		if !strings.Contains(log, want) {
			t.Errorf("ACL LOG 4 lacks %s:\n%s", want, log)
		}
	}
	f.script(`
		> ACL DRYRUN s mget a1 d1
		"This user has no permissions to access the 'a1' key"
		> ACL DRYRUN s publish zz m
		"This user has no permissions to access the 'zz' channel"
		> ACL SETUSER s clearselectors
		OK
		> ACL DRYRUN s set b1 v
		"This user has no permissions to run the 'set' command"
	`)
}

// Selectors replicate with the rest of the user, a key pattern holding
// a quote included (its "(...)" rule quotes it for sdssplitargs).
func TestACLSelectorSync(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	a.d.SetACLBroadcast(func(_ context.Context, msg []byte) error {
		_, err := b.d.ACLSync(msg)
		return err
	})
	admin := a.d.NewSession(9, "127.0.0.1:5001", "127.0.0.1:6379")
	args := [][]byte{[]byte("ACL"), []byte("SETUSER"), []byte("q"), []byte("on"), []byte("nopass"),
		[]byte("(+get ~x*)"), []byte(`(+@hash "~a\"b*" &c\d)`), []byte("(+select|0 ~* &*)")}
	if r := a.d.Do(context.Background(), admin, args); r.IsError() {
		t.Fatal(r)
	}
	want := a.line("ACL LIST").String()
	if !strings.Contains(want, `(~a\"b* resetchannels &c\\d -@all +@hash)`) { // String() escapes
		t.Fatalf("ACL LIST on a:\n%s", want)
	}
	if got := b.line("ACL LIST").String(); got != want {
		t.Errorf("ACL LIST on b:\n%s\nwant (as on a):\n%s", got, want)
	}
}

// A subscriber keeps its connection while a selector still allows its
// channel, and loses it when none does (ACLKillPubsubClientsIfNeeded).
func TestACLSelectorRevokeSubscribers(t *testing.T) {
	f := newFixture(t)
	rec := &killRecorder{}
	f.env.Clients = rec
	f.line("ACL SETUSER sub on nopass +@all ~* resetchannels (&news.* +subscribe)")
	c := f.client(1)
	c.do("AUTH", "sub", "x")
	c.do("SUBSCRIBE", "news.today")
	f.line("ACL SETUSER sub clearselectors (&news.* &more +subscribe)")
	if len(rec.kills) != 0 {
		t.Fatalf("kills while a selector allows news.*: %+v", rec.kills)
	}
	f.line("ACL SETUSER sub clearselectors (&more)")
	if len(rec.kills) != 1 || rec.kills[0].ID != 1 {
		t.Fatalf("kills after revoking news.*: %+v, want client 1", rec.kills)
	}
}

// mergeSelectorArgs joins a selector spread over arguments as Redis's
// ACLMergeSelectorArguments does, a second "(" dropping the first.
func TestMergeSelectorArgs(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
		open int
	}{
		{[]string{"on", "(+get", "~a)", "(+set)"}, "on|(+get ~a)|(+set)", -1},
		{[]string{"(+get", "(~a", "b)"}, "(~a b)", -1},
		{[]string{"(+get", "", "~a)"}, "(+get  ~a)", -1},
		{[]string{"on", "(+get", "~a"}, "", 1},
		{[]string{"(+get", "~a", "(~b"}, "", 2},
		{[]string{"+get)", "("}, "", 1},
	} {
		rules, open, ok := mergeSelectorArgs(tc.in)
		if got := strings.Join(rules, "|"); got != tc.want || open != tc.open || ok != (tc.open < 0) {
			t.Errorf("%q: %q open %d ok %v, want %q open %d", tc.in, got, open, ok, tc.want, tc.open)
		}
	}
}
