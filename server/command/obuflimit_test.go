package command

import (
	"testing"
	"time"
)

// CONFIG SET/GET client-output-buffer-limit, with the replies and error
// texts of redis-server 7.0.15 (measured with redis-cli).
func TestObufLimitConfig(t *testing.T) {
	s := NewSettings(DefaultParams())
	get := func() string { return s.Get("client-output-buffer-limit")[0][1] }
	if got := get(); got != "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60" {
		t.Fatalf("default = %q", got)
	}
	const pre = "CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - "
	for _, tt := range []struct{ v, err, after string }{
		{"normal 1kb 2k 3 replica 5 6 7", "", "normal 1024 2000 3 slave 5 6 7 pubsub 33554432 8388608 60"},
		{"foo 1 2 3", "Invalid client class specified in buffer limit configuration.", ""},
		{"master 1 2 3", "Invalid client class specified in buffer limit configuration.", ""},
		{"normal 1 2", "Wrong number of arguments in buffer limit configuration.", ""},
		{"normal x 2 3", "Error in hard, soft or soft_seconds setting in buffer limit configuration.", ""},
		{"normal 1 2 -3", "Error in hard, soft or soft_seconds setting in buffer limit configuration.", ""},
		{"pubsub 1 1 1 normal 1 2 x", "Error in hard, soft or soft_seconds setting in buffer limit configuration.", ""},
		{"", "", "normal 1024 2000 3 slave 5 6 7 pubsub 33554432 8388608 60"},
		{"NORMAL 1MB 0 0", "", "normal 1048576 0 0 slave 5 6 7 pubsub 33554432 8388608 60"},
	} {
		before := get()
		err := s.Set([][2]string{{"client-output-buffer-limit", tt.v}})
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%q: %v", tt.v, err)
		case tt.err != "" && (err == nil || err.Error() != pre+tt.err):
			t.Errorf("%q: error %v, want %q", tt.v, err, tt.err)
		case tt.err != "" && get() != before:
			t.Errorf("%q: a refused value changed the setting to %q", tt.v, get())
		case tt.err == "" && get() != tt.after:
			t.Errorf("%q: now %q, want %q", tt.v, get(), tt.after)
		}
	}
	if l := s.ObufLimit(ObufNormal); l != (ObufLimit{Hard: 1 << 20}) {
		t.Errorf("ObufLimit(normal) = %+v", l)
	}
}

// Redis's checkClientOutputBufferLimits: the hard limit closes at once,
// the soft one only after being exceeded continuously for SoftSeconds.
func TestObufWatch(t *testing.T) {
	l := ObufLimit{Hard: 100, Soft: 10, SoftSeconds: 2}
	t0 := time.Unix(1000, 0)
	var w ObufWatch
	steps := []struct {
		at   time.Duration
		used int64
		over bool
	}{
		{0, 5, false},
		{0, 10, false},               // soft reached: the clock starts
		{2 * time.Second, 50, false}, // not more than 2 s yet
		{3 * time.Second, 9, false},  // back under: the clock stops
		{4 * time.Second, 20, false}, // starts again
		{6*time.Second + 1, 20, true},
		{0, 100, true}, // hard: at once
	}
	for i, st := range steps {
		if got := w.Over(l, st.used, t0.Add(st.at)); got != st.over {
			t.Fatalf("step %d (%v, %d bytes): over = %v", i, st.at, st.used, got)
		}
	}
	if !(&ObufWatch{}).SoftDeadline(ObufLimit{}, 1<<30, t0).IsZero() {
		t.Error("no soft limit: SoftDeadline must be zero")
	}
	if d := (&ObufWatch{}).SoftDeadline(l, 10, t0); !d.Equal(t0.Add(3 * time.Second)) {
		t.Errorf("SoftDeadline = %v", d.Sub(t0))
	}
}
