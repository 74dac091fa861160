// Command ringkv runs one ringkv node: a Dynamo-style key-value store that
// speaks the Redis protocol. With no flags it is a working single node on
// 127.0.0.1:6379 storing data in ./data. See `ringkv --help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ringkv/ringkv/server"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(healthcheck(os.Args[2:]))
	}
	if len(os.Args) > 1 {
		if _, ok := adminCommandFor(os.Args[1]); ok { // status, ring, transfers, leave, remove
			os.Exit(admin(os.Args[1], os.Args[2:], osAdminIO()))
		}
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cfg, err := parseConfig(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ringkv:", err)
		return 2
	}
	srv, err := server.New(cfg)
	if err != nil {
		cfg.Logger.Error().Err(err).Msg("cannot start")
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Run() }()
	select {
	case err = <-errc: // SHUTDOWN command or a listener failure
	case <-ctx.Done():
		cfg.Logger.Info().Msg("signal received, shutting down")
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		cfg.Logger.Error().Err(err).Msg("stopped with an error")
		return 1
	}
	return 0
}
