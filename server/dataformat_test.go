package server

import (
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/cluster/membership"
	"github.com/ringkv/ringkv/replica/version"
)

// infoLine returns INFO cluster's value for key.
func infoLine(s *Server, key string) string {
	for _, kv := range s.infoCluster() {
		if kv[0] == key {
			return kv[1]
		}
	}
	return "<absent>"
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A node alone writes the new data format at once, says so in INFO, and
// refuses members that cannot read it.
func TestSingleNodeWritesNewDataFormat(t *testing.T) {
	var log logBuffer
	s, err := New(testConfig(t, &log))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(t.Context())
	waitFor(t, "a node alone writes the new format", func() bool {
		return version.WriteFormat() == version.ReadFormat && s.mem.RequiredFormat() == version.ReadFormat
	})
	if got := infoLine(s, "cluster_data_format"); got != "3" {
		t.Fatalf("cluster_data_format = %q, want 3", got)
	}
	if got := infoLine(s, "cluster_data_format_read"); got != "3" {
		t.Fatalf("cluster_data_format_read = %q, want 3", got)
	}
	if tags, _ := s.mem.Tags("s1"); tags[membership.TagFormat] != "3" {
		t.Fatalf("advertised tags %v: no fmt=3", tags)
	}
}

// A node that joins a member of the previous release (no format tag)
// keeps writing the old format, names the member in INFO, and writes the
// new one once that member is gone.
func TestOldMemberHoldsDataFormatBack(t *testing.T) {
	var log logBuffer
	mcfg := membership.DefaultConfig()
	mcfg.NodeName, mcfg.BindPort, mcfg.Fast, mcfg.Logger = "old", 0, true, zerolog.Nop()
	c := testConfig(t, &log)
	mcfg.Q = c.Partitions
	old, err := membership.New(mcfg) // no Format: advertises none, as the previous release
	if err != nil {
		t.Fatal(err)
	}
	defer old.Shutdown()
	c.Join = []string{old.GossipAddr()}
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(t.Context())
	waitFor(t, "s joins old", func() bool { return s.joined.Load() })
	time.Sleep(3 * formatRecheck / 2) // watchFormat has looked again
	if got := version.WriteFormat(); got != version.FormatLegacy {
		t.Fatalf("with a member of the previous release: writing format %d, want %d", got, version.FormatLegacy)
	}
	if got := infoLine(s, "cluster_data_format"); got != "2" {
		t.Fatalf("cluster_data_format = %q, want 2", got)
	}
	if got := infoLine(s, "cluster_data_format_waiting_for"); got != "old" {
		t.Fatalf("cluster_data_format_waiting_for = %q, want old", got)
	}
	if s.mem.RequiredFormat() != 0 {
		t.Fatal("members of the previous release refused while the cluster writes their format")
	}
	if err := old.Leave(); err != nil {
		t.Fatal(err)
	}
	old.Shutdown()
	waitFor(t, "the new format once the old member left", func() bool {
		return version.WriteFormat() == version.ReadFormat && infoLine(s, "cluster_data_format_waiting_for") == ""
	})
}
