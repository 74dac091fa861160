package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if args, ok := ringsimArgs(os.Args[1:]); ok {
		os.Exit(ringsimMain(args, os.Stdout, os.Stderr)) // ringsim.go: no servers
	}
	cfg, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	mode := run
	if cfg.AAE {
		mode = runAAE // aae.go
	}
	if cfg.Handoff.On {
		mode = runHandoff // handoff.go
	}
	err = mode(ctx, cfg, os.Stdout, os.Stderr) // returns only after every child is stopped
	cancel()
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
