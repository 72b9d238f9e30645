#!/bin/sh
# The command line end to end: the real binary on the sample KB and on
# broken KBs. Prints "ok - <sentence>" per check; exits non-zero on a failure.
BIN=${BIN:-build/default/faqbot}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # sentence, then a command that must succeed
	s=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok - $s"; else echo "not ok - $s"; fails=$((fails + 1)); fi
}

out=$("$BIN" ask --kb kb "where is my parcel")
check "ask answers an English question with the tracking entry" sh -c 'printf "%s" "$0" | grep -q "^answer: order-tracking"' "$out"
out=$("$BIN" ask --kb kb "我的訂單到哪了")
check "ask answers Traditional Chinese from the Simplified entries" sh -c 'printf "%s" "$0" | grep -q "^answer: order-tracking"' "$out"
out=$("$BIN" ask --kb kb --explain "refnd how long")
check "explain shows typo matches with their weights" sh -c 'printf "%s" "$0" | grep -q "refund *typo"' "$out"
out=$(printf 'where is my order\nwhich payment methods do you accept\n' | "$BIN" ask --kb kb)
check "interactive mode answers one question per line" sh -c '[ "$(printf "%s" "$0" | grep -c "^answer:")" = 2 ]' "$out"
check "kb check accepts the sample KB" "$BIN" kb check kb

mkdir -p "$tmp/bad"
printf '{"languages": ["en"]}' > "$tmp/bad/kb.json"
printf '{"lang": "en", "entries": [\n {"id": "a", "questions": ["x"]}\n]}\n' > "$tmp/bad/e.json"
out=$("$BIN" kb check "$tmp/bad"); rc=$?
check "kb check rejects a KB with a missing answer and exits 1" test "$rc" = 1
check "kb check names the file, line and column" sh -c 'printf "%s" "$0" | grep -q "e.json:2:2: entry \"a\": missing \"answer\""' "$out"

printf '{"text": "where is my order", "expect": "order-tracking"}\n{"text": "how do i pay", "expect": "order-tracking"}\n' > "$tmp/g.jsonl"
"$BIN" kb test kb "$tmp/g.jsonl" --min 40 >/dev/null; rc=$?
check "kb test passes at 50% when 40% is required" test "$rc" = 0
out=$("$BIN" kb test kb "$tmp/g.jsonl" --min 90); rc=$?
check "kb test fails below the required accuracy and lists the miss" sh -c '[ "$1" = 1 ] && printf "%s" "$0" | grep -q "^miss .*how do i pay"' "$out" "$rc"
printf '{"text": "how long does it take", "scene": "refund_form", "expect": "refund-time"}\n' > "$tmp/scene.jsonl"
"$BIN" kb test kb "$tmp/scene.jsonl" --min 100 >/dev/null; rc=$?
check "kb test without --intents tries the FAQ alone, which ranks shipping time first here" test "$rc" = 1
"$BIN" kb test kb "$tmp/scene.jsonl" --min 100 --intents intents >/dev/null; rc=$?
check "kb test with --intents answers a scene line as the server would (the scene's intent)" test "$rc" = 0
"$BIN" ask --kb kb "$(printf 'bad \303\050')" >/dev/null 2>&1; rc=$?
check "ask refuses invalid UTF-8 without crashing" test "$rc" = 1
"$BIN" frobnicate >/dev/null 2>&1; rc=$?
check "an unknown command exits 2 with usage" test "$rc" = 2

[ $fails -eq 0 ]
