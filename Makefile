# warren — the two commands a newcomer needs: `make run` and `make test`.
# Both install what is missing (Debian packages via apt-get, as root), build, and go.

SWIFT      ?= swift
PYTHON     ?= /usr/bin/python3
BUILD_DIR  ?= .build
WARREN     := $(BUILD_DIR)/debug/warren
RUN_ARGS   ?=

# C libraries warren links: hiredis for the Redis bridge.
BUILD_PACKAGES := libhiredis-dev
# Debian packages the tests drive warren with: pika, py-amqp, kombu, Celery and pytest for the
# interop suite, rabbitmq-c's command-line tools (amqp-tools), rsyslog with its GnuTLS driver,
# redis-server with redis-py (and redis-tools: redis-cli and redis-benchmark, which `warren compare`
# runs), openssl and curl for the TLS tests, rabbitmq-server for the upstream tests (they run a private
# node on free ports with its own epmd; a rabbitmq-server service the package may start on 5672 is
# neither used nor stopped), and the AMQP spec for `make generate`.
TEST_PACKAGES := $(BUILD_PACKAGES) python3 python3-pika python3-pytest amqp-tools python3-amqp python3-kombu \
                 python3-celery rsyslog rsyslog-gnutls redis-server redis-tools python3-redis chromium python3-websocket \
                 openssl curl rabbitmq-server python3-requests
GENERATE_PACKAGES := python3 amqp-specs

BENCH_PACKAGES := $(BUILD_PACKAGES) python3 rabbitmq-server libivykis0 libnet1 libpcre3 librabbitmq4 libjson-c5 libwrap0

.PHONY: run build test deps-build deps-test generate bench clean fuzz fuzz-corpus

run: build
	@mkdir -p data
	$(WARREN) serve --data-dir ./data $(RUN_ARGS)

build: deps-build
	@command -v $(SWIFT) >/dev/null || { echo "error: the Swift toolchain ($(SWIFT)) is not on PATH" >&2; exit 1; }
	$(SWIFT) build --scratch-path $(BUILD_DIR)

test: deps-test
	@command -v $(SWIFT) >/dev/null || { echo "error: the Swift toolchain ($(SWIFT)) is not on PATH" >&2; exit 1; }
	$(SWIFT) build --build-tests --scratch-path $(BUILD_DIR)
	PYTHON=$(PYTHON) SWIFT=$(SWIFT) BUILD_DIR=$(BUILD_DIR) Scripts/run-tests.sh

deps-build:
	@Scripts/ensure-packages.sh $(BUILD_PACKAGES)

deps-test:
	@Scripts/ensure-packages.sh $(TEST_PACKAGES)

# warren and RabbitMQ side by side (release build, same client, same machine, one run): every row of
# Docs/benchmarks.md's main table, RUNS times each (median, min–max), written to .build/bench-results.md;
# then streams and syslog ingest. Message counts per row: see Scripts/bench.sh (SMALL_MESSAGES, …).
bench:
	@Scripts/ensure-packages.sh $(BENCH_PACKAGES)
	@systemctl stop rabbitmq-server 2>/dev/null || true
	$(SWIFT) build -c release --product warren --scratch-path $(BUILD_DIR)
	BIN=$(BUILD_DIR)/release/warren Scripts/bench.sh

# Forwarding to a private three-node RabbitMQ cluster (Docs/benchmarks.md): the neutral client's
# rate into a quorum queue, the drain of a DRAIN_MESSAGES backlog, RSS during an outage of
# OUTAGE_SECONDS at OUTAGE_RATE entries/s (defaults 1,000,000, 600 and 20,000).
.PHONY: upstream-bench
upstream-bench:
	@Scripts/ensure-packages.sh $(BENCH_PACKAGES) python3-pytest
	$(SWIFT) build -c release --scratch-path $(BUILD_DIR)
	BIN=$(BUILD_DIR)/release/warren $(PYTHON) Scripts/upstream-bench.py

generate:
	@Scripts/ensure-packages.sh $(GENERATE_PACKAGES)
	$(PYTHON) Scripts/generate-amqp-methods.py

clean:
	rm -rf $(BUILD_DIR)

# Crash test: a publisher with confirms against warren, SIGKILLed at random moments and restarted
# on the same data directory, CRASH_CYCLES times; fails (non-zero) if a confirmed message is lost,
# reordered or duplicated, or an acknowledged one comes back. CRASH_ARGS adds e.g. --seed N.
CRASH_CYCLES ?= 100
CRASH_ARGS   ?=

# Forwarding to a three-node RabbitMQ cluster (Docs/scaling.md): Tests/Interop/test_upstream_cluster.py,
# which `make test` leaves out (forming the cluster alone takes 44 to 75 s on a busy machine):
# steady forwarding, kill -9 of the connected node, every node down for 30 s, kill -9 of warren
# mid-forward, nacks from a full quorum queue.
.PHONY: cluster-test
cluster-test: deps-test
	$(SWIFT) build --scratch-path $(BUILD_DIR)
	WARREN_BIN=$(CURDIR)/$(WARREN) $(PYTHON) -m pytest Tests/Interop/test_upstream_cluster.py -q -p no:cacheprovider

.PHONY: crash-test
crash-test: deps-test build
	$(PYTHON) Tests/Interop/crash_test.py --cycles $(CRASH_CYCLES) --warren $(WARREN) $(CRASH_ARGS)

# Fuzzing (Docs/fuzzing.md): every libFuzzer target for FUZZ_SECONDS, then the live fuzzer against a
# real warren for FUZZ_SECONDS; fails on any finding. `make fuzz-corpus` rewrites the seed corpus
# from a real pika session and the syslog golden cases.
FUZZ_SECONDS ?= 60

fuzz: deps-test
	FUZZ_SECONDS=$(FUZZ_SECONDS) PYTHON=$(PYTHON) SWIFT=$(SWIFT) BUILD_DIR=$(BUILD_DIR) Scripts/fuzz.sh

fuzz-corpus: deps-test build
	$(PYTHON) Scripts/fuzz-seed-corpus.py --warren $(WARREN)
