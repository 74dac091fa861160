package server

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestLogLinesHaveUniqueKeys: a clustered node's start-up log lines
// (engine, transport, gossip, coordinator, server) are JSON objects
// without repeated keys. The components add their node name, and were
// given a logger that carried it already: "node" appeared twice.
func TestLogLinesHaveUniqueKeys(t *testing.T) {
	var log logBuffer
	s, err := New(testConfig(t, &log))
	if err != nil {
		t.Fatal(err)
	}
	s.Shutdown(t.Context())
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) < 3 {
		t.Fatalf("only %d log lines:\n%s", len(lines), log.String())
	}
	for _, l := range lines {
		if k := repeatedKey(t, l); k != "" {
			t.Errorf("key %q twice in %s", k, l)
		}
	}
}

// repeatedKey returns a top-level key that occurs twice in the JSON object
// line, "" if none.
func repeatedKey(t *testing.T, line string) string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(line)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", line)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%v in %s", err, line)
		}
		k := tok.(string)
		if seen[k] {
			return k
		}
		seen[k] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%v in %s", err, line)
		}
	}
	return ""
}
