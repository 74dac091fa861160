package replicatest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// forever is the "now" of reads: nothing expires in a Sim.
const forever = math.MaxInt64 - 1

// call is one client op in progress; its writes go to rec, which the
// caller appends to the history once the op is done.
type call struct {
	o   Op
	via *node
	rec []Write
}

// client runs a client op through its Via node ("*": the key's first
// running primary, as a client that fails over would).
func (s *Sim) client(o Op) (string, []Write) {
	if o.Via == "*" {
		o.Via = s.firstRunning(o.Key)
	}
	n := s.nodes[o.Via]
	switch {
	case n == nil:
		return fmt.Sprintf("error: no node %q", o.Via), nil
	case !n.running():
		return "skipped: " + o.Via + " is down", nil
	}
	cl := &call{o: o, via: n}
	w := Write{Seq: s.seq, Cmd: o.Cmd, Key: o.Key, Via: o.Via}
	var out string
	switch o.Cmd {
	case "get":
		set, err := n.c.Get(context.Background(), []byte(o.Key), replica.ReadOptions{R: o.R, PR: o.PR})
		if err != nil {
			return "error: " + err.Error(), nil
		}
		return s.actors.Set(set), nil
	case "put":
		w.Value = o.Arg
		out = s.write(cl, w, replica.WriteOptions{W: o.W, PW: o.PW}, put([]byte(o.Arg)))
	case "vset":
		out = s.setAdd(cl, w)
	case "incr":
		out = s.write(cl, w, rmw(o), incr)
	case "del":
		out = s.write(cl, w, rmw(o), del)
	}
	return out, cl.rec
}

func rmw(o Op) replica.WriteOptions {
	return replica.WriteOptions{W: o.W, PW: o.PW, Read: true, R: o.R, PR: o.PR}
}

// firstRunning is key's first primary that is running, or its first.
func (s *Sim) firstRunning(key string) string {
	list := s.place.Replicas([]byte(key))
	if i := slices.IndexFunc(list, func(n string) bool { return s.nodes[n].running() }); i >= 0 {
		return list[i]
	}
	return list[0]
}

// route is where via runs a write, as the server routes one: the first
// of the key's coordinators (in via's view) that via can reach; with
// Config.Direct, via itself.
func (s *Sim) route(via *node, key string) *node {
	if s.cfg.Direct {
		return via
	}
	for _, name := range via.c.Coordinators([]byte(key)) {
		if name == via.name || s.reachable(via.name, name) {
			return s.nodes[name]
		}
	}
	return nil
}

// decide returns the UpdateFunc of one write; it may note what it wrote
// in w.
type decide func(w *Write) replica.UpdateFunc

// write routes one Update and records it.
func (s *Sim) write(cl *call, w Write, wo replica.WriteOptions, fn decide) string {
	at := s.route(cl.via, w.Key)
	if at == nil {
		w.Err = "no coordinator reachable"
		cl.rec = append(cl.rec, w)
		return "error: " + w.Err
	}
	res, err := at.c.Update(context.Background(), []byte(w.Key), wo, fn(&w))
	w = recorded(w, res, err, slices.Contains(s.place.Replicas([]byte(w.Key)), at.name))
	cl.rec = append(cl.rec, w)
	out := "ok"
	if err != nil {
		out = "error: " + err.Error()
	}
	if at != cl.via {
		out = "at " + at.name + " " + out
	}
	if w.Dot != (version.Dot{}) {
		out += " " + s.actors.Dot(w.Dot)
		if w.Cmd == "incr" || w.Cmd == "vset" {
			out += " " + strconv.Quote(w.Value)
		}
	}
	return out
}

// setAdd is a set-add client (Jepsen's): read the key, write the union of
// its siblings plus the new element under the read's context (VSET with
// CONTEXT). If the read fails, or the write's own quorum read does, it
// adds the element as a new sibling without context (VSET without
// CONTEXT), which a replica coordinator always stores.
func (s *Sim) setAdd(cl *call, w Write) string {
	o := cl.o
	w.Elem = o.Arg
	wo := replica.WriteOptions{W: o.W, PW: o.PW, R: o.R, PR: o.PR}
	cur, err := cl.via.c.Get(context.Background(), []byte(o.Key), replica.ReadOptions{R: o.R, PR: o.PR})
	prefix := ""
	if err != nil {
		prefix = "read error: " + err.Error() + "; "
	} else {
		wo.Read = !cur.Context().IsZero()
		w.Value = strings.Join(union(cur, o.Arg), ",")
		out := s.write(cl, w, wo, fixed(cur.Context(), w.Value))
		if last := cl.rec[len(cl.rec)-1]; last.Acked || last.Maybe {
			return out
		}
		prefix, wo.Read = out+"; ", false
	}
	w.Value = o.Arg
	return prefix + "blind " + s.write(cl, w, wo, fixed(version.Context{}, w.Value))
}

func put(v []byte) decide {
	return func(*Write) replica.UpdateFunc {
		return func(cur version.Set, _ int64) (*replica.Change, error) {
			return &replica.Change{Context: cur.Context(), Value: v}, nil
		}
	}
}

func fixed(ctx version.Context, v string) decide {
	return func(*Write) replica.UpdateFunc {
		return func(version.Set, int64) (*replica.Change, error) {
			return &replica.Change{Context: ctx, Value: []byte(v)}, nil
		}
	}
}

// incr is INCR on a string register: the winning sibling's integer plus
// one, superseding what the coordinator holds.
func incr(w *Write) replica.UpdateFunc {
	return func(cur version.Set, _ int64) (*replica.Change, error) {
		n := 0
		if sb, ok := cur.Winner(forever); ok {
			n, _ = strconv.Atoi(string(sb.Value))
		}
		w.Value = strconv.Itoa(n + 1)
		return &replica.Change{Context: cur.Context(), Value: []byte(w.Value)}, nil
	}
}

// del is DEL: a tombstone superseding what the coordinator holds.
func del(w *Write) replica.UpdateFunc {
	return func(cur version.Set, _ int64) (*replica.Change, error) {
		w.Claim = cur.Context()
		return &replica.Change{Context: w.Claim, Delete: true}, nil
	}
}
