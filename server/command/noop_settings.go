package command

import (
	"strconv"
	"strings"
)

// Redis settings that ringkv accepts and reports but that change nothing
// here, so tools and test suites that set them work: save (ringkv has no
// RDB snapshots: LevelDB is always on disk), repl-backlog-size (no
// Redis-style replication), and the hidden debugging settings
// key-load-delay and rdb-key-save-delay (intParams), which CONFIG GET
// answers only when asked by name, as Redis's hidden configs.

// hiddenParams are answered by CONFIG GET only for their exact name.
var hiddenParams = map[string]bool{"key-load-delay": true, "rdb-key-save-delay": true}

// errSaveParams is Redis's CONFIG SET save error.
const errSaveParams configText = "Invalid save parameters"

func getSave(s *Settings) string {
	if v := s.save.Load(); v != nil {
		return *v
	}
	return ""
}

// setSave takes Redis's "seconds changes [seconds changes ...]" (or "").
func setSave(s *Settings, v string) error {
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
	s.save.Store(&v)
	return nil
}

func getReplBacklog(s *Settings) string { return itoa(s.replBacklog.Load()) }

func setReplBacklog(s *Settings, v string) error {
	n, err := parseMemoryFrom(v, 1)
	if err == nil {
		s.replBacklog.Store(n)
	}
	return err
}
