package integration

// Issue 6: a real network partition. The repo's docker-compose cluster
// runs (with a test override: the image under test, shorter timeouts);
// one container is cut off from its peers by iptables rules inside its
// network namespace (entered from the host with nsenter), while the host's
// clients still reach its published client port. Both sides take a
// set-add workload of VSETs; after healing, every acknowledged element
// must be on every replica.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ringkv/ringkv/engine"
)

// partitionProject is the docker-compose project of TestPartitionSetAdd
// (TestDockerCompose uses another), and partitionImage its image tag.
const (
	partitionProject = "ringkvpart"
	partitionImage   = "ringkv:faulttest"
)

// composeFiles is a compose command on the repo's docker-compose.yml plus
// an override file, under its own project name.
type composeFiles struct {
	compose
	files   []string
	project string
}

func (c composeFiles) run(t testing.TB, timeout time.Duration, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	argv := slices.Clone(c.argv[1:])
	for _, f := range c.files {
		argv = append(argv, "-f", f)
	}
	argv = append(append(argv, "-p", c.project), args...)
	cmd := exec.CommandContext(ctx, c.argv[0], argv...)
	cmd.Env = append(os.Environ(), c.env...)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("%v: timed out after %v: %w", argv, timeout, err)
	}
	return string(out), err
}

func (c composeFiles) must(t testing.TB, timeout time.Duration, args ...string) string {
	t.Helper()
	out, err := c.run(t, timeout, args...)
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", strings.Join(c.argv, " "), args, err, out)
	}
	return strings.TrimSpace(out)
}

// netFault cuts a container off by iptables rules in its network
// namespace, with the host's iptables run through nsenter.
type netFault struct{ nsenter, iptables string }

// requireNetFault finds root, nsenter and iptables; missing ones skip the
// test, or fail it under CI=true (.ci/run installs iptables).
func requireNetFault(t *testing.T) netFault {
	t.Helper()
	if os.Geteuid() != 0 {
		missing(t, "cutting a container's network needs root (nsenter into its namespace, iptables)")
	}
	f := netFault{nsenter: sbinTool(t, "nsenter"), iptables: sbinTool(t, "iptables")}
	if out, err := runTool(t, 10*time.Second, nil, f.iptables, "-V"); err != nil {
		missing(t, fmt.Sprintf("iptables -V: %v\n%s", err, out))
	}
	return f
}

// sbinTool finds name on $PATH or in /usr/sbin, /sbin (root's tools).
func sbinTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		if p := filepath.Join(dir, name); isExecutable(p) {
			return p
		}
	}
	missing(t, name+" is not installed (Debian package "+map[string]string{"iptables": "iptables", "nsenter": "util-linux"}[name]+")")
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// drop adds (op "-I") or deletes (op "-D") the rules that drop every
// packet between the namespace of process pid and each address in peers.
func (f netFault) drop(t *testing.T, pid int, op string, peers []string) {
	t.Helper()
	for _, ip := range peers {
		for _, rule := range [][]string{{"INPUT", "-s", ip}, {"OUTPUT", "-d", ip}} {
			args := append([]string{"-t", strconv.Itoa(pid), "-n", f.iptables, "-w", op}, append(rule, "-j", "DROP")...)
			if out, err := runTool(t, 20*time.Second, nil, f.nsenter, args...); err != nil {
				t.Fatalf("nsenter %v: %v\n%s", args, err, out)
			}
		}
	}
}

// rules lists the filter rules in pid's namespace.
func (f netFault) rules(t *testing.T, pid int) string {
	t.Helper()
	out, err := runTool(t, 20*time.Second, nil, f.nsenter, "-t", strconv.Itoa(pid), "-n", f.iptables, "-w", "-S")
	if err != nil {
		t.Fatalf("iptables -S in pid %d's namespace: %v\n%s", pid, err, out)
	}
	return out
}

// container is one compose service's container.
type container struct {
	name, id, ip string
	pid          int
	port         int // client port published on 127.0.0.1
	cl           *redis.Client
}

// elements is a set-add key's elements, from its sibling values (each a
// comma-separated list).
func elements(vals []string) map[string]bool {
	set := map[string]bool{}
	for _, v := range vals {
		for e := range strings.SplitSeq(v, ",") {
			if e != "" {
				set[e] = true
			}
		}
	}
	return set
}

// TestPartitionSetAdd: the docker-compose cluster (3 nodes, N=3); n3 is
// cut off from n1 and n2 (its client port stays reachable). Through
// n1 and n2 (R=2, W=2) and through n3 (its --r 1 --w 1) clients add
// elements to the same keys: VGET, merge the siblings' elements, add one,
// VSET with the context. The partition is proved real (W=3 via n1 and
// R=2 via n3 fail, each side sees the other failed). After healing and
// a round of adds through every node, the hints drain and the replicas
// converge: every acknowledged element is on every replica (lost=0), and
// the replicas agree (diverged=0), through VGET R 1 on each node and in
// each node's LevelDB read directly after the containers stop.
func TestPartitionSetAdd(t *testing.T) {
	t.Parallel()
	const keys, rounds = 12, 4
	pc, fault, nodes := startPartitionCluster(t, partitionProject)
	n1, n2, n3 := nodes[0], nodes[1], nodes[2]
	all := map[string]string{"n1": "alive", "n2": "alive", "n3": "alive"}
	t.Logf("containers: n1 %s pid %d, n2 %s pid %d, n3 %s pid %d", n1.ip, n1.pid, n2.ip, n2.pid, n3.ip, n3.pid)

	key := func(i int) string { return fmt.Sprintf("part:%02d", i) }
	acked := map[string]map[string]bool{} // key → acknowledged elements
	counts := map[string]int{}            // phase/side → acknowledged adds
	failures := 0
	add := func(n *container, k, elem, phase string, r, w int) {
		t.Helper()
		ctx := context.Background()
		cur, vals, err := vgetR(n.cl, k, r)
		if err == nil {
			set := elements(vals)
			set[elem] = true
			args := []any{"VSET", k, strings.Join(slices.Sorted(maps.Keys(set)), ","), "W", w}
			if cur != "" {
				args = append(args, "CONTEXT", cur)
			}
			err = n.cl.Do(ctx, args...).Err()
		}
		if err != nil {
			failures++
			t.Errorf("add %s to %s via %s (%s): %v", elem, k, n.name, phase, err)
			return
		}
		if acked[k] == nil {
			acked[k] = map[string]bool{}
		}
		acked[k][elem] = true
		counts[phase+" via "+n.name]++
	}

	for i := range keys {
		for _, n := range nodes {
			add(n, key(i), "h0-"+n.name, "healthy", 2, 2)
		}
	}

	// Cut n3 off from its peers; its clients still reach it.
	fault.drop(t, n3.pid, "-I", []string{n1.ip, n2.ip})
	t.Logf("rules in n3's namespace:\n%s", fault.rules(t, n3.pid))
	healed := false
	t.Cleanup(func() {
		if !healed {
			fault.drop(t, n3.pid, "-D", []string{n1.ip, n2.ip})
		}
	})
	waitContainerStates(t, n3, detectTimeout, map[string]string{"n1": "failed", "n2": "failed", "n3": "alive"})
	for _, n := range []*container{n1, n2} {
		waitContainerStates(t, n, detectTimeout, map[string]string{"n1": "alive", "n2": "alive", "n3": "failed"})
	}
	if err := n1.cl.Do(context.Background(), "VSET", "part:probe", "x", "W", 3).Err(); !isNoQuorum(err) {
		t.Errorf("VSET W 3 via n1 with n3 cut off: %v, want NOQUORUM (is the partition real?)", err)
	}
	if _, _, err := vgetR(n3.cl, key(0), 2); !isNoQuorum(errors.Unwrap(err)) {
		t.Errorf("VGET R 2 via n3 while cut off: %v, want NOQUORUM (is the partition real?)", err)
	}

	for r := range rounds {
		for i := range keys {
			add(n1, key(i), fmt.Sprintf("p%d-n1", r), "partitioned", 2, 2)
			add(n3, key(i), fmt.Sprintf("p%d-n3", r), "partitioned", 1, 1)
			add(n2, key(i), fmt.Sprintf("p%d-n2", r), "partitioned", 2, 2)
		}
	}
	if counts["partitioned via n3"] == 0 || counts["partitioned via n1"]+counts["partitioned via n2"] == 0 {
		t.Fatalf("acknowledged adds while partitioned: %v; both sides must take writes", counts)
	}

	fault.drop(t, n3.pid, "-D", []string{n1.ip, n2.ip})
	healed = true
	start := time.Now()
	for _, n := range nodes {
		waitContainerStates(t, n, 90*time.Second, all)
	}
	t.Logf("healed: every node sees all alive %v after the rules went", time.Since(start))
	// Each side wrote each key without seeing the other's writes: a read
	// of all three replicas shows both branches as siblings.
	// Right after healing a peer connection may still be re-dialing (the
	// dropped packets left it hanging until its timeout): an R=3 read can
	// miss a replica for a moment, so each is retried for a bounded time.
	withSiblings := 0
	for i := range keys {
		var vals []string
		err := poll(30*time.Second, func() error {
			var err error
			_, vals, err = vgetR(n1.cl, key(i), 3)
			return err
		})
		if err != nil {
			t.Fatalf("after healing: %v", err)
		}
		if len(vals) >= 2 {
			withSiblings++
		}
	}
	t.Logf("keys with siblings after healing (VGET R 3 via n1): %d/%d", withSiblings, keys)
	if withSiblings != keys {
		t.Errorf("only %d of %d keys written on both sides of the partition show siblings", withSiblings, keys)
	}
	for i := range keys {
		for _, n := range nodes {
			add(n, key(i), "h1-"+n.name, "healed", 2, 2)
		}
	}
	t.Logf("acknowledged adds: %v; failed: %d", counts, failures)

	// Converge: hints drained everywhere, then every replica's own copy.
	Eventually(t, 90*time.Second, "hints_pending 0 on every node", func() error {
		var per []string
		bad := false
		for _, n := range nodes {
			f, err := clientInfo(n.cl, n.name, "handoff")
			if err != nil {
				return err
			}
			per = append(per, n.name+":"+f["hints_pending"])
			bad = bad || f["hints_pending"] != "0"
		}
		if bad {
			return fmt.Errorf("hints_pending %v", per)
		}
		return nil
	})
	var lost, diverged int
	err := poll(60*time.Second, func() error {
		lost, diverged = 0, 0
		for i := range keys {
			l, d, err := compareReplicas(acked[key(i)], func(n *container) (map[string]bool, error) {
				_, vals, err := vgetR(n.cl, key(i), 1)
				return elements(vals), err
			}, nodes)
			if err != nil {
				return err
			}
			lost, diverged = lost+l, diverged+d
		}
		if lost+diverged > 0 {
			return fmt.Errorf("lost=%d diverged=%d", lost, diverged)
		}
		return nil
	})
	t.Logf("VGET R 1 through each node: lost=%d diverged=%d (%d keys, %d acknowledged elements)", lost, diverged, keys, ackedCount(acked))
	if err != nil {
		t.Errorf("replicas did not converge within 60s: %v", err)
	}

	// Each replica's LevelDB, read directly once the containers stopped.
	pc.must(t, 2*time.Minute, "stop")
	stores := map[*container]storeView{}
	var names []string
	for i := range keys {
		names = append(names, key(i))
	}
	for _, n := range nodes {
		vol := partitionProject + "_" + n.name + "data"
		dir, err := runTool(t, 30*time.Second, nil, "docker", "volume", "inspect", "-f", "{{.Mountpoint}}", vol)
		if err != nil {
			t.Fatalf("docker volume inspect %s: %v\n%s", vol, err, dir)
		}
		db, err := engine.Open(strings.TrimSpace(dir), engine.Options{SweepInterval: -1})
		if err != nil {
			t.Fatalf("open %s's store in volume %s: %v", n.name, vol, err)
		}
		stores[n] = readDB(t, n.name, db, names)
		if err := db.Close(); err != nil {
			t.Errorf("close %s's store: %v", n.name, err)
		}
	}
	lost, diverged = 0, 0
	for _, k := range names {
		l, d, _ := compareReplicas(acked[k], func(n *container) (map[string]bool, error) {
			return elements(stores[n].Live(k)), nil
		}, nodes)
		lost, diverged = lost+l, diverged+d
	}
	t.Logf("stores: lost=%d diverged=%d; hints on disk n1:%d n2:%d n3:%d",
		lost, diverged, stores[n1].Hints, stores[n2].Hints, stores[n3].Hints)
	if lost+diverged > 0 {
		for _, k := range names {
			for _, n := range nodes {
				t.Logf("%s %s: %q", n.name, k, stores[n].Live(k))
			}
		}
		t.Errorf("after healing and convergence the stores lost %d acknowledged elements and %d replicas diverged", lost, diverged)
	}
}

// compareReplicas reads one key's element set from every node: lost counts
// acknowledged elements missing on some replica (once per replica), and
// diverged the replicas whose set differs from the first node's.
func compareReplicas(want map[string]bool, read func(*container) (map[string]bool, error), nodes []*container) (lost, diverged int, err error) {
	var first map[string]bool
	for i, n := range nodes {
		got, err := read(n)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", n.name, err)
		}
		for e := range want {
			if !got[e] {
				lost++
			}
		}
		if i == 0 {
			first = got
		} else if !maps.Equal(first, got) {
			diverged++
		}
	}
	return lost, diverged, nil
}

func ackedCount(acked map[string]map[string]bool) int {
	n := 0
	for _, set := range acked {
		n += len(set)
	}
	return n
}

// waitContainerStates waits until n's INFO cluster shows want.
func waitContainerStates(t *testing.T, n *container, timeout time.Duration, want map[string]string) {
	t.Helper()
	Eventually(t, timeout, fmt.Sprintf("INFO cluster on %s shows %v", n.name, want), func() error {
		text, err := n.cl.Info(context.Background(), "cluster").Result()
		if err != nil {
			return err
		}
		info, err := ParseClusterInfo(text)
		if err != nil {
			return err
		}
		return info.check(want)
	})
}

// startPartitionCluster starts the three-node compose cluster of the
// partition tests as project (built from this tree, its ports on
// loopback) and waits until every node sees the others alive; it checks
// the tools those tests need (docker-compose, root, nsenter, iptables)
// first. The cluster goes down at the end of the test (its logs shown if
// it failed).
func startPartitionCluster(t *testing.T, project string) (composeFiles, netFault, []*container) {
	t.Helper()
	dc := requireCompose(t)
	fault := requireNetFault(t)
	if out, err := runTool(t, 5*time.Minute, nil, "../cmd/ringkv/build-image.sh", partitionImage); err != nil {
		t.Fatalf("build-image.sh: %v\n%s", err, out)
	}
	override := filepath.Join(t.TempDir(), project+".override.yml")
	if err := os.WriteFile(override, []byte(partitionOverride()), 0o644); err != nil {
		t.Fatal(err)
	}
	pc := composeFiles{compose: dc, files: []string{"../docker-compose.yml", override}, project: project}
	nodes := []*container{{name: "n1"}, {name: "n2"}, {name: "n3"}}
	for _, n := range nodes {
		n.port = FreePort(t)
		pc.env = append(pc.env, fmt.Sprintf("RINGKV_PORT%s=%d", n.name[1:], n.port))
	}
	pc.env = append(pc.env, "RINGKV_PUBLISH_ADDR=", "RINGKV_CLUSTER_KEY="+randomKey(t))

	upFresh(t, pc, 100)
	for _, n := range nodes {
		n.id = pc.must(t, time.Minute, "ps", "-q", n.name)
		out, err := runTool(t, 30*time.Second, nil, "docker", "inspect", "-f",
			"{{.State.Pid}} {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", n.id)
		if _, err2 := fmt.Sscan(out, &n.pid, &n.ip); err != nil || err2 != nil || n.pid == 0 || n.ip == "" {
			t.Fatalf("docker inspect %s: %q %v %v", n.name, out, err, err2)
		}
		n.cl = redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(n.port), Protocol: 2,
			DialTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second, WriteTimeout: 15 * time.Second, MaxRetries: -1})
		t.Cleanup(func() { _ = n.cl.Close() })
	}
	all := map[string]string{"n1": "alive", "n2": "alive", "n3": "alive"}
	for _, n := range nodes {
		waitContainerStates(t, n, 90*time.Second, all)
	}
	return pc, fault, nodes
}

// partitionOverride is the compose override: the image under test, and
// each node's command with shorter timeouts; n3, the node that is cut
// off, reads and writes alone (R=1, W=1) so that it can take writes.
func partitionOverride() string {
	var b strings.Builder
	b.WriteString("version: \"2.4\"\nservices:\n")
	for _, n := range []string{"n1", "n2", "n3"} {
		args := []string{"--bind", "0.0.0.0", "--advertise", n, "--dir", "/data", "--node", n,
			"--join", "n1:7946,n2:7946,n3:7946", "--cluster-key", "${RINGKV_CLUSTER_KEY:?set RINGKV_CLUSTER_KEY}",
			"--request-timeout", "1000", "--aae-interval", "1s"}
		if n == "n3" {
			args = append(args, "--r", "1", "--w", "1")
		}
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = strconv.Quote(a)
		}
		fmt.Fprintf(&b, "  %s:\n    image: %s\n    command: [%s]\n", n, partitionImage, strings.Join(quoted, ", "))
	}
	return b.String()
}
