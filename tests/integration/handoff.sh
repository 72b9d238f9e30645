#!/bin/sh
# The human hand-off end to end: the real binary on 127.0.0.1 port 0 with a
# temporary data directory, two agents created with `faqbot agent add`
# (password on stdin), customers over faq-chat and agents over faq-agent
# (handoff_client.py, Debian's python3-websockets); then kill -9 mid-queue,
# a restart on the same data directory, and the queue checked again.
# Prints "ok - <sentence>" per check. Needs BIN; run from the repository root.
set -u
BIN=${BIN:-build/default/faqbot}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
CLIENT="$HERE/handoff_client.py"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faqbot-ho.XXXXXX")
PID=
fails=0

cleanup() {
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

if ! $PY -c 'import websockets' 2>/dev/null; then
	echo "not ok - python3-websockets is missing: apt-get install python3-websockets"
	exit 1
fi

# Start the server on the data directory; sets PID and PORT (waits at most 20 s).
start() {
	: >"$TMP/out"
	"$BIN" serve --port 0 --kb kb --intents intents --web web --data "$TMP/var" --set kb_poll_ms=0 \
		--set context_secret=handoff-test-secret \
		--log-level info >"$TMP/out" 2>>"$TMP/err" &
	PID=$!
	PORT=
	i=0
	while [ $i -lt 200 ]; do
		PORT=$(sed -n 's#^open http://127\.0\.0\.1:\([0-9][0-9]*\)/$#\1#p' "$TMP/out")
		[ -n "$PORT" ] && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "not ok - the server did not start"
	tail -n 20 "$TMP/err"
	exit 1
}

mkdir -p "$TMP/var"
if echo "alice-secret-1" | "$BIN" agent add alice --team general,support --name "Alice Chen" --data "$TMP/var" >/dev/null &&
	echo "bob-secret-22" | "$BIN" agent add bob --team '*' --name "Bob Li" --capacity 5 --data "$TMP/var" >/dev/null &&
	"$BIN" agent list --data "$TMP/var" | grep -q '^bob .*active' &&
	! "$BIN" agent list --data "$TMP/var" | grep -q 'pbkdf2'; then
	echo "ok - faqbot agent add creates agents with the password from stdin; agent list shows them without hashes"
else
	echo "not ok - faqbot agent add / list"
	exit 1
fi

start
echo "ok - the server starts on port $PORT with an empty hand-off database"

phase() { # phase1|phase2
	timeout 150 $PY "$CLIENT" "$PORT" "$TMP/state.json" "$1" || fails=$((fails + 1))
}

phase phase1
if [ $fails -eq 0 ]; then
	kill -9 "$PID"
	wait "$PID" 2>/dev/null
	PID=
	echo "ok - the server is killed with SIGKILL while three customers wait"
	start
	phase phase2
fi

if [ -n "$PID" ]; then
	kill -TERM "$PID"
	i=0
	while kill -0 "$PID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$PID" 2>/dev/null; then
		echo "not ok - the server did not exit after SIGTERM"
		fails=$((fails + 1))
	else
		wait "$PID"
		rc=$?
		PID=
		[ $rc -eq 0 ] && echo "ok - after SIGTERM the server exits 0" ||
			{ echo "not ok - after SIGTERM the server exited $rc"; fails=$((fails + 1)); }
	fi
fi
if grep -q 'ERROR: [A-Za-z]*Sanitizer\|runtime error:' "$TMP/err"; then
	echo "not ok - the sanitizers reported errors"
	grep -A30 'ERROR: [A-Za-z]*Sanitizer\|runtime error:' "$TMP/err" | head -60
	fails=$((fails + 1))
fi
[ $fails -eq 0 ] || { echo "server log:"; tail -n 40 "$TMP/err"; }
exit $((fails > 0))
