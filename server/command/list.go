package command

// listCommands are the list commands.
func (d *Dispatcher) listCommands() []*Command { return nil }
