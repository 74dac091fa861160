package command

// setCommands are the set commands.
func (d *Dispatcher) setCommands() []*Command { return nil }
