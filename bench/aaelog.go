package main

import (
	"encoding/json"
	"strings"
	"time"
)

// roundMsg is what ringkv logs (at info, JSON) after an anti-entropy round
// that repaired keys, with keys_repaired and took (ms).
const roundMsg = "anti-entropy repaired replicas"

// LogRound is one such round as the node logged it.
type LogRound struct {
	Node     string
	Repaired int64
	Took     time.Duration
}

// ParseRounds finds the repairing rounds in a node's JSON log. Lines that
// are not JSON or not about a round are skipped.
func ParseRounds(log string) []LogRound {
	var out []LogRound
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, roundMsg) {
			continue
		}
		var l struct {
			Message  string  `json:"message"`
			Repaired int64   `json:"keys_repaired"`
			Took     float64 `json:"took"` // zerolog's default: milliseconds
		}
		if json.Unmarshal([]byte(line), &l) != nil || l.Message != roundMsg {
			continue
		}
		out = append(out, LogRound{Repaired: l.Repaired, Took: time.Duration(l.Took * float64(time.Millisecond))})
	}
	return out
}
