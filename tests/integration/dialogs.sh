#!/bin/sh
# The dialogue scripts in tests/dialogs, played by "faqbot test dialogs"
# against the engine the server uses (sample kb/ and intents/). Prints
# "ok - FILE: NAME" per dialogue; exits non-zero when one fails.
BIN=${BIN:-build/default/faqbot}
exec "$BIN" test dialogs tests/dialogs --kb kb --intents intents
