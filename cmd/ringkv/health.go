package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// healthcheck is `ringkv healthcheck [--port N] [--host H]`: it sends PING
// (after AUTH with $RINGKV_PASSWORD if set) and exits 0 on a good answer,
// for container health checks in images that have no shell or redis-cli.
func healthcheck(args []string) int {
	host, port := "127.0.0.1", "6379"
	for i := 0; i+1 < len(args); i += 2 {
		switch strings.TrimLeft(args[i], "-") {
		case "port":
			port = args[i+1]
		case "host":
			host = args[i+1]
		}
	}
	if _, err := strconv.Atoi(port); err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck: bad port", port)
		return 2
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(host, port), 2*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		return 1
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	rd := bufio.NewReader(conn)
	if pass := os.Getenv("RINGKV_PASSWORD"); pass != "" {
		fmt.Fprintf(conn, "*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n", len(pass), pass)
		if line, _ := rd.ReadString('\n'); !strings.HasPrefix(line, "+OK") {
			fmt.Fprintln(os.Stderr, "healthcheck: AUTH failed:", strings.TrimSpace(line))
			return 1
		}
	}
	fmt.Fprint(conn, "*1\r\n$4\r\nPING\r\n")
	line, err := rd.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "+PONG") {
		fmt.Fprintln(os.Stderr, "healthcheck: unexpected answer:", strings.TrimSpace(line), err)
		return 1
	}
	return 0
}
