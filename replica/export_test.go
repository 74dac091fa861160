package replica

import "testing"

// SetGetGroupReplyMax lowers the bytes of sets a MethodGetGroup reply
// carries, for t.
func SetGetGroupReplyMax(t testing.TB, n int) {
	old := getGroupReplyMax
	getGroupReplyMax = n
	t.Cleanup(func() { getGroupReplyMax = old })
}
