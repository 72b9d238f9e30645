# faqbot - build, test and check targets. See README.md and docs/architecture.md.
PKG_CONFIG ?= pkg-config
PKGS       := libwebsockets libcjson sqlite3 opencc libcrypto
CC         ?= cc
OPT        ?= -O2
WERROR     ?= 1
SAN        ?=
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wformat=2 -Wwrite-strings -Wundef -Wvla \
        -Wimplicit-fallthrough -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN += -Werror
endif
ifneq ($(strip $(SAN)),)
BUILD   ?= build/san
OPT     := -O1 -fno-omit-frame-pointer
CFLAGS  += -fsanitize=$(SAN) -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SAN)
endif
BUILD ?= build/default
DEPS_OK := $(shell $(PKG_CONFIG) --exists $(PKGS) cmocka 2>/dev/null && test -f /usr/include/libstemmer.h && test -f /usr/lib/python3/dist-packages/jieba/dict.txt && echo 1)
CPPFLAGS += -Ibot -D_POSIX_C_SOURCE=200809L -DNDEBUG
CFLAGS   += -std=c11 $(OPT) -g $(WARN)
ifeq ($(DEPS_OK),1)
CFLAGS   += $(shell $(PKG_CONFIG) --cflags $(PKGS))
LDLIBS   += $(shell $(PKG_CONFIG) --libs $(PKGS))
TESTLIBS := $(shell $(PKG_CONFIG) --libs cmocka)
endif
LDLIBS   += -lstemmer -lpthread -lm
SRC    := $(shell find bot -name '*.c' | sort)
GEN    := $(BUILD)/gen/stopwords.c
OBJ    := $(SRC:%.c=$(BUILD)/%.o) $(GEN:.c=.o)
LIBOBJ := $(filter-out $(BUILD)/bot/main.o,$(OBJ))
TESTS  := $(patsubst %.c,$(BUILD)/%,$(sort $(wildcard tests/test_*.c)))
BIN    := $(BUILD)/faqbot
# Accuracy each golden set must keep: the 95% the product promises (docs/matching.md says where we stand).
GOLDEN_MIN ?= 95

.PHONY: all deps run test test-unit test-golden san check-layers bench clean
.SECONDARY:
all: deps-check $(BIN)

# Install the Debian packages the build and tests need (as root), or say how.
DEB_PKGS := build-essential pkg-config libwebsockets-dev libstemmer-dev libcjson-dev libcmocka-dev \
            libsqlite3-dev libopencc-dev python3-jieba
# What the tests need on top: a WebSocket client for the integration test,
# Debian's Chromium and playwright-core (npm) for the browser test.
TEST_PKGS := python3-websockets chromium
deps:
	@sh tools/deps.sh $(DEB_PKGS)
deps-test: deps
	@sh tools/deps.sh $(TEST_PKGS)
	@command -v npm >/dev/null || sh tools/deps.sh nodejs npm
	@[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --silent
.PHONY: deps-test
deps-check:
	@[ "$(DEPS_OK)" = 1 ] || { echo "missing build dependencies: run 'make deps' (or make run / make test, which call it)"; exit 1; }
.PHONY: deps-check

$(BIN): $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(GEN): $(wildcard bot/text/stopwords/*.txt) tools/gen-stopwords.sh
	@mkdir -p $(@D)
	sh tools/gen-stopwords.sh bot/text/stopwords > $@
$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(TESTLIBS)

run: deps
	@$(MAKE) --no-print-directory $(BIN)
	$(BIN) serve --kb kb --web web --intents intents

# Unit suites (cmocka prints on stderr: never discard 2>), then the golden sets.
# The last line is the total: "N passed, N failed".
test: deps-test
	@$(MAKE) --no-print-directory test-all
test-all: $(BIN) $(TESTS)
	@tp=0; tf=0; for t in $(TESTS); do \
	  out=$$($$t 2>&1); rc=$$?; printf '%s\n' "$$out"; \
	  p=$$(printf '%s\n' "$$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p'); \
	  f=$$(printf '%s\n' "$$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p'); \
	  tp=$$((tp + $${p:-0})); tf=$$((tf + $${f:-0})); \
	  [ $$rc -eq 0 ] || [ -n "$$f" ] || tf=$$((tf + 1)); \
	done; \
	for g in tests/golden/*.jsonl; do \
	  [ -f "$$g" ] || continue; \
	  if $(BIN) kb test kb $$g --min $(GOLDEN_MIN) --intents intents >$(BUILD)/golden.out 2>&1; then \
	    echo "[       OK ] golden $$g: $$(tail -n 1 $(BUILD)/golden.out)"; tp=$$((tp + 1)); \
	  else cat $(BUILD)/golden.out; echo "[  FAILED  ] golden $$g"; tf=$$((tf + 1)); fi; \
	done; \
	for s in tests/integration/*.sh; do \
	  [ -f "$$s" ] || continue; \
	  if BIN=$(BIN) sh $$s >$(BUILD)/integration.out 2>&1; then \
	    cat $(BUILD)/integration.out; echo "[       OK ] $$s"; tp=$$((tp + 1)); \
	  else cat $(BUILD)/integration.out; echo "[  FAILED  ] $$s"; tf=$$((tf + 1)); fi; \
	done; \
	echo "$$tp passed, $$tf failed"; [ $$tf -eq 0 ]
.PHONY: test-all

san:
	$(MAKE) SAN=address,undefined BUILD=$(BUILD)-san test-all
check-layers:
	@sh tests/check_layers.sh
# Matching benchmark: faqbot against SQLite FTS5 on bench/data and a synthetic KB (docs/benchmarks.md).
BENCH_BIN  := $(BUILD)/bench/bench_match
BENCH_DATA ?= bench/data
$(BENCH_BIN): $(BUILD)/bench/bench_match.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
bench: deps-check $(BENCH_BIN)
	$(BENCH_BIN) --data $(BENCH_DATA) --work $(BUILD)/bench-kb $(BENCH_ARGS)
-include $(BUILD)/bench/bench_match.d
# Hand-off store benchmark: transitions per second on SQLite with durability on (docs/benchmarks.md).
HANDOFF_BENCH := $(BUILD)/bench/handoff_bench
$(HANDOFF_BENCH): $(BUILD)/bench/handoff_bench.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
bench-handoff: deps-check $(HANDOFF_BENCH)
	$(HANDOFF_BENCH) --dir $(BUILD)/bench-handoff $(BENCH_HANDOFF_ARGS)
	$(HANDOFF_BENCH) --dir $(BUILD)/bench-handoff --backlog 1000 $(BENCH_HANDOFF_ARGS)
	$(HANDOFF_BENCH) --dir $(BUILD)/bench-handoff --full --n 1000 $(BENCH_HANDOFF_ARGS)
.PHONY: bench-handoff
-include $(BUILD)/bench/handoff_bench.d
clean:
	rm -rf build
-include $(OBJ:.o=.d) $(TESTS:=.d)
# WebSocket benchmark: faqbot's /ws against a minimal libwebsockets echo server, 1,000 busy and
# 10,000 idle connections (bench/ws_run.sh says how; figures in docs/benchmarks.md).
WS_LOAD := $(BUILD)/bench/ws_load
WS_ECHO := $(BUILD)/bench/ws_echo
WS_CPPFLAGS := -D_POSIX_C_SOURCE=200809L -DNDEBUG
$(WS_LOAD): bench/ws_load.c
	@mkdir -p $(@D)
	$(CC) $(WS_CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<
$(WS_ECHO): bench/ws_echo.c
	@mkdir -p $(@D)
	$(CC) $(WS_CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(shell $(PKG_CONFIG) --libs libwebsockets)
bench-ws: deps-check $(BIN) $(WS_LOAD) $(WS_ECHO)
	BIN=$(BIN) LOAD=$(WS_LOAD) ECHO=$(WS_ECHO) sh bench/ws_run.sh
.PHONY: bench-ws
