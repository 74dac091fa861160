package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"
)

// Exit codes of the admin subcommands.
const (
	exitOK    = 0 // done
	exitError = 1 // the node answered an error, or could not be reached
	exitUsage = 2 // bad flags or arguments
)

// adminCommand is one operator subcommand (`ringkv status`, ...): how it is
// called and what it does once connected to a node.
type adminCommand struct {
	args  string                                 // positional arguments, for the usage line
	nargs int                                    // how many positional arguments it takes
	help  string                                 // one paragraph for --help
	flags func(fs *flag.FlagSet, o *adminOpts)   // its own flags, if any
	run   func(a *adminRun, c *nodeClient) error // the work, over a connection
}

// adminCommandFor returns the subcommand called name, if there is one.
func adminCommandFor(name string) (adminCommand, bool) {
	switch name {
	case "status":
		return statusCommand, true
	case "ring":
		return ringCommand, true
	case "transfers":
		return transfersCommand, true
	case "leave":
		return leaveCommand, true
	case "remove":
		return removeCommand, true
	}
	return adminCommand{}, false
}

// adminIO is what a subcommand reads and writes besides the node, so tests
// run it in process.
type adminIO struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	terminal       bool // stdout is an interactive terminal: live displays
}

// osAdminIO is the process's own streams and environment.
func osAdminIO() adminIO {
	term := false
	if fi, err := os.Stdout.Stat(); err == nil {
		term = fi.Mode()&os.ModeCharDevice != 0
	}
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci || os.Getenv("TERM") == "dumb" {
		term = false
	}
	return adminIO{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, now: time.Now, terminal: term}
}

// adminOpts are the parsed flags and arguments of one subcommand.
type adminOpts struct {
	host     string
	port     int
	password string
	json     bool
	timeout  time.Duration
	watch    bool          // transfers: refresh until no transfer is pending
	all      bool          // transfers: list every done transfer
	interval time.Duration // transfers --watch: time between refreshes
	force    bool          // remove: even a node gossip sees alive
	args     []string
}

func (o adminOpts) addr() string { return net.JoinHostPort(o.host, strconv.Itoa(o.port)) }

// adminRun is one invocation: its name, options and streams.
type adminRun struct {
	name string
	opts adminOpts
	io   adminIO
}

// usageError is a mistake in the command line (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// admin runs `ringkv NAME args...` and returns its exit code.
func admin(name string, args []string, aio adminIO) int {
	cmd, _ := adminCommandFor(name)
	opts, err := parseAdmin(name, cmd, args, aio)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(aio.stderr, "ringkv %s: %v\nRun 'ringkv %s --help' for usage.\n", name, err, name)
		return exitUsage
	}
	a := &adminRun{name: name, opts: opts, io: aio}
	c, err := dialNode(opts.addr(), opts.password, opts.timeout)
	if err == nil {
		defer c.Close()
		err = cmd.run(a, c)
	}
	if err != nil {
		fmt.Fprintf(aio.stderr, "ringkv %s: %v\n", name, err)
		return exitError
	}
	return exitOK
}

// parseAdmin reads the connection flags, the subcommand's own flags and its
// positional arguments, which may come in any order.
func parseAdmin(name string, cmd adminCommand, args []string, aio adminIO) (adminOpts, error) {
	o := adminOpts{interval: time.Second}
	fs := flag.NewFlagSet("ringkv "+name, flag.ContinueOnError)
	fs.SetOutput(aio.stderr)
	fs.StringVar(&o.host, "host", "127.0.0.1", "`host` of the node to ask")
	fs.IntVar(&o.port, "port", 6379, "client RESP `port` of the node")
	fs.StringVar(&o.password, "password", "", "`password` of the node (default $RINGKV_PASSWORD)")
	fs.StringVar(&o.password, "a", "", "same as --password")
	fs.BoolVar(&o.json, "json", false, "print the data as JSON, for scripts")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "give up on a node that does not answer within this `duration`")
	if cmd.flags != nil {
		cmd.flags(fs, &o)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: ringkv %s [flags]%s\n\n%s\n\nflags:\n", name, cmd.args, cmd.help)
		fs.PrintDefaults()
	}
	var err error
	if o.args, err = parseInterleaved(fs, args); err != nil {
		return o, err
	}
	if o.password == "" {
		o.password = aio.getenv("RINGKV_PASSWORD")
	}
	switch {
	case len(o.args) != cmd.nargs:
		return o, &usageError{fmt.Sprintf("takes %d argument(s)%s, got %q", cmd.nargs, cmd.args, o.args)}
	case o.port < 1 || o.port > 65535:
		return o, &usageError{fmt.Sprintf("bad --port %d: want 1 to 65535", o.port)}
	case o.timeout <= 0 || o.interval <= 0:
		return o, &usageError{"--timeout and --interval must be positive"}
	}
	return o, nil
}

// parseInterleaved parses fs's flags wherever they stand among the
// positional arguments (`remove n3 --force`), which it returns in order;
// everything after "--" is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}
