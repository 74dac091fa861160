package command

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Replies checked against redis-server 7.0.15 (see also
// integration/fidelity_acl_test.go).
func TestACLSetUser(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> ACL LIST
		1) "user default on nopass ~* &* +@all"
		> ACL SETUSER alice on >p1 ~k* +get +@string -set &ch* %R~r*
		OK
		> ACL LIST
		1) "user alice on #f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a ~k* %R~r* resetchannels &ch* -@all +@string -set"
		2) "user default on nopass ~* &* +@all"
		> ACL GETUSER alice
		1# "flags" => 1~ "on"
		2# "passwords" => 1) "f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a"
		3# "commands" => "-@all +@string -set"
		4# "keys" => "~k* %R~r*"
		5# "channels" => "&ch*"
		6# "selectors" => (empty array)
		> ACL SETUSER t reset +get +@list
		OK
		> ACL GETUSER t
		1# "flags" => 1~ "off"
		   2~ "sanitize-payload"
		2# "passwords" => (empty array)
		3# "commands" => "-@all +@list +get"
		4# "keys" => ""
		5# "channels" => ""
		6# "selectors" => (empty array)
		> ACL SETUSER t reset +@all -@string +get %W~w* %R~w* &a &b
		OK
		> ACL LIST
		1) "user alice on #f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a ~k* %R~r* resetchannels &ch* -@all +@string -set"
		2) "user default on nopass ~* &* +@all"
		3) "user t off sanitize-payload ~w* resetchannels &a &b +@all -@string +get"
		> ACL SETUSER t reset +@read -@write allkeys allchannels nopass on
		OK
		> ACL LIST
		1) "user alice on #f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a ~k* %R~r* resetchannels &ch* -@all +@string -set"
		2) "user default on nopass ~* &* +@all"
		3) "user t on nopass sanitize-payload ~* &* -@all +@read"
		> ACL SETUSER t +config|get +config allcommands -get nocommands +select|0
		OK
		> ACL GETUSER t
		1# "flags" => 1~ "on"
		   2~ "nopass"
		   3~ "sanitize-payload"
		2# "passwords" => (empty array)
		3# "commands" => "-@all +select|0"
		4# "keys" => "~*"
		5# "channels" => "&*"
		6# "selectors" => (empty array)
		> ACL SETUSER t ~x
		(error) ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns
		> ACL SETUSER t &x
		(error) ERR Error in ACL SETUSER modifier '&x': Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels
		> ACL SETUSER t +nosuch
		(error) ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL
		> ACL SETUSER t -@nosuch
		(error) ERR Error in ACL SETUSER modifier '-@nosuch': Unknown command or category name in ACL
		> ACL SETUSER t <nope
		(error) ERR Error in ACL SETUSER modifier '<nope': The password you are trying to remove from the user does not exist
		> ACL SETUSER t #abc
		(error) ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters
		> ACL SETUSER t +client|list|x
		(error) ERR Error in ACL SETUSER modifier '+client|list|x': Allowing first-arg of a subcommand is not supported
		> ACL SETUSER t bogus
		(error) ERR Error in ACL SETUSER modifier 'bogus': Syntax error
		> ACL SETUSER "a b"
		(error) ERR Usernames can't contain spaces or null characters
		> ACL SETUSER t >x >y <x
		OK
		> ACL GETUSER t
		1# "flags" => 1~ "on"
		   2~ "sanitize-payload"
		2# "passwords" => 1) "a1fce4363854ff888cff4b8e7875d600c2682390412a8cf79b37d0b11148b0fa"
		3# "commands" => "-@all +select|0"
		4# "keys" => "~*"
		5# "channels" => "&*"
		6# "selectors" => (empty array)
		> ACL USERS
		1) "alice"
		2) "default"
		3) "t"
		> ACL DELUSER t nobody
		(integer) 1
		> ACL DELUSER default
		(error) ERR The 'default' user cannot be removed
		> ACL SAVE
		(error) ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.
		> ACL CAT nosuch
		(error) ERR Unknown category 'nosuch'
		> ACL GENPASS 0
		(error) ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096
		> ACL GENPASS x
		(error) ERR value is not an integer or out of range
		> ACL WHOAMI
		"default"
		> ACL SETUSER
		(error) ERR wrong number of arguments for 'acl|setuser' command
	`)
	if got := f.line("ACL GENPASS 5").Str; len(got) != 2 {
		t.Errorf("ACL GENPASS 5 = %q, want 2 hex characters", got)
	}
	if got := f.line("ACL GENPASS").Str; len(got) != 64 {
		t.Errorf("ACL GENPASS = %q, want 64 hex characters", got)
	}
}

func TestACLEnforce(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> ACL SETUSER bob on >pw ~k* %R~r* &ch +get +set +publish +subscribe +psubscribe +client|id +select|0 +multi +exec +acl|log
		OK
		> AUTH bob wrong
		(error) WRONGPASS invalid username-password pair or user is disabled.
		> AUTH bob pw
		OK
		> GET k1
		(nil)
		> GET x
		(error) NOPERM this user has no permissions to access one of the keys used as arguments
		> SET r1 v
		(error) NOPERM this user has no permissions to access one of the keys used as arguments
		> GET r1
		(nil)
		> INCR k
		(error) NOPERM this user has no permissions to run the 'incr' command
		> PUBLISH ch m
		(integer) 0
		> PUBLISH cx m
		(error) NOPERM this user has no permissions to access one of the channels used as arguments
		> CLIENT ID
		(integer) 7
		> CLIENT LIST
		(error) NOPERM this user has no permissions to run the 'client|list' command
		> SELECT 0
		OK
		> SELECT 1
		(error) NOPERM this user has no permissions to run the 'select' command
		> MULTI
		OK
		> INCR k
		(error) NOPERM this user has no permissions to run the 'incr' command
		> EXEC
		(error) EXECABORT Transaction discarded because of previous errors.
		> PSUBSCRIBE c*
		(error) NOPERM this user has no permissions to access one of the channels used as arguments
		> ACL WHOAMI
		(error) NOPERM this user has no permissions to run the 'acl|whoami' command
	`)
	log := f.line("ACL LOG 3").String()
	for _, want := range []string{`"reason" => "command"`, `"object" => "acl|whoami"`, `"context" => "multi"`,
		`"object" => "incr"`, `"reason" => "channel"`, `"object" => "c*"`, `"username" => "bob"`, "user=bob"} {
		if !strings.Contains(log, want) {
			t.Errorf("ACL LOG 3 lacks %s:\n%s", want, log)
		}
	}
	f.script(`
		> AUTH default x
		OK
		> ACL DRYRUN bob get x
		"This user has no permissions to access the 'x' key"
		> ACL DRYRUN bob get k
		OK
		> ACL DRYRUN bob incr k
		"This user has no permissions to run the 'incr' command"
		> ACL DRYRUN bob publish zz m
		"This user has no permissions to access the 'zz' channel"
		> ACL DRYRUN nobody get k
		(error) ERR User 'nobody' not found
		> ACL DRYRUN bob nosuch
		(error) ERR Command 'nosuch' not found
		> ACL DRYRUN bob get
		(error) ERR wrong number of arguments for 'get' command
		> ACL DRYRUN bob client list
		"This user has no permissions to run the 'client|list' command"
		> ACL LOG RESET
		OK
		> ACL LOG
		(empty array)
	`)
}

// The default user follows requirepass, as Redis's; AUTH and HELLO AUTH
// log in as any user; RESET goes back to default.
func TestACLAuth(t *testing.T) {
	f := newFixture(t, func(p *Params) { p.RequirePass = "pw" })
	f.script(`
		> GET k
		(error) NOAUTH Authentication required.
		> AUTH default pw
		OK
		> ACL SETUSER carol on nopass +@all ~*
		OK
		> ACL LIST
		1) "user carol on nopass ~* resetchannels +@all"
		2) "user default on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~* &* +@all"
		> HELLO 2 AUTH carol anything
		1# "server" => "redis"
		2# "version" => "7.0.15"
		3# "proto" => (integer) 2
		4# "id" => (integer) 7
		5# "mode" => "standalone"
		6# "role" => "master"
		7# "modules" => (empty array)
		> ACL WHOAMI
		"carol"
		> ACL SETUSER carol off
		OK
		> AUTH carol x
		(error) WRONGPASS invalid username-password pair or user is disabled.
		> ACL WHOAMI
		"carol"
		> RESET
		RESET
		> GET k
		(error) NOAUTH Authentication required.
		> CONFIG SET requirepass ""
		(error) NOAUTH Authentication required.
	`)
	if got := f.s.Info().Line(time.Now()); !strings.Contains(got, " user=default ") {
		t.Errorf("CLIENT LIST line after RESET: %s", got)
	}
	f.line("AUTH pw")
	f.line("CONFIG SET requirepass \"\"")
	f.script(`
		> AUTH x
		(error) ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?
		> ACL LIST
		1) "user carol off nopass ~* resetchannels +@all"
		2) "user default on nopass ~* &* +@all"
	`)
	if !f.d.newAuthed() {
		t.Error("without requirepass a new connection should start authenticated")
	}
	f.line("ACL SETUSER default resetpass")
	if f.d.newAuthed() {
		t.Error("after ACL SETUSER default resetpass a new connection should need AUTH")
	}
}

// While only an all-permissive default user exists, Do checks one flag.
func TestACLOpenFastPath(t *testing.T) {
	f := newFixture(t)
	if !f.d.acl.open.Load() {
		t.Fatal("a new dispatcher's ACL should be open")
	}
	f.line("ACL SETUSER x")
	if f.d.acl.open.Load() {
		t.Fatal("ACL open with a second user")
	}
	f.line("ACL DELUSER x")
	if !f.d.acl.open.Load() {
		t.Fatal("ACL not open again after the second user was deleted")
	}
	f.line("ACL SETUSER default -flushall")
	if f.d.acl.open.Load() {
		t.Fatal("ACL open with a restricted default user")
	}
	f.script(`
		> FLUSHALL
		(error) NOPERM this user has no permissions to run the 'flushall' command
	`)
}

func TestKillFilterUser(t *testing.T) {
	c := ClientInfo{ID: 1}
	if !(KillFilter{User: "default"}).Match(c, time.Now()) || (KillFilter{User: "bob"}).Match(c, time.Now()) {
		t.Error("a client without a user is the default user's")
	}
	c.User = "bob"
	if !(KillFilter{User: "bob"}).Match(c, time.Now()) {
		t.Error("KillFilter{User: bob} does not match bob's client")
	}
}

// Users replicate between nodes as function libraries do: the newest
// stamp wins; a stale set is ignored; a query catches a node up.
func TestACLSync(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	a.env.Settings.Params() // node names: both "" in fixtures; stamps still order
	var sent [][]byte
	a.d.SetACLBroadcast(func(_ context.Context, msg []byte) error {
		sent = append(sent, msg)
		_, err := b.d.ACLSync(msg)
		return err
	})
	a.line("ACL SETUSER dave on >pw +get ~d*")
	if len(sent) != 1 {
		t.Fatalf("broadcasts: %d, want 1", len(sent))
	}
	b.script(`
		> AUTH dave pw
		OK
		> GET d1
		(nil)
		> GET e
		(error) NOPERM this user has no permissions to access one of the keys used as arguments
	`)
	// b changes later: a asks, b answers with its newer set.
	b.line("AUTH default x")
	b.line("ACL DELUSER dave")
	reply, err := b.d.ACLSync(a.d.ACLSyncQuery())
	if err != nil || len(reply) == 0 || reply[0] != 'A' {
		t.Fatalf("query answered %q, %v", reply, err)
	}
	if _, err := a.d.ACLSync(reply); err != nil {
		t.Fatal(err)
	}
	if got := a.line("ACL USERS").String(); got != `1) "default"` {
		t.Errorf("after catching up, ACL USERS = %s", got)
	}
	// The stale message (dave) does not come back.
	if _, err := a.d.ACLSync(sent[0]); err != nil {
		t.Fatal(err)
	}
	if got := a.line("ACL USERS").String(); got != `1) "default"` {
		t.Errorf("a stale set was applied: %s", got)
	}
	if _, err := a.d.ACLSync([]byte("A\x01")); err == nil {
		t.Error("a malformed message was accepted")
	}
}

// A script's redis.call runs with its caller's permissions.
func TestACLScript(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> ACL SETUSER sc on nopass ~k* +eval +get
		OK
		> AUTH sc x
		OK
		> EVAL "return redis.call('set','k','b')" 0
		(error) ERR The user executing the script can't run this command or subcommand script: 571bd04212f837e2d15318d30a5f893d78e13185, on @user_script:1.
		> EVAL "return redis.call('get','a')" 0
		(error) ERR The user executing the script can't access at least one of the keys mentioned in the command arguments script: eaeaa27fd219f13108fd9dea9f5ef7513173e803, on @user_script:1.
		> EVAL "return redis.call('get','k')" 0
		(nil)
		> AUTH default x
		OK
	`)
	if log := f.line("ACL LOG 1").String(); !strings.Contains(log, `"context" => "lua"`) || !strings.Contains(log, `"object" => "a"`) {
		t.Errorf("ACL LOG 1 after a script's denied key:\n%s", log)
	}
}

// EXEC checks each queued command again: rules may have changed since.
func TestACLExecRecheck(t *testing.T) {
	f := newFixture(t)
	admin := f.d.NewSession(8, "127.0.0.1:5001", "127.0.0.1:6379")
	f.line("ACL SETUSER mx on nopass ~* &* +@all")
	f.script(`
		> AUTH mx x
		OK
		> MULTI
		OK
		> GET k
		QUEUED
		> SET k2 v
		QUEUED
		> PUBLISH c m
		QUEUED
		> PING
		QUEUED
	`)
	if r := f.d.Do(context.Background(), admin, [][]byte{[]byte("ACL"), []byte("SETUSER"), []byte("mx"), []byte("-get"),
		[]byte("resetkeys"), []byte("~k"), []byte("resetchannels")}); r.IsError() {
		t.Fatal(r)
	}
	f.script(`
		> EXEC
		1) (error) NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand
		2) (error) NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to touch the specified keys
		3) (error) NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to access one of the channels used as arguments
		4) PONG
	`)
}

// MONITOR does not show a command ACL refused.
func TestACLMonitor(t *testing.T) {
	f := newFixture(t)
	mon, c := f.client(1), f.client(2)
	expect(t, "MONITOR", mon.do("MONITOR"), "+OK\r\n")
	f.line("ACL SETUSER default -get")
	for _, args := range [][]string{{"GET", "k"}, {"SET", "k", "v"}} {
		b := [][]byte{}
		for _, a := range args {
			b = append(b, []byte(a))
		}
		f.d.FeedMonitors(c.s, b, true)
		c.do(args...)
		f.d.FeedMonitors(c.s, b, false)
	}
	if got := mon.box.take(); strings.Contains(got, `"GET"`) || !strings.Contains(got, `"SET" "k" "v"`) {
		t.Errorf("monitor saw:\n%s", got)
	}
}

// killRecorder is a Clients that records what it is asked to close.
type killRecorder struct {
	noClients
	kills []KillFilter
}

func (k *killRecorder) Kill(f KillFilter) int {
	k.kills = append(k.kills, f)
	return 1
}

// Subscribers whose channels a SETUSER revokes are disconnected, as
// Redis's ACLKillPubsubClientsIfNeeded; DELUSER closes the user's
// connections.
func TestACLRevokeSubscribers(t *testing.T) {
	f := newFixture(t)
	rec := &killRecorder{}
	f.env.Clients = rec
	f.line("ACL SETUSER sub on nopass +@all ~* resetchannels &news.* &sport")
	a, b := f.client(1), f.client(2)
	for _, c := range []*client{a, b} {
		c.do("AUTH", "sub", "x")
	}
	a.do("SUBSCRIBE", "news.today")
	b.do("PSUBSCRIBE", "sport")
	f.line("ACL SETUSER sub &more") // a superset: nobody closed
	if len(rec.kills) != 0 {
		t.Fatalf("kills after widening: %+v", rec.kills)
	}
	f.line("ACL SETUSER sub resetchannels &sport &more")
	if len(rec.kills) != 1 || rec.kills[0].ID != 1 {
		t.Fatalf("kills after revoking news.*: %+v, want client 1", rec.kills)
	}
	rec.kills = nil
	f.line("ACL DELUSER sub")
	if len(rec.kills) != 1 || rec.kills[0].User != "sub" {
		t.Fatalf("kills after DELUSER: %+v", rec.kills)
	}
}
