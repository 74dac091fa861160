package integration

// Issue 9 item 5: the repo's docker-compose.yml, as the README drives it.
// Three nodes grow to five (the "grow" profile's n4 and n5 join through
// n1..n3 and receive their partitions), n5 leaves (`ringkv leave` in its
// container: it exits 0 and stays down), and n1..n4 go through a rolling
// restart (`docker-compose restart`) under a write load at W=2; last, n4
// is stopped for good and removed (`ringkv remove n4`).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// growProject is TestDockerComposeGrow's compose project and growNet its
// network's /24 (the other compose tests use their own, so they can run
// side by side).
const (
	growProject = "ringkvgrow"
	growNet     = "10.231.102"
)

// growTimeout bounds one step of the scenario: a join's or a leave's
// handoff, a restarted container becoming healthy and settled.
const growTimeout = 90 * time.Second

// growCluster is the compose project under test: its services' published
// client ports and a client for each.
type growCluster struct {
	dc      composeFiles
	ports   map[string]int
	mu      sync.Mutex
	clients map[string]*redis.Client
}

// TestDockerComposeGrow: 3 nodes take 2000 keys; n4 and n5 join and every
// node's handoff settles, with every key on exactly N=3 nodes and readable
// at R=1 through each node; n5 leaves (exit 0, not restarted) and the four
// left converge with the keys still there; then a rolling restart of
// n1..n4, one at a time, each waited for until healthy and settled, while
// a writer writes at W=2 through the four: every acknowledged write is
// readable at R=1 through every node afterwards, and every other one was
// refused with an error; n4 stopped and removed, n1..n3 re-replicate its
// partitions: every acknowledged key on 3 nodes, readable at R=1.
func TestDockerComposeGrow(t *testing.T) {
	t.Parallel()
	g := startGrowCluster(t)
	ctx := context.Background()
	all := []string{"n1", "n2", "n3", "n4", "n5"}

	seeded := g.seed(t, "n1", "grow", 2000)
	g.grow(t, 2*time.Minute, "up", "-d", "n4", "n5")
	g.waitHealthy(t, "n4", "n5")
	g.waitSettled(t, all)
	g.checkCopies(t, "n4", all, 3*len(seeded), 3*len(seeded))
	g.checkR1(t, seeded, "after n4 and n5 joined", all...)

	// n5 leaves: `ringkv leave` in its container. It hands its partitions
	// off, exits 0, and docker does not restart it (restart: on-failure).
	out := g.grow(t, time.Minute, "exec", "-T", "n5", "/ringkv", "leave")
	if !strings.Contains(out, "n5 is leaving") {
		t.Fatalf("ringkv leave on n5 printed:\n%s", out)
	}
	n5 := g.containerID(t, "n5")
	if code, err := runTool(t, growTimeout, nil, "docker", "wait", n5); err != nil || strings.TrimSpace(code) != "0" {
		t.Fatalf("docker wait n5 after ringkv leave: %q, %v; want exit code 0", code, err)
	}
	four := all[:4]
	g.waitSettled(t, four)
	if got := inspect(t, n5, "{{.State.ExitCode}} {{.RestartCount}} {{.State.Status}}"); got != "0 0 exited" {
		t.Fatalf("n5 after leaving: exit code, restarts, state = %q, want \"0 0 exited\"", got)
	}
	if logs := g.grow(t, time.Minute, "logs", "--no-color", "n5"); !strings.Contains(logs, "left the cluster") {
		t.Fatalf("n5's log does not say it left the cluster:\n%s", logs)
	}
	g.compose(t, time.Minute, "rm", "-f", "n5")
	g.checkCopies(t, "n1", four, 3*len(seeded), 3*len(seeded))
	g.checkR1(t, seeded, "after n5 left", four...)

	// Rolling restart under load.
	w := startComposeWriter(t, g, four, 30000, 3*time.Minute)
	for _, name := range four {
		g.compose(t, 2*time.Minute, "restart", name)
		g.waitHealthy(t, name)
		g.checkAddress(t, name)
		g.waitREADME(t, name)
		g.waitSettled(t, four)
		t.Logf("%s restarted; writer so far: %d acknowledged, %d refused", name, w.ackedCount(), w.refusedCount())
	}
	acked, refused, lastErr := w.finish()
	t.Logf("writer during the rolling restart: %d writes acknowledged, %d refused (last: %v)", len(acked), refused, lastErr)
	if len(acked) < 100 {
		t.Fatalf("only %d writes acknowledged during the rolling restart (%d refused)", len(acked), refused)
	}
	g.waitSettled(t, four)
	g.waitHintsDrained(t, four)
	for k, v := range seeded {
		acked[k] = v
	}
	g.checkR1(t, acked, "after the rolling restart", four...)

	// n4 fails for good (stopped) and is removed: n1..n3 copy its
	// partitions from the surviving replicas.
	g.compose(t, 2*time.Minute, "stop", "n4")
	Eventually(t, growTimeout, "n1 sees n4 failed", func() error {
		text, err := g.client(t, "n1").Info(ctx, "cluster").Result()
		if err != nil {
			return err
		}
		info, err := ParseClusterInfo(text)
		if err != nil {
			return err
		}
		if st := info.State("n4"); st != "failed" {
			return fmt.Errorf("n4 is %q", st)
		}
		return nil
	})
	if out := g.compose(t, time.Minute, "exec", "-T", "n1", "/ringkv", "remove", "n4"); !strings.Contains(out, "n4 is removed") {
		t.Fatalf("ringkv remove n4 printed:\n%s", out)
	}
	three := all[:3]
	g.waitSettled(t, three)
	g.compose(t, time.Minute, "rm", "-f", "n4")
	// Every key on exactly N=3 nodes: the acknowledged ones for sure, the
	// refused ones maybe.
	g.checkCopies(t, "n1", three, 3*len(acked), 3*(len(acked)+refused))
	g.checkR1(t, acked, "after n4 was removed", three...)
}

// startGrowCluster builds the image, starts n1..n3 from the repo's
// docker-compose.yml on free host ports, and waits until they form one
// cluster. Cleanup takes the whole project down, volumes included.
func startGrowCluster(t *testing.T) *growCluster {
	t.Helper()
	dc := requireCompose(t)
	buildComposeImage(t)
	files := []string{"../docker-compose.yml", "../docker-compose.override.yml"}
	g := &growCluster{dc: composeFiles{compose: dc, files: files, project: growProject},
		ports: map[string]int{}, clients: map[string]*redis.Client{}}
	g.dc.env = []string{"RINGKV_PUBLISH_ADDR=", "RINGKV_CLUSTER_KEY=" + randomKey(t), "RINGKV_NET=" + growNet}
	for i := 1; i <= 5; i++ {
		name := "n" + strconv.Itoa(i)
		g.ports[name] = FreePort(t)
		g.dc.env = append(g.dc.env, fmt.Sprintf("RINGKV_PORT%d=%d", i, g.ports[name]))
	}
	_, _ = g.dc.run(t, 2*time.Minute, "--profile", "grow", "down", "-v", "--remove-orphans") // a previous run's leftovers
	t.Cleanup(func() { g.down(t) })
	g.compose(t, 3*time.Minute, "up", "-d")
	if out := g.compose(t, time.Minute, "ps", "--services", "--filter", "status=running"); strings.Contains(out, "n4") {
		t.Fatalf("a plain `up -d` started a grow-profile service:\n%s", out)
	}
	g.waitHealthy(t, "n1", "n2", "n3")
	g.waitSettled(t, []string{"n1", "n2", "n3"})
	return g
}

// down prints the logs of a failed run and removes the project.
func (g *growCluster) down(t *testing.T) {
	if t.Failed() {
		out, _ := g.dc.run(t, time.Minute, "--profile", "grow", "logs", "--no-color", "--tail", "150")
		t.Logf("container logs:\n%s", out)
	}
	g.mu.Lock()
	for _, cl := range g.clients {
		_ = cl.Close()
	}
	g.mu.Unlock()
	if out, err := g.dc.run(t, 2*time.Minute, "--profile", "grow", "down", "-v", "--remove-orphans"); err != nil {
		t.Errorf("docker-compose down -v: %v\n%s", err, out)
	}
}

// compose runs a docker-compose command on the project, failing the test
// on error; grow does so with the "grow" profile (n4, n5) enabled.
func (g *growCluster) compose(t *testing.T, timeout time.Duration, args ...string) string {
	t.Helper()
	return g.dc.must(t, timeout, args...)
}

func (g *growCluster) grow(t *testing.T, timeout time.Duration, args ...string) string {
	t.Helper()
	return g.dc.must(t, timeout, append([]string{"--profile", "grow"}, args...)...)
}

// client is a go-redis client on name's published port.
func (g *growCluster) client(t *testing.T, name string) *redis.Client {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if cl, ok := g.clients[name]; ok {
		return cl
	}
	port, ok := g.ports[name]
	if !ok {
		t.Fatalf("no service %s", name)
	}
	cl := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), Protocol: 2,
		DialTimeout: 3 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, MaxRetries: -1})
	g.clients[name] = cl
	return cl
}

// containerID is the id of service name's container.
func (g *growCluster) containerID(t *testing.T, name string) string {
	t.Helper()
	id := g.grow(t, time.Minute, "ps", "-q", name)
	if id == "" {
		t.Fatalf("service %s has no container", name)
	}
	return id
}

// inspect is `docker inspect -f format id`.
func inspect(t *testing.T, id, format string) string {
	t.Helper()
	out, err := runTool(t, 30*time.Second, nil, "docker", "inspect", "-f", format, id)
	if err != nil {
		t.Fatalf("docker inspect %s: %v\n%s", id, err, out)
	}
	return strings.TrimSpace(out)
}

// waitHealthy waits until docker reports each service's container healthy
// (its health check, `ringkv healthcheck`, answered PING).
func (g *growCluster) waitHealthy(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		id := g.containerID(t, name)
		Eventually(t, growTimeout, name+"'s container is healthy", func() error {
			if st := inspect(t, id, "{{.State.Status}} {{.State.Health.Status}}"); st != "running healthy" {
				return fmt.Errorf("%s is %s", name, st)
			}
			return nil
		})
	}
}

// checkAddress checks that service nX kept its address, growNet.1X (a
// node that comes back on another address is refused by the gossip as a
// name conflict: docker-compose.override.yml).
func (g *growCluster) checkAddress(t *testing.T, name string) {
	t.Helper()
	want := growNet + ".1" + strings.TrimPrefix(name, "n")
	if got := inspect(t, g.containerID(t, name), "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"); got != want {
		t.Fatalf("%s's address is %q, want %s", name, got, want)
	}
}

// waitREADME waits for a restarted node as the README's rolling restart
// does: `ringkv status` in its container until it says converged: yes,
// then `ringkv transfers --watch`, which returns once none is pending.
func (g *growCluster) waitREADME(t *testing.T, name string) {
	t.Helper()
	Eventually(t, growTimeout, name+": ringkv status says converged", func() error {
		out, err := g.dc.run(t, 30*time.Second, "exec", "-T", name, "/ringkv", "status")
		if err != nil || !strings.Contains(out, "converged: yes") {
			return fmt.Errorf("ringkv status: %v\n%s", err, out)
		}
		return nil
	})
	g.compose(t, growTimeout, "exec", "-T", name, "/ringkv", "transfers", "--watch")
}

// waitSettled waits until each node of names sees exactly names in the
// ring, all alive, acts on the same ring version as the others, has
// settled its handoff for it, and has no transfer pending and no
// partition left to drop.
func (g *growCluster) waitSettled(t *testing.T, names []string) {
	t.Helper()
	Eventually(t, growTimeout, fmt.Sprintf("%v alive, on one ring, handoff settled", names), func() error {
		version := ""
		for _, name := range names {
			f, err := g.settledVersion(t, name, names)
			if err != nil {
				return err
			}
			if version != "" && f != version {
				return fmt.Errorf("%s acts on ring %s, %s on %s", name, f, names[0], version)
			}
			version = f
		}
		return nil
	})
}

// settledVersion reads INFO cluster on name and returns the ring version
// it acts on, or why the node is not settled on a ring of members.
func (g *growCluster) settledVersion(t *testing.T, name string, members []string) (string, error) {
	text, err := g.client(t, name).Info(context.Background(), "cluster").Result()
	if err != nil {
		return "", fmt.Errorf("INFO cluster on %s: %w", name, err)
	}
	info, err := ParseClusterInfo(text)
	if err != nil {
		return "", err
	}
	f := info.Fields
	if f["cluster_members"] != strconv.Itoa(len(members)) {
		return "", fmt.Errorf("%s: cluster_members %s, want %d", name, f["cluster_members"], len(members))
	}
	for _, m := range members {
		if st := info.State(m); st != "alive" {
			return "", fmt.Errorf("%s sees %s %q", name, m, st)
		}
	}
	if f["handoff_settled_ring_version"] != f["cluster_ring_version"] {
		return "", fmt.Errorf("%s: handoff settled for ring %s, acts on %s", name,
			f["handoff_settled_ring_version"], f["cluster_ring_version"])
	}
	if f["handoff_transfers_pending"] != "0" || f["handoff_partitions_to_drop"] != "0" {
		return "", fmt.Errorf("%s: transfers pending %s, partitions to drop %s", name,
			f["handoff_transfers_pending"], f["handoff_partitions_to_drop"])
	}
	return f["cluster_ring_version"], nil
}

// waitHintsDrained waits until no node of names holds a hint.
func (g *growCluster) waitHintsDrained(t *testing.T, names []string) {
	t.Helper()
	Eventually(t, growTimeout, "hints delivered", func() error {
		for _, name := range names {
			f, err := clientInfo(g.client(t, name), name, "handoff")
			if err != nil {
				return err
			}
			if f["hints_pending"] != "0" {
				return fmt.Errorf("%s: hints_pending %q", name, f["hints_pending"])
			}
		}
		return nil
	})
}

// seed writes count keys prefix:i = v<i> through name, pipelined.
func (g *growCluster) seed(t *testing.T, name, prefix string, count int) map[string]string {
	t.Helper()
	want := map[string]string{}
	pipe := g.client(t, name).Pipeline()
	for i := range count {
		k, v := fmt.Sprintf("%s:%05d", prefix, i), "v"+strconv.Itoa(i)
		want[k] = v
		pipe.Set(context.Background(), k, v, 0)
		if pipe.Len() == 200 || i == count-1 {
			if _, err := pipe.Exec(context.Background()); err != nil {
				t.Fatalf("SET %s... through %s: %v", prefix, name, err)
			}
		}
	}
	return want
}

// checkR1 reads every key of want with VGET k R 1 through every node of
// names (pipelined) and fails with the number missed and the first one.
func (g *growCluster) checkR1(t *testing.T, want map[string]string, when string, names ...string) {
	t.Helper()
	keys := slices.Sorted(maps.Keys(want))
	for _, name := range names {
		missed, first := 0, ""
		for chunk := range slices.Chunk(keys, 200) {
			pipe := g.client(t, name).Pipeline()
			cmds := make([]*redis.Cmd, len(chunk))
			for i, k := range chunk {
				cmds[i] = pipe.Do(context.Background(), "VGET", k, "R", 1)
			}
			_, _ = pipe.Exec(context.Background()) // errors are per command
			for i, k := range chunk {
				vals, err := vgetValues(cmds[i])
				// A VSET without a context whose reply was lost and that
				// the client library retried adds a second sibling of the
				// same value (Dynamo: a context-less put is not idempotent).
				slices.Sort(vals)
				if err != nil || !slices.Equal(slices.Compact(vals), []string{want[k]}) {
					if missed++; first == "" {
						first = fmt.Sprintf("%s = %q (err %v), want %q", k, vals, err, want[k])
					}
				}
			}
		}
		if missed > 0 {
			t.Fatalf("%s: VGET R 1 through %s missed %d of %d keys; first: %s", when, name, missed, len(keys), first)
		}
	}
	t.Logf("%s: %d keys read at R=1 through each of %v", when, len(keys), names)
}

// vgetValues reads a VGET reply's values, sorted.
func vgetValues(cmd *redis.Cmd) ([]string, error) {
	v, err := cmd.Result()
	if err != nil {
		return nil, err
	}
	a, ok := v.([]any)
	if !ok || len(a) != 2 {
		return nil, fmt.Errorf("VGET reply %#v, want [context, [values]]", v)
	}
	list, ok := a[1].([]any)
	if !ok {
		return nil, fmt.Errorf("VGET values %#v are not an array", a[1])
	}
	vals := make([]string, len(list))
	for i, x := range list {
		if vals[i], ok = x.(string); !ok {
			return nil, fmt.Errorf("VGET value %#v is not a string", x)
		}
	}
	slices.Sort(vals)
	return vals, nil
}

// composeStatus is what `ringkv status --json` prints that the test reads.
type composeStatus struct {
	Converged bool `json:"converged"`
	Members   []struct {
		Name  string `json:"name"`
		State string `json:"state"`
		Ring  string `json:"ring"`
		Keys  int64  `json:"keys"`
	} `json:"members"`
}

// checkCopies runs `ringkv status --json` in via's container and checks
// that the ring members are exactly members, that they agree on the ring,
// and that their stored keys add up to between least and most (every key
// on exactly N nodes once the handoff has settled).
func (g *growCluster) checkCopies(t *testing.T, via string, members []string, least, most int) {
	t.Helper()
	out := g.grow(t, time.Minute, "exec", "-T", via, "/ringkv", "status", "--json")
	var st composeStatus
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("ringkv status --json on %s: %v\n%s", via, err, out)
	}
	var ring []string
	sum, per := int64(0), ""
	for _, m := range st.Members {
		if m.Ring != "member" {
			continue
		}
		ring = append(ring, m.Name)
		sum += m.Keys
		per += fmt.Sprintf(" %s:%d", m.Name, m.Keys)
	}
	slices.Sort(ring)
	if !st.Converged || !slices.Equal(ring, members) {
		t.Fatalf("ringkv status on %s: converged %v, ring members %v, want %v\n%s", via, st.Converged, ring, members, out)
	}
	if sum < int64(least) || sum > int64(most) {
		t.Fatalf("ringkv status on %s: the ring members hold %d keys (%s), want %d..%d", via, sum, per, least, most)
	}
	t.Logf("ringkv status on %s: keys per member%s", via, per)
}

// composeWriter writes unique keys with VSET ... W 2 through the given
// services in turn until stopped (bounded by count and time), recording
// the acknowledged writes and counting the refused ones.
type composeWriter struct {
	stop, done chan struct{}
	mu         sync.Mutex
	acked      map[string]string
	refused    int
	lastErr    error
}

func startComposeWriter(t *testing.T, g *growCluster, names []string, maxWrites int, maxTime time.Duration) *composeWriter {
	w := &composeWriter{stop: make(chan struct{}), done: make(chan struct{}), acked: map[string]string{}}
	clients := make([]*redis.Client, len(names))
	for i, name := range names {
		clients[i] = g.client(t, name)
	}
	go func() {
		defer close(w.done)
		deadline := time.Now().Add(maxTime)
		for i := 0; i < maxWrites && time.Now().Before(deadline); i++ {
			select {
			case <-w.stop:
				return
			default:
			}
			w.write(clients[i%len(clients)], fmt.Sprintf("roll:%05d", i), "r"+strconv.Itoa(i))
		}
	}()
	return w
}

// write makes one write and records its outcome.
func (w *composeWriter) write(cl *redis.Client, k, v string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	err := cl.Do(ctx, "VSET", k, v, "W", 2).Err()
	cancel()
	w.mu.Lock()
	if err != nil {
		w.refused++
		w.lastErr = err
	} else {
		w.acked[k] = v
	}
	w.mu.Unlock()
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		time.Sleep(5 * time.Millisecond) // a restarting node refuses at once
	}
}

func (w *composeWriter) ackedCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.acked)
}

func (w *composeWriter) refusedCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.refused
}

// finish stops the writer and returns its acknowledged writes, the
// number refused and the last refusal.
func (w *composeWriter) finish() (map[string]string, int, error) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.acked, w.refused, w.lastErr
}
