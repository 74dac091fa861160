package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ringkv/ringkv/resp"
)

func TestLeave(t *testing.T) {
	f := newFakeNode(t, true, "")
	f.on("RINGKV STATUS", threeNodes())
	f.on("RINGKV LEAVE", resp.OK())
	r := f.run("leave")
	want := "n1 is leaving the cluster: it hands its 64 partition replicas (22 as first replica) off to the other members, then leaves the gossip.\n" +
		"Its process then exits; to rejoin later, start it on an empty --dir.\n" +
		"Follow the handoff with: ringkv transfers --watch --port " + f.port + "\n"
	if r.code != exitOK || r.out != want {
		t.Fatalf("exit %d\n%s\nwant\n%s\nstderr %s", r.code, r.out, want, r.errOut)
	}
	if got := f.commands(); !slices.Equal(got, []string{"HELLO 3", "RINGKV STATUS", "RINGKV LEAVE"}) {
		t.Fatalf("sent %q", got)
	}
}

// A node without STATUS still leaves; the message names it by address.
func TestLeaveWithoutStatus(t *testing.T) {
	f := newFakeNode(t, false, "")
	f.on("RINGKV LEAVE", resp.OK())
	r := f.run("leave", "--json")
	if r.code != exitOK || r.out != `{"node":"","result":"OK"}`+"\n" {
		t.Fatalf("exit %d: %s %s", r.code, r.out, r.errOut)
	}
	r = f.run("leave")
	if r.code != exitOK || !strings.HasPrefix(r.out, "the node at "+f.addr+" is leaving the cluster: it hands its partitions off") {
		t.Fatalf("exit %d: %s %s", r.code, r.out, r.errOut)
	}
}

// An error reply is printed as the node said it, with exit code 1.
func TestLeaveRefused(t *testing.T) {
	f := newFakeNode(t, true, "")
	f.on("RINGKV STATUS", threeNodes())
	f.on("RINGKV LEAVE", resp.Err("ERR n1 is the last member: nothing to hand its data to"))
	r := f.run("leave")
	if r.code != exitError || r.out != "" || r.errOut != "ringkv leave: ERR n1 is the last member: nothing to hand its data to\n" {
		t.Fatalf("exit %d: %q %q", r.code, r.out, r.errOut)
	}
}

func TestRemove(t *testing.T) {
	f := newFakeNode(t, true, "")
	f.on("RINGKV STATUS", threeNodes())
	f.on("RINGKV REMOVE n3", resp.OK())
	f.on("RINGKV REMOVE n2 FORCE", resp.OK())
	f.on("RINGKV REMOVE n2", resp.Err("ERR n2 is alive: stop it, or use FORCE"))
	r := f.run("remove", "n3")
	want := "n3 is removed from the ring (it was failed): the other members take over its 64 partition replicas (21 as first replica) and copy them from the remaining replicas.\n" +
		"Follow the transfers with: ringkv transfers --watch --port " + f.port + "\n"
	if r.code != exitOK || r.out != want {
		t.Fatalf("exit %d\n%s\nwant\n%s\nstderr %s", r.code, r.out, want, r.errOut)
	}
	r = f.run("remove", "n2")
	if r.code != exitError || r.errOut != "ringkv remove: ERR n2 is alive: stop it, or use FORCE\n" {
		t.Fatalf("exit %d: %q", r.code, r.errOut)
	}
	r = f.run("remove", "n2", "--force") // the flag after the node
	if r.code != exitOK || !strings.Contains(r.out, "(it was alive)") || !strings.Contains(r.out, "\nIt was alive: stop its process") {
		t.Fatalf("exit %d: %s %s", r.code, r.out, r.errOut)
	}
	r = f.run("remove", "--force", "--json", "n2")
	var got map[string]any
	if err := json.Unmarshal([]byte(r.out), &got); err != nil || r.code != exitOK || got["node"] != "n2" || got["force"] != true || got["result"] != "OK" {
		t.Fatalf("exit %d: %s %s", r.code, r.out, r.errOut)
	}
	want2 := []string{"HELLO 3", "RINGKV STATUS", "RINGKV REMOVE n3", "HELLO 3", "RINGKV STATUS", "RINGKV REMOVE n2",
		"HELLO 3", "RINGKV STATUS", "RINGKV REMOVE n2 FORCE", "HELLO 3", "RINGKV STATUS", "RINGKV REMOVE n2 FORCE"}
	if got := f.commands(); !slices.Equal(got, want2) {
		t.Fatalf("sent %q", got)
	}
}
