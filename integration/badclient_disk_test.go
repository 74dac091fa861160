package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// mountTmpfs mounts a tmpfs of size bytes at a new directory and unmounts
// it when the test ends. It skips when the test may not mount (not root),
// except under CI=true, where it fails:
// the engine's fault-injection tests (engine/recover_test.go) cover the
// same recovery without privileges.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		missing(t, fmt.Sprintf("cannot mount a tmpfs here (%v: %s); the engine tests cover disk-full recovery with injected faults", err, out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fillDisk writes zeros to path until the file system is full.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for range 1 << 16 { // bounded: 4 GiB
		if _, err := f.Write(chunk); err != nil {
			return // ENOSPC
		}
	}
	t.Fatal("the file system never filled up")
}

// With the disk full, every write fails with a MISCONF error naming the
// data directory and reads go on; once space is freed, writes resume by
// themselves, without a restart (before: they kept failing until one),
// and nothing acknowledged is lost.
func TestBadClientDiskFull(t *testing.T) {
	mnt := mountTmpfs(t, 64<<20) // writes resume once 2 memtables (16 MiB each) + 8 MiB are free
	n := StartNode(t, NodeOptions{Dir: filepath.Join(mnt, "data")})
	ctx := context.Background()
	c := n.Client(t, 2)
	for i := range 50 {
		if err := c.Set(ctx, fmt.Sprintf("k%d", i), "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	fillDisk(t, filepath.Join(mnt, "filler"))

	var werr error
	for i := 0; i < 10000 && werr == nil; i++ { // the journal's last page may still take a few
		werr = c.Set(ctx, fmt.Sprintf("f%d", i), strings.Repeat("x", 1000), 0).Err()
	}
	if werr == nil || !strings.HasPrefix(werr.Error(), "MISCONF Errors writing to the data directory") ||
		!strings.Contains(werr.Error(), "no space left on device") {
		t.Fatalf("write on a full disk: %v", werr)
	}
	t.Logf("full: %v", werr)
	if err := c.Del(ctx, "k1").Err(); err == nil || !strings.HasPrefix(err.Error(), "MISCONF") {
		t.Fatalf("DEL on a full disk: %v", err)
	}
	if v, err := c.Get(ctx, "k1").Result(); err != nil || v != "v" {
		t.Fatalf("GET on a full disk: %q %v", v, err)
	}

	if err := os.Remove(filepath.Join(mnt, "filler")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	Eventually(t, 10*time.Second, "writes resume after space is freed", func() error {
		return c.Set(ctx, "after", "yes", 0).Err()
	})
	t.Logf("writes resumed %v after space was freed", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(n.Log(), "storage reopened after write errors") {
		t.Errorf("no log line for the recovery:\n%s", n.LogTail(10))
	}
	if err := c.Del(ctx, "k1").Err(); err != nil {
		t.Fatal(err)
	}
	n.Signal(t, syscall.SIGTERM)
	if code := n.WaitExit(t, stopTimeout); code != 0 {
		t.Fatalf("exit code %d\n%s", code, n.LogTail(20))
	}
	n.Restart(t)
	c = n.Client(t, 2)
	for _, k := range []string{"k0", "k49", "after"} {
		if err := c.Get(ctx, k).Err(); err != nil {
			t.Errorf("GET %s after restart: %v", k, err)
		}
	}
	if err := c.Get(ctx, "k1").Err(); !errors.Is(err, redis.Nil) {
		t.Errorf("GET of the deleted k1 after restart: %v", err)
	}
}
