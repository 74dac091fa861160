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
	setProcs()
	srv, err := server.New(cfg)
	if err != nil {
		cfg.Logger.Error().Err(err).Msg("cannot start")
		return 1
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	errc := make(chan error, 1)
	go func() { errc <- srv.Run() }()
	select {
	case err = <-errc: // SHUTDOWN command, the end of a leave, or a listener failure
	case sig := <-sigs:
		err = onSignal(cfg, srv, sig, sigs, errc)
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

// onSignal stops the node on SIGINT or SIGTERM. With --leave-on-terminate,
// SIGTERM first leaves the ring: the node hands its partitions off and
// stops when done (Run returns); a second signal stops it at once, and
// the leave resumes when it restarts.
func onSignal(cfg server.Config, srv *server.Server, sig os.Signal, sigs <-chan os.Signal, errc <-chan error) error {
	if sig != syscall.SIGTERM || !cfg.LeaveOnTerminate {
		cfg.Logger.Info().Str("signal", sig.String()).Msg("signal received, shutting down")
		return nil
	}
	if err := srv.Leave(); err != nil {
		cfg.Logger.Warn().Err(err).Msg("SIGTERM with --leave-on-terminate: cannot leave the ring; shutting down as a member")
		return nil
	}
	cfg.Logger.Info().Msg("SIGTERM with --leave-on-terminate: leaving the ring, then stopping (a second signal stops at once; the leave resumes on restart)")
	select {
	case err := <-errc:
		return err
	case sig := <-sigs:
		cfg.Logger.Info().Str("signal", sig.String()).Msg("second signal: stopping before the leave completed")
		return nil
	}
}
