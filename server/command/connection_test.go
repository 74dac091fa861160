package command

import (
	"strings"
	"testing"

	"github.com/ringkv/ringkv/resp"
)

func TestConnection(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> PING
		PONG
		> PING hi
		"hi"
		> PING a b
		(error) ERR wrong number of arguments for 'ping' command
		> ECHO "x y"
		"x y"
		> ECHO
		(error) ERR wrong number of arguments for 'echo' command
		> SELECT 0
		OK
		> SELECT 1
		(error) ERR DB index is out of range
		> SELECT x
		(error) ERR value is not an integer or out of range
		> AUTH pw
		(error) ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?
		> AUTH default anything
		OK
		> AUTH bob pw
		(error) WRONGPASS invalid username-password pair or user is disabled.
		> AUTH a b c
		(error) ERR syntax error
		> HELLO 4
		(error) NOPROTO unsupported protocol version
		> HELLO x
		(error) ERR Protocol version is not an integer or out of range
		> HELLO 3 FOO
		(error) ERR Syntax error in HELLO option 'FOO'
		> HELLO 3 AUTH default
		(error) ERR Syntax error in HELLO option 'AUTH'
		> HELLO 3 SETNAME "a b"
		(error) ERR Client names cannot contain spaces, newlines or special characters.
		> HELLO 3 SETNAME me
		1# "server" => "redis"
		2# "version" => "7.0.15"
		3# "proto" => (integer) 3
		4# "id" => (integer) 7
		5# "mode" => "standalone"
		6# "role" => "master"
		7# "modules" => (empty array)
		> CLIENT GETNAME
		"me"
		> HELLO
		1# "server" => "redis"
		2# "version" => "7.0.15"
		3# "proto" => (integer) 3
		4# "id" => (integer) 7
		5# "mode" => "standalone"
		6# "role" => "master"
		7# "modules" => (empty array)
		> RESET
		RESET
		> CLIENT GETNAME
		(nil)
		> QUIT
		OK
	`)
	if f.s.Proto != 2 || !f.s.Close {
		t.Errorf("after RESET and QUIT: proto %d close %v, want 2 true", f.s.Proto, f.s.Close)
	}
}

func TestHelloRESP3Encoding(t *testing.T) {
	f := newFixture(t)
	r := f.do("HELLO", "3")
	got := string(resp.Append(nil, r, f.s.Proto))
	if !strings.HasPrefix(got, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n") {
		t.Errorf("HELLO 3 encodes as %q, want a RESP3 map", got)
	}
	f.do("HELLO", "2")
	got = string(resp.Append(nil, f.do("HELLO"), f.s.Proto))
	if !strings.HasPrefix(got, "*14\r\n") {
		t.Errorf("HELLO 2 encodes as %q, want a flat array", got)
	}
}

func TestAuth(t *testing.T) {
	f := newFixture(t, func(p *Params) { p.RequirePass = "secret" })
	f.script(`
		> GET k
		(error) NOAUTH Authentication required.
		> FOO
		(error) ERR unknown command 'FOO', with args beginning with: 
		> GET
		(error) ERR wrong number of arguments for 'get' command
		> PING
		(error) NOAUTH Authentication required.
		> HELLO 3
		(error) NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time
		> AUTH wrong
		(error) WRONGPASS invalid username-password pair or user is disabled.
		> AUTH default wrong
		(error) WRONGPASS invalid username-password pair or user is disabled.
		> AUTH secret
		OK
		> GET k
		(nil)
		> RESET
		RESET
		> GET k
		(error) NOAUTH Authentication required.
		> HELLO 2 AUTH default wrong
		(error) WRONGPASS invalid username-password pair or user is disabled.
		> HELLO 2 AUTH default secret
		1# "server" => "redis"
		2# "version" => "7.0.15"
		3# "proto" => (integer) 2
		4# "id" => (integer) 7
		5# "mode" => "standalone"
		6# "role" => "master"
		7# "modules" => (empty array)
		> GET k
		(nil)
	`)
}

func TestAuthNotRequiredForOldSessions(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> CONFIG SET requirepass pw
		OK
		> GET k
		(nil)
	`)
	s := f.d.NewSession(8, "a", "b")
	if s.Authed {
		t.Error("a session created after requirepass is set is authenticated")
	}
}

func TestClient(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> CLIENT ID
		(integer) 7
		> CLIENT GETNAME
		(nil)
		> CLIENT SETNAME conn1
		OK
		> CLIENT GETNAME
		"conn1"
		> CLIENT SETNAME "a b"
		(error) ERR Client names cannot contain spaces, newlines or special characters.
		> CLIENT SETINFO LIB-NAME go-redis(,go1.22)
		OK
		> CLIENT SETINFO lib-ver 9.5.1
		OK
		> CLIENT SETINFO foo bar
		(error) ERR Unrecognized option 'foo'
		> CLIENT SETINFO LIB-NAME "a b"
		(error) ERR lib-name cannot contain spaces, newlines or special characters.
		> CLIENT
		(error) ERR wrong number of arguments for 'client' command
		> CLIENT SETNAME
		(error) ERR wrong number of arguments for 'client|setname' command
		> CLIENT FOO
		(error) ERR unknown subcommand 'FOO'. Try CLIENT HELP.
		> client foo bar
		(error) ERR unknown subcommand 'foo'. Try CLIENT HELP.
		> CLIENT KILL 1.2.3.4:5
		(error) ERR No such client
		> CLIENT KILL ID 0
		(error) ERR client-id should be greater than 0
		> CLIENT KILL ID 99
		(integer) 0
		> CLIENT KILL ID 7
		(integer) 0
		> CLIENT KILL USER bob
		(error) ERR No such user 'bob'
		> CLIENT KILL TYPE foo
		(error) ERR Unknown client type 'foo'
		> CLIENT KILL FOO bar
		(error) ERR syntax error
		> CLIENT LIST FOO
		(error) ERR syntax error
	`)
	if f.s.Close {
		t.Fatal("CLIENT KILL with SKIPME yes closed the caller")
	}
	info := f.do("CLIENT", "INFO").Text()
	for _, want := range []string{"id=7 ", "addr=127.0.0.1:5000 ", "laddr=127.0.0.1:6379 ", "name=conn1 ",
		"cmd=client|info ", "resp=2 ", "lib-name=go-redis(,go1.22) ", "lib-ver=9.5.1\n"} {
		if !strings.Contains(info, want) {
			t.Errorf("CLIENT INFO %q lacks %q", info, want)
		}
	}
	if list := f.do("CLIENT", "LIST").Text(); list != strings.Replace(info, "cmd=client|info", "cmd=client|list", 1) {
		t.Errorf("CLIENT LIST = %q, want %q", list, info)
	}
	if r := f.do("CLIENT", "KILL", "ID", "7", "SKIPME", "no"); r.String() != "(integer) 1" || !f.s.Close {
		t.Errorf("CLIENT KILL ID self SKIPME no: %s close %v", r, f.s.Close)
	}
	f.s.Close = false
	if r := f.do("CLIENT", "KILL", "127.0.0.1:5000"); r.String() != "OK" || !f.s.Close {
		t.Errorf("CLIENT KILL own addr: %s close %v", r, f.s.Close)
	}
	if r := f.do("CLIENT", "HELP"); len(r.Elems) < 5 || r.Elems[0].Kind != resp.KindSimple {
		t.Errorf("CLIENT HELP: %s", r)
	}
}

// fakeClients records CLIENT KILL filters.
type fakeClients struct {
	list   []ClientInfo
	killed []KillFilter
}

func (c *fakeClients) List() []ClientInfo                { return c.list }
func (c *fakeClients) Inboxes(func(uint64, Inbox, bool)) {}
func (c *fakeClients) Kill(f KillFilter) int {
	c.killed = append(c.killed, f)
	return 2
}

func TestClientKillFilters(t *testing.T) {
	f := newFixture(t)
	fc := &fakeClients{list: []ClientInfo{{ID: 7, Addr: "127.0.0.1:5000"}, {ID: 9, Addr: "10.0.0.1:1"}}}
	f.env.Clients = fc
	if r := f.do("CLIENT", "KILL", "ADDR", "10.0.0.1:1", "LADDR", "x:1"); r.String() != "(integer) 2" {
		t.Fatalf("CLIENT KILL ADDR: %s", r)
	}
	want := KillFilter{Addr: "10.0.0.1:1", LocalAddr: "x:1", Skip: 7}
	if len(fc.killed) != 1 || fc.killed[0] != want {
		t.Errorf("Kill got %+v, want %+v", fc.killed, want)
	}
	if r := f.do("CLIENT", "KILL", "10.0.0.1:1"); r.String() != "OK" {
		t.Errorf("old-form CLIENT KILL: %s", r)
	}
	if n := strings.Count(f.do("CLIENT", "LIST").Text(), "\n"); n != 2 {
		t.Errorf("CLIENT LIST has %d lines, want 2", n)
	}
	if r := f.do("CLIENT", "LIST", "ID", "9"); strings.Count(r.Text(), "\n") != 1 {
		t.Errorf("CLIENT LIST ID 9: %s", r)
	}
}
