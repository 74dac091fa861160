package integration

// Issue 9, the operator's tool against real processes: `ringkv status`,
// `ring`, `transfers`, `remove` and `leave` (the ringkv binary itself, run
// as a child process) report what the cluster's nodes say of themselves in
// INFO, in JSON and in tables alike, and act on the real cluster.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const (
	cliQ = 256 // --partitions of the admin tests
	cliN = 3   // --n
)

// TestAdminCLI: a 3-node cluster holding keys grows to 4. Once handoff is
// done, `ringkv status` through each node lists the 4 members alive in the
// ring, their primaries summing to Q and replicas to N*Q, their keys to N
// per key written, converged, with the ring version and primaries INFO
// shows; the table says the same. `ringkv transfers` shows n4's done
// transfers, one per partition it holds, as many as INFO's
// handoff_transfers_done, carrying the keys INFO says it received.
// `ringkv ring` shows the balance within ±15%. `ringkv remove` of a live
// node fails with the node's own error, and succeeds once it is killed
// and seen failed; `ringkv leave` makes a node hand off and exit 0.
func TestAdminCLI(t *testing.T) {
	t.Parallel()
	args := []string{"--n", strconv.Itoa(cliN), "--r", "2", "--w", "2",
		"--partitions", strconv.Itoa(cliQ), "--request-timeout", "2000"}
	c := StartCluster(t, 3, ClusterOptions{Args: args})
	c.WaitHandoffDone(t, handoffTimeout, 3, c.Nodes...) // a settled cluster, before any key
	keys := seed(t, c, c.Nodes[0], "cli", 600)
	n4 := c.AddNode(t, "n4", args...)
	c.WaitHandoffDone(t, handoffTimeout, 4, c.Nodes...)

	var st cliStatus
	for _, n := range c.Nodes {
		st = checkStatus(t, c, n, cliN*len(keys))
		checkStatusTable(t, n, st)
	}
	self, _ := st.member("n4")
	checkTransfers(t, c, n4, self, c.Nodes[0], n4)
	checkRing(t, c.Nodes[1], st)

	n1, n3 := c.Nodes[0], c.Nodes[2]
	removeDead(t, c, n1, n3)
	c.WaitHandoffDone(t, handoffTimeout, 3, n1, c.Nodes[1], n4)
	after := statusOf(t, n1)
	for _, name := range []string{"n1", "n2", "n4"} {
		if m, _ := after.member(name); m.Keys != int64(len(keys)) {
			t.Errorf("after removing n3, %s holds %d keys, want all %d (3 members, N=3)", name, m.Keys, len(keys))
		}
	}
	leaveExits(t, c, n4, n1)
}

// statusOf is `ringkv status --json` through n.
func statusOf(t *testing.T, n *Node) cliStatus {
	t.Helper()
	var st cliStatus
	adminJSON(t, n, "status", &st)
	return st
}

// checkStatus checks `ringkv status --json` through via against via's
// INFO cluster, for a settled cluster of live members holding keys
// records in all.
func checkStatus(t *testing.T, c *Cluster, via *Node, keys int) cliStatus {
	t.Helper()
	st := statusOf(t, via)
	info, err := c.Info(via)
	if err != nil {
		t.Fatal(err)
	}
	where := "ringkv status via " + via.Opts.Name
	if st.Node != via.Opts.Name || st.RingVersion != info.Fields["cluster_ring_version"] ||
		st.Partitions != cliQ || st.N != cliN || !st.Converged {
		t.Fatalf("%s: node %s ring %s Q=%d N=%d converged %v; INFO says ring %s (want Q=%d N=%d, converged)",
			where, st.Node, st.RingVersion, st.Partitions, st.N, st.Converged, info.Fields["cluster_ring_version"], cliQ, cliN)
	}
	if names := info.Names(); !slices.Equal(memberNames(st), names) {
		t.Fatalf("%s lists %v, INFO %v", where, memberNames(st), names)
	}
	var primary, replicas, total int64
	for _, m := range st.Members {
		n := c.node(m.Name)
		if m.State != "alive" || m.Ring != "member" || m.Client != n.Addr() || m.RingVersion != st.RingVersion {
			t.Errorf("%s: %+v, want alive ring member at %s on ring %s", where, m, n.Addr(), st.RingVersion)
		}
		if m.Keys < 0 || m.Bytes < 0 || m.Hints != 0 || m.Transfers != 0 {
			t.Errorf("%s: %s keys %d bytes %d hints %d transfers %d, want known counts, no hint, no transfer left",
				where, m.Name, m.Keys, m.Bytes, m.Hints, m.Transfers)
		}
		if p := infoPartitions(info, m.Name); m.Primary != p {
			t.Errorf("%s: %s primary %d, INFO partitions=%d", where, m.Name, m.Primary, p)
		}
		primary, replicas, total = primary+m.Primary, replicas+m.Replicas, total+m.Keys
	}
	if primary != cliQ || replicas != cliN*cliQ || total != int64(keys) {
		t.Fatalf("%s: primaries sum to %d (want Q=%d), replicas to %d (want N*Q=%d), keys to %d (want N per key, %d)",
			where, primary, cliQ, replicas, cliN*cliQ, total, keys)
	}
	return st
}

func memberNames(st cliStatus) []string {
	var out []string
	for _, m := range st.Members {
		out = append(out, m.Name)
	}
	slices.Sort(out)
	return out
}

// node is the cluster's node called name.
func (c *Cluster) node(name string) *Node {
	for _, n := range c.Nodes {
		if n.Opts.Name == name {
			return n
		}
	}
	return &Node{}
}

func infoPartitions(info ClusterInfo, name string) int64 {
	for _, m := range info.Members {
		if m.Name == name {
			return int64(m.Partitions)
		}
	}
	return -1
}

// checkStatusTable checks that `ringkv status` through via prints st's
// names and numbers (no data changes between the two runs).
func checkStatusTable(t *testing.T, via *Node, st cliStatus) {
	t.Helper()
	r := adminOn(t, via, "status")
	head := fmt.Sprintf("node %s  ring %s  Q=%d  N=%d  converged: yes\n", st.Node, short(st.RingVersion), st.Partitions, st.N)
	if r.code != 0 || !strings.HasPrefix(r.stdout, head) {
		t.Fatalf("ringkv status via %s: exit %d, want the first line %q:\n%s%s", via.Opts.Name, r.code, head, r.stdout, r.stderr)
	}
	tb := parseTable(t, r.stdout, "NAME")
	if len(tb.rows) != len(st.Members) {
		t.Fatalf("ringkv status via %s: %d rows for %d members:\n%s", via.Opts.Name, len(tb.rows), len(st.Members), r.stdout)
	}
	for i, m := range st.Members { // both sorted by name
		row := tb.rows[i]
		want := map[string]string{"NAME": m.Name, "STATE": m.State, "RING": m.Ring, "CLIENT": m.Client,
			"PRIMARY": itoa(m.Primary), "REPLICAS": itoa(m.Replicas), "KEYS": itoa(m.Keys),
			"HINTS": itoa(m.Hints), "TRANSFERS": itoa(m.Transfers), "RING-VERSION": short(m.RingVersion)}
		for col, v := range want {
			if got := tb.cell(row, col); got != v {
				t.Errorf("ringkv status via %s: %s's %s is %q, JSON says %q:\n%s", via.Opts.Name, m.Name, col, got, v, r.stdout)
			}
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// short is a ring version as the tables show it.
func short(v string) string { return v[:min(8, len(v))] }

// checkTransfers checks `ringkv transfers` through each of via after
// joiner's handoff: nothing pending; joiner's done transfers are one per
// partition it holds, as many as its INFO handoff_transfers_done, their
// keys those of INFO handoff_keys_received (and all it holds).
func checkTransfers(t *testing.T, c *Cluster, joiner *Node, self cliMember, via ...*Node) {
	t.Helper()
	done := c.infoInt(t, joiner, "handoff_transfers_done")
	received := c.infoInt(t, joiner, "handoff_keys_received")
	for _, v := range via {
		var ts []cliTransfer
		adminJSON(t, v, "transfers", &ts)
		where := "ringkv transfers via " + v.Opts.Name
		parts := map[int64]bool{}
		var keys int64
		for _, x := range ts {
			if x.State != "done" {
				t.Errorf("%s: %+v still pending after handoff", where, x)
			}
			if x.Node != joiner.Opts.Name {
				continue
			}
			if x.Partition < 0 || x.Partition >= cliQ || x.Source == "" || x.Source == x.Node || parts[x.Partition] {
				t.Errorf("%s: %+v: want a partition of 0..%d, once, from another node", where, x, cliQ-1)
			}
			parts[x.Partition], keys = true, keys+x.Keys
		}
		n := int64(len(parts))
		if n == 0 || n != done || n != self.Replicas || keys != received || keys != self.Keys {
			t.Fatalf("%s: %d done on %s carrying %d keys; INFO: %d done, %d keys received; status: %d replicas, %d keys",
				where, n, joiner.Opts.Name, keys, done, received, self.Replicas, self.Keys)
		}
		checkTransfersTable(t, v, ts)
	}
}

// checkTransfersTable checks that `ringkv transfers --all` prints ts: a
// row each, and the totals.
func checkTransfersTable(t *testing.T, via *Node, ts []cliTransfer) {
	t.Helper()
	r := adminOn(t, via, "transfers", "--all")
	tb := parseTable(t, r.stdout, "STATE")
	var keys int64
	for _, x := range ts {
		keys += x.Keys
	}
	total := fmt.Sprintf("\n0 pending (0 queued, 0 active, 0 syncing), %d done; received %d keys", len(ts), keys)
	if r.code != 0 || len(tb.rows) != len(ts) || !strings.Contains(r.stdout, total) {
		t.Fatalf("ringkv transfers via %s: exit %d, %d rows for %d transfers, want totals %q:\n%s%s",
			via.Opts.Name, r.code, len(tb.rows), len(ts), total, r.stdout, r.stderr)
	}
	want := map[string]int{}
	for _, x := range ts {
		want[x.Node+"/"+itoa(x.Partition)+"/"+x.Source+"/"+itoa(x.Keys)]++
	}
	for _, row := range tb.rows {
		k := tb.cell(row, "NODE") + "/" + tb.cell(row, "PARTITION") + "/" + tb.cell(row, "SOURCE") + "/" + tb.cell(row, "KEYS")
		if want[k]--; want[k] < 0 || tb.cell(row, "STATE") != "done" {
			t.Fatalf("ringkv transfers via %s: row %q is not in the JSON:\n%s", via.Opts.Name, row, r.stdout)
		}
	}
}

// checkRing checks `ringkv ring` through via: the members and counts of
// st, the balance within ±15% of the mean, the table alike.
func checkRing(t *testing.T, via *Node, st cliStatus) {
	t.Helper()
	var rr cliRing
	adminJSON(t, via, "ring", &rr)
	if rr.Nodes != len(st.Members) || rr.Partitions != cliQ || rr.N != cliN || rr.RingVersion != st.RingVersion {
		t.Fatalf("ringkv ring: %d nodes Q=%d N=%d ring %s; status: %d members ring %s", rr.Nodes, rr.Partitions, rr.N,
			rr.RingVersion, len(st.Members), st.RingVersion)
	}
	for i, m := range rr.Members {
		if s := st.Members[i]; m.Name != s.Name || m.Primary != s.Primary || m.Replicas != s.Replicas {
			t.Errorf("ringkv ring: %+v; status: %+v", m, s)
		}
	}
	if rr.PrimaryMinPct < 85 || rr.PrimaryMaxPct > 115 || rr.ReplicasMinPct < 85 || rr.ReplicasMaxPct > 115 {
		t.Errorf("ringkv ring: primaries %.1f%%..%.1f%%, replicas %.1f%%..%.1f%% of the mean: beyond ±15%%",
			rr.PrimaryMinPct, rr.PrimaryMaxPct, rr.ReplicasMinPct, rr.ReplicasMaxPct)
	}
	r := adminOn(t, via, "ring")
	balance := fmt.Sprintf("balance: primary %.1f%%..%.1f%% of mean, replicas %.1f%%..%.1f%% of mean",
		rr.PrimaryMinPct, rr.PrimaryMaxPct, rr.ReplicasMinPct, rr.ReplicasMaxPct)
	tb := parseTable(t, r.stdout, "NAME")
	if r.code != 0 || len(tb.rows) != len(rr.Members) || !strings.Contains(r.stdout, balance) {
		t.Fatalf("ringkv ring: exit %d, %d rows for %d members, want %q:\n%s%s", r.code, len(tb.rows), len(rr.Members), balance, r.stdout, r.stderr)
	}
	for i, m := range rr.Members {
		if row := tb.rows[i]; tb.cell(row, "NAME") != m.Name || tb.cell(row, "PRIMARY") != itoa(m.Primary) ||
			tb.cell(row, "REPLICAS") != itoa(m.Replicas) {
			t.Errorf("ringkv ring: row %q, JSON %+v", row, m)
		}
	}
}

// removeDead: `ringkv remove` of victim through via fails while victim is
// alive, with the node's own error; once victim is killed and seen
// failed, it succeeds, and the status no longer counts it in the ring.
func removeDead(t *testing.T, c *Cluster, via, victim *Node) {
	t.Helper()
	name := victim.Opts.Name
	nodeErr := c.Client(via).Do(context.Background(), "RINGKV", "REMOVE", name).Err()
	r := adminOn(t, via, "remove", name)
	if nodeErr == nil || r.code != 1 || r.stderr != "ringkv remove: "+nodeErr.Error()+"\n" || !strings.Contains(r.stderr, "alive") {
		t.Fatalf("ringkv remove %s (alive): exit %d, stderr %q; the node answers RINGKV REMOVE with %v", name, r.code, r.stderr, nodeErr)
	}
	victim.Kill(t)
	want := map[string]string{}
	var others []*Node
	for _, n := range c.Nodes {
		want[n.Opts.Name] = "alive"
		if n != victim {
			others = append(others, n)
		}
	}
	want[name] = "failed"
	c.WaitStates(t, detectTimeout, want, others...)
	r = adminOn(t, via, "remove", name)
	if r.code != 0 || !strings.HasPrefix(r.stdout, name+" is removed from the ring (it was failed)") {
		t.Fatalf("ringkv remove %s (failed): exit %d:\n%s%s", name, r.code, r.stdout, r.stderr)
	}
	for _, n := range others {
		Eventually(t, formTimeout, "status via "+n.Opts.Name+" shows "+name+" removed", func() error {
			st := statusOf(t, n)
			if m, ok := st.member(name); ok && m.Ring != "removed" {
				return fmt.Errorf("%s is %s, ring %s", name, m.State, m.Ring)
			}
			return nil
		})
	}
}

// leaveExits: `ringkv leave` on leaver makes it hand off and exit 0;
// status through via then shows it left, out of the ring.
func leaveExits(t *testing.T, c *Cluster, leaver, via *Node) {
	t.Helper()
	name := leaver.Opts.Name
	r := adminOn(t, leaver, "leave")
	if r.code != 0 || !strings.HasPrefix(r.stdout, name+" is leaving the cluster") {
		t.Fatalf("ringkv leave on %s: exit %d:\n%s%s", name, r.code, r.stdout, r.stderr)
	}
	if code := leaver.WaitExit(t, handoffTimeout); code != 0 {
		t.Fatalf("%s exited %d after ringkv leave, want 0\n%s", name, code, leaver.LogTail(20))
	}
	Eventually(t, formTimeout, "status via "+via.Opts.Name+" shows "+name+" left", func() error {
		st := statusOf(t, via)
		if m, ok := st.member(name); !ok || m.State != "left" || m.Ring != "removed" {
			return fmt.Errorf("%s listed %v: %+v, want left and removed", name, ok, m)
		}
		return nil
	})
}

// operatorCommands are the subcommands `ringkv --help` lists.
var operatorCommands = []string{"status", "ring", "transfers", "leave", "remove", "healthcheck"}

// TestAdminCLIHelp: `ringkv --help` lists each operator subcommand on one
// line with what it does, in its Operator commands section, and each name listed is a real subcommand: the
// admin ones answer their own --help, healthcheck probes the port it is
// given (nobody listens there: exit 1).
func TestAdminCLIHelp(t *testing.T) {
	t.Parallel()
	r := ringkvCLI(t, "--help")
	out := r.stdout + r.stderr
	if r.code != 0 {
		t.Fatalf("ringkv --help: exit %d:\n%s", r.code, out)
	}
	_, section, _ := strings.Cut(out, "\nOperator commands")
	section, _, _ = strings.Cut(section, "\nFlags:")
	for _, name := range operatorCommands {
		var lines []string
		for l := range strings.Lines(section) {
			if f := strings.Fields(l); len(f) > 0 && f[0] == name && strings.HasPrefix(l, "  ") {
				lines = append(lines, l)
			}
		}
		if len(lines) != 1 || len(strings.Fields(lines[0])) < 4 {
			t.Errorf("ringkv --help lists %s on %d lines %q, want one line saying what it does:\n%s", name, len(lines), lines, out)
		}
	}
	for _, name := range operatorCommands[:5] {
		if h := ringkvCLI(t, name, "--help"); h.code != 0 || !strings.HasPrefix(h.stderr, "usage: ringkv "+name+" ") {
			t.Errorf("ringkv %s --help: exit %d:\n%s%s", name, h.code, h.stdout, h.stderr)
		}
	}
	port := strconv.Itoa(FreePort(t))
	if h := ringkvCLI(t, "healthcheck", "--port", port); h.code != 1 || !strings.HasPrefix(h.stderr, "healthcheck: ") {
		t.Errorf("ringkv healthcheck --port %s (nobody there): exit %d:\n%s%s", port, h.code, h.stdout, h.stderr)
	}
}
