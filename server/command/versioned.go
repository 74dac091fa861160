package command

import (
	"strings"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// vopts are the options of the versioned commands.
type vopts struct {
	quorum  int // R or W; 0: the node's default
	primary int // PR or PW: primaries among them; 0: the node's default
	context version.Context
	hasCtx  bool
}

// parseVOpts parses [CONTEXT ctx] (if ctxOK), [R n] or [W n] and [PR n] or
// [PW n] (q is 'R' or 'W'), checking the quorums against the node's N.
func (d *Dispatcher) parseVOpts(args [][]byte, q byte, ctxOK bool) (vopts, resp.Reply) {
	var o vopts
	for j := 0; j < len(args); j += 2 {
		if j+1 >= len(args) {
			return o, errSyntax
		}
		opt, v := strings.ToUpper(string(args[j])), args[j+1]
		switch {
		case opt == "CONTEXT" && ctxOK:
			if len(v) > 0 {
				vv, err := version.DecodeContext(string(v))
				if err != nil {
					return o, resp.Err("ERR invalid context: not a context returned by VGET, VSET or VDEL")
				}
				o.context = vv
			}
			o.hasCtx = true
		case len(opt) == 1 && opt[0] == q:
			n, ok := resp.ParseInt(v)
			if !ok || n < 1 || n > d.env.Settings.N() {
				return o, resp.Errf("ERR %c must be an integer between 1 and N=%d", q, d.env.Settings.N())
			}
			o.quorum = int(n)
		case opt == "P"+string(q):
			n, ok := resp.ParseInt(v)
			if !ok || n < 0 || n > d.env.Settings.N() {
				return o, resp.Errf("ERR P%c must be an integer between 0 and N=%d", q, d.env.Settings.N())
			}
			o.primary = int(n)
		default:
			return o, errSyntax
		}
	}
	return o, resp.Reply{}
}

// encodeContext is a context as a bulk string reply.
func encodeContext(c version.Context) resp.Reply {
	return resp.BulkString(version.EncodeContext(c))
}

// VGET key [R n] → [context or nil, [live values...]]
func (d *Dispatcher) vget(s *Session, args [][]byte) resp.Reply {
	o, r := d.parseVOpts(args[2:], 'R', false)
	if r.IsError() {
		return r
	}
	set, err := d.env.KV.Get(s.Context(), args[1], replica.ReadOptions{R: o.quorum, PR: o.primary})
	if err != nil {
		return errorReply(err)
	}
	if len(set) == 0 {
		return resp.Array(resp.Null(), resp.Array())
	}
	live := set.Live(d.env.KV.Now())
	vals := make([]resp.Reply, len(live))
	for i, sib := range live {
		vals[i] = resp.Bulk(siblingBytes(sib))
	}
	return resp.Array(encodeContext(set.Context()), resp.Array(vals...))
}

// siblingBytes is what VGET shows of one sibling: a counter resolved alone
// (its base plus its own totals), anything else as stored.
func siblingBytes(sib *version.Sibling) []byte {
	if sib.Kind == version.KindCounter {
		if c, err := crdt.ResolveCounter([]*version.Sibling{sib}, false); err == nil {
			return c.Bytes()
		}
	}
	return sib.Value
}

// VSET key value [CONTEXT ctx] [W n] → the new context. Without CONTEXT the
// value is a new sibling concurrent with every existing version.
func (d *Dispatcher) vset(s *Session, args [][]byte) resp.Reply {
	o, r := d.parseVOpts(args[3:], 'W', true)
	if r.IsError() {
		return r
	}
	return d.vwrite(s, args[1], o, &replica.Change{Context: o.context, Value: args[2]})
}

// VDEL key CONTEXT ctx [W n] → the tombstone's context.
func (d *Dispatcher) vdel(s *Session, args [][]byte) resp.Reply {
	o, r := d.parseVOpts(args[2:], 'W', true)
	if r.IsError() {
		return r
	}
	if !o.hasCtx {
		return resp.Err("ERR VDEL needs CONTEXT: the context from VGET of the versions to delete")
	}
	return d.vwrite(s, args[1], o, &replica.Change{Context: o.context, Delete: true})
}

// vwrite writes ch unconditionally with W=o.quorum and answers the
// writer's new context: its own context plus the new dot, so that siblings
// it never saw stay concurrent with its next write. A write under a
// context first reads a quorum, so the coordinator knows every write the
// context names (it keeps only those it knows).
func (d *Dispatcher) vwrite(s *Session, key []byte, o vopts, ch *replica.Change) resp.Reply {
	wo := replica.WriteOptions{W: o.quorum, PW: o.primary, Read: !o.context.IsZero()}
	res, err := d.env.KV.Update(s.Context(), key, wo,
		func(version.Set, int64) (*replica.Change, error) { return ch, nil })
	if err != nil {
		return errorReply(err)
	}
	return encodeContext(res.Context)
}
