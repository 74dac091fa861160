package command

import (
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/resp"
)

func (d *Dispatcher) clientCommand() *Command {
	const f = NoScript | Loading | Stale
	subs := []*Command{
		keyless("id", 2, f, "", d.clientID),
		keyless("setname", 3, f, "", d.clientSetName),
		keyless("getname", 2, f, "", d.clientGetName),
		keyless("setinfo", 4, f, "", d.clientSetInfo),
		keyless("info", 2, f, "", d.clientInfo),
		keyless("list", -2, Admin|f, "", d.clientList),
		keyless("kill", -3, Admin|f, "", d.clientKill),
		keyless("reply", 3, f, "", d.clientReply),
		keyless("pause", -3, Admin|f, "", d.clientPause),
		keyless("unpause", 2, Admin|f, "", d.clientUnpause),
		keyless("no-evict", 3, Admin|f, "", d.clientNoEvict),
		keyless("unblock", -3, Admin|f, "", d.clientUnblock),
		keyless("help", 2, Loading|Stale, "", d.clientHelp),
	}
	subs = append(subs, d.trackingCommands()...) // tracking_cmd.go
	return container("client", -2, 0, "connection", nil, subs...)
}

// CLIENT ID
func (d *Dispatcher) clientID(s *Session, _ [][]byte) resp.Reply { return resp.Int(int64(s.ID)) }

// validName reports whether v may be a client name or library attribute:
// printable ASCII without spaces.
func validName(v []byte) bool {
	for _, c := range v {
		if c < '!' || c > '~' {
			return false
		}
	}
	return true
}

func setName(s *Session, name []byte) resp.Reply {
	if !validName(name) {
		return resp.Err("ERR Client names cannot contain spaces, newlines or special characters.")
	}
	s.set(func() { s.Name = string(name) })
	return resp.OK()
}

// CLIENT SETNAME name
func (d *Dispatcher) clientSetName(s *Session, args [][]byte) resp.Reply { return setName(s, args[2]) }

// CLIENT GETNAME
func (d *Dispatcher) clientGetName(s *Session, _ [][]byte) resp.Reply {
	if s.Name == "" {
		return resp.Null()
	}
	return resp.BulkString(s.Name)
}

// CLIENT SETINFO LIB-NAME name | LIB-VER version
func (d *Dispatcher) clientSetInfo(s *Session, args [][]byte) resp.Reply {
	attr := strings.ToLower(string(args[2]))
	if attr != "lib-name" && attr != "lib-ver" {
		return resp.Err("ERR Unrecognized option '" + string(args[2]) + "'")
	}
	if !validName(args[3]) {
		return resp.Err("ERR " + attr + " cannot contain spaces, newlines or special characters.")
	}
	v := string(args[3])
	s.set(func() {
		if attr == "lib-name" {
			s.LibName = v
		} else {
			s.LibVer = v
		}
	})
	return resp.OK()
}

// CLIENT INFO
func (d *Dispatcher) clientInfo(s *Session, _ [][]byte) resp.Reply {
	return resp.Verbatim("txt", d.trackingLine(s.ID, s.Info().Line(d.env.Clock()))+"\n")
}

// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]]
func (d *Dispatcher) clientList(s *Session, args [][]byte) resp.Reply {
	var ids map[uint64]bool
	typ := "" // TYPE normal or pubsub
	if len(args) > 2 {
		opt := strings.ToLower(string(args[2]))
		switch {
		case opt == "type" && len(args) == 4:
			switch t := strings.ToLower(string(args[3])); t {
			case "normal", "pubsub":
				typ = t
			case "master", "replica", "slave":
				return resp.Verbatim("txt", "")
			default:
				return resp.Err("ERR Unknown client type '" + string(args[3]) + "'")
			}
		case opt == "id" && len(args) >= 4:
			ids = map[uint64]bool{}
			for _, a := range args[3:] {
				id, err := strconv.ParseUint(string(a), 10, 64)
				if err != nil || id == 0 {
					return resp.Err("ERR Invalid client ID")
				}
				ids[id] = true
			}
		default:
			return errSyntax
		}
	}
	var b strings.Builder
	now := d.env.Clock()
	for _, c := range d.clientsWithSelf(s) {
		if (ids == nil || ids[c.ID]) && (typ == "" || (typ == "pubsub") == c.pubsub()) {
			line := c.Line(now)
			if d.isBlocked(c.ID) {
				line = withBlockedFlag(line)
			}
			line = d.trackingLine(c.ID, line) // tracking_cmd.go
			b.WriteString(line + "\n")
		}
	}
	return resp.Verbatim("txt", b.String())
}

// clientsWithSelf is Clients.List, with s added if the server's list lacks it.
func (d *Dispatcher) clientsWithSelf(s *Session) []ClientInfo {
	list := d.env.Clients.List()
	for _, c := range list {
		if c.ID == s.ID {
			return list
		}
	}
	return append([]ClientInfo{s.Info()}, list...)
}

// CLIENT KILL ip:port | CLIENT KILL <filter value> ...
func (d *Dispatcher) clientKill(s *Session, args [][]byte) resp.Reply {
	if len(args) == 3 { // the old form, which may kill the caller itself
		return d.killMatching(s, KillFilter{Addr: string(args[2])}, false, true)
	}
	f, skipme := KillFilter{}, true
	for i := 2; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return errSyntax
		}
		v := string(args[i+1])
		switch strings.ToLower(string(args[i])) {
		case "id":
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id < 1 {
				return resp.Err("ERR client-id should be greater than 0")
			}
			f.ID = uint64(id)
		case "addr":
			f.Addr = v
		case "laddr":
			f.LocalAddr = v
		case "type":
			switch t := strings.ToLower(v); t {
			case "normal", "pubsub":
				f.Type = t
			case "master", "replica", "slave":
				return resp.Int(0)
			default:
				return resp.Err("ERR Unknown client type '" + v + "'")
			}
		case "user":
			if d.acl.user(v) == nil {
				return resp.Err("ERR No such user '" + v + "'")
			}
			f.User = v // aclcheck.go
		case "skipme":
			switch strings.ToLower(v) {
			case "yes":
				skipme = true
			case "no":
				skipme = false
			default:
				return errSyntax
			}
		default:
			return errSyntax
		}
	}
	return d.killMatching(s, f, skipme, false)
}

// killMatching has the server kill the other clients matching f, and
// closes s itself after the reply if it matches and !skipme. The old form
// answers OK or "No such client"; the new one the number killed.
func (d *Dispatcher) killMatching(s *Session, f KillFilter, skipme, old bool) resp.Reply {
	f.Skip = s.ID
	n := d.env.Clients.Kill(f)
	if !skipme && f.Match(s.Info(), d.env.Clock()) {
		s.Close = true
		n++
	}
	switch {
	case !old:
		return resp.Int(int64(n))
	case n == 0:
		return resp.Err("ERR No such client")
	}
	return resp.OK()
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if client id was blocked in a
// blocking command (blocking.go) and now answers, as at its timeout or
// with -UNBLOCKED; else 0.
func (d *Dispatcher) clientUnblock(_ *Session, args [][]byte) resp.Reply {
	if len(args) > 4 {
		return resp.Err("ERR unknown subcommand or wrong number of arguments for '" + string(args[1]) + "'. Try CLIENT HELP.")
	}
	withErr := false
	if len(args) == 4 {
		switch strings.ToLower(string(args[3])) {
		case "timeout":
		case "error":
			withErr = true
		default:
			return resp.Err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
		}
	}
	id, ok := resp.ParseInt(args[2])
	if !ok {
		return resp.Err("ERR value is not an integer or out of range")
	}
	if id > 0 && d.unblockClient(uint64(id), withErr) {
		return resp.Int(1)
	}
	return resp.Int(0)
}

// withBlockedFlag adds Redis's b (blocked) to a CLIENT LIST line's flags,
// after O, S, M, P and x, as Redis writes them.
func withBlockedFlag(line string) string { return insertFlags(line, "OSMPx", "b") }

// insertFlags inserts add into a CLIENT LIST line's flags after the
// leading ones listed in after (Redis's order), replacing N (no flags).
func insertFlags(line, after, add string) string {
	i := strings.Index(line, " flags=")
	if i < 0 {
		return line
	}
	i += len(" flags=")
	j := strings.IndexByte(line[i:], ' ')
	if j < 0 {
		j = len(line) - i
	}
	f := line[i : i+j]
	if f == "N" {
		f = ""
	}
	k := 0
	for k < len(f) && strings.IndexByte(after, f[k]) >= 0 {
		k++
	}
	return line[:i] + f[:k] + add + f[k:] + line[i+j:]
}

// CLIENT NO-EVICT ON|OFF: recorded (and shown by CLIENT LIST); ringkv
// evicts no clients.
func (d *Dispatcher) clientNoEvict(s *Session, args [][]byte) resp.Reply {
	switch strings.ToLower(string(args[2])) {
	case "on":
		s.intro.noEvict.Store(true)
	case "off":
		s.intro.noEvict.Store(false)
	default:
		return errSyntax
	}
	return resp.OK()
}

// CLIENT HELP: Redis 7.0's text for the subcommands ringkv has.
func (d *Dispatcher) clientHelp(_ *Session, _ [][]byte) resp.Reply {
	return help("CLIENT",
		"CACHING (YES|NO)",
		"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
		"GETREDIR",
		"    Return the client ID we are redirecting to when tracking is enabled.",
		"GETNAME",
		"    Return the name of the current connection.",
		"ID",
		"    Return the ID of the current connection.",
		"INFO",
		"    Return information about the current client connection.",
		"KILL <ip:port>",
		"    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Kill connections by type.",
		"    * USER <username>",
		"      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)",
		"      Skip killing current connection (default: yes).",
		"LIST [options ...]",
		"    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Return clients of specified type.",
		"UNPAUSE",
		"    Stop the current client pause, resuming traffic.",
		"PAUSE <timeout> [WRITE|ALL]",
		"    Suspend all, or just write, clients for <timeout> milliseconds.",
		"REPLY (ON|OFF|SKIP)",
		"    Control the replies sent to the current connection.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
		"UNBLOCK <clientid> [TIMEOUT|ERROR]",
		"    Unblock the specified blocked client.",
		"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
		"         [OPTIN] [OPTOUT] [NOLOOP]",
		"    Control server assisted client side caching.",
		"TRACKINGINFO",
		"    Report tracking status for the current connection.",
		"NO-EVICT (ON|OFF)",
		"    Protect current client connection from eviction.",
		"SETINFO <option> <value>",
		"    Set client meta attr. Options are:",
		"    * LIB-NAME: the client lib name.",
		"    * LIB-VER: the client lib version.",
	)
}

// help is a container's HELP reply, framed as Redis's addReplyHelp.
func help(cmd string, lines ...string) resp.Reply {
	out := []resp.Reply{resp.Simple(cmd + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")}
	for _, l := range lines {
		out = append(out, resp.Simple(l))
	}
	out = append(out, resp.Simple("HELP"), resp.Simple("    Prints this help."))
	return resp.Array(out...)
}
