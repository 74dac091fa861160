package integration

// Helpers for admin_cli_test.go: run the ringkv binary as the operator's
// tool (`ringkv status|ring|transfers|leave|remove`) against a node, and
// read its JSON and its tables.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cliTimeout bounds one run of an admin subcommand.
const cliTimeout = 30 * time.Second

// cliResult is one run of the binary: its streams and exit code.
type cliResult struct {
	stdout, stderr string
	code           int
}

// ringkvCLI runs `ringkv args...` and returns what it printed and its
// exit code; it fails the test if the binary cannot run or hangs.
func ringkvCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, ringkvBin, args...)
	cmd.WaitDelay = 2 * time.Second
	cmd.Env = append(cmd.Environ(), "CI=true", "RINGKV_PASSWORD=")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) || ctx.Err() != nil {
		t.Fatalf("ringkv %s: %v (stderr %q)", strings.Join(args, " "), err, errOut.String())
	}
	return cliResult{stdout: out.String(), stderr: errOut.String(), code: cmd.ProcessState.ExitCode()}
}

// adminOn runs `ringkv sub --port <n's port> args...`.
func adminOn(t *testing.T, n *Node, sub string, args ...string) cliResult {
	t.Helper()
	return ringkvCLI(t, append([]string{sub, "--port", strconv.Itoa(n.Opts.Port)}, args...)...)
}

// adminJSON runs a subcommand with --json on n, expects exit 0 and
// decodes its output into v, refusing fields v does not name (so a
// renamed field fails rather than reading as zero).
func adminJSON(t *testing.T, n *Node, sub string, v any) {
	t.Helper()
	r := adminOn(t, n, sub, "--json")
	if r.code != 0 {
		t.Fatalf("ringkv %s --json via %s: exit %d: %s", sub, n.Opts.Name, r.code, r.stderr)
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("ringkv %s --json via %s: %v in %q", sub, n.Opts.Name, err, r.stdout)
	}
}

// cliStatus is `ringkv status --json`.
type cliStatus struct {
	Node        string      `json:"node"`
	RingVersion string      `json:"ring_version"`
	Partitions  int64       `json:"partitions"`
	N           int64       `json:"n"`
	Members     []cliMember `json:"members"`
	Converged   bool        `json:"converged"`
}

type cliMember struct {
	Name        string `json:"name"`
	State       string `json:"state"`
	Ring        string `json:"ring"`
	Client      string `json:"client"`
	Primary     int64  `json:"primary"`
	Replicas    int64  `json:"replicas"`
	Keys        int64  `json:"keys"`
	Bytes       int64  `json:"bytes"`
	Hints       int64  `json:"hints"`
	Transfers   int64  `json:"transfers"`
	RingVersion string `json:"ring_version"`
}

// member returns the member called name, if listed.
func (s cliStatus) member(name string) (cliMember, bool) {
	for _, m := range s.Members {
		if m.Name == name {
			return m, true
		}
	}
	return cliMember{}, false
}

// cliTransfer is one element of `ringkv transfers --json`.
type cliTransfer struct {
	Node      string `json:"node"`
	Partition int64  `json:"partition"`
	Source    string `json:"source"`
	State     string `json:"state"`
	Keys      int64  `json:"keys"`
	Bytes     int64  `json:"bytes"`
	Rate      int64  `json:"rate"`
	EtaMs     int64  `json:"eta_ms"`
	StartedMs int64  `json:"started_ms"`
	UpdatedMs int64  `json:"updated_ms"`
}

// cliRing is `ringkv ring --json`.
type cliRing struct {
	RingVersion       string  `json:"ring_version"`
	Partitions        int64   `json:"partitions"`
	N                 int64   `json:"n"`
	Nodes             int     `json:"nodes"`
	PartitionsPerNode float64 `json:"partitions_per_node"`
	Members           []struct {
		Name        string  `json:"name"`
		Ring        string  `json:"ring"`
		Primary     int64   `json:"primary"`
		PrimaryPct  float64 `json:"primary_pct"`
		Replicas    int64   `json:"replicas"`
		ReplicasPct float64 `json:"replicas_pct"`
	} `json:"members"`
	PrimaryMinPct  float64 `json:"primary_min_pct"`
	PrimaryMaxPct  float64 `json:"primary_max_pct"`
	ReplicasMinPct float64 `json:"replicas_min_pct"`
	ReplicasMaxPct float64 `json:"replicas_max_pct"`
}

// textTable is a table the tool printed: its header cells and rows, each
// row cut at the header's column starts (cells may hold spaces, "1.2 MiB").
type textTable struct {
	header []string
	rows   [][]string
}

// parseTable finds the table whose header starts with first in out and
// reads its rows, up to the first blank line.
func parseTable(t *testing.T, out, first string) textTable {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, first+" ") {
			continue
		}
		var tb textTable
		starts := columnStarts(l)
		tb.header = cutRow(l, starts)
		for _, row := range lines[i+1:] {
			if strings.TrimSpace(row) == "" {
				break
			}
			tb.rows = append(tb.rows, cutRow(row, starts))
		}
		return tb
	}
	t.Fatalf("no table with header %q in:\n%s", first, out)
	return textTable{}
}

// columnStarts is where each header cell begins.
func columnStarts(header string) []int {
	var starts []int
	for i := range len(header) {
		if header[i] != ' ' && (i == 0 || header[i-1] == ' ') {
			starts = append(starts, i)
		}
	}
	return starts
}

func cutRow(row string, starts []int) []string {
	cells := make([]string, len(starts))
	for i, s := range starts {
		end := len(row)
		if i+1 < len(starts) {
			end = min(starts[i+1], len(row))
		}
		if s < end {
			cells[i] = strings.TrimSpace(row[s:end])
		}
	}
	return cells
}

// cell is row's cell under the header named col (the first such).
func (tb textTable) cell(row []string, col string) string {
	for i, h := range tb.header {
		if h == col {
			return row[i]
		}
	}
	return ""
}
