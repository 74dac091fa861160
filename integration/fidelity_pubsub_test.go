package integration

// Pub/sub against redis-server, RESP2 and RESP3: confirmations, subscribe
// mode's refusals and PING, PUBLISH to oneself (RESP3 may run it while
// subscribed), PUBSUB, notify-keyspace-events. Subscriptions name one
// channel at a time where Redis's order of several is its dict's.
func init() {
	addFidelity("pubsub",
		p("PUBLISH", "ch"), p("PUBLISH", "ch", "m"), p("SPUBLISH", "ch", "m"), p("SPUBLISH", "ch"),
		p("SUBSCRIBE"), p("PSUBSCRIBE"), p("SSUBSCRIBE"),
		p("UNSUBSCRIBE"), p("PUNSUBSCRIBE"), p("SUNSUBSCRIBE"),
		p("UNSUBSCRIBE", "nope"), p("PUNSUBSCRIBE", "nope*"), p("SUNSUBSCRIBE", "nope"),
		p("PUBSUB"), p("PUBSUB", "FOO"), p("PUBSUB", "HELP"), p("PUBSUB", "NUMPAT"), p("PUBSUB", "NUMPAT", "x"),
		p("PUBSUB", "CHANNELS"), p("PUBSUB", "CHANNELS", "a", "b"), p("PUBSUB", "SHARDCHANNELS", "a", "b"),
		p("PUBSUB", "NUMSUB"), p("PUBSUB", "NUMSUB", "a", "b"), p("PUBSUB", "SHARDNUMSUB", "a"),
		p("PUBSUB", "SHARDCHANNELS"),
		// subscribe mode
		p("SUBSCRIBE", "ch"), p("SUBSCRIBE", "ch"), p("PSUBSCRIBE", "c*"), p("SSUBSCRIBE", "sh"),
		p("PUBSUB", "NUMPAT"), p("PUBSUB", "NUMSUB", "ch"), p("PUBSUB", "CHANNELS"),
		p("PUBSUB", "SHARDNUMSUB", "sh"), p("PUBSUB", "SHARDCHANNELS", "s*"),
		p("PING"), p("PING", "hi"), p("PING", "a", "b"), p("GET", "k"), p("GET"), p("NOSUCH"),
		p("CONFIG", "GET", "maxclients"),
		p("PUBLISH", "ch", "hello"), p("PUBLISH", "cx", "pat"), p("SPUBLISH", "sh", "shard"),
		p("UNSUBSCRIBE", "ch"), p("PUNSUBSCRIBE"), p("SUNSUBSCRIBE"),
		p("UNSUBSCRIBE"), p("GET", "k"), p("PING"),
		p("SSUBSCRIBE", "sh"), p("GET", "k"), p("SUNSUBSCRIBE", "sh"), p("GET", "k"),
		p("SUBSCRIBE", "ch"), p("RESET"), p("GET", "k"), p("PUBSUB", "NUMSUB", "ch"),
		// notify-keyspace-events
		p("CONFIG", "GET", "notify-keyspace-events"), p("CONFIG", "SET", "notify-keyspace-events", "KEA"),
		p("CONFIG", "GET", "notify-keyspace-events"), p("CONFIG", "SET", "notify-keyspace-events", "Z"),
		p("CONFIG", "SET", "notify-keyspace-events", "Ex"), p("CONFIG", "GET", "notify-keyspace-events"),
		p("CONFIG", "SET", "notify-keyspace-events", "Kglshzxetdnm$"), p("CONFIG", "GET", "notify-keyspace-events"),
		p("CONFIG", "SET", "notify-keyspace-events", "KEAmn"), p("CONFIG", "GET", "notify-keyspace-events"),
		p("CONFIG", "SET", "notify-keyspace-events", "g$E"), p("CONFIG", "GET", "notify-keyspace-events"),
		p("CONFIG", "SET", "notify-keyspace-events", "KEA"),
		p("SUBSCRIBE", "__keyevent@0__:set"), p("SET", "k", "v"), p("SUBSCRIBE", "__keyspace@0__:k"),
		p("SET", "k", "v2"), p("UNSUBSCRIBE", "__keyevent@0__:set"), p("UNSUBSCRIBE", "__keyspace@0__:k"),
		p("CONFIG", "SET", "notify-keyspace-events", ""),
		p("PUBSUB", "NUMSUB", "__keyspace@0__:k"),
		// inside MULTI, the confirmations are EXEC's array elements. (A RESP3
		// client's PUBLISH to itself inside MULTI: Redis 7.0 writes the
		// message into EXEC's array, breaking it; ringkv sends it after
		// EXEC, as Redis 7.2 does. Not probed.)
		p("MULTI"), p("SUBSCRIBE", "x"), p("EXEC"), p("RESET"),
	)
}
