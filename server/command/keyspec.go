package command

import (
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// keyRef is one key argument found by a key specification: its position
// in the command's arguments and the specification's key flags.
type keyRef struct {
	pos   int
	flags []string
}

// specKeys finds the keys Redis's key specifications of a command locate
// in args (args[0] is the command name), as Redis's
// getKeysUsingKeySpecs does: a begin_search (an index, or a keyword
// searched from startfrom) and a find_keys (a range, or a count read at
// keynumidx). Positions beyond args are skipped.
func specKeys(specs resp.Reply, args [][]byte) []keyRef {
	var out []keyRef
	for _, spec := range specs.Elems {
		first, ok := specBegin(spec, args)
		if !ok {
			continue
		}
		last, step, ok := specFind(spec, args, &first)
		if !ok || step <= 0 {
			continue
		}
		flags := specFlags(spec)
		for i := first; i <= last && i < len(args); i += step {
			out = append(out, keyRef{pos: i, flags: flags})
		}
	}
	return out
}

// specInt is spec[part]["spec"][name] as an int.
func specInt(spec resp.Reply, part, name string) int {
	p, _ := field(spec, part)
	s, _ := field(p, "spec")
	v, _ := field(s, name)
	return int(v.Int)
}

func specType(spec resp.Reply, part string) string {
	p, _ := field(spec, part)
	t, _ := field(p, "type")
	return t.Text()
}

// specBegin is the position of the first key (begin_search).
func specBegin(spec resp.Reply, args [][]byte) (int, bool) {
	switch specType(spec, "begin_search") {
	case "index":
		return specInt(spec, "begin_search", "index"), true
	case "keyword":
		p, _ := field(spec, "begin_search")
		s, _ := field(p, "spec")
		kw, _ := field(s, "keyword")
		start := specInt(spec, "begin_search", "startfrom")
		// Redis's bounds: forward up to the last argument excluded,
		// backward down to the first argument after the name excluded.
		from, to, dir := start, len(args)-1, 1
		if start <= 0 {
			from, to, dir = len(args)+start, 1, -1
		}
		for i := from; i != to && i >= 1 && i < len(args); i += dir {
			if strings.EqualFold(string(args[i]), kw.Text()) {
				return i + 1, true
			}
		}
	}
	return 0, false
}

// specFind is the last key position and the step (find_keys); a keynum
// spec also moves first past the count.
func specFind(spec resp.Reply, args [][]byte, first *int) (last, step int, ok bool) {
	switch specType(spec, "find_keys") {
	case "range":
		lastkey, limit := specInt(spec, "find_keys", "lastkey"), specInt(spec, "find_keys", "limit")
		step = specInt(spec, "find_keys", "keystep")
		switch {
		case lastkey >= 0:
			last = *first + lastkey
		case limit == 0:
			last = len(args) + lastkey
		default:
			last = *first + (len(args)-*first)/limit + lastkey
		}
		return last, step, true
	case "keynum":
		idx := *first + specInt(spec, "find_keys", "keynumidx")
		if idx >= len(args) {
			return 0, 0, false
		}
		n, ok := resp.ParseInt(args[idx])
		if !ok || n < 0 || n > int64(len(args)) {
			return 0, 0, false
		}
		*first += specInt(spec, "find_keys", "firstkey")
		return *first + int(n) - 1, specInt(spec, "find_keys", "keystep"), true
	}
	return 0, 0, false
}
