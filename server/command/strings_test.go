package command

import "testing"

func TestStrings(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> GET k
		(nil)
		> SET k v
		OK
		> GET k
		"v"
		> SET k v2 NX
		(nil)
		> SET k v2 XX
		OK
		> SET missing v XX
		(nil)
		> SET k v3 GET
		"v2"
		> SET new v GET
		(nil)
		> GET new
		"v"
		> SET k v4 NX GET
		"v3"
		> GET k
		"v3"
		> SET nx2 x NX GET
		(nil)
		> GET nx2
		"x"
		> SET k v NX XX
		(error) ERR syntax error
		> SET k v EX 10 PX 100
		(error) ERR syntax error
		> SET k v EX 10 KEEPTTL
		(error) ERR syntax error
		> SET k v KEEPTTL EX 10
		(error) ERR syntax error
		> SET k v EX
		(error) ERR syntax error
		> SET k v PERSIST
		(error) ERR syntax error
		> SET k v FOO
		(error) ERR syntax error
		> SET k v EX 0
		(error) ERR invalid expire time in 'set' command
		> SET k v PX -5
		(error) ERR invalid expire time in 'set' command
		> SET k v EX 9223372036854775
		(error) ERR invalid expire time in 'set' command
		> SET k v PX 9223372036854775807
		(error) ERR invalid expire time in 'set' command
		> SET k v EX abc
		(error) ERR value is not an integer or out of range
		> SET k v EX 10 EX 20
		OK
		> TTL k
		(integer) 20
		> SET k v KEEPTTL
		OK
		> TTL k
		(integer) 20
		> SET k v
		OK
		> TTL k
		(integer) -1
		> SET k v PXAT 1700000005000
		OK
		> PTTL k
		(integer) 5000
		> SET k v EXAT 1700000010
		OK
		> TTL k
		(integer) 10
		> SET k
		(error) ERR wrong number of arguments for 'set' command
		> get
		(error) ERR wrong number of arguments for 'get' command
		> GET a b
		(error) ERR wrong number of arguments for 'get' command
	`)
}

func TestSetVariants(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> SETNX a 1
		(integer) 1
		> SETNX a 2
		(integer) 0
		> GET a
		"1"
		> SETEX b 10 v
		OK
		> TTL b
		(integer) 10
		> SETEX b 0 v
		(error) ERR invalid expire time in 'setex' command
		> SETEX b x v
		(error) ERR value is not an integer or out of range
		> PSETEX c 1500 v
		OK
		> PTTL c
		(integer) 1500
		> TTL c
		(integer) 2
		> PSETEX c -1 v
		(error) ERR invalid expire time in 'psetex' command
		> GETSET a 3
		"1"
		> GETSET zz 3
		(nil)
		> GETDEL a
		"3"
		> GETDEL a
		(nil)
		> EXISTS a
		(integer) 0
		!advance 1500
		> GET c
		(nil)
		> MSET x 1 y 2
		OK
		> MSET x 1 y
		(error) ERR wrong number of arguments for 'mset' command
		> MGET x nope y
		1) "1"
		2) (nil)
		3) "2"
		> MSETNX x 5 q 6
		(integer) 0
		> MSETNX p 5 q 6
		(integer) 1
		> MGET p q
		1) "5"
		2) "6"
		> MSETNX p
		(error) ERR wrong number of arguments for 'msetnx' command
		> STRLEN x
		(integer) 1
		> STRLEN nope
		(integer) 0
	`)
}

func TestGetex(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> GETEX k
		(nil)
		> SET k v
		OK
		> GETEX k
		"v"
		> GETEX k EX 100
		"v"
		> TTL k
		(integer) 100
		> GETEX k PERSIST
		"v"
		> TTL k
		(integer) -1
		> GETEX k PX 100 EX 5
		(error) ERR syntax error
		> GETEX k PERSIST EX 5
		(error) ERR syntax error
		> GETEX k NX
		(error) ERR syntax error
		> GETEX k KEEPTTL
		(error) ERR syntax error
		> GETEX k EX 0
		(error) ERR invalid expire time in 'getex' command
		> GETEX k EXAT 1
		"v"
		> GET k
		(nil)
	`)
}

func TestCounters(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> INCR n
		(integer) 1
		> INCRBY n 10
		(integer) 11
		> DECR n
		(integer) 10
		> DECRBY n 20
		(integer) -10
		> INCRBY n abc
		(error) ERR value is not an integer or out of range
		> DECRBY n -9223372036854775808
		(error) ERR decrement would overflow
		> SET n 9223372036854775807
		OK
		> INCR n
		(error) ERR increment or decrement would overflow
		> SET n -9223372036854775808
		OK
		> DECR n
		(error) ERR increment or decrement would overflow
		> SET s abc
		OK
		> INCR s
		(error) ERR value is not an integer or out of range
		> SET s " 1"
		OK
		> INCR s
		(error) ERR value is not an integer or out of range
		> SET e 5 EX 100
		OK
		> INCR e
		(integer) 6
		> TTL e
		(integer) 100
		> INCRBYFLOAT f 10.5
		"10.5"
		> INCRBYFLOAT f 0.1
		"10.6"
		> INCRBYFLOAT f -5.0e3
		"-4989.4"
		> SET f 5.0e3
		OK
		> INCRBYFLOAT f 2.0e2
		"5200"
		> INCRBYFLOAT f x
		(error) ERR value is not a valid float
		> INCRBYFLOAT s 1
		(error) ERR value is not a valid float
		> INCRBYFLOAT f inf
		(error) ERR increment would produce NaN or Infinity
		> SET f 1.7e308
		OK
		> INCRBYFLOAT f 1.7e308
		(error) ERR increment would produce NaN or Infinity
	`)
}

func TestAppendRange(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> APPEND k Hello
		(integer) 5
		> APPEND k " World"
		(integer) 11
		> GETRANGE k 0 4
		"Hello"
		> GETRANGE k -5 -1
		"World"
		> GETRANGE k -1 -5
		""
		> GETRANGE k 0 -1
		"Hello World"
		> GETRANGE k 5 100
		" World"
		> GETRANGE k 20 30
		""
		> GETRANGE k -100 2
		"Hel"
		> GETRANGE nope 0 -1
		""
		> GETRANGE k a 1
		(error) ERR value is not an integer or out of range
		> SUBSTR k 0 0
		"H"
		> SETRANGE k 6 Redis
		(integer) 11
		> GET k
		"Hello Redis"
		> SETRANGE p 3 x
		(integer) 4
		> GET p
		"\x00\x00\x00x"
		> SETRANGE empty 5 ""
		(integer) 0
		> EXISTS empty
		(integer) 0
		> SETRANGE k 100 ""
		(integer) 11
		> SETRANGE k -1 x
		(error) ERR offset is out of range
		> SETRANGE k 536870911 xx
		(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)
		> SETRANGE k x y
		(error) ERR value is not an integer or out of range
	`)
}

// TestSetrangeHugeOffset: off+len(value) must not overflow into a slice
// panic (issue 7: SETRANGE k 9223372036854775807 A killed the process).
func TestSetrangeHugeOffset(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> SETRANGE k 9223372036854775807 A
		(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)
		> SETRANGE k 9223372036854775807 ""
		(integer) 0
		> SET s hello
		OK
		> SETRANGE s 9223372036854775807 A
		(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)
		> SETRANGE s 9223372036854775807 ""
		(integer) 5
		> SETRANGE s 9223372036854775806 AB
		(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)
		> GET s
		"hello"
	`)
}

// TestLimitsStrings: extreme numbers in the string commands answer as
// Redis 7.0 does (each line checked against redis-server).
func TestLimitsStrings(t *testing.T) {
	f := newFixture(t)
	f.script(`
		# GETEX looks the key up before it checks the expire time.
		> GETEX nokey EX 0
		(nil)
		> GETEX nokey EX abc
		(nil)
		> GETEX nokey PX 9223372036854775807
		(nil)
		> SET a 1
		OK
		> GETEX a EX 0
		(error) ERR invalid expire time in 'getex' command
		> GETEX a EX abc
		(error) ERR value is not an integer or out of range
		> GETEX a EX 9223372036854775807
		(error) ERR invalid expire time in 'getex' command
		> GETEX a EXAT 9223372036854775807
		(error) ERR invalid expire time in 'getex' command
		> GETEX a PX 9223372036854775807
		(error) ERR invalid expire time in 'getex' command
		> GETEX a EXAT 9223372036854775
		"1"
		> GETEX a PXAT 9223372036854775807
		"1"
		> PTTL a
		(integer) 9223370336854775807
		> GETEX a PXAT 1
		"1"
		> EXISTS a
		(integer) 0
		> SET k v EX 9223372036854775
		(error) ERR invalid expire time in 'set' command
		> SET k v EXAT 9223372036854776
		(error) ERR invalid expire time in 'set' command
		> SET k v EXAT 9223372036854775
		OK
		> SET k v PXAT 9223372036854775807
		OK
		> SET k v EX -9223372036854775808
		(error) ERR invalid expire time in 'set' command
		> SET k v EX 9223372036854775808
		(error) ERR value is not an integer or out of range
		> SETEX k 9223372036854775807 v
		(error) ERR invalid expire time in 'setex' command
		> PSETEX k 9223372036854775000 v
		(error) ERR invalid expire time in 'psetex' command
		> SET n 1
		OK
		> INCRBY n 9223372036854775807
		(error) ERR increment or decrement would overflow
		> INCRBY n -9223372036854775808
		(integer) -9223372036854775807
		> DECRBY n 9223372036854775807
		(error) ERR increment or decrement would overflow
		> DECRBY n 9223372036854775808
		(error) ERR value is not an integer or out of range
		> INCRBY n -0
		(error) ERR value is not an integer or out of range
		> INCRBY n +1
		(error) ERR value is not an integer or out of range
		> INCRBYFLOAT x nan
		(error) ERR value is not a valid float
		> INCRBYFLOAT x -inf
		(error) ERR increment would produce NaN or Infinity
		> SET y inf
		OK
		> INCRBYFLOAT y 1
		(error) ERR increment would produce NaN or Infinity
		> SET y nan
		OK
		> INCRBYFLOAT y 1
		(error) ERR value is not a valid float
		> GETRANGE nokey 9223372036854775807 -9223372036854775808
		""
		> SET s hello
		OK
		> GETRANGE s 9223372036854775807 -9223372036854775808
		""
		> GETRANGE s -9223372036854775808 9223372036854775807
		"hello"
		> GETRANGE s -9223372036854775808 -9223372036854775808
		"h"
		> GETRANGE s 0 9223372036854775807
		"hello"
		> APPEND s ""
		(integer) 5
	`)
}
