#!/bin/sh
# pgserver.sh - a throw-away PostgreSQL 15 server for the tests (SPEC.md
# section 8): Debian's binaries, its own data directory DIR/data, initdb
# as the unprivileged "postgres" user (as the current user when not
# root), 127.0.0.1 and a Unix socket in DIR/data, a random free port,
# trust authentication for the loopback only.
#
#   pgserver.sh start DIR       start; prints the URI of database "dmarc"
#                               (postgresql://postgres@127.0.0.1:PORT/dmarc)
#   pgserver.sh createdb DIR N  create database N; prints its URI
#   pgserver.sh stop DIR        stop it (fast shutdown: sessions end,
#                               their transactions roll back)
#   pgserver.sh kill DIR        SIGKILL the postmaster (a crashed server)
#   pgserver.sh restart DIR     start it again on the same port
#
# Exit 77 when the packages are missing (postgresql-15), so a machine
# without them skips.
# SPDX-License-Identifier: MIT
set -u

die() {
	echo "pgserver.sh: $*" >&2
	exit 1
}

BIN=
for v in 15 16 17; do
	[ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ] &&
		{ BIN=/usr/lib/postgresql/$v/bin; break; }
done
[ -n "$BIN" ] || { echo "pgserver.sh: PostgreSQL not installed" >&2; exit 77; }

# run a server binary as the data directory's owner
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

random_port() {
	n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	echo $((20000 + n % 40000))
}

uri() {
	echo "postgresql://postgres@127.0.0.1:$(cat "$1/port")/$2"
}

pg_start() {
	d=$1
	as_pg "$BIN/pg_ctl" -D "$d/data" -w -t 60 -l "$d/log" \
		-o "-p $(cat "$d/port") -k $d/data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60" \
		start >/dev/null 2>&1 </dev/null
}

cmd=${1:-}
d=${2:-}
[ -n "$d" ] || die "usage: pgserver.sh start|createdb|stop|kill|restart DIR"
case $cmd in
start)
	mkdir -p "$d" || die "cannot create $d"
	chmod 755 "$d"
	mkdir -p "$d/data"
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || die "no postgres user"
		chown postgres "$d/data" "$d"
		# a mktemp -d parent (0700) would block the postgres user
		chmod o+x "$(dirname "$d")"
	fi
	as_pg "$BIN/initdb" -D "$d/data" -A trust -U postgres -E UTF8 \
		--locale=C >"$d/initdb.log" 2>&1 || {
		cat "$d/initdb.log" >&2
		die "initdb failed"
	}
	tries=0
	while :; do
		random_port >"$d/port"
		pg_start "$d" && break
		tries=$((tries + 1))
		[ $tries -lt 5 ] || { cat "$d/log" >&2; die "cannot start"; }
	done
	"$BIN/createdb" -h 127.0.0.1 -p "$(cat "$d/port")" -U postgres dmarc ||
		die "createdb failed"
	uri "$d" dmarc
	;;
createdb)
	"$BIN/createdb" -h 127.0.0.1 -p "$(cat "$d/port")" -U postgres "$3" ||
		die "createdb $3 failed"
	uri "$d" "$3"
	;;
stop)
	[ -d "$d/data" ] || exit 0
	as_pg "$BIN/pg_ctl" -D "$d/data" -m fast -w stop >/dev/null 2>&1
	exit 0
	;;
kill)
	pid=$(head -1 "$d/data/postmaster.pid" 2>/dev/null) || exit 0
	kill -9 "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	exit 0
	;;
restart)
	pg_start "$d" || { cat "$d/log" >&2; die "cannot restart"; }
	;;
*)
	die "unknown command $cmd"
	;;
esac
