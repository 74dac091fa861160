package integration

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// StartRedisServer starts a throwaway redis-server (no persistence, one
// database, like ringkv) on a free port and returns its address. It is the
// reference for reply fidelity: send both servers the same bytes and
// compare. Skips (or fails under CI=true) without redis-server.
func StartRedisServer(t testing.TB, extra ...string) string {
	t.Helper()
	bin := RequireTool(t, "redis-server")
	port := FreePort(t)
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--databases", "1", "--dir", t.TempDir(),
		"--loglevel", "warning"}, extra...)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	err := poll(readyTimeout, func() error {
		select {
		case <-done:
			return fmt.Errorf("redis-server exited: %v", cmd.ProcessState)
		default:
		}
		return pingAddr(addr)
	})
	if err != nil {
		t.Fatalf("redis-server not ready: %v", err)
	}
	return addr
}

// pingAddr dials addr and expects +PONG (or -NOAUTH) to a PING.
func pingAddr(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || (line != "+PONG\r\n" && !strings.HasPrefix(line, "-NOAUTH")) {
		return fmt.Errorf("PING: %q %v", line, err)
	}
	return nil
}
