package integration

// Issue 8: blocking list commands. A blocked client that goes away must
// not take an element pushed later (nobody would receive it), and in a
// cluster a client blocks for as long as it asked, on whichever node it
// is connected to, woken by a push coordinated on another node.

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"testing"
	"time"
)

// TestBlockedClientThatLeavesPopsNothing: BLPOP q 0 on a raw connection,
// then the client closes it; a later LPUSH's element stays in the list.
func TestBlockedClientThatLeavesPopsNothing(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{Name: "n1"})
	conn, err := net.DialTimeout("tcp", n.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte("*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // blocked by now
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // the node notices the close
	cl := n.Client(t, 2)
	ctx := context.Background()
	if got, err := cl.LPush(ctx, "q", "a").Result(); err != nil || got != 1 {
		t.Fatalf("LPUSH q a = %d, %v", got, err)
	}
	time.Sleep(500 * time.Millisecond)
	if got, err := cl.LLen(ctx, "q").Result(); err != nil || got != 1 {
		t.Fatalf("LLEN q = %d, %v; want 1: the element went to a client that had left", got, err)
	}
}

// TestBlockingInACluster: BLPOP with no timeout through a node that does
// not coordinate the key waits longer than any forward timeout, and a
// push through the key's coordinator wakes it with the element.
func TestBlockingInACluster(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{Args: []string{"--n", "2", "--request-timeout", "500"}})
	n1 := c.Nodes[0]
	c.WaitAlive(t, 60*time.Second)
	keys, locs := pickKeys(t, c, n1, "bq", 1, 200, func(l Location) bool { return l.Replicas[0] == "n1" && len(l.Replicas) == 2 && l.Replicas[1] == "n2" })
	if len(keys) == 0 {
		t.Fatal("no key among 200 has n1, n2 as its replicas")
	}
	key := keys[0]
	t.Logf("key %s: replicas %v", key, locs[key].Replicas)
	via := c.Nodes[2] // n3: not a replica
	conn, err := net.DialTimeout("tcp", via.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := "*3\r\n$5\r\nBLPOP\r\n$" + strconv.Itoa(len(key)) + "\r\n" + key + "\r\n$1\r\n0\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // past twice the request timeout
	if err := c.Client(n1).RPush(context.Background(), key, "x").Err(); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	rd := bufio.NewReader(conn)
	var got []string
	for range 5 { // *2, $len, key, $1, x
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("reading BLPOP's reply after %q: %v", got, err)
		}
		got = append(got, line)
	}
	want := []string{"*2\r\n", "$" + strconv.Itoa(len(key)) + "\r\n", key + "\r\n", "$1\r\n", "x\r\n"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("BLPOP via n3 answered %q, want %q", got, want)
		}
	}
}
