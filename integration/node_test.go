package integration

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Time bounds for node processes (generous: CI machines are slow).
const (
	readyTimeout = 20 * time.Second // start → answers PING
	stopTimeout  = 30 * time.Second // SIGTERM → exited
)

// NodeOptions configure one ringkv process. Zero fields get fresh defaults.
type NodeOptions struct {
	Name       string   // --node; default "n<port>"
	Dir        string   // --dir; default a new t.TempDir()
	Port       int      // --port; default FreePort
	GossipPort int      // --gossip-port; default FreePort
	PeerPort   int      // --peer-port; default FreePort
	Password   string   // --requirepass; the readiness probe and Client use it too
	Args       []string // more flags, e.g. "--appendfsync", "always" or "--join", addr
	NoWait     bool     // return without waiting until it answers PING
}

// Node is one ringkv child process. StartNode registers a cleanup that
// kills it and reports an exit nobody asked for; on failure it prints the
// tail of the node's log.
type Node struct {
	Opts    NodeOptions // resolved: every port and the dir are set
	LogPath string      // the process's stdout and stderr, across restarts

	t        testing.TB
	mu       sync.Mutex
	cmd      *exec.Cmd
	done     chan struct{} // closed when the process has exited
	expected bool          // an exit was asked for (signal, kill, WaitExit)
}

// StartNode starts a ringkv process and waits until it answers PING.
func StartNode(t testing.TB, opts NodeOptions) *Node {
	t.Helper()
	n := &Node{t: t, Opts: opts}
	n.fillDefaults()
	t.Cleanup(n.cleanup)
	n.start(t)
	return n
}

func (n *Node) fillDefaults() {
	o := &n.Opts
	if o.Port == 0 {
		o.Port = FreePort(n.t)
	}
	if o.GossipPort == 0 {
		o.GossipPort = FreePort(n.t)
	}
	if o.PeerPort == 0 {
		o.PeerPort = FreePort(n.t)
	}
	if o.Dir == "" {
		o.Dir = n.t.TempDir()
	}
	if o.Name == "" {
		o.Name = "n" + strconv.Itoa(o.Port)
	}
	n.LogPath = filepath.Join(n.t.TempDir(), o.Name+".log")
}

// Addr is the client address, "127.0.0.1:port".
func (n *Node) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(n.Opts.Port)) }

// Args are the flags the process is started with.
func (n *Node) Args() []string {
	o := n.Opts
	args := []string{"--port", strconv.Itoa(o.Port), "--bind", "127.0.0.1", "--dir", o.Dir,
		"--node", o.Name, "--gossip-port", strconv.Itoa(o.GossipPort),
		"--peer-port", strconv.Itoa(o.PeerPort)}
	if o.Password != "" {
		args = append(args, "--requirepass", o.Password)
	}
	return append(args, o.Args...)
}

func (n *Node) start(t testing.TB) {
	t.Helper()
	logf, err := os.OpenFile(n.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("node log: %v", err)
	}
	fmt.Fprintf(logf, "=== %s %s\n", ringkvBin, strings.Join(n.Args(), " "))
	cmd := exec.Command(ringkvBin, n.Args()...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start ringkv: %v", err)
	}
	done := make(chan struct{})
	n.mu.Lock()
	n.cmd, n.done, n.expected = cmd, done, false
	n.mu.Unlock()
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(done)
	}()
	if !n.Opts.NoWait {
		n.WaitReady(t, readyTimeout)
	}
}

// WaitReady waits until the node accepts a connection and answers PING
// with PONG (after AUTH if it has a password).
func (n *Node) WaitReady(t testing.TB, timeout time.Duration) {
	t.Helper()
	err := poll(timeout, func() error {
		if !n.Running() {
			return errors.New("process exited")
		}
		return n.ping()
	})
	if err != nil {
		t.Fatalf("node %s not ready within %v: %v\n%s", n.Opts.Name, timeout, err, n.LogTail(40))
	}
}

func (n *Node) ping() error {
	conn, err := net.DialTimeout("tcp", n.Addr(), time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	rd := bufio.NewReader(conn)
	if p := n.Opts.Password; p != "" {
		fmt.Fprintf(conn, "*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n", len(p), p)
		if line, err := rd.ReadString('\n'); err != nil || line != "+OK\r\n" {
			return fmt.Errorf("AUTH: %q %v", line, err)
		}
	}
	if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	line, err := rd.ReadString('\n')
	if err != nil || line != "+PONG\r\n" {
		return fmt.Errorf("PING: %q %v", line, err)
	}
	return nil
}

// Running reports whether the process is alive.
func (n *Node) Running() bool {
	n.mu.Lock()
	done := n.done
	n.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// Pid is the current process id.
func (n *Node) Pid() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cmd.Process.Pid
}

// Signal sends sig to the process, which is then expected to exit.
func (n *Node) Signal(t testing.TB, sig os.Signal) {
	t.Helper()
	n.mu.Lock()
	n.expected = true
	cmd := n.cmd
	n.mu.Unlock()
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("signal %v to node %s: %v", sig, n.Opts.Name, err)
	}
}

// WaitExit waits for the process to exit and returns its exit code (-1 if
// a signal killed it). It fails the test after timeout.
func (n *Node) WaitExit(t testing.TB, timeout time.Duration) int {
	t.Helper()
	n.mu.Lock()
	n.expected = true
	cmd, done := n.cmd, n.done
	n.mu.Unlock()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		// SIGQUIT makes the Go runtime print every goroutine's stack to
		// the node's log and exit: the dump says where the stop hung.
		before := len(n.Log())
		_ = cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		t.Fatalf("node %s did not exit within %v (sent SIGQUIT)\n%s\n--- its goroutines:\n%s",
			n.Opts.Name, timeout, n.LogTail(40), stuckGoroutines(n.Log()[before:]))
		return -1
	}
}

// Stop sends SIGTERM and returns the exit code (0 for a clean shutdown).
func (n *Node) Stop(t testing.TB) int {
	t.Helper()
	n.Signal(t, syscall.SIGTERM)
	return n.WaitExit(t, stopTimeout)
}

// Kill sends SIGKILL (kill -9) and waits for the process to be gone.
func (n *Node) Kill(t testing.TB) {
	t.Helper()
	n.Signal(t, syscall.SIGKILL)
	n.WaitExit(t, 10*time.Second)
}

// Restart starts the process again with the same flags, dir and ports.
// The node must have exited (Stop, Kill, SHUTDOWN).
func (n *Node) Restart(t testing.TB) {
	t.Helper()
	if n.Running() {
		t.Fatalf("restart node %s: still running", n.Opts.Name)
	}
	n.start(t)
}

// Client returns a go-redis client for the node with the given RESP
// protocol (2 or 3), closed when the test ends.
func (n *Node) Client(t testing.TB, proto int) *redis.Client {
	c := redis.NewClient(&redis.Options{
		Addr: n.Addr(), Protocol: proto, Password: n.Opts.Password,
		DialTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
		MaxRetries: -1,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Log is the node's output so far.
func (n *Node) Log() string {
	b, _ := os.ReadFile(n.LogPath)
	return string(b)
}

// stuckGoroutines keeps the goroutines of a SIGQUIT dump that are in
// ringkv's own code or in gossip (the runtime's and the idle network
// pollers' are noise), at most 400 lines.
func stuckGoroutines(dump string) string {
	var out []string
	for _, g := range strings.Split(dump, "\n\n") {
		if strings.Contains(g, "ringkv/") || strings.Contains(g, "hashicorp/") {
			out = append(out, g)
		}
	}
	lines := strings.Split(strings.Join(out, "\n\n"), "\n")
	if len(lines) > 400 {
		lines = append(lines[:400], "...")
	}
	return strings.Join(lines, "\n")
}

// LogTail is the last lines of the node's log, for failure messages.
func (n *Node) LogTail(lines int) string {
	all := strings.Split(strings.TrimRight(n.Log(), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return fmt.Sprintf("--- last lines of %s:\n%s", n.LogPath, strings.Join(all, "\n"))
}

// cleanup kills a live process and reports one that died unasked.
func (n *Node) cleanup() {
	n.mu.Lock()
	cmd, done, expected := n.cmd, n.done, n.expected
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-done:
		if !expected {
			n.t.Errorf("node %s exited on its own: %v\n%s", n.Opts.Name, cmd.ProcessState, n.LogTail(40))
			return
		}
	default:
		_ = cmd.Process.Kill()
		<-done
	}
	if n.t.Failed() {
		n.t.Logf("node %s\n%s", n.Opts.Name, n.LogTail(30))
	}
}
