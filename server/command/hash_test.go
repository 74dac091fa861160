package command

import "testing"

func TestHashBasics(t *testing.T) {
	f := newFixture(t)
	f.script(`
> HSET h a 1 b 2
(integer) 2
> HSET h a 3 c 4
(integer) 1
> HGET h a
"3"
> HGET h zz
(nil)
> HGET nokey a
(nil)
> HLEN h
(integer) 3
> HGETALL h
1# "a" => "3"
2# "b" => "2"
3# "c" => "4"
> HDEL h a zz
(integer) 1
> HLEN h
(integer) 2
> SET s x
OK
> HSET s a 1
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> HDEL h b c
(integer) 2
> EXISTS h
(integer) 0
> HGETALL h
(empty hash)
> HSET h x 1
(integer) 1
> HGETALL h
1# "x" => "1"
> DEL h
(integer) 1
> HLEN h
(integer) 0
> HSET h y 2
(integer) 1
> HGETALL h
1# "y" => "2"
> DBSIZE
(integer) 2
> HSET h a
(error) ERR wrong number of arguments for 'hset' command
`)
}
