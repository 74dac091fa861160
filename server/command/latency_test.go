package command

import (
	"strings"
	"testing"
)

func TestLatencyDisabled(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> LATENCY LATEST
		(empty array)
		> LATENCY HISTORY command
		(empty array)
		> LATENCY RESET
		(integer) 0
		> LATENCY FOO
		(error) ERR unknown subcommand 'FOO'. Try LATENCY HELP.
		> LATENCY HISTORY
		(error) ERR wrong number of arguments for 'latency|history' command
	`)
	if doc := f.do("LATENCY", "DOCTOR").Text(); !strings.HasPrefix(doc, "I'm sorry, Dave, I can't do that. Latency monitoring is disabled") {
		t.Errorf("LATENCY DOCTOR while disabled: %q", doc)
	}
	f.do("DEBUG", "SLEEP", "0.02")
	if got := f.do("LATENCY", "LATEST"); len(got.Elems) != 0 {
		t.Errorf("a sample with latency-monitor-threshold 0: %s", got)
	}
	f.do("CONFIG", "SET", "latency-monitor-threshold", "100")
	if doc := f.do("LATENCY", "DOCTOR").Text(); !strings.HasPrefix(doc, "Dave, no latency spike was observed") {
		t.Errorf("LATENCY DOCTOR with no spike: %q", doc)
	}
}

func TestLatencyMonitor(t *testing.T) {
	f := newFixture(t)
	// A command under the threshold is no sample. The threshold is high
	// here: under -race on a busy machine a GET can take several ms.
	f.do("CONFIG", "SET", "latency-monitor-threshold", "1000")
	f.do("GET", "k")
	if got := f.do("LATENCY", "LATEST"); len(got.Elems) != 0 {
		t.Fatalf("a GET under latency-monitor-threshold 1000 is a sample: %s", got)
	}
	f.do("CONFIG", "SET", "latency-monitor-threshold", "5")
	f.do("DEBUG", "SLEEP", "0.03")
	latest := f.do("LATENCY", "LATEST")
	now := f.env.Clock().Unix()
	if len(latest.Elems) != 1 {
		t.Fatalf("LATENCY LATEST: %s", latest)
	}
	e := latest.Elems[0].Elems
	if e[0].Text() != "command" || e[1].Int != now || e[2].Int < 30 || e[3].Int != e[2].Int {
		t.Errorf("LATENCY LATEST: %s", latest)
	}
	hist := f.do("LATENCY", "HISTORY", "command")
	if len(hist.Elems) != 1 || hist.Elems[0].Elems[0].Int != now || hist.Elems[0].Elems[1].Int != e[2].Int {
		t.Errorf("LATENCY HISTORY command: %s", hist)
	}
	doc := f.do("LATENCY", "DOCTOR").Text()
	for _, want := range []string{
		"Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n1. command: 1 latency spikes (average ",
		"period 1.00 sec). Worst all time event ",
		"\n\nI have a few advices for you:\n\n- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than 5000'.\n- Check your Slow Log",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("LATENCY DOCTOR lacks %q:\n%s", want, doc)
		}
	}
	f.script(`
		> LATENCY RESET nosuch
		(integer) 0
		> LATENCY RESET COMMAND nosuch
		(integer) 1
		> LATENCY LATEST
		(empty array)
	`)
}

// TestLatencySeries checks latencyAddSample's rules: one sample per
// second (the highest), 160 kept, the all-time high kept beyond them.
func TestLatencySeries(t *testing.T) {
	var m latencyMonitor
	m.add("command", 50, 100)
	m.add("command", 70, 100)
	m.add("command", 20, 100)
	m.add("fast-command", 5, 100)
	h := m.events["command"].history()
	if len(h) != 1 || h[0] != (latencySample{100, 70}) {
		t.Errorf("same-second samples: %v", h)
	}
	for s := int64(101); s < 101+latencySamples; s++ {
		m.add("command", s-100, s)
	}
	h = m.events["command"].history()
	if len(h) != latencySamples || h[0].time != 101 || h[len(h)-1].time != 100+latencySamples {
		t.Errorf("ring of %d samples from %d to %d", len(h), h[0].time, h[len(h)-1].time)
	}
	if m.events["command"].max != latencySamples {
		t.Errorf("max = %d", m.events["command"].max)
	}
	if names := m.names(); strings.Join(names, ",") != "command,fast-command" {
		t.Errorf("events %v", names)
	}
	doc := latencyReport(&m, 100+latencySamples, 1, 0)
	for _, want := range []string{
		"1. command: 160 latency spikes (average 80ms, mean deviation 40ms, period 0.99 sec). Worst all time event 160ms.\n",
		"2. fast-command: 1 latency spikes (average 5ms, mean deviation 0ms, period 160.00 sec). Worst all time event 5ms.\n",
		"- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than 1000'.",
		"- The system is slow to execute Redis code paths not containing system calls.",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("report lacks %q:\n%s", want, doc)
		}
	}
}
