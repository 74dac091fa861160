package command

import (
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// COMMAND DOCS answers Redis's own documentation for every command Redis
// has (redismeta.go), so a Redis command added to the table is documented
// without an entry here. docs documents the commands Redis does not have
// (ringkv's own, and later additions such as CLIENT SETINFO); an entry
// for a Redis command is used only if Redis's metadata lacks it.
//
// doc is one such entry. args is a compact syntax: space-separated
// arguments, each alternatives joined by '|' and an optional suffix ('?'
// optional, '*' optional and repeated, '+' repeated). An alternative is
// "name:type", "TOKEN=name:type" or a pure "TOKEN".
type doc struct{ since, summary, args string }

var docs = map[string]doc{
	"vget":             {"0.1.0", "Returns a key's causal context and all its concurrent values (ringkv).", "key:key R=r:integer?"},
	"vset":             {"0.1.0", "Writes a value under the causal context from VGET; without one, adds a sibling (ringkv).", "key:key value:string CONTEXT=context:string? W=w:integer?"},
	"vdel":             {"0.1.0", "Deletes the versions a causal context from VGET covers (ringkv).", "key:key CONTEXT=context:string W=w:integer?"},
	"client|setinfo":   {"7.2.0", "Sets information specific to the client or connection.", "LIB-NAME=libname:string|LIB-VER=libver:string"},
	"ringkv":           {"ringkv", "A container for ringkv's ring commands.", ""},
	"ringkv|locate":    {"ringkv", "Returns a key's partition, preference list and fallback nodes.", "key:key"},
	"ringkv|members":   {"ringkv", "Returns every ring member with its state.", ""},
	"ringkv|help":      {"ringkv", "Returns helpful text about the different subcommands.", ""},
	"ringkv|status":    {"ringkv", "Returns every known node: state, ring state, partitions held, keys, data size, hints and transfers pending, ring version.", ""},
	"ringkv|transfers": {"ringkv", "Returns every node's partition transfers: queued, active, syncing and recently done.", ""},
	"ringkv|leave":     {"ringkv", "Hands this node's partitions off to their new holders, then leaves the cluster and stops.", ""},
	"ringkv|remove":    {"ringkv", "Removes a failed node from the ring (FORCE: makes a live node leave, or accepts losing data when n=1).", "node:string FORCE=force:pure-token?"},
}

// COMMAND DOCS [command-name ...]: a map of name to documentation; unknown
// names are left out, no names means every command.
func (d *Dispatcher) commandDocs(_ *Session, args [][]byte) resp.Reply {
	var cmds []*Command
	if len(args) == 2 {
		cmds = d.sorted
	}
	for _, a := range args[2:] {
		if c := d.find(string(a)); c != nil {
			cmds = append(cmds, c)
		}
	}
	out := make([]resp.Reply, 0, 2*len(cmds))
	for _, c := range cmds {
		out = append(out, resp.BulkString(c.Name), c.docs())
	}
	return resp.Map(out...)
}

// documented reports whether COMMAND DOCS has an entry for c.
func (c *Command) documented() bool {
	_, own := docs[c.Name]
	rc := redisMeta()[c.Name]
	return own || (rc != nil && rc.docs != nil)
}

// docs is c's COMMAND DOCS map: Redis's for a Redis command, else from
// the docs table; the subcommands listed are those ringkv has.
func (c *Command) docs() resp.Reply {
	str := resp.BulkString
	var m []resp.Reply
	if rc := redisMeta()[c.Name]; rc != nil && rc.docs != nil {
		m = append(m, rc.docs...)
	} else {
		dc := docs[c.Name]
		group := c.Group
		if group == "ringkv" {
			group = "generic"
		}
		m = []resp.Reply{str("summary"), str(dc.summary), str("since"), str(dc.since),
			str("group"), str(group)}
		if dc.args != "" {
			m = append(m, str("arguments"), resp.Array(parseDocArgs(dc.args)...))
		}
	}
	if len(c.Subs) > 0 {
		var subs []resp.Reply
		for _, sc := range c.Subs {
			subs = append(subs, str(sc.Name), sc.docs())
		}
		m = append(m, str("subcommands"), resp.Map(subs...))
	}
	return resp.Map(m...)
}

// parseDocArgs turns doc's argument syntax into COMMAND DOCS argument maps.
func parseDocArgs(spec string) []resp.Reply {
	var out []resp.Reply
	for _, f := range strings.Fields(spec) {
		var flags []resp.Reply
		switch f[len(f)-1] {
		case '?':
			flags = []resp.Reply{resp.Simple("optional")}
		case '*':
			flags = []resp.Reply{resp.Simple("optional"), resp.Simple("multiple")}
		case '+':
			flags = []resp.Reply{resp.Simple("multiple")}
		}
		if flags != nil {
			f = f[:len(f)-1]
		}
		alts := strings.Split(f, "|")
		var arg []resp.Reply
		if len(alts) == 1 {
			arg = docArg(alts[0])
		} else {
			var sub []resp.Reply
			for _, a := range alts {
				sub = append(sub, resp.Map(docArg(a)...))
			}
			arg = []resp.Reply{resp.BulkString("name"), resp.BulkString("option"),
				resp.BulkString("type"), resp.BulkString("oneof"),
				resp.BulkString("arguments"), resp.Array(sub...)}
		}
		if flags != nil {
			arg = append(arg, resp.BulkString("flags"), resp.Set(flags...))
		}
		out = append(out, resp.Map(arg...))
	}
	return out
}

// docArg is one "TOKEN=name:type", "name:type" or "TOKEN" alternative.
func docArg(a string) []resp.Reply {
	str := resp.BulkString
	token, rest, hasToken := strings.Cut(a, "=")
	if !hasToken {
		rest = token
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return []resp.Reply{str("name"), str(strings.ToLower(a)), str("type"), str("pure-token"),
			str("token"), str(a)}
	}
	out := []resp.Reply{str("name"), str(rest[:i]), str("type"), str(rest[i+1:])}
	if hasToken {
		out = append(out, str("token"), str(token))
	}
	return out
}
