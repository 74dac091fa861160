package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, _, err := output(ctx, time.Minute, "go", "env", "GOMOD")
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == "/dev/null" {
		return "", fmt.Errorf("bench: run from inside the ringkv module (go env GOMOD = %q, %v)", gomod, err)
	}
	return filepath.Dir(gomod), nil
}

// buildRingkv builds ./cmd/ringkv of root into a temp dir owned by p.
func buildRingkv(ctx context.Context, p *procs, root string) (string, error) {
	dir, err := p.TempDir("bench-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "ringkv")
	cmd, cancel := command(ctx, 5*time.Minute, "go", "build", "-o", bin, "./cmd/ringkv")
	defer cancel()
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("bench: go build ./cmd/ringkv: %v\n%s", err, out)
	}
	return bin, nil
}

// checkTools fails early when a program the run needs is not on PATH.
func checkTools() error {
	for _, t := range []string{"redis-server", "redis-benchmark", "redis-cli", "go"} {
		if _, err := exec.LookPath(t); err != nil {
			return fmt.Errorf("bench: %s not found on PATH", t)
		}
	}
	return nil
}
