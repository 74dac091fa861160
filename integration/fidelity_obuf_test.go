package integration

// obufProbes: CONFIG GET/SET client-output-buffer-limit with Redis's
// syntax, units and error texts, and CLIENT REPLY's errors (its ON/OFF/SKIP
// pipelines are compared in badclient_test.go). The last probe restores
// the defaults for the topics that follow on the same servers.
var obufProbes = []probe{
	p("CONFIG", "GET", "client-output-buffer-limit"),
	p("CONFIG", "SET", "client-output-buffer-limit", "normal 1kb 2k 3 replica 5 6 7"),
	p("CONFIG", "GET", "client-output-buffer-limit"),
	p("CONFIG", "SET", "client-output-buffer-limit", "NORMAL 1MB 0 0"),
	p("CONFIG", "GET", "client-output-buffer-limit"),
	p("CONFIG", "SET", "client-output-buffer-limit", "foo 1 2 3"),
	p("CONFIG", "SET", "client-output-buffer-limit", "master 1 2 3"),
	p("CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"),
	p("CONFIG", "SET", "client-output-buffer-limit", "normal x 2 3"),
	p("CONFIG", "SET", "client-output-buffer-limit", "normal 1 2 -3"),
	p("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1 1 1 normal 1 2 x"),
	p("CONFIG", "SET", "client-output-buffer-limit", ""),
	p("CONFIG", "GET", "client-output-buffer-limit"),
	p("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
	p("CONFIG", "GET", "client-output-buffer-limit"),
	p("CLIENT", "REPLY", "ON"), p("CLIENT", "REPLY", "foo"), p("CLIENT", "REPLY"), p("CLIENT", "REPLY", "on", "x"),
}

func init() { addFidelity("obuf", obufProbes...) }
