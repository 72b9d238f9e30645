#!/bin/sh
# Integration test of "faqbot serve": starts the real binary on 127.0.0.1
# with port 0 and temporary copies of kb/ and intents/ (plus a test scene with
# an always-active notice), drives it with ws_client.py
# (Debian's python3-websockets) and prints "ok - <sentence>" per check.
# Needs BIN (the faqbot binary); run from the repository root.
set -u
BIN=${BIN:-build/default/faqbot}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
CLIENT="$HERE/ws_client.py"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faqbot-it.XXXXXX")
PID=
fails=0

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && sleep 0.2 && kill -9 "$PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

if ! $PY -c 'import websockets' 2>/dev/null; then
	echo "not ok - python3-websockets is missing: apt-get install python3-websockets"
	exit 1
fi

cp -R kb "$TMP/kb"
cp -R intents "$TMP/intents"
cat >"$TMP/intents/zz-test.json" <<'END'
{
  "comment": "Written by tests/integration/server.sh: a scene whose notice is always active.",
  "scenes": [
    {
      "id": "it_notice",
      "when": { "page": "it_notice" },
      "greeting": { "en": "Integration scene (v1).", "zh": "集成测试场景 (v1)。" },
      "notices": [
        { "id": "it-always", "start": "2000-01-01", "end": "2100-01-01",
          "text": { "en": "Integration notice.", "zh": "集成测试通知。" } }
      ]
    }
  ]
}
END
"$BIN" serve --port 0 --kb "$TMP/kb" --intents "$TMP/intents" --web web --data "$TMP/var" --set kb_poll_ms=500 \
	>"$TMP/out" 2>"$TMP/err" &
PID=$!

# Wait (at most 20 s) for the "open http://127.0.0.1:PORT/" line.
PORT=
i=0
while [ $i -lt 200 ]; do
	PORT=$(sed -n 's#^open http://127\.0\.0\.1:\([0-9][0-9]*\)/$#\1#p' "$TMP/out")
	[ -n "$PORT" ] && break
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
if [ -z "$PORT" ]; then
	echo "not ok - the server did not print its address"
	cat "$TMP/out" "$TMP/err"
	exit 1
fi
echo "ok - the server prints \"open http://127.0.0.1:$PORT/\" once listening"

run() { # sentence scenario [args...]
	s=$1
	shift
	if timeout 45 $PY "$CLIENT" "$PORT" "$@" 2>"$TMP/why"; then
		echo "ok - $s"
	else
		echo "not ok - $s"
		sed 's/^/    /' "$TMP/why"
		fails=$((fails + 1))
	fi
}

run "/api/health answers 200 with JSON; /api/version too; unknown /api paths 404" health
run "static pages carry the Content-Security-Policy and other security headers; keep-alive requests each get their own file" static
run "an English question gets the expected answer" ask "$TMP/kb" payment-methods en
run "a Chinese question gets the expected answer, in Chinese" ask "$TMP/kb" refund-time zh
run "a message sent in several WebSocket frames is reassembled" fragmented "$TMP/kb" payment-methods en
run "a frame over 16 KiB closes the connection with 1009" oversize
run "bad JSON, unknown types, missing fields, bad UTF-8 get an error and the socket stays open" bad-input "$TMP/kb" payment-methods en
run "reconnecting with the token gets the transcript back" resume "$TMP/kb" payment-methods en
run "two connections with the same token both receive the reply, and the other tab the echo" tabs "$TMP/kb" payment-methods en
run "a did-you-mean choice is answered; none of these gets a fallback" choose "$TMP/kb" order-tracking en
run "two fallbacks in a row say so and point to a person" fallback
run "a flood of frames gets rate_limited with retry_after_ms, then close 1008" rate
run "a foreign Origin is refused; localhost and same-host origins are accepted" origin
run "an edited answer reaches a connection opened before the change, still open" reload "$TMP/kb" refund-time en
run "hello's scene and context pick the scene: its greeting, suggestions and intents (the order's own tracking number); a scene frame moves to another page" scenes
run "a missing fact is asked for and taken from the next message" slot
run "转人工 hands off to the scene's team (a ticket while no agent is online; cancel_handoff goes back to the bot); a complaint opens a ticket" handoff
run "\"did this solve it?\": no offers alternatives, yes invites a survey; surveys are checked and kept in the transcript" resolved
run "a scene's notice follows the welcome, or waits for the next reply while the customer types" notice
run "an edited intents file is served without a restart; a broken one keeps the previous intents and /api/stats shows why" intents-reload "$TMP/intents"
run "a broken KB file keeps the old KB serving and /api/stats shows the error" broken "$TMP/kb" payment-methods en
run "/api/stats counts the bot's replies per scene with the fallback and hand-off rates" scene-stats
run "SIGHUP reloads the KB" sighup "$PID"
run "a KB that takes seconds to train reloads on a worker: the old one keeps answering until the new one is in" slow-reload "$PID" "$TMP/kb"
run "SIGTERM closes clients with 1001" sigterm "$PID"

# The process must exit 0 within 10 s of SIGTERM.
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
	if [ $rc -eq 0 ]; then
		echo "ok - after SIGTERM the server exits 0"
	else
		echo "not ok - after SIGTERM the server exited $rc"
		fails=$((fails + 1))
	fi
fi
if grep -q 'ERROR: [A-Za-z]*Sanitizer\|runtime error:' "$TMP/err"; then
	echo "not ok - the sanitizers reported errors"
	cat "$TMP/err"
	fails=$((fails + 1))
fi
[ $fails -eq 0 ] || { echo "server log:"; tail -n 40 "$TMP/err"; }
exit $((fails > 0))
