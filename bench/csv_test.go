package main

import (
	"strings"
	"testing"
)

// sample7 is redis-benchmark 7.0.15's --csv output for -t set,get.
const sample7 = `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"SET","96618.36","0.356","0.072","0.295","0.463","2.551","12.719"
"GET","102564.11","0.314","0.032","0.287","0.423","1.231","7.183"
`

func TestParseCSV(t *testing.T) {
	res, notes, err := ParseCSV(sample7)
	if err != nil || len(notes) != 0 || len(res) != 2 {
		t.Fatalf("ParseCSV = %v, %v, %v", res, notes, err)
	}
	want := Result{Test: "SET", RPS: 96618.36, Avg: 0.356, Min: 0.072, P50: 0.295, P95: 0.463, P99: 2.551, Max: 12.719}
	if res[0] != want {
		t.Errorf("SET = %+v, want %+v", res[0], want)
	}
	if res[1].Test != "GET" || res[1].RPS != 102564.11 || res[1].P99 != 1.231 {
		t.Errorf("GET = %+v", res[1])
	}
}

func TestParseCSVColumnsByName(t *testing.T) {
	out := "\"test\",\"p99_latency_ms\",\"rps\",\"extra\"\r\n\"GET\",\"1.5\",\"1000\",\"x\"\r\n"
	res, _, err := ParseCSV(out)
	if err != nil || len(res) != 1 || res[0].RPS != 1000 || res[0].P99 != 1.5 {
		t.Fatalf("ParseCSV = %+v, %v", res, err)
	}
}

func TestParseCSVNotes(t *testing.T) {
	out := "WARNING: Could not fetch server CONFIG\n" + sample7 + "Error from server: ERR oops\n"
	res, notes, err := ParseCSV(out)
	if err != nil || len(res) != 2 {
		t.Fatalf("ParseCSV = %v, %v", res, err)
	}
	if len(notes) != 2 || !strings.HasPrefix(notes[0], "WARNING") || !strings.HasPrefix(notes[1], "Error") {
		t.Errorf("notes = %q", notes)
	}
}

func TestParseCSVErrors(t *testing.T) {
	for name, out := range map[string]string{
		"empty":        "",
		"no header":    `"SET","1","2"` + "\n",
		"short record": strings.Replace(sample7, `,"12.719"`, "", 1),
		"bad number":   strings.Replace(sample7, `"96618.36"`, `"fast"`, 1),
	} {
		if _, _, err := ParseCSV(out); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
