package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
)

var leaveCommand = adminCommand{
	help: "Make the node leave the cluster for good: it hands its partitions off to the other members,\n" +
		"then leaves the gossip and its process exits (a left --dir cannot rejoin: start a new node on an empty one).",
	run: runLeave,
}

var removeCommand = adminCommand{
	args:  " NODE",
	nargs: 1,
	help: "Remove NODE, a member that is gone for good, from the ring: the other members take over its\n" +
		"partitions from the remaining replicas. A node gossip sees alive is removed only with --force;\n" +
		"a node that can still leave by itself should use `ringkv leave` instead.",
	flags: func(fs *flag.FlagSet, o *adminOpts) {
		fs.BoolVar(&o.force, "force", false, "remove the node even if gossip sees it alive")
	},
	run: runRemove,
}

func runLeave(a *adminRun, c *nodeClient) error {
	s, self, err := statusOf(c, "")
	if err != nil {
		return err
	}
	if _, err := c.do("RINGKV", "LEAVE"); err != nil {
		return err
	}
	if a.opts.json {
		return writeJSON(a.io.stdout, map[string]string{"node": s.Node, "result": "OK"})
	}
	who := s.Node
	if who == "" {
		who = "the node at " + a.opts.addr()
	}
	fmt.Fprintf(a.io.stdout, "%s is leaving the cluster: it hands %s off to the other members, then leaves the gossip.\n"+
		"Its process then exits; to rejoin later, start it on an empty --dir.\n", who, partitionsOf(self))
	fmt.Fprintf(a.io.stdout, "Follow the handoff with: %s\n", watchHint(a.opts))
	return nil
}

func runRemove(a *adminRun, c *nodeClient) error {
	node := a.opts.args[0]
	_, gone, err := statusOf(c, node)
	if err != nil {
		return err
	}
	req := []string{"RINGKV", "REMOVE", node}
	if a.opts.force {
		req = append(req, "FORCE")
	}
	if _, err := c.do(req...); err != nil {
		return err
	}
	if a.opts.json {
		return writeJSON(a.io.stdout, map[string]any{"node": node, "force": a.opts.force, "result": "OK"})
	}
	was := ""
	if gone != nil {
		was = " (it was " + gone.State + ")"
	}
	fmt.Fprintf(a.io.stdout, "%s is removed from the ring%s: the other members take over %s and copy them from the remaining replicas.\n",
		node, was, partitionsOf(gone))
	if gone != nil && gone.State == "alive" {
		fmt.Fprintln(a.io.stdout, "It was alive: stop its process, or it keeps answering clients outside the ring.")
	}
	fmt.Fprintf(a.io.stdout, "Follow the transfers with: %s\n", watchHint(a.opts))
	return nil
}

// statusOf asks for RINGKV STATUS to name what a LEAVE or REMOVE is about,
// and finds the member called name ("" for the asked node itself). It is
// for the message only: an error reply or an unexpected form is ignored
// (the LEAVE or REMOVE that follows says what is wrong), but not a broken
// connection, on which a late reply could be taken for the next one's.
func statusOf(c *nodeClient, name string) (clusterStatus, *member, error) {
	s, err := fetchStatus(c)
	var rerr *replyError
	if err != nil && (errors.As(err, &rerr) || errors.Is(err, errUnexpectedReply)) {
		return clusterStatus{}, nil, nil
	}
	if err != nil {
		return s, nil, err
	}
	if name == "" {
		name = s.Node
	}
	for i := range s.Members {
		if s.Members[i].Name == name {
			return s, &s.Members[i], nil
		}
	}
	return s, nil, nil
}

// partitionsOf names a member's partitions for a message.
func partitionsOf(m *member) string {
	if m == nil {
		return "its partitions"
	}
	return fmt.Sprintf("its %d partition replicas (%d as first replica)", m.Replicas, m.Primary)
}

// watchHint is the transfers command for the same node.
func watchHint(o adminOpts) string {
	cmd := "ringkv transfers --watch"
	if o.host != "127.0.0.1" {
		cmd += " --host " + o.host
	}
	if o.port != 6379 {
		cmd += " --port " + strconv.Itoa(o.port)
	}
	return cmd
}
