package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// client-output-buffer-limit is repeatable, from the command line and the
// config file alike (as redis.conf's lines), and checked at startup.
func TestClientOutputBufferLimitFlag(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "ringkv.conf")
	if err := os.WriteFile(conf, []byte("client-output-buffer-limit pubsub 64mb 16mb 90\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig([]string{"--config", conf, "--dir", t.TempDir(),
		"--client-output-buffer-limit", "normal 1mb 0 0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"normal 1mb 0 0"}; !slices.Equal(cfg.ClientOutputBufferLimit, want) {
		t.Fatalf("command line over the file: %q", cfg.ClientOutputBufferLimit)
	}
	cfg, err = parseConfig([]string{"--config", conf, "--dir", t.TempDir()}, io.Discard)
	if err != nil || !slices.Equal(cfg.ClientOutputBufferLimit, []string{"pubsub 64mb 16mb 90"}) {
		t.Fatalf("from the file: %q %v", cfg.ClientOutputBufferLimit, err)
	}
	_, err = parseConfig([]string{"--dir", t.TempDir(), "--client-output-buffer-limit", "master 1 2 3"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "Invalid client class") {
		t.Fatalf("a bad class: %v", err)
	}
}
