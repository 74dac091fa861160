package ring

import "testing"

// Redis Cluster's hash-tag rule (cluster.c keyHashSlot): the first '{',
// then the first '}' after it; an empty tag places by the whole key.
func TestTag(t *testing.T) {
	for _, c := range []struct{ key, tag string }{
		{"user1", "user1"},
		{"{user1}:cart", "user1"},
		{"cart:{user1}", "user1"},
		{"{user1}", "user1"},
		{"{}user1", "{}user1"},
		{"{}{user1}", "{}{user1}"},
		{"a{b}c{d}", "b"},
		{"{{x}}", "{x"},
		{"{x", "{x"},
		{"x}y{", "x}y{"},
		{"", ""},
	} {
		if got := string(Tag([]byte(c.key))); got != c.tag {
			t.Errorf("Tag(%q) = %q, want %q", c.key, got, c.tag)
		}
	}
}

func TestHashTagsShareAPartition(t *testing.T) {
	sp, err := NewSpace(1024)
	if err != nil {
		t.Fatal(err)
	}
	a, b := sp.KeyPartition([]byte("{user1}:cart")), sp.KeyPartition([]byte("{user1}:orders"))
	if a != b || a != sp.KeyPartition([]byte("user1")) {
		t.Fatalf("partitions %d, %d, want both %d", a, b, sp.KeyPartition([]byte("user1")))
	}
	// Without a tag the two keys spread like any others.
	spread := map[int]bool{}
	for _, k := range []string{"user1:cart", "user1:orders", "user2:cart", "user2:orders"} {
		spread[sp.KeyPartition([]byte(k))] = true
	}
	if len(spread) < 2 {
		t.Fatalf("untagged keys all in one partition: %v", spread)
	}
}
