#!/bin/sh
# bench/ws_run.sh - make bench-ws: faqbot's WebSocket service (the customer
# protocol at /ws) against a minimal libwebsockets echo server built from the
# same library (bench/ws_echo.c), driven by bench/ws_load.c. Three phases:
#
#   closed  WS_CONNS connections in a closed loop (send a golden-set question,
#           wait for the reply, send the next): round trips/s, p50/p99.
#   open    WS_CONNS connections, each asking one question a second from a
#           random phase: p50/p99/max latency.
#   idle    WS_IDLE connections that said hello and got their welcome (faqbot
#           then holds a session for each): VmRSS before and after, KiB each.
#
# Every run gets a fresh server. Runs alternate echo/faqbot, WS_RUNS times
# for the closed and open loops and WS_IDLE_RUNS times for the idle phase;
# the table shows medians. With two or more CPUs the server is pinned to CPU 1
# and the load generator to CPU 0 (taskset), so neither steals the other's
# core; WS_PIN=0 turns that off. Each run prints the CPU used by the server,
# the load generator and everything else: figures taken while other jobs held
# a CPU are not worth much, and the script says so below the table.
#
# Limits: faqbot's defaults would refuse this load (50 connections per IP, 5
# messages/s per connection with a burst of 10), so its runs use the config
# file written below (--config); everything else stays at its default:
#   conns_per_ip  20000   all connections come from 127.0.0.1..127.0.0.$WS_SRC
#   rate_per_sec  10000   the closed loop sends far more than 5 messages/s per
#   rate_burst    100000  connection (the open loop's 1/s is within the default)
# conns_total (20000) and sessions_max (10000) already admit WS_IDLE=10000.
# The script raises the open-files limit (ulimit -n 65536, or the hard limit
# when that is lower) and spreads connections over WS_SRC loopback source
# addresses so ephemeral ports never run out.
#
# Environment: BIN LOAD ECHO (set by the Makefile), WS_CONNS=1000,
# WS_IDLE=10000, WS_SECS=5 (closed-loop window, after WS_WARMUP=1),
# WS_OPEN_SECS=5, WS_RUNS=3, WS_IDLE_RUNS=3, WS_SRC=4, WS_PIN=1, WS_REV (the
# revision to print when the tree is not a git checkout).
set -u

BIN=${BIN:-build/default/faqbot}
LOAD=${LOAD:-build/default/bench/ws_load}
ECHO=${ECHO:-build/default/bench/ws_echo}
CONNS=${WS_CONNS:-1000}
IDLE=${WS_IDLE:-10000}
SECS=${WS_SECS:-5}
WARMUP=${WS_WARMUP:-1}
OPEN_SECS=${WS_OPEN_SECS:-5}
RUNS=${WS_RUNS:-3}
IDLE_RUNS=${WS_IDLE_RUNS:-3}
SRC=${WS_SRC:-4}
PIN=${WS_PIN:-1}
GOLDEN=${WS_GOLDEN:-tests/golden/en.jsonl}

for f in "$BIN" "$LOAD" "$ECHO" "$GOLDEN"; do
	[ -e "$f" ] || { echo "ws_run: $f not found (run it through make bench-ws)" >&2; exit 2; }
done

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
NOFILE=$(ulimit -n)
if [ "$NOFILE" != unlimited ] && [ "$NOFILE" -lt $((IDLE + 64)) ]; then
	IDLE=$((NOFILE - 64))
	echo "ws_run: open-files limit $NOFILE: the idle phase uses $IDLE connections" >&2
fi

SRV_PIN= CLI_PIN= PIN_NOTE="not pinned"
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	SRV_PIN="taskset -c 1" CLI_PIN="taskset -c 0" PIN_NOTE="server on CPU 1, load generator on CPU 0"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/bench-ws.XXXXXX") || exit 1
SPID=
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The bot's own work: questions that ask for a person are left out, or every
# connection would end up queued for a person after its first such line and
# the run would measure the hand-off store instead of answering.
grep -v -i -E '"expect": "contact-human"|person|human|agent|representative|人工|真人|客服' "$GOLDEN" > "$T/questions.jsonl"
GOLDEN=$T/questions.jsonl

cat >"$T/faqbot.json" <<EOF
{ "conns_per_ip": 20000, "rate_per_sec": 10000, "rate_burst": 100000 }
EOF

PROBLEMS=0
problem() {
	PROBLEMS=$((PROBLEMS + 1))
	echo "PROBLEM: $*" | tee -a "$T/problems"
}

# start_server echo|faqbot: sets SPID and PORT.
start_server() {
	rm -rf "$T/data" "$T/srv.out" "$T/srv.err"
	mkdir -p "$T/data"
	if [ "$1" = echo ]; then
		$SRV_PIN "$ECHO" --port 0 >"$T/srv.out" 2>"$T/srv.err" &
	else
		$SRV_PIN "$BIN" serve --port 0 --kb kb --web web --data "$T/data" --config "$T/faqbot.json" \
			>"$T/srv.out" 2>"$T/srv.err" &
	fi
	SPID=$!
	i=0
	while ! grep -q '^open http' "$T/srv.out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$SPID" 2>/dev/null; then
			cat "$T/srv.err" >&2
			echo "ws_run: the $1 server did not start" >&2
			exit 1
		fi
		sleep 0.1
	done
	PORT=$(sed -n 's/^open http:\/\/[^:]*:\([0-9]*\)\/$/\1/p' "$T/srv.out")
}

# stop_server NAME: SIGTERM, and complain if it had died or dies badly.
stop_server() {
	if ! kill -0 "$SPID" 2>/dev/null; then
		wait "$SPID"
		problem "the $1 server exited during the run (status $?); its last lines:"
		tail -n 5 "$T/srv.err"
	else
		kill "$SPID"
		wait "$SPID"
		rc=$?
		[ $rc -eq 0 ] || problem "the $1 server exited with status $rc on SIGTERM"
	fi
	SPID=
	if grep -q ' err: ' "$T/srv.err"; then
		problem "the $1 server logged errors:"
		grep ' err: ' "$T/srv.err" | head -n 5
	fi
	w=$(grep -c ' warn: ' "$T/srv.err")
	[ "$w" -eq 0 ] || { echo "  ($1 logged $w warning(s), first:"; grep -m 1 ' warn: ' "$T/srv.err"; echo "  )"; }
}

# run NAME MODE OUTFILE ARGS...: one load run against a fresh server.
run() {
	name=$1 mode=$2 out=$3
	shift 3
	start_server "$name"
	line=$($CLI_PIN "$LOAD" --port "$PORT" --mode "$mode" --pid "$SPID" --src "$SRC" --golden "$GOLDEN" \
		--seed "$(date +%N)" "$@" 2>"$T/load.err" | grep '^RESULT')
	stop_server "$name"
	if [ -z "$line" ]; then
		problem "$name $mode: the load generator printed no result"
		cat "$T/load.err"
		return
	fi
	echo "$line" >>"$out"
	printf '  %-6s %s\n' "$name" "$(echo "$line" | sed 's/^RESULT mode=[a-z]* //')"
	case "$line" in *" failed=0 "*) ;; *) problem "$name $mode: connections failed: $(cat "$T/load.err")" ;; esac
	case "$line" in *" server_closes=0 disconnects=0"*) ;; *) problem "$name $mode: the server closed connections: $(echo "$line" | sed 's/.*server_closes/server_closes/') ($(grep 'first failure' "$T/load.err"))" ;; esac
	case "$line" in *" error=0 "* | *mode=idle*) ;; *) problem "$name $mode: error replies: $(echo "$line" | sed 's/.* error=\([0-9]*\).*/\1/')" ;; esac
}

# med FILE KEY: the median of KEY over the RESULT lines in FILE.
med() {
	sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ms() { awk '{ if ($1 == "n/a") print $1; else printf "%.2f", $1 / 1000 }'; }
verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "meets" : "misses") }'; }

echo "bench-ws: $(grep -m 1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC'), faqbot ${WS_REV:-$(git describe --always --dirty 2>/dev/null || echo '(no git)')}"
echo "  $PIN_NOTE; open files $(ulimit -n); load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "closed loop: $CONNS connections, ${WARMUP} s warm-up + ${SECS} s, $RUNS run(s) each"
r=0
while [ $r -lt "$RUNS" ]; do
	run echo closed "$T/closed.echo" --conns "$CONNS" --secs "$SECS" --warmup "$WARMUP"
	run faqbot closed "$T/closed.faqbot" --conns "$CONNS" --secs "$SECS" --warmup "$WARMUP"
	r=$((r + 1))
done
echo "open loop: $CONNS connections x 1 question/s, ${OPEN_SECS} s, $RUNS run(s) each"
r=0
while [ $r -lt "$RUNS" ]; do
	run echo open "$T/open.echo" --conns "$CONNS" --secs "$OPEN_SECS"
	run faqbot open "$T/open.faqbot" --conns "$CONNS" --secs "$OPEN_SECS"
	r=$((r + 1))
done
echo "idle: $IDLE connections after hello/welcome, $IDLE_RUNS run(s) each"
r=0
while [ $r -lt "$IDLE_RUNS" ]; do
	run echo idle "$T/idle.echo" --conns "$IDLE" --settle 2
	run faqbot idle "$T/idle.faqbot" --conns "$IDLE" --settle 2
	r=$((r + 1))
done

e_rps=$(med "$T/closed.echo" rps) f_rps=$(med "$T/closed.faqbot" rps)
ratio=$(awk -v a="$f_rps" -v b="$e_rps" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }')
f_p99o=$(med "$T/open.faqbot" p99_us)
e_kib=$(med "$T/idle.echo" kib_per_conn) f_kib=$(med "$T/idle.faqbot" kib_per_conn)
mratio=$(awk -v a="$f_kib" -v b="$e_kib" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')

echo
echo "| measurement | echo server | faqbot | faqbot vs echo | target | result |"
echo "|---|---:|---:|---:|---|---|"
e_rpc=$(med "$T/closed.echo" rps_per_server_cpu) f_rpc=$(med "$T/closed.faqbot" rps_per_server_cpu)
cratio=$(awk -v a="$f_rpc" -v b="$e_rpc" 'BEGIN { printf "%.0f", (b > 0 ? 100 * a / b : 0) }')
# Judge by round trips/s when both servers had a CPU to themselves, else by round trips per CPU-second.
sat=$(awk -v a="$(med "$T/closed.echo" server_cpu_pct)" -v b="$(med "$T/closed.faqbot" server_cpu_pct)" \
	'BEGIN { print (a != "n/a" && b != "n/a" && a >= 90 && b >= 90) }')
if [ "$sat" = 1 ]; then
	v1=$(verdict "$((ratio >= 70))") v2="(judged above: both saturated)"
else
	v1="not judged: a server was not saturated" v2="$(verdict "$((cratio >= 70))") (judged here)"
fi
echo "| closed loop, $CONNS conns: round trips/s | $e_rps | $f_rps | ${ratio}% | ≥ 70% of echo | $v1 |"
echo "| closed loop: p50 / p99 latency (ms) | $(med "$T/closed.echo" p50_us | ms) / $(med "$T/closed.echo" p99_us | ms) | $(med "$T/closed.faqbot" p50_us | ms) / $(med "$T/closed.faqbot" p99_us | ms) | | | |"
echo "| closed loop: round trips per server CPU-second | $e_rpc | $f_rpc | ${cratio}% | ≥ 70% of echo | $v2 |"
echo "| closed loop: CPU of server / load generator / everything else | $(med "$T/closed.echo" server_cpu_pct)% / $(med "$T/closed.echo" client_cpu_pct)% / $(med "$T/closed.echo" others_cpu_pct)% | $(med "$T/closed.faqbot" server_cpu_pct)% / $(med "$T/closed.faqbot" client_cpu_pct)% / $(med "$T/closed.faqbot" others_cpu_pct)% | | | |"
echo "| open loop, $CONNS conns x 1/s: p50 / p99 / max (ms) | $(med "$T/open.echo" p50_us | ms) / $(med "$T/open.echo" p99_us | ms) / $(med "$T/open.echo" max_us | ms) | $(med "$T/open.faqbot" p50_us | ms) / $(echo "$f_p99o" | ms) / $(med "$T/open.faqbot" max_us | ms) | | p99 ≤ 5 ms | $(verdict "$(awk -v p="$f_p99o" 'BEGIN { print (p != "n/a" && p <= 5000) }')") |"
echo "| idle, $IDLE conns: VmRSS before → after (MiB) | $(med "$T/idle.echo" rss_before_kib | awk '{ printf "%.1f", $1 / 1024 }') → $(med "$T/idle.echo" rss_after_kib | awk '{ printf "%.1f", $1 / 1024 }') | $(med "$T/idle.faqbot" rss_before_kib | awk '{ printf "%.1f", $1 / 1024 }') → $(med "$T/idle.faqbot" rss_after_kib | awk '{ printf "%.1f", $1 / 1024 }') | | | |"
echo "| idle: KiB per connection | $e_kib | $f_kib | ${mratio}x | ≤ 2x echo | $(verdict "$(awk -v r="$mratio" 'BEGIN { print (r > 0 && r <= 2) }')") |"
echo
echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
# The ratio of round trips/s means something only when both servers had a whole CPU to themselves.
for s in echo faqbot; do
	c=$(med "$T/closed.$s" server_cpu_pct)
	if awk -v c="$c" 'BEGIN { exit !(c == "n/a" || c < 90) }'; then
		echo "  NOTE: the $s server used only $c% of a CPU in the closed loop (other processes: $(med "$T/closed.$s" others_cpu_pct)%):"
		echo "        it was not saturated, so round trips/s understate it; compare round trips per server CPU-second."
	fi
done
for s in echo faqbot; do
	lag=$(med "$T/open.$s" max_send_lag_us)
	if awk -v l="$lag" 'BEGIN { exit !(l != "n/a" && l > 2000) }'; then
		echo "  NOTE: in the open loop against $s the load generator sent up to $(echo "$lag" | ms) ms late (median of"
		echo "        runs): it was not scheduled in time, and the latencies above include such delays."
	fi
done
if [ "$PROBLEMS" -gt 0 ]; then
	echo "bench-ws: $PROBLEMS problem(s) during the runs:"
	cat "$T/problems"
	exit 1
fi
