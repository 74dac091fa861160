package lua

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Flags are a script's or function's declared properties (the shebang's
// flags= or register_function's flags), Redis's names.
type Flags uint8

// Script and function flags.
const (
	NoWrites       Flags = 1 << iota // no-writes: read-only, may run from *_RO
	AllowOOM                         // allow-oom
	AllowStale                       // allow-stale
	NoCluster                        // no-cluster: refused in a cluster
	AllowCrossSlot                   // allow-cross-slot-keys
)

var flagNames = []struct {
	name string
	flag Flags
}{{"no-writes", NoWrites}, {"allow-oom", AllowOOM}, {"allow-stale", AllowStale},
	{"no-cluster", NoCluster}, {"allow-cross-slot-keys", AllowCrossSlot}}

// Names lists f's flag names in Redis's order.
func (f Flags) Names() []string {
	var out []string
	for _, fn := range flagNames {
		if f&fn.flag != 0 {
			out = append(out, fn.name)
		}
	}
	return out
}

func parseFlag(name string) (Flags, bool) {
	for _, fn := range flagNames {
		if fn.name == name {
			return fn.flag, true
		}
	}
	return 0, false
}

// Script is a compiled EVAL body. A script without a shebang line is a
// legacy script: it may write, and EVAL_RO runs it read-only.
type Script struct {
	SHA     string // lowercase hex SHA-1 of Body
	Body    []byte
	Shebang bool  // the body starts with #!lua
	Flags   Flags // the shebang's flags
	proto   *lua.FunctionProto
}

// Compile parses an EVAL body: its shebang line if any (Redis's errors
// for unknown engines, options and flags), then the Lua code, compiled as
// the chunk "user_script" (the shebang line left blank, so line numbers
// stay the body's).
func Compile(body []byte) (*Script, error) {
	s := &Script{SHA: SHA1(body), Body: body}
	src := string(body)
	if strings.HasPrefix(src, "#!") {
		line, rest, _ := strings.Cut(src, "\n")
		flags, err := parseScriptShebang(line)
		if err != nil {
			return nil, err
		}
		s.Shebang, s.Flags = true, flags
		src = "\n" + rest
	}
	proto, err := compile(src, "user_script")
	if err != nil {
		return nil, errorf("ERR Error compiling script (new function): " + err.Error())
	}
	s.proto = proto
	return s, nil
}

// parseScriptShebang reads "#!lua [flags=a,b]".
func parseScriptShebang(line string) (Flags, error) {
	parts := strings.Fields(strings.TrimRight(line, "\r"))
	if len(parts) == 0 || parts[0] != "#!lua" {
		return 0, errorf("ERR Unexpected engine in script shebang: " + firstField(line))
	}
	var flags Flags
	for _, p := range parts[1:] {
		list, ok := strings.CutPrefix(p, "flags=")
		if !ok {
			return 0, errorf("ERR Unknown lua shebang option: " + p)
		}
		for _, name := range strings.Split(list, ",") {
			if name == "" {
				continue
			}
			f, ok := parseFlag(name)
			if !ok {
				return 0, errorf("ERR Unexpected flag in script shebang: " + name)
			}
			flags |= f
		}
	}
	return flags, nil
}

func firstField(line string) string {
	if f := strings.Fields(line); len(f) > 0 {
		return f[0]
	}
	return line
}
