package command

// zsetCommands are the zset commands.
func (d *Dispatcher) zsetCommands() []*Command { return nil }
