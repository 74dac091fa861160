package integration

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestClusterPipelineRunsWritesTogether: a pipeline sent to one node of a
// 3-node cluster runs its single-key commands from a window (INFO cluster
// pipelined_commands counts them), and still answers every command as if
// they ran one after another: commands of one key in their order,
// multi-key commands after everything before them, replies in order.
func TestClusterPipelineRunsWritesTogether(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	n1, n2 := c.Client(c.Nodes[0]), c.Client(c.Nodes[1])
	ctx := context.Background()
	before, err := infoInt(c, c.Nodes[0], "cluster", "pipelined_commands")
	if err != nil {
		t.Fatal(err)
	}
	const keys = 150
	pipe := n1.Pipeline()
	type step struct {
		cmd  redis.Cmder
		want string
	}
	var steps []step
	add := func(cmd redis.Cmder, want string) { steps = append(steps, step{cmd, want}) }
	for i := range keys {
		k, ctr, l := fmt.Sprintf("pl:%03d", i), fmt.Sprintf("plc:%03d", i), fmt.Sprintf("pll:%03d", i)
		add(pipe.Set(ctx, k, "a", 0), "OK")
		add(pipe.Incr(ctx, ctr), "1")
		add(pipe.Append(ctx, k, "b"), "2") // the same key: after the SET
		add(pipe.Incr(ctx, ctr), "2")
		add(pipe.RPush(ctx, l, "x", "y"), "2")
		add(pipe.LPop(ctx, l), "x")
		add(pipe.SetNX(ctx, k, "no", 0), "false")
		if i > 0 { // a read of a key written earlier in the pipeline
			add(pipe.StrLen(ctx, fmt.Sprintf("pl:%03d", i-1)), "2")
		}
		if i%10 == 9 { // a read of a running key and a multi-key command wait
			add(pipe.Get(ctx, k), "ab")
			add(pipe.MGet(ctx, k, ctr), "[ab 2]")
			add(pipe.Del(ctx, ctr), "1")
		}
	}
	big := strings.Repeat("z", 100<<10) // over pipeArgsMax: runs in turn
	add(pipe.Set(ctx, "pl:big", big, 0), "OK")
	add(pipe.Append(ctx, "pl:big", "!"), strconv.Itoa(len(big)+1))
	add(pipe.Incr(ctx, "plc:000"), "3")
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	for i, s := range steps {
		var got string
		switch cmd := s.cmd.(type) {
		case *redis.StatusCmd:
			got = cmd.Val()
		case *redis.IntCmd:
			got = strconv.FormatInt(cmd.Val(), 10)
		case *redis.StringCmd:
			got = cmd.Val()
		case *redis.BoolCmd:
			got = strconv.FormatBool(cmd.Val())
		case *redis.SliceCmd:
			got = fmt.Sprint(cmd.Val())
		}
		if got != s.want || s.cmd.Err() != nil {
			t.Fatalf("step %d %v = %q (err %v), want %q", i, s.cmd.Args(), got, s.cmd.Err(), s.want)
		}
	}
	after, err := infoInt(c, c.Nodes[0], "cluster", "pipelined_commands")
	if err != nil {
		t.Fatal(err)
	}
	if after-before < keys {
		t.Errorf("pipelined_commands went from %d to %d: the pipeline's commands ran one by one", before, after)
	}
	// Every write is where a read through another node finds it.
	for i := range keys {
		k, l := fmt.Sprintf("pl:%03d", i), fmt.Sprintf("pll:%03d", i)
		if v, err := n2.Get(ctx, k).Result(); err != nil || v != "ab" {
			t.Fatalf("GET %s via n2 = %q, %v", k, v, err)
		}
		if v, err := n2.LRange(ctx, l, 0, -1).Result(); err != nil || fmt.Sprint(v) != "[y]" {
			t.Fatalf("LRANGE %s via n2 = %v, %v", l, v, err)
		}
	}
}

// TestClusterPipelineACLRefusalInTurn: in a pipeline's window, a command
// the user may not run is refused in its turn among the replies, and
// refused once (one ACL LOG entry of count 1), while the permitted
// commands around it run.
func TestClusterPipelineACLRefusalInTurn(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	ctx := context.Background()
	admin := c.Client(c.Nodes[0])
	if err := admin.Do(ctx, "ACL", "SETUSER", "pip", "on", ">pw", "~e:*", "+set", "+get").Err(); err != nil {
		t.Fatal(err)
	}
	if err := admin.Do(ctx, "ACL", "LOG", "RESET").Err(); err != nil {
		t.Fatal(err)
	}
	cl := redis.NewClient(&redis.Options{Addr: c.Nodes[0].Addr(), Username: "pip", Password: "pw", MaxRetries: -1})
	defer cl.Close()
	pipe := cl.Pipeline()
	var sets []*redis.StatusCmd
	for i := range 20 {
		k := fmt.Sprintf("e:%d", i)
		if i == 10 {
			k = "x:10" // outside ~e:*
		}
		sets = append(sets, pipe.Set(ctx, k, "v", 0))
	}
	_, _ = pipe.Exec(ctx)
	for i, s := range sets {
		if i == 10 {
			if err := s.Err(); err == nil || !strings.HasPrefix(err.Error(), "NOPERM") {
				t.Fatalf("SET x:10 as pip: %v, want NOPERM", err)
			}
			continue
		}
		if s.Err() != nil || s.Val() != "OK" {
			t.Fatalf("SET #%d as pip: %q, %v", i, s.Val(), s.Err())
		}
	}
	log, err := admin.Do(ctx, "ACL", "LOG").Slice()
	if err != nil {
		t.Fatal(err)
	}
	refusals := 0 // go-redis's CLIENT SETINFO on connect is refused and logged too
	for _, e := range log {
		entry, _ := e.([]any)
		fields := map[any]any{}
		for i := 0; i+1 < len(entry); i += 2 {
			fields[entry[i]] = entry[i+1]
		}
		if fields["object"] != "x:10" {
			continue
		}
		refusals++
		if fields["count"] != int64(1) {
			t.Errorf("the refusal was logged %v times, want once: %v", fields["count"], entry)
		}
	}
	if refusals != 1 {
		t.Errorf("ACL LOG holds %d entries for x:10, want 1: %v", refusals, log)
	}
}
