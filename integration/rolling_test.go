package integration

// Issue 9, a rolling restart under load against real processes: every
// node of a 4-node cluster is stopped (SIGTERM) and started again in
// turn while a writer keeps writing unique keys at W=2; no acknowledged
// write is lost, and each ends on exactly N nodes.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Bounds of the rolling restart.
const (
	rollWrites   = 20000            // the writer's most writes
	rollLoadTime = 90 * time.Second // and its longest run
	rollDownAcks = 20               // writes acknowledged while a node is down, before it restarts
)

// TestRollingRestartUnderLoad (Dynamo §4.6 and §4.8: a node that is down
// for a while is not a ring change; sloppy quorum and hinted handoff keep
// writes available, and the node comes back to the same partitions). 4
// nodes, N=3, W=2, a writer of unique keys through the running nodes.
// Each node in turn is stopped with SIGTERM (exit 0), writes keep being
// acknowledged while it is down, then it restarts on its directory and
// the cluster waits until every node sees all four alive and the handoff
// settled. At the end every write was either refused with an error or
// acknowledged, and then GET through every node returns it, and after a
// clean stop it is on exactly N=3 nodes' LevelDB.
func TestRollingRestartUnderLoad(t *testing.T) {
	t.Parallel()
	args := []string{"--n", "3", "--r", "2", "--w", "2", "--partitions", "256", "--request-timeout", "2000"}
	c := StartCluster(t, 4, ClusterOptions{Args: args})
	c.WaitHandoffDone(t, handoffTimeout, 4, c.Nodes...)
	load := startLoad(t, c, "roll", rollWrites, rollLoadTime)
	defer load.stopOnce()
	load.waitAcked(t, 100, "before the first restart")

	for _, n := range c.Nodes {
		if code := n.Stop(t); code != 0 {
			t.Fatalf("%s exited %d on SIGTERM, want 0\n%s", n.Opts.Name, code, n.LogTail(20))
		}
		load.waitAcked(t, load.count()+rollDownAcks, "while "+n.Opts.Name+" is down")
		c.joinOthers(n)
		n.Restart(t)
		c.WaitAlive(t, formTimeout, c.Nodes...)
		c.WaitHandoffDone(t, handoffTimeout, 4, c.Nodes...)
	}
	acked := load.finish()
	t.Logf("load: %d writes acknowledged, %d refused with an error", len(acked), load.refused.Load())

	waitHintsDrained(t, c, c.Nodes, drainTimeout)
	logHandoff(t, c, c.Nodes)
	for _, n := range c.Nodes {
		checkGet(t, c, n, acked)
	}
	checkCopies(t, c.Nodes, acked, 3)
}

// count is how many writes were acknowledged so far.
func (l *loadWriter) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

// waitAcked waits until at least want writes are acknowledged.
func (l *loadWriter) waitAcked(t *testing.T, want int, when string) {
	t.Helper()
	Eventually(t, 30*time.Second, fmt.Sprintf("%d writes acknowledged %s", want, when), func() error {
		select {
		case <-l.done:
			return errors.New("the writer stopped (its count or time bound)")
		default:
		}
		if n := l.count(); n < want {
			return fmt.Errorf("%d acknowledged, %d refused", n, l.refused.Load())
		}
		return nil
	})
}

// stopOnce stops the writer if finish has not (a test failing midway).
func (l *loadWriter) stopOnce() {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	<-l.done
}

// joinOthers makes n --join every other node when it next starts, as an
// operator lists several addresses: the first node's --join names only
// itself, and restarted alone it would wait for Serf's periodic reconnect
// (30 s by default) to be found.
func (c *Cluster) joinOthers(n *Node) {
	var addrs []string
	for _, o := range c.Nodes {
		if o != n {
			addrs = append(addrs, "127.0.0.1:"+strconv.Itoa(o.Opts.GossipPort))
		}
	}
	n.Opts.Args = append(n.Opts.Args, "--join", strings.Join(addrs, ","))
}

// checkGet reads every key of want with GET through n, pipelined, and
// fails on any missing or wrong value.
func checkGet(t *testing.T, c *Cluster, n *Node, want map[string]string) {
	t.Helper()
	keys := keysOf(want)
	missed, first := 0, ""
	for start := 0; start < len(keys); start += 500 {
		batch := keys[start:min(start+500, len(keys))]
		pipe := c.Client(n).Pipeline()
		cmds := make([]*redis.StringCmd, len(batch))
		for i, k := range batch {
			cmds[i] = pipe.Get(context.Background(), k)
		}
		_, _ = pipe.Exec(context.Background()) // errors are per command
		for i, cmd := range cmds {
			if v, err := cmd.Result(); err != nil || v != want[batch[i]] {
				missed++
				if first == "" {
					first = fmt.Sprintf("%s = %q (err %v), want %q", batch[i], v, err, want[batch[i]])
				}
			}
		}
	}
	if missed > 0 {
		t.Fatalf("GET through %s: %d of %d acknowledged writes missing or wrong; first: %s", n.Opts.Name, missed, len(keys), first)
	}
}
