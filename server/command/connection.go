package command

import (
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// RedisVersion is the Redis version ringkv reports (HELLO, INFO
// redis_version): the one whose commands, replies and error texts it
// implements, and whose command metadata COMMAND reports (redismeta.go).
const RedisVersion = "7.0.15"

// Version is ringkv's own version (INFO ringkv_version).
const Version = "0.1.0"

// PING [message]
func (d *Dispatcher) ping(_ *Session, args [][]byte) resp.Reply {
	switch len(args) {
	case 1:
		return resp.Simple("PONG")
	case 2:
		return resp.Bulk(args[1])
	}
	return errWrongArgs("ping")
}

// ECHO message
func (d *Dispatcher) echo(_ *Session, args [][]byte) resp.Reply { return resp.Bulk(args[1]) }

// QUIT: OK, then the server closes the connection.
func (d *Dispatcher) quit(s *Session, _ [][]byte) resp.Reply {
	s.Close = true
	return resp.OK()
}

// RESET: back to a new connection's state.
func (d *Dispatcher) reset(s *Session, _ [][]byte) resp.Reply {
	authed := d.newAuthed() // aclcheck.go
	s.set(func() { s.Proto, s.Name, s.DB, s.Authed, s.acl.user = 2, "", 0, authed, "" })
	s.resetTx()
	return resp.Simple("RESET")
}

// AUTH [username] password
func (d *Dispatcher) auth(s *Session, args [][]byte) resp.Reply {
	if len(args) > 3 {
		return errSyntax
	}
	user, pass := []byte("default"), args[len(args)-1]
	if len(args) == 2 {
		if d.defaultNoPass() { // aclcheck.go
			return resp.ErrAuthNotConfigured()
		}
	} else {
		user = args[1]
	}
	if !d.login(s, args[0], user, pass) { // aclcheck.go
		return errWrongPass
	}
	return resp.OK()
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
func (d *Dispatcher) hello(s *Session, args [][]byte) resp.Reply {
	proto := int64(0)
	if len(args) >= 2 {
		var ok bool
		if proto, ok = resp.ParseInt(args[1]); !ok {
			return resp.Err("ERR Protocol version is not an integer or out of range")
		}
		if proto < 2 || proto > 3 {
			return resp.Err("NOPROTO unsupported protocol version")
		}
	}
	var user, pass, name []byte
	for j := 2; j < len(args); j++ {
		more := len(args) - 1 - j
		switch opt := strings.ToLower(string(args[j])); {
		case opt == "auth" && more >= 2:
			user, pass = args[j+1], args[j+2]
			j += 2
		case opt == "setname" && more >= 1:
			name = args[j+1]
			j++
		default:
			return resp.Err("ERR Syntax error in HELLO option '" + string(args[j]) + "'")
		}
	}
	if user != nil {
		if !d.login(s, args[0], user, pass) { // aclcheck.go
			return errWrongPass
		}
	}
	if !s.Authed {
		return resp.Err("NOAUTH HELLO must be called with the client already authenticated, " +
			"otherwise the HELLO AUTH <user> <pass> option can be used to authenticate " +
			"the client and select the RESP protocol version at the same time")
	}
	if name != nil {
		if r := setName(s, name); r.IsError() {
			return r
		}
	}
	if proto != 0 {
		s.set(func() { s.Proto = int(proto) })
	}
	return resp.Map(
		resp.BulkString("server"), resp.BulkString("redis"),
		resp.BulkString("version"), resp.BulkString(RedisVersion),
		resp.BulkString("proto"), resp.Int(int64(s.Proto)),
		resp.BulkString("id"), resp.Int(int64(s.ID)),
		resp.BulkString("mode"), resp.BulkString("standalone"),
		resp.BulkString("role"), resp.BulkString("master"),
		resp.BulkString("modules"), resp.Array(),
	)
}

// SELECT index: only database 0 exists.
func (d *Dispatcher) selectDB(_ *Session, args [][]byte) resp.Reply {
	n, ok := resp.ParseInt(args[1])
	switch {
	case !ok:
		return errNotInteger
	case n != int64(int32(n)):
		return errIntRange
	case n != 0:
		return errDBIndex
	}
	return resp.OK()
}
