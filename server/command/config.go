package command

import (
	"errors"

	"github.com/ringkv/ringkv/resp"
)

func (d *Dispatcher) configCommand() *Command {
	const f = Admin | NoScript | Loading | Stale
	return container("config", -2, 0, "server", nil,
		keyless("get", -3, f, "", d.configGet),
		keyless("set", -4, f, "", d.configSet),
		keyless("resetstat", 2, f, "", d.configResetStat),
		keyless("rewrite", 2, f, "", d.configRewrite),
		keyless("help", 2, Loading|Stale, "", d.configHelp),
	)
}

// CONFIG GET pattern [pattern ...] → a map of name to value (a flat array
// in RESP2).
func (d *Dispatcher) configGet(_ *Session, args [][]byte) resp.Reply {
	pats := make([]string, len(args)-2)
	for i, a := range args[2:] {
		pats[i] = string(a)
	}
	pairs := d.env.Settings.Get(pats...)
	out := make([]resp.Reply, 0, 2*len(pairs))
	for _, kv := range pairs {
		out = append(out, resp.BulkString(kv[0]), resp.BulkString(kv[1]))
	}
	return resp.Map(out...)
}

// CONFIG SET parameter value [parameter value ...]: all or nothing.
func (d *Dispatcher) configSet(_ *Session, args [][]byte) resp.Reply {
	if len(args)%2 != 0 {
		return errWrongArgs("config|set")
	}
	pairs := make([][2]string, 0, len(args)/2-1)
	for i := 2; i < len(args); i += 2 {
		pairs = append(pairs, [2]string{string(args[i]), string(args[i+1])})
	}
	if err := d.env.Settings.Set(pairs); err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			return resp.Err("ERR " + ce.Error())
		}
		return errorReply(err)
	}
	return resp.OK()
}

// CONFIG RESETSTAT
func (d *Dispatcher) configResetStat(_ *Session, _ [][]byte) resp.Reply {
	d.env.Stats.Reset()
	for _, c := range d.sorted {
		for _, sc := range append([]*Command{c}, c.Subs...) {
			sc.calls.Store(0)
			sc.failed.Store(0)
			sc.rejected.Store(0)
			sc.usec.Store(0)
			sc.lat.Store(nil)
		}
	}
	return resp.OK()
}

// CONFIG REWRITE: ringkv never rewrites its configuration file.
func (d *Dispatcher) configRewrite(_ *Session, _ [][]byte) resp.Reply {
	if d.env.Info().ConfigFile == "" {
		return resp.Err("ERR The server is running without a config file")
	}
	return resp.Err("ERR CONFIG REWRITE is not supported by ringkv: edit the config file")
}

// CONFIG HELP
func (d *Dispatcher) configHelp(_ *Session, _ [][]byte) resp.Reply {
	return help("CONFIG",
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.",
	)
}
