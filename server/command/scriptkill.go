package command

import (
	"context"

	"github.com/ringkv/ringkv/resp"
)

// KillScript answers a peer's SCRIPT KILL (FUNCTION KILL when function)
// with this node's running script alone: "OK" or the error's text.
func (d *Dispatcher) KillScript(function bool) string {
	return d.scripts.kill(function).Str
}

// killAnywhere is SCRIPT KILL and FUNCTION KILL in a cluster: a script
// runs on its keys' coordinator, which may be another node than the one
// the client asks, so when none runs here every other member is asked.
// One that killed it answers OK; else the first other refusal (a script
// that wrote is UNKILLABLE, a script of the other kind is BUSY), else
// NOTBUSY.
func (d *Dispatcher) killAnywhere(ctx context.Context, function bool) resp.Reply {
	r := d.scripts.kill(function)
	if r.Str != errNotBusy.Str || d.env.KillRemote == nil {
		return r
	}
	for _, answer := range d.env.KillRemote(ctx, function) {
		switch {
		case answer == "OK":
			return resp.OK()
		case r.Str == errNotBusy.Str && answer != errNotBusy.Str:
			r = resp.Err(answer)
		}
	}
	return r
}
