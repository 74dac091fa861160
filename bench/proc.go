package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// procs owns every long-running child and temp dir of a run. Close stops
// the children (their whole process groups) and removes the dirs; it is
// deferred by run, so it also happens on errors and on Ctrl-C.
type procs struct {
	mu       sync.Mutex
	children []*child
	dirs     []string
}

// child is a started process and a channel closed once it has been reaped.
type child struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// ownGroup makes cmd the leader of a new process group, so a signal to the
// group reaches its descendants too, and asks Linux to kill it if we die.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup sends sig to the process group led by cmd.
func killGroup(cmd *exec.Cmd, sig syscall.Signal) error {
	if cmd.Process == nil {
		return nil
	}
	return syscall.Kill(-cmd.Process.Pid, sig)
}

// signal sends sig to c's process group unless c has been reaped (its
// group id could then belong to someone else). The servers we start do not
// fork, so nothing is left behind by the check.
func (c *child) signal(sig syscall.Signal) {
	select {
	case <-c.done:
	default:
		_ = killGroup(c.cmd, sig)
	}
}

// stop terminates c, waiting at most 5 s before killing it.
func (c *child) stop() {
	c.signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		c.signal(syscall.SIGKILL)
		<-c.done
	}
}

// TempDir makes a directory that Close removes.
func (p *procs) TempDir(pattern string) (string, error) {
	d, err := os.MkdirTemp("", pattern)
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	p.dirs = append(p.dirs, d)
	p.mu.Unlock()
	return d, nil
}

// Start starts cmd in its own process group and reaps it in the background.
func (p *procs) Start(cmd *exec.Cmd) (*child, error) {
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(c.done) }()
	p.mu.Lock()
	p.children = append(p.children, c)
	p.mu.Unlock()
	return c, nil
}

// Close terminates every child (SIGTERM, then SIGKILL after 5 s) and removes
// the temp dirs. It is safe to call more than once.
func (p *procs) Close() {
	p.mu.Lock()
	children, dirs := p.children, p.dirs
	p.children, p.dirs = nil, nil
	p.mu.Unlock()
	for _, c := range children {
		c.signal(syscall.SIGTERM)
	}
	deadline := time.After(5 * time.Second)
	for _, c := range children {
		select {
		case <-c.done:
		case <-deadline:
			c.signal(syscall.SIGKILL)
			<-c.done
		}
	}
	for _, d := range dirs {
		_ = os.RemoveAll(d)
	}
}

// command builds a short-lived command bounded by ctx and timeout: on expiry
// its whole process group is killed. The returned cancel must be called.
func command(ctx context.Context, timeout time.Duration, name string, args ...string) (*exec.Cmd, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	cmd := exec.CommandContext(ctx, name, args...)
	ownGroup(cmd)
	cmd.Cancel = func() error { return killGroup(cmd, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	return cmd, cancel
}

// output runs a short-lived command and returns its stdout and stderr.
func output(ctx context.Context, timeout time.Duration, name string, args ...string) (stdout, stderr []byte, err error) {
	cmd, cancel := command(ctx, timeout, name, args...)
	defer cancel()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.Bytes(), e.Bytes(), err
}
