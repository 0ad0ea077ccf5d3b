# outdial build, run and test targets. `make run` and `make test` are the two commands
# a newcomer needs; see README.md.
GO      ?= go
BIN     ?= bin/outdial
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test test-short bench bench-lists bench-sip lint deps clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/outdial

# The server with the embedded SQLite store under ./data, demo data, the simulated
# carrier and a demo campaign dialing it.
run: build
	$(BIN) dev

# The whole suite. Tests that need sipp, chromium, espeak-ng, sox or PostgreSQL skip
# with a message when those are missing, unless OUTDIAL_REQUIRE_DEPS=1 (CI sets it).
test:
	$(GO) test -count=1 -timeout 14m ./...

test-short:
	$(GO) test -short -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1x ./... 2>&1 | grep -E '^(Benchmark|ok|FAIL|---)' ; true

bench-lists: build
	bash scripts/bench-lists.sh

bench-sip: build
	bash scripts/bench-sip.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Installs the Debian packages tests use (needs root).
deps:
	bash scripts/install-deps.sh

clean:
	rm -rf bin
