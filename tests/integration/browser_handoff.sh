#!/bin/sh
# The hand-off in a real browser: headless Debian Chromium driven by
# playwright-core, one page a customer on the demo shop, one the agent console.
# Needs /usr/bin/chromium and node_modules (make deps-test installs both).
BIN=${BIN:-build/default/faqbot}
if [ ! -x /usr/bin/chromium ] || [ ! -d node_modules/playwright-core ]; then
	echo "not ok - the browser test needs /usr/bin/chromium and node_modules: run 'make deps-test'"
	exit 1
fi
FAQBOT_BIN=$BIN exec timeout 150 node tests/browser/handoff.test.mjs
