package command

import "slices"

// typeCommands are the data types' commands (hash.go, set.go, zset.go,
// list.go), and those across types (dump.go, sort.go).
func (d *Dispatcher) typeCommands() []*Command {
	return slices.Concat(d.hashCommands(), d.setCommands(), d.zsetCommands(), d.listCommands(),
		d.dumpCommands(), d.sortCommands(), d.geoCommands(), d.hllCommands(), d.streamCommands())
}
