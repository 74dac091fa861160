// Package integration runs the real ringkv binary as child processes and
// talks to it with real clients: go-redis, redis-cli, redis-benchmark,
// redis-py and raw TCP.
//
// Run the package alone (the binary is built once, in TestMain):
//
//	go test ./integration/ -v                      # everything (single-node part ~15 s)
//	go test ./integration/ -run TestVersioned -v   # one test
//	RINGKV_BIN=/path/to/ringkv go test ./integration/   # skip the build
//
// Tests needing redis-cli, redis-benchmark, redis-server or /usr/bin/python3
// with the redis module skip when the tool is missing, except under CI=true,
// where a missing tool is a failure.
//
// Shared helpers for every test file here (single-node tests, and the
// cluster_*.go / docker_*.go files):
//
//	StartNode(t, NodeOptions{...}) *Node    node_test.go: a ringkv process
//	FreePort(t) int                         a port nobody listens on
//	RequireTool(t, name) string             skip, or fail under CI=true
//	Eventually(t, timeout, what, cond)      poll cond until nil or timeout
//	DialRESP(t, addr) *RESPConn             raw RESP client (resp_test.go)
//	StartRedisServer(t, extraArgs...) string  reference redis-server (reference_test.go)
package integration

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// ringkvBin is the binary under test, built by TestMain (or $RINGKV_BIN).
var ringkvBin string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

// quietLogger drops go-redis's own log lines (pool dial failures are
// expected in tests that kill nodes).
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func runMain(m *testing.M) int {
	redis.SetLogger(quietLogger{})
	if bin := os.Getenv("RINGKV_BIN"); bin != "" {
		ringkvBin = bin
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "ringkv-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	ringkvBin = filepath.Join(dir, "ringkv")
	build := exec.Command("go", "build", "-o", ringkvBin, "./cmd/ringkv")
	build.Dir = ".." // the module root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "integration: building ringkv failed: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// ciMode reports whether missing tools are failures (CI=true).
func ciMode() bool { return os.Getenv("CI") == "true" }

// RequireTool returns the path of an executable on $PATH. When it is
// missing the test is skipped, or fails if CI=true.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missing(t, name+" is not installed")
	}
	return path
}

// requirePythonRedis checks that /usr/bin/python3 can import redis.
func requirePythonRedis(t testing.TB) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import redis").Run(); err != nil {
		missing(t, py+" with the redis module (python3-redis) is not available: "+err.Error())
	}
	return py
}

func missing(t testing.TB, why string) {
	t.Helper()
	if ciMode() {
		t.Fatalf("%s (CI=true: required)", why)
	}
	t.Skipf("%s (skipping; under CI=true this fails)", why)
}

// handedOut remembers ports FreePort gave away, so that two parallel tests
// of this process never get the same one.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago and
// that this process has not handed out before.
func FreePort(t testing.TB) int {
	t.Helper()
	for range 50 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		handedOut.Lock()
		taken := handedOut.ports[port]
		handedOut.ports[port] = true
		handedOut.Unlock()
		if !taken {
			return port
		}
	}
	t.Fatal("free port: no new port after 50 tries")
	return 0
}

// Eventually polls cond every 20ms until it returns nil; after timeout it
// fails the test with cond's last error.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	if err := poll(timeout, cond); err != nil {
		t.Fatalf("%s: not within %v: %v", what, timeout, err)
	}
}

// poll is Eventually returning the last error instead of failing.
func poll(timeout time.Duration, cond func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runTool runs an external client with a time bound and returns its
// combined output and exit error.
func runTool(t testing.TB, timeout time.Duration, stdin []byte, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = 2 * time.Second
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), fmt.Errorf("%s %v: timed out after %v: %w", name, args, timeout, err)
	}
	return string(out), err
}
