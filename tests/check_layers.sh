#!/bin/sh
# Enforce the dependency direction of docs/architecture.md: a directory may
# only include headers from itself and the layers listed for it.
rc=0
rule() { # dir allowed-project-dirs forbidden-system-headers
	dir=$1 allow=$2 deny=$3
	[ -d "bot/$dir" ] || return 0
	for f in $(find "bot/$dir" -name '*.[ch]'); do
		bad=$(grep -o '#include "[a-z_]*/' "$f" | sed 's/#include "//; s#/##' |
		while read -r d; do
			case " $dir $allow " in *" $d "*) ;; *) echo "$d";; esac
		done)
		for d in $bad; do echo "$f: $dir/ must not include $d/" >&2; rc=1; done
		for h in $deny; do
			grep -q "#include <$h" "$f" && { echo "$f: $dir/ must not include <$h>" >&2; rc=1; }
		done
	done
}
rule core   ""                                  "libwebsockets cjson sqlite3 libstemmer opencc"
rule text   "core"                              "libwebsockets cjson sqlite3"
rule search "text core"                         "libwebsockets cjson sqlite3 libstemmer opencc"
rule kb     "search text core"                  "libwebsockets sqlite3 libstemmer opencc"
rule intent "text core"                         "libwebsockets sqlite3 libstemmer opencc"
rule dialog "kb intent search text core"        "libwebsockets cjson sqlite3 libstemmer opencc"
rule store  "dialog core"                       "libwebsockets cjson libstemmer opencc"
rule proto  "dialog kb core"                    "libwebsockets sqlite3 libstemmer opencc"
rule net    "proto dialog kb core"              "sqlite3 libstemmer opencc"
# libstemmer only in text/stem.c, OpenCC only in text/t2s.c, OpenSSL only in core/sign.c and core/kdf.c
for f in $(grep -rl '#include <libstemmer' bot); do [ "$f" = bot/text/stem.c ] || { echo "$f: only text/stem.c may include <libstemmer.h>" >&2; rc=1; }; done
for f in $(grep -rl '#include <opencc' bot); do [ "$f" = bot/text/t2s.c ] || { echo "$f: only text/t2s.c may include <opencc/opencc.h>" >&2; rc=1; }; done
for f in $(grep -rl '#include <openssl' bot); do case $f in bot/core/sign.c|bot/core/kdf.c) ;; *) echo "$f: only core/sign.c and core/kdf.c may include <openssl/...>" >&2; rc=1;; esac; done
[ $rc -eq 0 ] && echo "layers ok"
exit $rc
