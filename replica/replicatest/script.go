package replicatest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// A script is a scenario with its expected output, etcd raft's
// interaction tests' format: each step is a command line (an Op's text
// form, or "cluster" with Config settings), a line "----", the expected
// output and a blank line. Lines starting with "#" are comments.
//
//	cluster nodes=5 n=3 r=2 w=2
//	----
//	ok
//
//	put n1 k v1
//	----
//	ok n1:1
type step struct {
	comments []string
	cmd      string
	want     string
}

// parseScript reads a script's steps.
func parseScript(text string) ([]step, error) {
	lines := strings.Split(text, "\n")
	var steps []step
	var cur step
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		switch {
		case strings.TrimSpace(line) == "":
			continue
		case strings.HasPrefix(line, "#"):
			cur.comments = append(cur.comments, line)
			continue
		}
		if i+1 >= len(lines) || lines[i+1] != "----" {
			return nil, fmt.Errorf("line %d: %q is not followed by ----", i+1, line)
		}
		cur.cmd = line
		var out []string
		for i += 2; i < len(lines) && lines[i] != ""; i++ {
			out = append(out, lines[i])
		}
		cur.want = strings.Join(out, "\n")
		steps = append(steps, cur)
		cur = step{}
	}
	return steps, nil
}

// format writes steps back as a script, with got as their outputs.
func format(steps []step, got []string) string {
	var b strings.Builder
	for i, s := range steps {
		if i > 0 {
			b.WriteString("\n")
		}
		for _, c := range s.comments {
			b.WriteString(c + "\n")
		}
		fmt.Fprintf(&b, "%s\n----\n", s.cmd)
		if got[i] != "" {
			b.WriteString(got[i] + "\n")
		}
	}
	return b.String()
}

// RunScript runs the script in path on a new cluster (inside a synctest
// bubble) and compares each step's outcome with the output written after
// it. With update it rewrites the file with the outcomes instead.
func RunScript(t *testing.T, path string, update bool) {
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := parseScript(string(text))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	got := make([]string, len(steps))
	synctest.Test(t, func(t *testing.T) {
		var s *Sim
		defer func() {
			if s != nil {
				if err := s.Close(); err != nil {
					t.Error(err)
				}
			}
		}()
		for i, st := range steps {
			got[i], s = runStep(s, st.cmd)
		}
	})
	if update {
		if err := os.WriteFile(path, []byte(format(steps, got)), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for i, st := range steps {
		if got[i] != st.want {
			t.Errorf("%s: %s\n----\ngot:\n%s\nwant:\n%s", path, st.cmd, got[i], st.want)
		}
	}
}

// runStep runs one command; the first one that is not "cluster" starts
// the default cluster.
func runStep(s *Sim, cmd string) (string, *Sim) {
	if f := strings.Fields(cmd); f[0] == "cluster" {
		if s != nil {
			return "error: the cluster is already running", s
		}
		cfg, err := parseConfig(f[1:])
		if err == nil {
			s, err = New(cfg)
		}
		if err != nil {
			return "error: " + err.Error(), nil
		}
		return "ok", s
	}
	if s == nil {
		var err error
		if s, err = New(DefaultConfig()); err != nil {
			return "error: " + err.Error(), nil
		}
	}
	o, err := Parse(cmd)
	if err != nil {
		return "error: " + err.Error(), s
	}
	return s.Do(o), s
}

// parseConfig reads "nodes=5 n=3 r=2 w=2 q=16 timeout=100ms direct".
func parseConfig(args []string) (Config, error) {
	cfg := DefaultConfig()
	ints := map[string]*int{"nodes": &cfg.Nodes, "n": &cfg.N, "r": &cfg.R, "w": &cfg.W, "q": &cfg.Q}
	durs := map[string]*time.Duration{"timeout": &cfg.Timeout, "hints": &cfg.HintInterval,
		"aae": &cfg.AAEInterval, "grace": &cfg.TombstoneGrace}
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		var err error
		switch {
		case a == "direct":
			cfg.Direct = true
		case a == "readrepair":
			cfg.ReadRepairOnly = true
		case ints[k] != nil:
			*ints[k], err = strconv.Atoi(v)
		case durs[k] != nil:
			*durs[k], err = time.ParseDuration(v)
		default:
			err = fmt.Errorf("unknown setting %q", a)
		}
		if err != nil {
			return cfg, err
		}
	}
	return cfg, cfg.Validate()
}
