package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// composeProject is the docker-compose project name of TestDockerCompose,
// and composeNet its network's /24 (RINGKV_NET, docker-compose.override.yml).
const (
	composeProject = "ringkvtest"
	composeNet     = "10.231.101"
)

// compose runs docker-compose (v1) or `docker compose` (v2) on the repo's
// docker-compose.yml, with env added to the environment.
type compose struct {
	argv []string // the command, e.g. ["docker-compose"] or ["docker", "compose"]
	env  []string
}

// requireCompose finds docker and a compose command; missing ones skip
// the test, or fail it under CI=true. The docker daemon must answer.
func requireCompose(t *testing.T) compose {
	t.Helper()
	docker := RequireTool(t, "docker")
	if out, err := runTool(t, 30*time.Second, nil, docker, "info", "--format", "{{.ServerVersion}}"); err != nil {
		missing(t, fmt.Sprintf("the docker daemon does not answer: %v\n%s", err, out))
	}
	if path, err := exec.LookPath("docker-compose"); err == nil {
		return compose{argv: []string{path}}
	}
	out, err := runTool(t, 30*time.Second, nil, docker, "compose", "version")
	if err != nil {
		missing(t, fmt.Sprintf("neither docker-compose nor `docker compose` is installed: %v\n%s", err, out))
	}
	return compose{argv: []string{docker, "compose"}}
}

// composeFileArgs lists the repo's compose files as `docker-compose up` in
// its root reads them: docker-compose.yml, and docker-compose.override.yml
// with each node's fixed address.
var composeFileArgs = []string{"-f", "../docker-compose.yml", "-f", "../docker-compose.override.yml"}

// run runs `compose -f ../docker-compose.yml -f ../docker-compose.override.yml
// -p ringkvtest args...`.
func (c compose) run(t testing.TB, timeout time.Duration, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	argv := slices.Concat(c.argv[1:], composeFileArgs, []string{"-p", composeProject}, args)
	cmd := exec.CommandContext(ctx, c.argv[0], argv...)
	cmd.Env = append(os.Environ(), c.env...)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("%v: timed out after %v: %w", argv, timeout, err)
	}
	return string(out), err
}

// composeRunner is a compose command bound to its files and project
// (compose, composeFiles).
type composeRunner interface {
	run(t testing.TB, timeout time.Duration, args ...string) (string, error)
	must(t testing.TB, timeout time.Duration, args ...string) string
}

// upFresh removes what a previous run of c's project left, starts it,
// and at the end of the test shows its last logTail log lines if the
// test failed and removes the project with its volumes.
func upFresh(t *testing.T, c composeRunner, logTail int) {
	t.Helper()
	_, _ = c.run(t, 2*time.Minute, "down", "-v", "--remove-orphans") // a previous run's leftovers
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := c.run(t, time.Minute, "logs", "--no-color", "--tail", strconv.Itoa(logTail))
			t.Logf("container logs:\n%s", out)
		}
		if out, err := c.run(t, 2*time.Minute, "down", "-v", "--remove-orphans"); err != nil {
			t.Errorf("docker-compose down -v: %v\n%s", err, out)
		}
	})
	c.must(t, 3*time.Minute, "up", "-d")
}

// must is run failing the test on error.
func (c compose) must(t testing.TB, timeout time.Duration, args ...string) string {
	t.Helper()
	out, err := c.run(t, timeout, args...)
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", strings.Join(c.argv, " "), args, err, out)
	}
	return out
}

// composeImage builds ringkv:latest, the image docker-compose.yml names,
// once per test binary: the tests that run the file as written share it.
var composeImage = sync.OnceValues(func() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "../cmd/ringkv/build-image.sh", "ringkv:latest")
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	return string(out), err
})

// buildComposeImage builds ringkv:latest (once) or fails the test.
func buildComposeImage(t testing.TB) {
	t.Helper()
	if out, err := composeImage(); err != nil {
		t.Fatalf("build-image.sh: %v\n%s", err, out)
	}
}

// TestDockerCompose runs the repo's docker-compose.yml: three containers
// from the FROM-scratch image form one cluster on a private network, serve
// clients on host ports (of 127.0.0.1 only), and keep serving with one node
// stopped. The file has no default cluster key: the run generates one.
func TestDockerCompose(t *testing.T) {
	t.Parallel()
	dc := requireCompose(t)
	cli := RequireTool(t, "redis-cli")
	buildComposeImage(t)
	ports := []int{FreePort(t), FreePort(t), FreePort(t)}
	dc.env = []string{"RINGKV_PORT1=" + strconv.Itoa(ports[0]), "RINGKV_PORT2=" + strconv.Itoa(ports[1]),
		"RINGKV_PORT3=" + strconv.Itoa(ports[2]), "RINGKV_PUBLISH_ADDR=" /* the default: 127.0.0.1 */, "RINGKV_CLUSTER_KEY=",
		"RINGKV_NET=" + composeNet} // a subnet of its own: the compose tests run side by side

	// Without a key the file refuses to start, saying what to set.
	if out, err := dc.run(t, time.Minute, "config"); err == nil || !strings.Contains(out, "set RINGKV_CLUSTER_KEY") {
		t.Fatalf("docker-compose config without RINGKV_CLUSTER_KEY: %v, want an error naming it\n%s", err, out)
	}
	dc.env = append(dc.env, "RINGKV_CLUSTER_KEY="+randomKey(t))

	upFresh(t, dc, 200)
	for i, svc := range []string{"n1", "n2", "n3"} {
		want := "127.0.0.1:" + strconv.Itoa(ports[i])
		if out := strings.TrimSpace(dc.must(t, time.Minute, "port", svc, "6379")); out != want {
			t.Errorf("%s's client port is published on %q, want %q (loopback only)", svc, out, want)
		}
	}

	clients := make([]*redis.Client, 3)
	for i, p := range ports {
		clients[i] = redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(p), Protocol: 2,
			DialTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second, WriteTimeout: 15 * time.Second, MaxRetries: -1})
		t.Cleanup(func() { _ = clients[i].Close() })
	}
	ctx := context.Background()
	for i, cl := range clients {
		Eventually(t, 90*time.Second, fmt.Sprintf("n%d answers PING and sees 3 alive members", i+1), func() error {
			if err := cl.Ping(ctx).Err(); err != nil {
				return err
			}
			text, err := cl.Info(ctx, "cluster").Result()
			if err != nil {
				return err
			}
			info, err := ParseClusterInfo(text)
			if err != nil {
				return err
			}
			return info.check(map[string]string{"n1": "alive", "n2": "alive", "n3": "alive"})
		})
	}

	// redis-cli from the host, across nodes.
	cliRun := func(i int, args ...string) string {
		t.Helper()
		out, err := runTool(t, 20*time.Second, nil, cli, append([]string{"-p", strconv.Itoa(ports[i])}, args...)...)
		if err != nil {
			t.Fatalf("redis-cli -p %d %v: %v\n%s", ports[i], args, err, out)
		}
		return strings.TrimSpace(out)
	}
	if out := cliRun(0, "SET", "dc:cli", "hello"); out != "OK" {
		t.Errorf("redis-cli SET via n1 = %q, want OK", out)
	}
	for i := 1; i < 3; i++ {
		if out := cliRun(i, "GET", "dc:cli"); out != "hello" {
			t.Errorf("redis-cli GET via n%d = %q, want hello", i+1, out)
		}
	}

	// go-redis: 200 keys via node 1, read via nodes 2 and 3.
	want := map[string]string{}
	for i := range 200 {
		k, v := fmt.Sprintf("dc:%03d", i), "v"+strconv.Itoa(i)
		if err := clients[0].Set(ctx, k, v, 0).Err(); err != nil {
			t.Fatalf("SET %s via n1: %v", k, err)
		}
		want[k] = v
	}
	checkAll := func(i int, when string) {
		t.Helper()
		for k, v := range want {
			if got, err := clients[i].Get(ctx, k).Result(); err != nil || got != v {
				t.Errorf("GET %s via n%d %s = %q, %v; want %q", k, i+1, when, got, err, v)
			}
		}
	}
	checkAll(1, "")
	checkAll(2, "")
	if t.Failed() {
		t.FailNow()
	}

	// Stop n3: nodes 1 and 2 keep serving reads and writes.
	dc.must(t, 2*time.Minute, "stop", "n3")
	for i := range 50 {
		k, v := fmt.Sprintf("dc:after:%02d", i), "a"+strconv.Itoa(i)
		if err := clients[i%2].Set(ctx, k, v, 0).Err(); err != nil {
			t.Fatalf("SET %s via n%d with n3 stopped: %v", k, i%2+1, err)
		}
		want[k] = v
	}
	checkAll(0, "with n3 stopped")
	checkAll(1, "with n3 stopped")
	if out := cliRun(1, "GET", "dc:cli"); out != "hello" {
		t.Errorf("redis-cli GET via n2 with n3 stopped = %q, want hello", out)
	}

	// A stopped node stays in the ring, seen as failed (README: stopping a
	// node does not remove it).
	Eventually(t, detectTimeout, "n1 sees n3 failed", func() error {
		text, err := clients[0].Info(ctx, "cluster").Result()
		if err != nil {
			return err
		}
		info, err := ParseClusterInfo(text)
		if err != nil {
			return err
		}
		return info.check(map[string]string{"n1": "alive", "n2": "alive", "n3": "failed"})
	})
	if err := clients[1].Set(ctx, "dc:last", "l", 0).Err(); err != nil {
		t.Errorf("SET via n2 with n3 failed: %v", err)
	}
}
