# ssoharness: the reference SP, the fake Okta and the conformance suite.
# `make run` starts the demo; `make test` runs every test. Both need only Go.

SHELL       := /bin/bash
.SHELLFLAGS := -o pipefail -c

GO        ?= go
DATA      ?= ./data
SP_ADDR   ?= 127.0.0.1:8080
OKTA_ADDR ?= 127.0.0.1:8081
# Extra arguments for the godog suite, e.g. GODOG='-godog.tags=@SSO-07 -godog.format=pretty'.
GODOG     ?= -godog.concurrency=4 -godog.random

.PHONY: all build run test unit suite race variants lint bench clean

all: build

build:
	$(GO) build -o bin/ ./sp/cmd/refsp ./idpsim/cmd/idpsim

# Starts the fake Okta and the reference SP, wired together with demo data kept in
# $(DATA). Ctrl-C stops both: the terminal sends the interrupt to both processes,
# and the trap covers the case where the SP exits first.
run: build
	@mkdir -p $(DATA)
	@bin/idpsim -addr $(OKTA_ADDR) -data $(DATA) & okta=$$!; \
	 trap 'kill $$okta 2>/dev/null; wait $$okta 2>/dev/null' EXIT; \
	 bin/refsp -addr $(SP_ADDR) -data $(DATA) -demo-okta http://$(OKTA_ADDR)

# The whole test run: vet, every package with the race detector (which also
# runs conform against a separately started refsp), the variant built to be
# broken, then the Gherkin suite in parallel and in random order.
test: lint race variants suite

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	 if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

unit:
	$(GO) test ./...

race:
	$(GO) test -race -count=1 ./...

# -v so that the rule coverage lines are printed; the per-scenario RUN/PASS lines
# are dropped to keep the output readable.
suite:
	$(GO) test -count=1 -v ./steps -run TestFeatures -args $(GODOG) \
	  | grep -Ev '^(=== (RUN|PAUSE|CONT|NAME)|    --- PASS)'


# The reference SP built with its audience check broken on purpose: the suite
# must fail on SSO-10 and nothing else. (The other broken variants are test
# wrappers and run in `race`.)
variants:
	$(GO) test -count=1 -tags ssoharness_broken_audience -run TestBrokenAudience ./steps

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
