package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// node is one running server process: redis-server or a ringkv node.
type node struct {
	Name string // ringkv --node, or "redis"
	Port int    // client port on 127.0.0.1
	Dir  string // its working / data directory
	Log  string // file holding its stdout and stderr
	c    *child
}

// Pid is the server's process id (each server is exec'd directly).
func (n *node) Pid() int { return n.c.cmd.Process.Pid }

// exited reports whether the process has already gone.
func (n *node) exited() bool {
	select {
	case <-n.c.done:
		return true
	default:
		return false
	}
}

// startNode starts bin with args in dir, logging to dir/server.log, and
// waits until it answers PING.
func startNode(ctx context.Context, p *procs, name string, port int, dir, bin string, args ...string) (*node, error) {
	logPath := filepath.Join(dir, "server.log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, f, f
	c, err := p.Start(cmd)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	n := &node{Name: name, Port: port, Dir: dir, Log: logPath, c: c}
	return n, waitReady(ctx, n, 30*time.Second)
}

// waitReady polls PING every 100 ms until PONG, the process exits, or timeout.
func waitReady(ctx context.Context, n *node, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if n.exited() {
			return fmt.Errorf("%s on port %d exited during startup:\n%s", n.Name, n.Port, tail(n.Log, 20))
		}
		out, _, _ := output(ctx, 5*time.Second, "redis-cli", "-h", "127.0.0.1", "-p", fmt.Sprint(n.Port), "ping")
		if strings.TrimSpace(string(out)) == "PONG" {
			return nil
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s on port %d not answering PING after %v:\n%s", n.Name, n.Port, timeout, tail(n.Log, 20))
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tail returns the last n lines of a file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// freePorts returns k distinct loopback ports free for TCP and, when udp is
// set, for UDP as well (Serf gossips over both). The listeners are held until
// all k are found, so the ports are distinct; a race with another program
// remains possible.
func freePorts(k int, udp bool) ([]int, error) {
	var ports []int
	var closers []func() error
	defer func() {
		for _, c := range closers {
			_ = c()
		}
	}()
	for tries := 0; len(ports) < k && tries < 100; tries++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		closers = append(closers, l.Close)
		port := l.Addr().(*net.TCPAddr).Port
		if udp {
			pc, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				continue
			}
			closers = append(closers, pc.Close)
		}
		ports = append(ports, port)
	}
	if len(ports) < k {
		return nil, fmt.Errorf("bench: found only %d of %d free ports", len(ports), k)
	}
	return ports, nil
}
