package server

import (
	"strconv"
	"strings"
	"testing"
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
