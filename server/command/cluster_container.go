package command

import (
	"sort"
	"strings"
)

// clusterContainer is CLUSTER with Redis 7.0's subcommands, taken from
// Redis's metadata (arity and the flags the table has bits for), each
// answered by clusterCommand. As in Redis, an unknown subcommand or a
// wrong argument count is refused before the handler, and a script may
// not call the subcommands Redis flags noscript (CLUSTER RESET, ...).
func (d *Dispatcher) clusterContainer() *Command {
	var subs []*Command
	for name, rc := range redisMeta() {
		sub, ok := strings.CutPrefix(name, "cluster|")
		if !ok {
			continue
		}
		var f Flag
		for _, fl := range rc.flags {
			for i, n := range flagNames {
				if n != "" && n == fl {
					f |= 1 << i
				}
			}
		}
		subs = append(subs, keyless(sub, int(rc.arity), f, "", d.clusterCommand))
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Name < subs[j].Name })
	return container("cluster", -2, 0, "cluster", nil, subs...)
}
