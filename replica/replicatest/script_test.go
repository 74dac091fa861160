//go:build !race

package replicatest

import (
	"flag"
	"path/filepath"
	"testing"
)

var updateFlag = flag.Bool("update", false, "rewrite testdata/*.txt with the outcomes")

// TestScripts runs the scenarios in testdata/*.txt against their golden
// output; -update rewrites them.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { RunScript(t, f, *updateFlag) })
	}
}
