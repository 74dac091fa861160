package command

import (
	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/lua"
)

// min-replicas-to-write and min-replicas-max-lag (aliases min-slaves-*):
// as in Redis, a node refuses writes with NOREPLICAS while it has fewer
// good replicas than min-replicas-to-write, unless either setting is 0.
// A node's good replicas here are the other ring members its failure
// detector sees alive: the nodes a write can reach besides itself (the
// W quorum still decides each write; this is the operator's floor under
// it, e.g. "never take writes while cut off alone").

// errNoReplicas is Redis's shared.noreplicaserr.
var errNoReplicas = resp.Err("NOREPLICAS Not enough good replicas to write.")

// goodReplicas is how many other members this node sees alive.
func (d *Dispatcher) goodReplicas() int64 {
	if !d.clustered() {
		return 0
	}
	self := d.env.Settings.Params().Node
	var n int64
	for _, m := range d.env.Topology.Members() {
		if m.Name != self && m.State == "alive" {
			n++
		}
	}
	return n
}

// replicasOK is Redis's checkGoodReplicasStatus.
func (d *Dispatcher) replicasOK() bool {
	st := d.env.Settings
	min := st.Int("min-replicas-to-write")
	return min == 0 || st.Int("min-replicas-max-lag") == 0 || d.goodReplicas() >= min
}

// noReplicas refuses a write command (or an EXEC of one) while replicasOK
// fails, as processCommand does; inside MULTI the refusal aborts the
// transaction. The zero reply lets it run.
func (d *Dispatcher) noReplicas(s *Session, cmd *Command) resp.Reply {
	if !d.writes(s, cmd) || d.replicasOK() {
		return resp.Reply{}
	}
	return d.refuse(s, cmd, errNoReplicas)
}

// writes reports whether cmd writes: a write command, or an EXEC whose
// queue holds one.
func (d *Dispatcher) writes(s *Session, cmd *Command) bool {
	if cmd.Flags&Write != 0 {
		return true
	}
	if cmd.Name != "exec" || s.tx == nil {
		return false
	}
	for _, c := range s.tx.cmds {
		if qc := lookup(d.cmds, c[0]); qc != nil && d.subcommand(qc, c).Flags&Write != 0 {
			return true
		}
	}
	return false
}

// scriptNoReplicas refuses a script declared with a shebang, or a
// function, that may write (no no-writes flag) while replicasOK fails,
// as Redis does through its flags; one without a shebang is checked call
// by call (scriptCaller.call).
func (d *Dispatcher) scriptNoReplicas(name []byte, flags lua.Flags) resp.Reply {
	if flags&lua.NoWrites != 0 || d.replicasOK() {
		return resp.Reply{}
	}
	if cmd := lookup(d.cmds, name); cmd != nil {
		cmd.rejected.Add(1)
	}
	d.env.Stats.CountError(errNoReplicas)
	return errNoReplicas
}
