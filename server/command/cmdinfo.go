package command

import (
	"strings"

	"github.com/ringkv/ringkv/resp"
)

func (d *Dispatcher) commandCommand() *Command {
	const f = Loading | Stale
	return container("command", -1, f, "server", d.commandAll,
		keyless("count", 2, f, "", d.commandCount),
		keyless("list", -2, f, "", d.commandList),
		keyless("info", -2, f, "", d.commandInfo),
		keyless("docs", -2, f, "", d.commandDocs),
		keyless("getkeys", -4, f, "", d.commandGetKeys),
		keyless("help", 2, f, "", d.commandHelp),
	)
}

// find looks a command up by its full name ("get", "client|list").
func (d *Dispatcher) find(name string) *Command {
	base, sub, hasSub := strings.Cut(strings.ToLower(name), "|")
	c := d.cmds[base]
	if c == nil || !hasSub {
		return c
	}
	return c.subs[sub]
}

// all returns every command, subcommands after their container.
func (d *Dispatcher) all() []*Command {
	var out []*Command
	for _, c := range d.sorted {
		out = append(out, c)
		out = append(out, c.Subs...)
	}
	return out
}

// COMMAND: every command's info.
func (d *Dispatcher) commandAll(_ *Session, _ [][]byte) resp.Reply {
	out := make([]resp.Reply, len(d.sorted))
	for i, c := range d.sorted {
		out[i] = c.info()
	}
	return resp.Array(out...)
}

// COMMAND COUNT
func (d *Dispatcher) commandCount(_ *Session, _ [][]byte) resp.Reply {
	return resp.Int(int64(len(d.sorted)))
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
func (d *Dispatcher) commandList(_ *Session, args [][]byte) resp.Reply {
	keep := func(*Command) bool { return true }
	if len(args) > 2 {
		if len(args) != 5 || !strings.EqualFold(string(args[2]), "filterby") {
			return errSyntax
		}
		v := string(args[4])
		switch strings.ToLower(string(args[3])) {
		case "module":
			keep = func(*Command) bool { return false }
		case "aclcat":
			keep = func(c *Command) bool {
				for _, cat := range c.categories() {
					if strings.EqualFold(cat[1:], v) {
						return true
					}
				}
				return false
			}
		case "pattern":
			keep = func(c *Command) bool { return globMatch([]byte(v), []byte(c.Name), true) }
		default:
			return errSyntax
		}
	}
	out := []resp.Reply{}
	for _, c := range d.all() {
		if keep(c) {
			out = append(out, resp.BulkString(c.Name))
		}
	}
	return resp.Array(out...)
}

// COMMAND INFO [command-name ...]: nil for unknown names; all without names.
func (d *Dispatcher) commandInfo(s *Session, args [][]byte) resp.Reply {
	if len(args) == 2 {
		return d.commandAll(s, args)
	}
	out := make([]resp.Reply, len(args)-2)
	for i, a := range args[2:] {
		if c := d.find(string(a)); c != nil {
			out[i] = c.info()
		}
	}
	return resp.Array(out...)
}

// COMMAND GETKEYS command [arg ...]
func (d *Dispatcher) commandGetKeys(_ *Session, args [][]byte) resp.Reply {
	c := d.find(string(args[2]))
	if c != nil && c.subs != nil && len(args) > 3 {
		c = c.subs[strings.ToLower(string(args[3]))]
	}
	cargs := args[2:]
	switch {
	case c == nil:
		return resp.Err("ERR Invalid command specified")
	case (c.Arity > 0 && c.Arity != len(cargs)) || len(cargs) < -c.Arity:
		return resp.Err("ERR Invalid number of arguments specified for command")
	}
	keys := c.KeysOf(cargs)
	if len(keys) == 0 {
		return resp.Err("ERR The command has no key arguments")
	}
	out := make([]resp.Reply, len(keys))
	for i, k := range keys {
		out[i] = resp.Bulk(k)
	}
	return resp.Array(out...)
}

// COMMAND HELP
func (d *Dispatcher) commandHelp(_ *Session, _ [][]byte) resp.Reply {
	return help("COMMAND",
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
	)
}

// info is c's COMMAND reply: Redis 7's ten fields.
func (c *Command) info() resp.Reply {
	var flags []resp.Reply
	for i, n := range flagNames {
		if c.Flags&(1<<i) != 0 && n != "" {
			flags = append(flags, resp.Simple(n))
		}
	}
	var cats []resp.Reply
	for _, cat := range c.categories() {
		cats = append(cats, resp.Simple(cat))
	}
	subs := make([]resp.Reply, len(c.Subs))
	for i, sc := range c.Subs {
		subs[i] = sc.info()
	}
	return resp.Array(resp.BulkString(c.Name), resp.Int(int64(c.Arity)), resp.Set(flags...),
		resp.Int(int64(c.FirstKey)), resp.Int(int64(c.LastKey)), resp.Int(int64(c.Step)),
		resp.Set(cats...), resp.Set(), resp.Array(c.keySpecs()...), resp.Array(subs...))
}

// categories are c's ACL categories, derived from its flags and group.
func (c *Command) categories() []string {
	var out []string
	add := func(ok bool, cat string) {
		if ok {
			out = append(out, cat)
		}
	}
	add(c.Flags&Write != 0, "@write")
	add(c.Flags&ReadOnly != 0, "@read")
	add(c.Group == "generic" || c.Group == "ringkv", "@keyspace")
	add(c.Group == "string" || c.Group == "ringkv", "@string")
	add(c.Group == "connection", "@connection")
	add(c.Flags&Admin != 0, "@admin")
	add(c.Flags&Admin != 0, "@dangerous")
	add(c.Flags&Fast != 0, "@fast")
	add(c.Flags&Fast == 0, "@slow")
	return out
}

// keySpecs renders c's key positions as one Redis 7 key specification.
func (c *Command) keySpecs() []resp.Reply {
	if c.FirstKey == 0 {
		return nil
	}
	last := c.LastKey
	if last >= 0 {
		last -= c.FirstKey
	}
	flag := []resp.Reply{resp.Simple("RW"), resp.Simple("UPDATE")}
	if c.Flags&ReadOnly != 0 {
		flag = []resp.Reply{resp.Simple("RO"), resp.Simple("ACCESS")}
	}
	str := resp.BulkString
	return []resp.Reply{resp.Map(
		str("flags"), resp.Set(flag...),
		str("begin_search"), resp.Map(str("type"), str("index"),
			str("spec"), resp.Map(str("index"), resp.Int(int64(c.FirstKey)))),
		str("find_keys"), resp.Map(str("type"), str("range"),
			str("spec"), resp.Map(str("lastkey"), resp.Int(int64(last)),
				str("keystep"), resp.Int(int64(c.Step)), str("limit"), resp.Int(0))),
	)}
}
