package command

import (
	"slices"
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
		keyless("getkeysandflags", -4, f, "", d.commandGetKeysAndFlags),
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
	c, cargs, rej := d.keysCommand(args)
	if rej.IsError() {
		return rej
	}
	keys := c.KeysOf(cargs)
	if len(keys) == 0 {
		return c.noKeys()
	}
	out := make([]resp.Reply, len(keys))
	for i, k := range keys {
		out[i] = resp.Bulk(k)
	}
	return resp.Array(out...)
}

// COMMAND GETKEYSANDFLAGS command [arg ...]: each key with its key flags,
// from Redis's key specifications of the command (ringkv's own commands:
// RO/RW and access/update from the table's flags).
func (d *Dispatcher) commandGetKeysAndFlags(_ *Session, args [][]byte) resp.Reply {
	c, cargs, rej := d.keysCommand(args)
	if rej.IsError() {
		return rej
	}
	refs := c.keyRefs(cargs)
	if len(refs) == 0 {
		return c.noKeys()
	}
	out := make([]resp.Reply, len(refs))
	for i, k := range refs {
		var flags []resp.Reply
		for _, f := range k.flags {
			flags = append(flags, resp.Simple(f))
		}
		out[i] = resp.Array(resp.Bulk(cargs[k.pos]), resp.Set(flags...))
	}
	return resp.Array(out...)
}

// keysCommand finds the command of COMMAND GETKEYS's arguments, with
// Redis's checks in Redis's order.
func (d *Dispatcher) keysCommand(args [][]byte) (*Command, [][]byte, resp.Reply) {
	cargs := args[2:]
	c := lookup(d.cmds, cargs[0])
	if c != nil && c.subs != nil && len(cargs) >= 2 {
		c = lookup(c.subs, cargs[1])
	}
	switch {
	case c == nil:
		return nil, nil, resp.Err("ERR Invalid command specified")
	case c.FirstKey == 0 && c.Keys == nil:
		return nil, nil, resp.Err("ERR The command has no key arguments")
	case (c.Arity > 0 && c.Arity != len(cargs)) || len(cargs) < -c.Arity:
		return nil, nil, resp.Err("ERR Invalid number of arguments specified for command")
	}
	return c, cargs, resp.Reply{}
}

// noKeys is the reply when a call of c names no key: an empty array if
// keys are optional for c (EVAL with 0 keys), else Redis's error.
func (c *Command) noKeys() resp.Reply {
	if c.hasFlag("no_mandatory_keys") {
		return resp.Array()
	}
	return resp.Err("ERR Invalid arguments specified for command")
}

// keyRefs are the keys of a call of c with their flags: the table's key
// positions, each with the flags of Redis's key specification that names
// it (or flags derived from c's table flags).
func (c *Command) keyRefs(args [][]byte) []keyRef {
	var specs []keyRef
	if rc := redisMeta()[c.Name]; rc != nil {
		specs = specKeys(rc.specs, args)
	}
	derived := []string{"RW", "access", "update"}
	if c.Flags&ReadOnly != 0 {
		derived = []string{"RO", "access"}
	}
	var out []keyRef
	for _, k := range c.KeysOf(args) {
		ref := keyRef{pos: argPos(args, k), flags: derived}
		for _, sp := range specs {
			if sp.pos == ref.pos {
				ref.flags = sp.flags
				break
			}
		}
		if vf, ok := variableKeyFlags[c.Name]; ok {
			ref.flags = vf(args)
		}
		if c.Name == "sort" && ref.pos > 1 {
			// SORT's STORE destination, which its key specs leave
			// unknown: Redis's sortGetKeys flags it OW update.
			ref.flags = []string{"OW", "update"}
		}
		ref.flags = slices.DeleteFunc(slices.Clone(ref.flags), func(f string) bool { return f == "variable_flags" })
		out = append(out, ref)
	}
	return out
}

// argPos is the position of k, one of args, in args.
func argPos(args [][]byte, k []byte) int {
	for i, a := range args {
		if len(a) > 0 && len(k) > 0 && &a[0] == &k[0] && len(a) == len(k) {
			return i
		}
	}
	for i, a := range args {
		if string(a) == string(k) {
			return i
		}
	}
	return 0
}

// variableKeyFlags are the key flags of commands whose key specification
// has variable_flags: they depend on the arguments (Redis's getkeys
// procedures).
var variableKeyFlags = map[string]func(args [][]byte) []string{
	"set": func(args [][]byte) []string {
		for _, a := range args[3:] {
			if strings.EqualFold(string(a), "get") {
				return []string{"RW", "access", "update"}
			}
		}
		return []string{"OW", "update"}
	},
	"bitfield": func(args [][]byte) []string {
		for _, a := range args[2:] {
			switch strings.ToLower(string(a)) {
			case "set", "incrby":
				return []string{"RW", "access", "update"}
			}
		}
		return []string{"RO", "access"}
	},
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
		"GETKEYSANDFLAGS <full-command>",
		"    Return the keys and the access flags from a full Redis command.",
	)
}

// info is c's COMMAND reply: Redis 7's ten fields. Name, arity, key
// positions, subcommands and the flags ringkv has bits for come from the
// table; the rest from Redis's metadata for the command (redismeta.go),
// or, for ringkv's own commands, from the table's flags and group.
func (c *Command) info() resp.Reply {
	var flags []resp.Reply
	for _, f := range c.flagList() {
		flags = append(flags, resp.Simple(f))
	}
	var cats []resp.Reply
	for _, cat := range c.categories() {
		cats = append(cats, resp.Simple(cat))
	}
	tips, specs := resp.Set(), resp.Set(c.keySpecs()...)
	if rc := redisMeta()[c.Name]; rc != nil {
		tips = rc.tips
		if rc.sameKeys(c) {
			specs = rc.specs
		}
	}
	subs := resp.Set() // Redis: an empty set, or an array of the subcommands
	if len(c.Subs) > 0 {
		subs = resp.Array(make([]resp.Reply, len(c.Subs))...)
		for i, sc := range c.Subs {
			subs.Elems[i] = sc.info()
		}
	}
	return resp.Array(resp.BulkString(c.Name), resp.Int(int64(c.Arity)), resp.Set(flags...),
		resp.Int(int64(c.FirstKey)), resp.Int(int64(c.LastKey)), resp.Int(int64(c.Step)),
		resp.Set(cats...), tips, specs, subs)
}

// categories are c's ACL categories: Redis's for its commands, else
// derived from the table's flags and group.
func (c *Command) categories() []string {
	if rc := redisMeta()[c.Name]; rc != nil {
		out := make([]string, len(rc.cats.Elems))
		for i, e := range rc.cats.Elems {
			out[i] = e.Str
		}
		return out
	}
	var out []string
	add := func(ok bool, cat string) {
		if ok {
			out = append(out, cat)
		}
	}
	add(c.Group == "generic" || c.Group == "ringkv", "@keyspace")
	add(c.Flags&ReadOnly != 0, "@read")
	add(c.Flags&Write != 0, "@write")
	add(c.Group == "string" || c.Group == "ringkv", "@string")
	add(c.Flags&Admin != 0, "@admin")
	add(c.Flags&Fast != 0, "@fast")
	add(c.Flags&Fast == 0, "@slow")
	add(c.Flags&Admin != 0, "@dangerous")
	add(c.Group == "connection", "@connection")
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
	flag := []resp.Reply{resp.Simple("RW"), resp.Simple("access"), resp.Simple("update")}
	if c.Flags&ReadOnly != 0 {
		flag = []resp.Reply{resp.Simple("RO"), resp.Simple("access")}
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
