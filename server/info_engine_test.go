package server

import (
	"strconv"
	"strings"
	"testing"

	"github.com/ringkv/ringkv/resp"
)

// TestInfoReportsLevelDBWork checks INFO's LevelDB accounting: a node
// that stored a value has written at least its journal record.
func TestInfoReportsLevelDBWork(t *testing.T) {
	dial, _ := orderNode(t)
	c := dial()
	value := strings.Repeat("v", 4096)
	if r := c.do("SET", "k", value); r.Text() != "OK" {
		t.Fatalf("SET: %s", r)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(c.do("INFO", "ringkv").Text(), "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[k] = v
		}
	}
	for _, name := range []string{"leveldb_read_bytes", "leveldb_compactions", "leveldb_seek_compactions", "leveldb_level0_tables", "leveldb_write_delay_ms"} {
		if _, err := strconv.ParseInt(fields[name], 10, 64); err != nil {
			t.Errorf("INFO ringkv %s = %q: %v", name, fields[name], err)
		}
	}
	if w, err := strconv.ParseInt(fields["leveldb_write_bytes"], 10, 64); err != nil || w < int64(len(value)) {
		t.Errorf("INFO ringkv leveldb_write_bytes = %q after a %d-byte SET", fields["leveldb_write_bytes"], len(value))
	}
}

// TestInfoReportsKeyFilter checks INFO's key filter fields: a read of a
// key the node never held is answered by the filter, not by LevelDB.
func TestInfoReportsKeyFilter(t *testing.T) {
	dial, _ := orderNode(t)
	c := dial()
	if r := c.do("SET", "k", "v"); r.Text() != "OK" {
		t.Fatalf("SET: %s", r)
	}
	info := func() map[string]int64 {
		out := map[string]int64{}
		for _, line := range strings.Split(c.do("INFO", "ringkv").Text(), "\r\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.HasPrefix(k, "keyfilter_") {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					t.Fatalf("INFO ringkv %s = %q: %v", k, v, err)
				}
				out[k] = n
			}
		}
		return out
	}
	before := info()
	if before["keyfilter_ready"] != 1 || before["keyfilter_keys"] < 1 || before["keyfilter_bytes"] <= 0 {
		t.Fatalf("INFO ringkv key filter on a new node after a SET: %v", before)
	}
	if r := c.do("GET", "never-written"); r.Kind != resp.KindNull {
		t.Fatalf("GET of a missing key: %s", r)
	}
	if r := c.do("GET", "k"); r.Text() != "v" {
		t.Fatalf("GET k: %s", r)
	}
	if after := info(); after["keyfilter_skipped_reads"] <= before["keyfilter_skipped_reads"] {
		t.Fatalf("a GET of a key never written did not skip LevelDB: before %v, after %v", before, after)
	}
}
