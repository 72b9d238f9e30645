#!/bin/sh
# Install the Debian packages faqbot needs when any is missing: as root with
# apt-get, otherwise print the exact command to run.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "installing:$missing"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null || exit 1
elif command -v sudo >/dev/null 2>&1; then
	echo "installing with sudo:$missing"
	sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null || exit 1
else
	echo "missing packages:$missing"
	echo "run as root: apt-get install -y$missing"
	exit 1
fi
