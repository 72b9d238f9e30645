#!/bin/sh
# The widget in a real browser: headless Debian Chromium driven by
# playwright-core opens the demo shop served by the real binary.
# Needs /usr/bin/chromium and node_modules (make deps installs both).
BIN=${BIN:-build/default/faqbot}
if [ ! -x /usr/bin/chromium ] || [ ! -d node_modules/playwright-core ]; then
	echo "not ok - the browser test needs /usr/bin/chromium and node_modules: run 'make deps'"
	exit 1
fi
FAQBOT_BIN=$BIN exec timeout 120 node tests/browser/widget.test.mjs
