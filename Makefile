GO        ?= go
BIN       := bin/batch
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
LDFLAGS   := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
FUZZTIME  ?= 10s

.PHONY: build test demo bench stress fuzz lint clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/batch

## test: vet, then every test with the race detector (the bench smoke run included).
test:
	$(GO) vet ./...
	@command -v chromium >/dev/null 2>&1 || [ -n "$$BATCH_CHROMIUM" ] || echo "note: no chromium: the report.html browser tests skip (install it: sudo apt-get install -y chromium, or set BATCH_CHROMIUM)"
	$(GO) test -race -count=1 -timeout 15m ./...

## demo: the main job end to end against the built-in emulator.
demo: build
	./$(BIN) demo

## bench: the speed, scale and politeness table (a few minutes; not part of test).
bench: build
	$(GO) run ./bench -bin $(BIN)

## stress: the kill-loop test at full size: 600 mixed rows, 60 ms latency, 5% 503s, 2% dropped
## connections, the binary SIGKILLed 20 times and resumed; STRESS_SEED=N repeats a run.
stress: build
	$(GO) run ./stress -bin $(BIN) $(if $(STRESS_SEED),-seed $(STRESS_SEED))

## fuzz: a short bounded run of every fuzz target.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$t"; \
	    $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt: $$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin
