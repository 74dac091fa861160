package replicatest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Op is one step of a run, in a text form that Parse reads back:
//
//	put VIA KEY VALUE [w=N pw=N]   blind write (SET): supersedes what VIA's copy holds
//	vset VIA KEY ELEM [r=N w=N]    set-add: read at R, write the siblings' union plus ELEM under the read's context
//	incr VIA KEY [r=N w=N]         read-modify-write counter increment (INCR)
//	del VIA KEY [r=N w=N]          read-modify-write delete (DEL)
//	get VIA KEY [r=N pr=N]         quorum read
//	partition A,B C,D,E            split the network into groups (nodes in none form one more)
//	heal                           remove the partition
//	crash NODE                     kill the node; its store survives (kill -9), its actor changes
//	wipe NODE                      kill the node and lose its store (a replaced disk)
//	restart NODE                   start a killed node again
//	slow NODE DURATION             every message to NODE takes DURATION (0s: back to normal)
//	slow A>B DURATION              every message from A to B does
//	gossip                         every node's membership view catches up with reality
//	tick DURATION                  let fake time pass (hinted handoff runs)
//	aae                            one anti-entropy round on every running node
//	reap                           one tombstone-reaping round on every running node
//	recover                        heal, normal latencies, restart every node, gossip
//	stabilize                      recover, deliver hints, repair, reap (see Sim.Stabilize)
//	par OP | OP ...                client ops at once, each started 113µs after the one before
//	dump KEY | hints | locate KEY | check    observations (scripts)
//
// VIA is the node the client talks to; quorums left out are the
// cluster's defaults.
type Op struct {
	Cmd    string
	Via    string
	Key    string
	Arg    string     // put: value; vset: element
	Node   string     // crash, wipe, restart
	Groups [][]string // partition
	Dur    time.Duration
	R, W   int
	PR, PW int
	Par    []Op // par: client ops started together
}

// client reports whether the op is a client operation.
func (o Op) client() bool {
	switch o.Cmd {
	case "put", "vset", "incr", "del", "get":
		return true
	}
	return false
}

// String is the op's text form.
func (o Op) String() string {
	if o.Cmd == "par" {
		parts := make([]string, len(o.Par))
		for i, p := range o.Par {
			parts[i] = p.String()
		}
		return "par " + strings.Join(parts, " | ")
	}
	var b strings.Builder
	b.WriteString(o.Cmd)
	switch {
	case o.client():
		fmt.Fprintf(&b, " %s %s", o.Via, o.Key)
		if o.Arg != "" {
			b.WriteString(" " + o.Arg)
		}
		for _, q := range []struct {
			name string
			v    int
		}{{"r", o.R}, {"w", o.W}, {"pr", o.PR}, {"pw", o.PW}} {
			if q.v != 0 {
				fmt.Fprintf(&b, " %s=%d", q.name, q.v)
			}
		}
	case o.Cmd == "partition":
		for _, g := range o.Groups {
			b.WriteString(" " + strings.Join(g, ","))
		}
	case o.Cmd == "tick":
		b.WriteString(" " + o.Dur.String())
	case o.Cmd == "slow":
		b.WriteString(" " + o.Node + " " + o.Dur.String())
	case o.Node != "":
		b.WriteString(" " + o.Node)
	case o.Key != "":
		b.WriteString(" " + o.Key)
	}
	return b.String()
}

// arity is the number of positional arguments each command takes.
var arity = map[string]int{
	"put": 3, "vset": 3, "incr": 2, "del": 2, "get": 2,
	"heal": 0, "crash": 1, "wipe": 1, "restart": 1, "gossip": 0, "tick": 1, "slow": 2,
	"aae": 0, "reap": 0, "recover": 0, "stabilize": 0, "dump": 1, "hints": 0, "locate": 1, "check": 0,
}

// Parse reads an op's text form.
func Parse(line string) (Op, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return Op{}, fmt.Errorf("replicatest: empty op")
	}
	o := Op{Cmd: f[0]}
	if o.Cmd == "par" {
		return parsePar(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "par")))
	}
	if o.Cmd == "partition" {
		for _, g := range f[1:] {
			o.Groups = append(o.Groups, strings.Split(g, ","))
		}
		return o, nil
	}
	n, ok := arity[o.Cmd]
	if !ok {
		return o, fmt.Errorf("replicatest: unknown op %q", o.Cmd)
	}
	var pos []string
	for _, a := range f[1:] {
		if k, v, ok := strings.Cut(a, "="); ok && o.client() {
			if err := o.setQuorum(k, v); err != nil {
				return o, err
			}
			continue
		}
		pos = append(pos, a)
	}
	if len(pos) != n {
		return o, fmt.Errorf("replicatest: %q wants %d arguments, got %d", o.Cmd, n, len(pos))
	}
	return o, o.setPositional(pos)
}

func (o *Op) setQuorum(k, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return fmt.Errorf("replicatest: bad %s=%q", k, v)
	}
	switch k {
	case "r":
		o.R = n
	case "w":
		o.W = n
	case "pr":
		o.PR = n
	case "pw":
		o.PW = n
	default:
		return fmt.Errorf("replicatest: unknown option %q", k)
	}
	return nil
}

func (o *Op) setPositional(pos []string) error {
	switch {
	case o.client():
		o.Via, o.Key = pos[0], pos[1]
		if len(pos) > 2 {
			o.Arg = pos[2]
		}
	case o.Cmd == "tick" || o.Cmd == "slow":
		if o.Cmd == "slow" {
			o.Node, pos = pos[0], pos[1:]
		}
		d, err := time.ParseDuration(pos[0])
		if err != nil || d < 0 {
			return fmt.Errorf("replicatest: bad duration %q", pos[0])
		}
		o.Dur = d
	case o.Cmd == "dump" || o.Cmd == "locate":
		o.Key = pos[0]
	case len(pos) == 1:
		o.Node = pos[0]
	}
	return nil
}

func parsePar(rest string) (Op, error) {
	o := Op{Cmd: "par"}
	for _, part := range strings.Split(rest, "|") {
		p, err := Parse(part)
		if err != nil {
			return o, err
		}
		if !p.client() {
			return o, fmt.Errorf("replicatest: par runs client ops, not %q", p.Cmd)
		}
		o.Par = append(o.Par, p)
	}
	if len(o.Par) < 2 {
		return o, fmt.Errorf("replicatest: par wants two ops or more")
	}
	return o, nil
}
