package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// redisCLI runs one command through redis-cli against port and returns the
// reply text. An error reply is returned as an error.
func redisCLI(ctx context.Context, cfg Config, port int, args ...string) (string, error) {
	full := append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(port)}, args...)
	out, stderr, err := output(ctx, cfg.RunTimeout, "redis-cli", full...)
	reply := strings.TrimSpace(string(out))
	if err != nil || strings.HasPrefix(reply, "ERR") || strings.HasPrefix(reply, "(error)") {
		return reply, fmt.Errorf("redis-cli -p %d %s: %q %s %v", port, strings.Join(args, " "), reply, bytes.TrimSpace(stderr), err)
	}
	return reply, nil
}

// pipeSummary matches redis-cli --pipe's last line.
var pipeSummary = regexp.MustCompile(`errors: (\d+), replies: (\d+)`)

// ParsePipeSummary reads the error and reply counts redis-cli --pipe prints.
func ParsePipeSummary(out string) (errs, replies int, ok bool) {
	m := pipeSummary.FindStringSubmatch(out)
	if m == nil {
		return 0, 0, false
	}
	errs, _ = strconv.Atoi(m[1])
	replies, _ = strconv.Atoi(m[2])
	return errs, replies, true
}

// loadRate is the slowest load, in keys per second, that pipeLoad waits
// for: a 3-node cluster on a busy 2-core machine took in about 1300 a
// second through one node (2 M keys did not fit in 1000 s).
const loadRate = 1000

// loadBound bounds a load of keys keys: -run-timeout, or longer when keys
// at loadRate take longer (10 million keys: 2 h 47 min).
func loadBound(c Config, keys int) time.Duration {
	return max(c.RunTimeout, time.Duration(keys/loadRate)*time.Second)
}

// pipeLoad streams l into the server on port through redis-cli --pipe and
// fails unless every command got a non-error reply.
func pipeLoad(ctx context.Context, cfg Config, port int, l Load) error {
	cmd, cancel := command(ctx, loadBound(cfg, l.Count), "redis-cli", "-h", "127.0.0.1", "-p", strconv.Itoa(port),
		"--pipe", "--pipe-timeout", "120")
	defer cancel()
	pr, pw := io.Pipe()
	var out bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pr, &out, &out
	go func() { _, err := l.WriteTo(pw); pw.CloseWithError(err) }()
	err := cmd.Run()
	pr.CloseWithError(io.ErrClosedPipe) // unblocks the writer if redis-cli quit early
	errs, replies, ok := ParsePipeSummary(out.String())
	switch {
	case err != nil:
		return fmt.Errorf("redis-cli --pipe to port %d (%d keys, bound %v): %v: %s", port, l.Count, loadBound(cfg, l.Count), err, lastLines(out.String(), 5))
	case !ok || errs != 0 || replies != l.Count:
		return fmt.Errorf("redis-cli --pipe to port %d: want %d replies and no errors, got: %s", port, l.Count, lastLines(out.String(), 5))
	}
	return nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
