package command

import "slices"

// typeCommands are the data types' commands (hash.go, set.go, zset.go,
// list.go).
func (d *Dispatcher) typeCommands() []*Command {
	return slices.Concat(d.hashCommands(), d.setCommands(), d.zsetCommands(), d.listCommands())
}
