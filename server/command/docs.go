package command

import (
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// doc is one command's COMMAND DOCS entry. args is a compact syntax:
// space-separated arguments, each alternatives joined by '|' and an
// optional suffix ('?' optional, '*' optional and repeated, '+' repeated).
// An alternative is "name:type", "TOKEN=name:type" or a pure "TOKEN".
type doc struct{ since, summary, args string }

var docs = map[string]doc{
	"get":              {"1.0.0", "Returns the string value of a key.", "key:key"},
	"set":              {"1.0.0", "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", "key:key value:string NX|XX? GET? EX=seconds:integer|PX=milliseconds:integer|EXAT=unix-time-seconds:unix-time|PXAT=unix-time-milliseconds:unix-time|KEEPTTL?"},
	"setnx":            {"1.0.0", "Set the string value of a key only when the key doesn't exist.", "key:key value:string"},
	"setex":            {"2.0.0", "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", "key:key seconds:integer value:string"},
	"psetex":           {"2.6.0", "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", "key:key milliseconds:integer value:string"},
	"getset":           {"1.0.0", "Returns the previous string value of a key after setting it to a new value.", "key:key value:string"},
	"getdel":           {"6.2.0", "Returns the string value of a key after deleting the key.", "key:key"},
	"getex":            {"6.2.0", "Returns the string value of a key after setting its expiration time.", "key:key EX=seconds:integer|PX=milliseconds:integer|EXAT=unix-time-seconds:unix-time|PXAT=unix-time-milliseconds:unix-time|PERSIST?"},
	"mget":             {"1.0.0", "Atomically returns the string values of one or more keys.", "key:key+"},
	"mset":             {"1.0.1", "Atomically creates or modifies the string values of one or more keys.", "key:key value:string+"},
	"msetnx":           {"1.0.1", "Atomically modifies the string values of one or more keys only when all keys don't exist.", "key:key value:string+"},
	"strlen":           {"2.2.0", "Returns the length of a string value.", "key:key"},
	"append":           {"2.0.0", "Appends a string to the value of a key. Creates the key if it doesn't exist.", "key:key value:string"},
	"getrange":         {"2.4.0", "Returns a substring of the string stored at a key.", "key:key start:integer end:integer"},
	"substr":           {"1.0.0", "Returns a substring from a string value.", "key:key start:integer end:integer"},
	"setrange":         {"2.2.0", "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", "key:key offset:integer value:string"},
	"incr":             {"1.0.0", "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "key:key"},
	"decr":             {"1.0.0", "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "key:key"},
	"incrby":           {"1.0.0", "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "key:key increment:integer"},
	"decrby":           {"1.0.0", "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", "key:key decrement:integer"},
	"incrbyfloat":      {"2.6.0", "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "key:key increment:double"},
	"del":              {"1.0.0", "Deletes one or more keys.", "key:key+"},
	"unlink":           {"4.0.0", "Asynchronously deletes one or more keys.", "key:key+"},
	"exists":           {"1.0.0", "Determines whether one or more keys exist.", "key:key+"},
	"type":             {"1.0.0", "Determines the type of value stored at a key.", "key:key"},
	"keys":             {"1.0.0", "Returns all key names that match a pattern.", "pattern:pattern"},
	"scan":             {"2.8.0", "Iterates over the key names in the database.", "cursor:integer MATCH=pattern:pattern? COUNT=count:integer? TYPE=type:string?"},
	"randomkey":        {"1.0.0", "Returns a random key name from the database.", ""},
	"rename":           {"1.0.0", "Renames a key and overwrites the destination.", "key:key newkey:key"},
	"renamenx":         {"1.0.0", "Renames a key only when the target key name doesn't exist.", "key:key newkey:key"},
	"copy":             {"6.2.0", "Copies the value of a key to a new key.", "source:key destination:key DB=destination-db:integer? REPLACE?"},
	"expire":           {"1.0.0", "Sets the expiration time of a key in seconds.", "key:key seconds:integer NX|XX|GT|LT?"},
	"pexpire":          {"2.6.0", "Sets the expiration time of a key in milliseconds.", "key:key milliseconds:integer NX|XX|GT|LT?"},
	"expireat":         {"1.2.0", "Sets the expiration time of a key to a Unix timestamp.", "key:key unix-time-seconds:unix-time NX|XX|GT|LT?"},
	"pexpireat":        {"2.6.0", "Sets the expiration time of a key to a Unix milliseconds timestamp.", "key:key unix-time-milliseconds:unix-time NX|XX|GT|LT?"},
	"ttl":              {"1.0.0", "Returns the expiration time in seconds of a key.", "key:key"},
	"pttl":             {"2.6.0", "Returns the expiration time in milliseconds of a key.", "key:key"},
	"expiretime":       {"7.0.0", "Returns the expiration time of a key as a Unix timestamp.", "key:key"},
	"pexpiretime":      {"7.0.0", "Returns the expiration time of a key as a Unix milliseconds timestamp.", "key:key"},
	"persist":          {"2.2.0", "Removes the expiration time of a key.", "key:key"},
	"vget":             {"0.1.0", "Returns a key's causal context and all its concurrent values (ringkv).", "key:key R=r:integer?"},
	"vset":             {"0.1.0", "Writes a value under the causal context from VGET; without one, adds a sibling (ringkv).", "key:key value:string CONTEXT=context:string? W=w:integer?"},
	"vdel":             {"0.1.0", "Deletes the versions a causal context from VGET covers (ringkv).", "key:key CONTEXT=context:string W=w:integer?"},
	"ping":             {"1.0.0", "Returns the server's liveliness response.", "message:string?"},
	"echo":             {"1.0.0", "Returns the given string.", "message:string"},
	"multi":            {"1.2.0", "Starts a transaction.", ""},
	"exec":             {"1.2.0", "Executes all commands in a transaction.", ""},
	"discard":          {"2.0.0", "Discards a transaction.", ""},
	"watch":            {"2.2.0", "Monitors changes to keys to determine the execution of a transaction.", "key:key+"},
	"unwatch":          {"2.2.0", "Forgets about watched keys of a transaction.", ""},
	"quit":             {"1.0.0", "Closes the connection.", ""},
	"reset":            {"6.2.0", "Resets the connection.", ""},
	"hello":            {"6.0.0", "Handshakes with the Redis server.", "protover:integer? AUTH=username:string? SETNAME=clientname:string?"},
	"auth":             {"1.0.0", "Authenticates the connection.", "username:string? password:string"},
	"select":           {"1.0.0", "Changes the selected database.", "index:integer"},
	"client":           {"2.4.0", "A container for client connection commands.", ""},
	"client|id":        {"5.0.0", "Returns the unique client ID of the connection.", ""},
	"client|setname":   {"2.6.9", "Sets the connection name.", "connection-name:string"},
	"client|getname":   {"2.6.9", "Returns the name of the connection.", ""},
	"client|setinfo":   {"7.2.0", "Sets information specific to the client or connection.", "LIB-NAME=libname:string|LIB-VER=libver:string"},
	"client|info":      {"6.2.0", "Returns information about the connection.", ""},
	"client|list":      {"2.4.0", "Lists open connections.", "TYPE=type:string? ID=client-id:integer*"},
	"client|kill":      {"2.4.0", "Terminates open connections.", "ip:port:string|ID=client-id:integer|ADDR=ip:port:string|LADDR=ip:port:string|SKIPME=yes/no:string"},
	"client|help":      {"5.0.0", "Returns helpful text about the different subcommands.", ""},
	"command":          {"2.8.13", "Returns detailed information about all commands.", ""},
	"command|count":    {"2.8.13", "Returns a count of commands.", ""},
	"command|list":     {"7.0.0", "Returns a list of command names.", "FILTERBY=filter:string?"},
	"command|info":     {"2.8.13", "Returns information about one, multiple or all commands.", "command-name:string*"},
	"command|docs":     {"7.0.0", "Returns documentary information about one, multiple or all commands.", "command-name:string*"},
	"command|getkeys":  {"2.8.13", "Extracts the key names from an arbitrary command.", "command:string arg:string*"},
	"command|help":     {"5.0.0", "Returns helpful text about the different subcommands.", ""},
	"config":           {"2.0.0", "A container for server configuration commands.", ""},
	"config|get":       {"2.0.0", "Returns the effective values of configuration parameters.", "parameter:string+"},
	"config|set":       {"2.0.0", "Sets configuration parameters in-flight.", "parameter:string value:string+"},
	"config|resetstat": {"2.0.0", "Resets the server's statistics.", ""},
	"config|rewrite":   {"2.8.0", "Persists the effective configuration to file.", ""},
	"config|help":      {"5.0.0", "Returns helpful text about the different subcommands.", ""},
	"cluster":          {"3.0.0", "Redis Cluster commands; ringkv answers as a standalone Redis (cluster support disabled).", "subcommand:string arg:string*"},
	"ringkv":           {"ringkv", "A container for ringkv's ring commands.", ""},
	"ringkv|locate":    {"ringkv", "Returns a key's partition, preference list and fallback nodes.", "key:key"},
	"ringkv|members":   {"ringkv", "Returns every ring member with its state.", ""},
	"ringkv|help":      {"ringkv", "Returns helpful text about the different subcommands.", ""},
	"info":             {"1.0.0", "Returns information and statistics about the server.", "section:string*"},
	"dbsize":           {"1.0.0", "Returns the number of keys in the database.", ""},
	"time":             {"2.6.0", "Returns the server time.", ""},
	"flushdb":          {"1.0.0", "Remove all keys from the current database.", "ASYNC|SYNC?"},
	"flushall":         {"1.0.0", "Removes all keys from all databases.", "ASYNC|SYNC?"},
	"shutdown":         {"1.0.0", "Synchronously saves the database(s) to disk and shuts down the Redis server.", "NOSAVE|SAVE? NOW? FORCE? ABORT?"},
	"lastsave":         {"1.0.0", "Returns the Unix timestamp of the last successful save to disk.", ""},
	"save":             {"1.0.0", "Synchronously saves the database(s) to disk.", ""},
	"bgsave":           {"1.0.0", "Asynchronously saves the database(s) to disk.", "SCHEDULE?"},
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

// docs is c's COMMAND DOCS map.
func (c *Command) docs() resp.Reply {
	dc := docs[c.Name]
	group := c.Group
	if group == "ringkv" {
		group = "generic"
	}
	str := resp.BulkString
	m := []resp.Reply{str("summary"), str(dc.summary), str("since"), str(dc.since),
		str("group"), str(group)}
	if dc.args != "" {
		m = append(m, str("arguments"), resp.Array(parseDocArgs(dc.args)...))
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
