package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ringkv/ringkv/server"
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

// The LevelDB block cache and memtable sizes are settings, with sizes in
// Redis's units, from the command line or the config file.
func TestLevelDBSizeFlags(t *testing.T) {
	cfg, err := parseConfig([]string{"--dir", t.TempDir()}, io.Discard)
	if err != nil || cfg.CacheSize != 0 || cfg.WriteBuffer != 16<<20 {
		t.Fatalf("defaults: cache %d, write buffer %d, %v", cfg.CacheSize, cfg.WriteBuffer, err)
	}
	conf := filepath.Join(t.TempDir(), "ringkv.conf")
	if err := os.WriteFile(conf, []byte("cache-size 64mb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err = parseConfig([]string{"--config", conf, "--dir", t.TempDir(), "--write-buffer", "32mb"}, io.Discard)
	if err != nil || cfg.CacheSize != 64<<20 || cfg.WriteBuffer != 32<<20 {
		t.Fatalf("cache %d, write buffer %d, %v", cfg.CacheSize, cfg.WriteBuffer, err)
	}
	cfg, err = parseValid([]string{"--dir", t.TempDir(), "--write-buffer", "1kb"})
	if err == nil || !strings.Contains(err.Error(), "write-buffer must be between 64kb and 1gb") {
		t.Fatalf("a 1kb write buffer: %v", err)
	}
}

// parseValid is parseConfig of args, then Validate.
func parseValid(args []string) (server.Config, error) {
	cfg, err := parseConfig(args, io.Discard)
	if err == nil {
		err = cfg.Validate()
	}
	return cfg, err
}

// The key filter's memory is a setting; 0 turns the filter off.
func TestKeyFilterMemoryFlag(t *testing.T) {
	cfg, err := parseConfig([]string{"--dir", t.TempDir()}, io.Discard)
	if err != nil || cfg.KeyFilterMemory != 16<<20 {
		t.Fatalf("default: %d, %v", cfg.KeyFilterMemory, err)
	}
	for _, c := range []struct {
		arg  string
		want int64
	}{{"64mb", 64 << 20}, {"0", 0}} {
		cfg, err = parseValid([]string{"--dir", t.TempDir(), "--key-filter-memory", c.arg})
		if err != nil || cfg.KeyFilterMemory != c.want {
			t.Fatalf("--key-filter-memory %s: %d, %v", c.arg, cfg.KeyFilterMemory, err)
		}
	}
	cfg, err = parseValid([]string{"--dir", t.TempDir(), "--key-filter-memory", "100gb"})
	if err == nil || !strings.Contains(err.Error(), "key-filter-memory must be between") {
		t.Fatalf("a 100gb key filter: %v", err)
	}
}

// maxmemory and maxmemory-policy can be set at startup, in Redis's units
// and names, and a bad value stops the start with CONFIG SET's reason.
func TestMaxMemoryFlags(t *testing.T) {
	cfg, err := parseValid([]string{"--dir", t.TempDir(), "--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"})
	if err != nil || cfg.MaxMemory != "100mb" || cfg.MaxMemoryPolicy != "allkeys-lru" {
		t.Fatalf("maxmemory %q, policy %q, %v", cfg.MaxMemory, cfg.MaxMemoryPolicy, err)
	}
	for _, c := range []struct{ flag, value, want string }{
		{"--maxmemory", "lots", `maxmemory "lots": argument must be a memory value`},
		{"--maxmemory-policy", "lru", `maxmemory-policy "lru": argument(s) must be one of the following`},
	} {
		_, err := parseValid([]string{"--dir", t.TempDir(), c.flag, c.value})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: %v, want %q", c.flag, c.value, err, c.want)
		}
	}
}

// aclfile comes from the command line or the config file (redis.conf's
// line), the command line winning.
func TestACLFileFlag(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "ringkv.conf")
	if err := os.WriteFile(conf, []byte("aclfile /etc/ringkv/users.acl\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig([]string{"--config", conf, "--dir", t.TempDir()}, io.Discard)
	if err != nil || cfg.ACLFile != "/etc/ringkv/users.acl" {
		t.Fatalf("from the file: %q %v", cfg.ACLFile, err)
	}
	cfg, err = parseConfig([]string{"--config", conf, "--dir", t.TempDir(), "--aclfile", "mine.acl"}, io.Discard)
	if err != nil || cfg.ACLFile != "mine.acl" {
		t.Fatalf("command line over the file: %q %v", cfg.ACLFile, err)
	}
}
