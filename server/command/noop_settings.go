package command

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
)

// Redis settings that ringkv accepts and reports but that change nothing
// here, so tools and test suites that set them work: save (ringkv has no
// RDB snapshots: LevelDB is always on disk), repl-backlog-size (no
// Redis-style replication), and the hidden debugging settings
// key-load-delay and rdb-key-save-delay, which CONFIG GET answers only
// when asked by name, as Redis's hidden configs.

// hiddenParams are answered by CONFIG GET only for their exact name.
var hiddenParams = map[string]bool{"key-load-delay": true, "rdb-key-save-delay": true}

// errSaveParams is Redis's CONFIG SET save error.
const errSaveParams configText = "Invalid save parameters"

// noopSave holds save's value.
var noopSave atomic.Pointer[string]

func getSave(*Settings) string {
	if v := noopSave.Load(); v != nil {
		return *v
	}
	return ""
}

// setSave takes Redis's "seconds changes [seconds changes ...]" (or "").
func setSave(_ *Settings, v string) error {
	f := strings.Fields(v)
	if len(f)%2 != 0 {
		return errSaveParams
	}
	for _, x := range f {
		if n, err := strconv.ParseInt(x, 10, 64); err != nil || n < 0 {
			return errSaveParams
		}
	}
	v = strings.Join(f, " ")
	noopSave.Store(&v)
	return nil
}

func init() {
	params = append(params, param{"save", getSave, setSave})
	for _, p := range []struct {
		name string
		def  int64
		lo   int64
	}{{"repl-backlog-size", 1 << 20, 1}, {"key-load-delay", 0, -1 << 31}, {"rdb-key-save-delay", 0, -1 << 31}} {
		v := new(atomic.Int64)
		v.Store(p.def)
		lo, mem := p.lo, p.name == "repl-backlog-size"
		params = append(params, param{p.name,
			func(*Settings) string { return itoa(v.Load()) },
			func(_ *Settings, s string) error {
				n, err := strconv.ParseInt(s, 10, 64)
				if mem {
					n, err = parseMemoryFrom(s, lo)
				} else if err != nil || n < lo || n > 1<<31-1 {
					return fmt.Errorf("argument must be between %d and %d inclusive", lo, 1<<31-1)
				}
				if err != nil {
					return err
				}
				v.Store(n)
				return nil
			}})
	}
	sort.SliceStable(params, func(i, j int) bool { return params[i].name < params[j].name })
}
