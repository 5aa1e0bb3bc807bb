#!/bin/sh
# dovecot.sh - a throw-away Dovecot IMAP server for the integration tests
# (SPEC.md section 6): 127.0.0.1, a free high port, base_dir, state_dir
# and log inside DIR, one passwd-file user with a Maildir, optional
# STARTTLS and imaps with a self-signed certificate for "localhost".
#
#   dovecot.sh start DIR [plain|tls]  start; prints the IMAP port (with tls,
#                                      imaps listens on port + 1; DIR/ca.pem
#                                      is the certificate to trust)
#   dovecot.sh seed DIR SRC [FOLDER]  copy the messages of Maildir SRC
#                                      (cur/, new/) into INBOX or FOLDER
#   dovecot.sh count DIR [FOLDER]     messages in INBOX or FOLDER
#   dovecot.sh files DIR [FOLDER]     the message files of INBOX or FOLDER
#   dovecot.sh restart DIR            start it again with the same
#                                      configuration and port
#   dovecot.sh stop DIR               stop it (SIGKILL master.pid and its
#                                      children, wait)
#
# User "dmarc", password in $DOVECOT_PASS (default "s3cret pass"). Lines in
# $DOVECOT_EXTRA are appended to the configuration (imap_capability...). Runs
# as root the way SPEC.md section 6 says: login processes as dovenull,
# the mail user with the uid/gid of "dovecot", no chroot. Exit 77 when
# Dovecot is not installed (the caller decides whether that may skip).
# SPDX-License-Identifier: MIT
set -u

PASS=${DOVECOT_PASS:-s3cret pass}

die() {
	echo "dovecot.sh: $*" >&2
	exit 1
}

find_dovecot() {
	for d in "$(command -v dovecot 2>/dev/null)" /usr/sbin/dovecot; do
		[ -n "$d" ] && [ -x "$d" ] && { echo "$d"; return 0; }
	done
	return 1
}

# Maildir++ directory of FOLDER (IMAP separator "/", on disk ".")
folder_dir() {
	if [ -z "${2:-}" ] || [ "$2" = INBOX ]; then
		echo "$1/home/Maildir"
	else
		echo "$1/home/Maildir/.$(printf %s "$2" | tr / .)"
	fi
}

random_port() {
	n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	echo $((20000 + n % 40000))
}

write_conf() {
	d=$1 port=$2 mode=$3
	uid=$(id -u dovecot) gid=$(id -g dovecot)
	if [ "$mode" = tls ]; then
		ssl="ssl = yes
ssl_cert = <$d/ca.pem
ssl_key = <$d/key.pem"
		imaps=$((port + 1))
	else
		ssl="ssl = no"
		imaps=0
	fi
	cat >"$d/dovecot.conf" <<EOF
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = imap
listen = 127.0.0.1
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
first_valid_gid = 1
disable_plaintext_auth = no
auth_mechanisms = plain login
$ssl
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $d/passwd
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps
  }
}
service anvil {
  chroot =
}
${DOVECOT_EXTRA:-}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
EOF
	# passwd-file: user:{PLAIN}password:uid:gid::home
	printf 'dmarc:{PLAIN}%s:%s:%s::%s::\n' "$PASS" "$uid" "$gid" \
	    "$d/home" >"$d/passwd"
	chmod 0644 "$d/passwd"
}

start() {
	d=$1 mode=${2:-plain}
	dc=$(find_dovecot) || { echo "dovecot.sh: dovecot not installed" >&2;
		exit 77; }
	id dovecot >/dev/null 2>&1 && id dovenull >/dev/null 2>&1 ||
	    die "users dovecot and dovenull are missing"
	mkdir -p "$d/home/Maildir/cur" "$d/home/Maildir/new" \
	    "$d/home/Maildir/tmp" || die "mkdir $d"
	chmod 0755 "$d"
	chown -R dovecot:dovecot "$d/home" || die "chown $d/home"
	if [ "$mode" = tls ] && [ ! -f "$d/ca.pem" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		    -nodes -days 2 -subj /CN=localhost \
		    -addext subjectAltName=DNS:localhost \
		    -keyout "$d/key.pem" -out "$d/ca.pem" >/dev/null 2>&1 ||
		    die "openssl could not make a certificate"
		chmod 0644 "$d/ca.pem" "$d/key.pem"
	fi
	tries=0
	while :; do
		tries=$((tries + 1))
		[ $tries -le 10 ] || die "no free port after 10 tries (see $d/dovecot.log)"
		port=$(random_port)
		write_conf "$d" "$port" "$mode"
		"$dc" -c "$d/dovecot.conf" 2>>"$d/start.err" || continue
		# wait until it answers
		i=0
		while [ $i -lt 100 ]; do
			if curl -s -m 2 -u "dmarc:$PASS" \
			    "imap://127.0.0.1:$port/" -X NOOP >/dev/null 2>&1; then
				echo "$port" >"$d/port"
				echo "$port"
				return 0
			fi
			i=$((i + 1))
			sleep 0.05
		done
		stop "$d"
	done
}

restart() {
	d=$1
	dc=$(find_dovecot) || exit 77
	port=$(cat "$d/port") || die "no port in $d"
	"$dc" -c "$d/dovecot.conf" 2>>"$d/start.err" || die "restart failed"
	i=0
	while [ $i -lt 100 ]; do
		curl -s -m 2 -u "dmarc:$PASS" "imap://127.0.0.1:$port/" \
		    -X NOOP >/dev/null 2>&1 && return 0
		i=$((i + 1))
		sleep 0.05
	done
	die "dovecot did not come back (see $d/dovecot.log)"
}

stop() {
	d=$1
	[ -f "$d/run/master.pid" ] || return 0
	pid=$(cat "$d/run/master.pid")
	kill -0 "$pid" 2>/dev/null || return 0
	# a throw-away server: no graceful shutdown (it takes seconds);
	# its own processes only, by id
	kids=$(ps -o pid= --ppid "$pid" 2>/dev/null)
	kill -9 "$pid" $kids 2>/dev/null
	i=0
	# gone, or a zombie waiting for whoever reaps it
	while ps -o stat= -p "$pid" 2>/dev/null | grep -qv Z &&
	    [ $i -lt 100 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	# a zombie master would make "dovecot" refuse to start again
	rm -f "$d/run/master.pid"
	# an imap process killed while holding a Maildir dotlock leaves it
	# behind, and the next server waits minutes for it to turn stale
	# (seen: "STATUS: server response timeout" after a restart); the
	# server is dead, so every lock of its is stale now
	find "$d" -name 'dovecot-uidlist.lock' -type f -delete 2>/dev/null
	find "$d" -name 'dovecot-keywords.lock' -type f -delete 2>/dev/null
	return 0
}

seed() {
	d=$1 src=$2 dir=$(folder_dir "$1" "${3:-}")
	mkdir -p "$dir/cur" "$dir/new" "$dir/tmp" || die "mkdir $dir"
	for f in "$src"/cur/* "$src"/new/*; do
		[ -f "$f" ] || continue
		b=$(basename "$f")
		cp "$f" "$dir/new/${b%%:*}" || die "cp $f"
	done
	chown -R dovecot:dovecot "$d/home" || die "chown"
}

files() {
	dir=$(folder_dir "$1" "${2:-}")
	for f in "$dir"/cur/* "$dir"/new/*; do
		[ -f "$f" ] && echo "$f"
	done
	return 0
}

count() {
	files "$@" | wc -l | tr -d ' '
}

[ $# -ge 2 ] || die "usage: dovecot.sh start|restart|seed|count|files|stop DIR ..."
cmd=$1
shift
case "$cmd" in
start)	start "$@" ;;
restart) restart "$@" ;;
stop)	stop "$@" ;;
seed)	seed "$@" ;;
files)	files "$@" ;;
count)	count "$@" ;;
*)	die "unknown command $cmd" ;;
esac
