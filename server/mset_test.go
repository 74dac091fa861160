package server

import (
	"fmt"
	"testing"
	"time"
)

// MSET's keys of one preference list are one group write: the
// coordinator sends each other replica one frame for all of them (not one
// per key), and every replica stores every key.
func TestMsetIsOneGroupWrite(t *testing.T) {
	_, nodes := routedCluster(t)
	n1 := nodes["n1"]
	args := []string{"MSET"}
	for i := range 10 {
		args = append(args, fmt.Sprintf("k%d", i), fmt.Sprintf("v%d", i))
	}
	args = append(args, "k3", "last") // a later value of a key wins, as in Redis
	st := n1.coord.Stats()
	frames := st.MergeBatches.Load()
	if got := n1.do(args...); got != "OK" {
		t.Fatalf("MSET = %s", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	// The coordinator answers after W=2 acks: the copy to the third
	// replica may still be on its way.
	for st.MergeBatches.Load()-frames < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if frames = st.MergeBatches.Load() - frames; frames != 2 {
		t.Errorf("MSET of 10 keys sent %d batch frames, want one per other replica (2), each with every key", frames)
	}
	for _, name := range []string{"n1", "n2", "n3"} {
		for i := range 10 {
			k := fmt.Sprintf("k%d", i)
			for !stored(t, nodes[name], k) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if !stored(t, nodes[name], k) {
				t.Fatalf("%s lacks %s after MSET", name, k)
			}
		}
	}
	if got := n1.do("GET", "k3"); got != `"last"` {
		t.Errorf("GET k3 = %s, want the later value", got)
	}
	if got := n1.do("MGET", "k0", "k9"); got != "1) \"v0\"\n2) \"v9\"" {
		t.Errorf("MGET = %s", got)
	}
}

// MSETNX of one preference list checks and writes as one: a key that
// exists leaves every key unset.
func TestMsetnxIsAllOrNone(t *testing.T) {
	_, nodes := routedCluster(t)
	n1 := nodes["n1"]
	if got := n1.do("SET", "b", "old"); got != "OK" {
		t.Fatalf("SET = %s", got)
	}
	if got := n1.do("MSETNX", "a", "1", "b", "2", "c", "3"); got != "(integer) 0" {
		t.Fatalf("MSETNX over an existing key = %s, want 0", got)
	}
	if got := n1.do("MGET", "a", "b", "c"); got != "1) (nil)\n2) \"old\"\n3) (nil)" {
		t.Errorf("after a refused MSETNX: MGET = %s", got)
	}
	if got := n1.do("MSETNX", "a", "1", "c", "3"); got != "(integer) 1" {
		t.Fatalf("MSETNX of new keys = %s, want 1", got)
	}
	if got := n1.do("MGET", "a", "b", "c"); got != "1) \"1\"\n2) \"old\"\n3) \"3\"" {
		t.Errorf("after MSETNX: MGET = %s", got)
	}
}
