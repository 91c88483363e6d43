# Portcullis — one-command entry points. `make run` and `make test` install missing Debian
# packages themselves (as root) or print the exact apt-get command (otherwise).

SHELL        := /bin/bash
SWIFT        ?= swift
# Extra flags for every swift invocation, e.g. SWIFT_FLAGS="--scratch-path .build-ci".
SWIFT_FLAGS  ?=
DEB_PACKAGES := libpcre2-dev curl python3 pkg-config
SHARED       ?= ../shared
# make run UPSTREAM=http://127.0.0.1:3000 fronts your app instead of the built-in demo.
UPSTREAM     ?=
LISTEN       ?= 127.0.0.1:8080
RULES        ?= Rules/default.yaml
# Options passed to Bench/peer.sh, e.g. BENCH_ARGS="-r 3 -d 10 -s get,post".
BENCH_ARGS   ?=
# Seconds each libFuzzer target runs under `make fuzz`.
FUZZ_SECONDS ?= 60

DEBUG_BIN    = $(shell $(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)/portcullis
# Release builds link the Swift runtime and Foundation statically: the binary then needs no Swift
# libraries at run time, and an idle proxy maps ~6 MB less (only the pages it touches are loaded).
RELEASE_FLAGS = -c release --static-swift-stdlib
RELEASE_BIN  = $(shell $(SWIFT) build $(SWIFT_FLAGS) $(RELEASE_FLAGS) --show-bin-path)/portcullis

.PHONY: embed-rules run test build release e2e observe http-cases bench bench-engine fuzz check clean deps

deps:
	@scripts/ensure-deps.sh $(DEB_PACKAGES)

# The binary embeds Rules/default.yaml (so it runs from any directory); regenerate the copy
# before every build so it can never go stale. A test also checks they are equal.
embed-rules:
	@python3 scripts/embed-default-rules.py >/dev/null

build: embed-rules
	$(SWIFT) build $(SWIFT_FLAGS)

release: embed-rules
	$(SWIFT) build $(SWIFT_FLAGS) $(RELEASE_FLAGS)

run: deps release
ifeq ($(strip $(UPSTREAM)),)
	exec $(RELEASE_BIN) demo
else
	exec $(RELEASE_BIN) run --listen $(LISTEN) --upstream $(UPSTREAM) --rules $(RULES)
endif

# Unit and integration tests of every target, then the shared end-to-end suites. Without
# $(SHARED) the shared suites are reported as not run; with it, each must pass.
test: deps build
	scripts/swift-test.sh $(SWIFT) test $(SWIFT_FLAGS)
	$(DEBUG_BIN) check Rules/default.yaml Rules/examples/*.yaml
	python3 scripts/observe.py "$(DEBUG_BIN)"
	python3 Bench/test_table.py
	@scripts/shared-suites.sh "$(DEBUG_BIN)" "$(SHARED)"

# Compiles the shipped rule sets and runs every rule's examples.
check: build
	$(DEBUG_BIN) check Rules/default.yaml Rules/examples/*.yaml

e2e: build
	scripts/e2e.sh "$(DEBUG_BIN)"

# The block log, X-Request-Id, /metrics and the admin guard, through the built binary.
observe: build
	python3 scripts/observe.py "$(DEBUG_BIN)"

http-cases: build
	scripts/http-cases.sh "$(DEBUG_BIN)"

bench:
	BENCH_ARGS="$(BENCH_ARGS)" SWIFT_FLAGS="$(SWIFT_FLAGS)" Bench/peer.sh $(BENCH_ARGS)

# The rule engine alone (Bench/Package.swift, ordo-one/benchmark): CPU time and mallocs per request
# on a fixed corpus. Options pass through BENCH_ENGINE_ARGS.
bench-engine:
	$(SWIFT) package --package-path Bench benchmark $(BENCH_ENGINE_ARGS)

# libFuzzer targets for the request parser and the response framer (bounded by FUZZ_SECONDS).
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf .build
