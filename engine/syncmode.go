package engine

import "fmt"

// SyncMode says when written records are fsynced, with the semantics of
// Redis's appendfsync. doc.go says what each mode can lose.
type SyncMode int

const (
	// SyncEverySec fsyncs once a second if anything was written.
	SyncEverySec SyncMode = iota
	// SyncAlways fsyncs every write before it returns (group commit).
	SyncAlways
	// SyncNo never fsyncs; the OS writes back when it likes.
	SyncNo
)

// ParseSyncMode parses Redis's appendfsync names: always, everysec, no.
func ParseSyncMode(s string) (SyncMode, error) {
	switch s {
	case "always":
		return SyncAlways, nil
	case "everysec":
		return SyncEverySec, nil
	case "no":
		return SyncNo, nil
	}
	return 0, fmt.Errorf("%w %q (want always, everysec or no)", ErrBadSyncMode, s)
}

// String returns the appendfsync name of m.
func (m SyncMode) String() string {
	switch m {
	case SyncAlways:
		return "always"
	case SyncEverySec:
		return "everysec"
	case SyncNo:
		return "no"
	}
	return fmt.Sprintf("SyncMode(%d)", int(m))
}
