package integration

// Helpers for the fault tests of issue 6 (handoff_test.go, aae_test.go,
// incr_test.go, partition_test.go): INFO's # Handoff and # AAE counters,
// the flags a test needs, keys chosen by their preference list, and a
// stopped node's LevelDB read directly.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ringkv/ringkv/engine"
	"github.com/ringkv/ringkv/replica/version"
)

// Bounds of the fault tests' waits.
const (
	drainTimeout    = 60 * time.Second // restarted node → every hint delivered
	aaeTimeout      = 60 * time.Second // anti-entropy repairs a wiped node
	quorumOKTimeout = 15 * time.Second // restarted node → quorum operations work
)

// infoFields reads INFO section from node n and returns its name:value
// lines. A section the node does not have comes back empty.
func infoFields(c *Cluster, n *Node, section string) (map[string]string, error) {
	return clientInfo(c.Client(n), n.Opts.Name, section)
}

// clientInfo is infoFields for any client; name is its node's, for errors.
func clientInfo(cl *redis.Client, name, section string) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	text, err := cl.Info(ctx, section).Result()
	if err != nil {
		return nil, fmt.Errorf("INFO %s on %s: %w", section, name, err)
	}
	fields := map[string]string{}
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
			fields[k] = v
		}
	}
	return fields, nil
}

// infoInt is one integer field of INFO section on node n.
func infoInt(c *Cluster, n *Node, section, field string) (int64, error) {
	fields, err := infoFields(c, n, section)
	if err != nil {
		return 0, err
	}
	v, ok := fields[field]
	if !ok {
		return 0, fmt.Errorf("INFO %s on %s has no %s field (issue 6: INFO's # Handoff / # AAE sections); got %v",
			section, n.Opts.Name, field, fields)
	}
	i, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("INFO %s on %s: %s:%q is not an integer", section, n.Opts.Name, field, v)
	}
	return i, nil
}

// sumInfo adds up an integer INFO field over nodes; per says each node's
// value ("n1:3 n2:0").
func sumInfo(c *Cluster, nodes []*Node, section, field string) (sum int64, per string, err error) {
	var parts []string
	for _, n := range nodes {
		v, err := infoInt(c, n, section, field)
		if err != nil {
			return 0, "", err
		}
		sum += v
		parts = append(parts, fmt.Sprintf("%s:%d", n.Opts.Name, v))
	}
	return sum, strings.Join(parts, " "), nil
}

// waitHintsDrained waits until INFO's hints_pending, summed over nodes, is
// 0, and returns how long that took.
func waitHintsDrained(t *testing.T, c *Cluster, nodes []*Node, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	Eventually(t, timeout, "hints_pending summed over the nodes reaches 0", func() error {
		sum, per, err := sumInfo(c, nodes, "handoff", "hints_pending")
		if err != nil {
			return err
		}
		if sum != 0 {
			return fmt.Errorf("hints_pending %s", per)
		}
		return nil
	})
	return time.Since(start)
}

// logHandoff prints every node's # Handoff counters.
func logHandoff(t *testing.T, c *Cluster, nodes []*Node) {
	t.Helper()
	for _, f := range []string{"hints_pending", "hints_stored", "hints_delivered", "hints_dropped"} {
		if _, per, err := sumInfo(c, nodes, "handoff", f); err == nil {
			t.Logf("%s: %s", f, per)
		} else {
			t.Logf("%s: %v", f, err)
		}
	}
}

// requireFlags fails the test at once, saying which, when the binary under
// test lacks one of flags (e.g. "aae-interval"): its nodes could not start.
func requireFlags(t *testing.T, flags ...string) {
	t.Helper()
	out, _ := runTool(t, 10*time.Second, nil, ringkvBin, "--help")
	for _, f := range flags {
		if !strings.Contains(out, "-"+f+" ") && !strings.Contains(out, "-"+f+"\n") {
			t.Fatalf("ringkv has no --%s flag (issue 6 needs it for this test); ringkv --help:\n%s", f, out)
		}
	}
}

// pickKeys returns up to want keys prefix:<i>, i < tries, whose location
// (RINGKV LOCATE via node via) satisfies ok, with their locations.
func pickKeys(t *testing.T, c *Cluster, via *Node, prefix string, want, tries int, ok func(Location) bool) ([]string, map[string]Location) {
	t.Helper()
	var keys []string
	locs := map[string]Location{}
	for i := 0; i < tries && len(keys) < want; i++ {
		k := fmt.Sprintf("%s:%04d", prefix, i)
		loc, err := c.Locate(via, k)
		if err != nil {
			t.Fatal(err)
		}
		if ok(loc) {
			keys = append(keys, k)
			locs[k] = loc
		}
	}
	return keys, locs
}

// waitQuorumOK waits until a quorum read of key works via every node in
// on (a restarted peer's transport backs off its dials for a moment).
func waitQuorumOK(t *testing.T, c *Cluster, key string, on ...*Node) {
	t.Helper()
	for _, n := range on {
		Eventually(t, quorumOKTimeout, "quorum reads via "+n.Opts.Name, func() error {
			err := c.Client(n).Get(context.Background(), key).Err()
			if errors.Is(err, redis.Nil) {
				return nil
			}
			return err
		})
	}
}

// storeView is what a stopped node's LevelDB holds for some keys.
type storeView struct {
	Sets  map[string]version.Set // key → its sibling set (absent: none)
	Hints int64                  // hints pending on disk
	Actor string                 // the store's write identity
}

// Live is key's live values in the store, sorted.
func (v storeView) Live(key string) []string {
	return liveValues(v.Sets[key])
}

// readStore opens the LevelDB of stopped node n and reads keys from it.
func readStore(t *testing.T, n *Node, keys []string) storeView {
	t.Helper()
	if n.Running() {
		t.Fatalf("readStore: node %s is running", n.Opts.Name)
	}
	db, err := engine.Open(n.Opts.Dir, engine.Options{SweepInterval: -1})
	if err != nil {
		t.Fatalf("open %s's store %s: %v", n.Opts.Name, n.Opts.Dir, err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Errorf("close %s's store: %v", n.Opts.Name, err)
		}
	}()
	return readDB(t, n.Opts.Name, db, keys)
}

func readDB(t *testing.T, name string, db *engine.DB, keys []string) storeView {
	t.Helper()
	v := storeView{Sets: map[string]version.Set{}, Hints: db.HintStats().Pending, Actor: db.Actor()}
	for _, k := range keys {
		set, err := db.Get([]byte(k))
		if err != nil {
			t.Fatalf("%s: engine Get %s: %v", name, k, err)
		}
		if len(set) > 0 {
			v.Sets[k] = set
		}
	}
	return v
}

// liveValues is a set's live sibling values, sorted.
func liveValues(s version.Set) []string {
	var out []string
	for _, sib := range s.Live(time.Now().UnixMilli()) {
		out = append(out, string(sib.Value))
	}
	slices.Sort(out)
	return out
}

// vgetR runs VGET key R r via cl: its context and sorted live values.
func vgetR(cl *redis.Client, key string, r int) (string, []string, error) {
	v, err := cl.Do(context.Background(), "VGET", key, "R", r).Result()
	if err != nil {
		return "", nil, fmt.Errorf("VGET %s R %d: %w", key, r, err)
	}
	a, ok := v.([]any)
	if !ok || len(a) != 2 {
		return "", nil, fmt.Errorf("VGET %s R %d = %#v, want [context, [values]]", key, r, v)
	}
	ctx, _ := a[0].(string)
	list, ok := a[1].([]any)
	if !ok {
		return "", nil, fmt.Errorf("VGET %s R %d: values %#v are not an array", key, r, a[1])
	}
	vals := make([]string, len(list))
	for i, x := range list {
		if vals[i], ok = x.(string); !ok {
			return "", nil, fmt.Errorf("VGET %s R %d: value %#v is not a string", key, r, x)
		}
	}
	slices.Sort(vals)
	return ctx, vals, nil
}

// contextDots lists the writes a context names explicitly: its version
// vector's entries (the latest write of each actor) and its single dots.
func contextDots(ctx string) ([]version.Dot, error) {
	c, err := version.DecodeContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("decode context %q: %w", ctx, err)
	}
	out := slices.Clone(c.Dots)
	for _, e := range c.VV {
		out = append(out, version.Dot(e))
	}
	return out, nil
}

// removeContents deletes everything inside dir, keeping dir.
func removeContents(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
