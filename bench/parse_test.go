package main

import "testing"

func TestParseVmRSS(t *testing.T) {
	status := "Name:\tredis-server\nVmPeak:\t  200000 kB\nVmRSS:\t   12288 kB\nRssAnon:\t 8000 kB\n"
	if got, err := ParseVmRSS(status); err != nil || got != 12288 {
		t.Errorf("ParseVmRSS = %d, %v", got, err)
	}
	if _, err := ParseVmRSS("Name:\tx\n"); err == nil {
		t.Error("no error without VmRSS")
	}
}

func TestParseCPUTicks(t *testing.T) {
	// comm with spaces and a parenthesis; utime=120, stime=30.
	stat := "1234 (my (odd) prog) S 1 1234 1234 0 -1 4194560 100 0 0 0 120 30 0 0 20 0 4 0 5 100 10"
	if got, err := ParseCPUTicks(stat); err != nil || got != 150 {
		t.Errorf("ParseCPUTicks = %d, %v", got, err)
	}
	if _, err := ParseCPUTicks("1234 (x) S 1"); err == nil {
		t.Error("no error on a short stat")
	}
}

func TestMembersIn(t *testing.T) {
	for info, want := range map[string]int{
		"# Cluster\r\ncluster_enabled:0\r\n\r\n# Ringkv\r\nnode:n1\r\nmembers:3\r\nn:3\r\n": 3,
		"# Cluster\r\ncluster_members:2\r\n# Ringkv\r\nmembers:3\r\n":                       2,
		"# Cluster\r\ncluster_enabled:0\r\n":                                                0,
		"":                                                                                  0,
	} {
		if got := membersIn(info); got != want {
			t.Errorf("membersIn(%q) = %d, want %d", info, got, want)
		}
	}
}

func TestShellJoin(t *testing.T) {
	got := shellJoin("redis-server", redisArgs(6379))
	want := "redis-server --port 6379 --save '' --appendonly no --daemonize no"
	if got != want {
		t.Errorf("shellJoin = %q, want %q", got, want)
	}
}

func TestCPUModelAndVCSStamp(t *testing.T) {
	if m := CPUModel("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Processor\n"); m != "Intel(R) Xeon(R) Processor" {
		t.Errorf("CPUModel = %q", m)
	}
	rev, dirty := VCSStamp("/tmp/ringkv: go1.26.8\n\tbuild\tvcs=git\n\tbuild\tvcs.revision=abc123\n\tbuild\tvcs.modified=true\n")
	if rev != "abc123" || !dirty {
		t.Errorf("VCSStamp = %q, %v", rev, dirty)
	}
}
