# nudge: the two set-up commands are `make demo` and `make test`; both install
# what a fresh machine of this kind lacks (npm packages, Chromium, a running
# PostgreSQL) before they start.

GO            ?= go
BIN           := bin/nudge
PG_URL        ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
export NUDGE_TEST_POSTGRES ?= $(PG_URL)

.PHONY: build demo test bench lint deps deps-npm deps-chromium deps-postgres deps-wrk clean

build:
	$(GO) build -o $(BIN) ./cmd/nudge

# The main job on the embedded default: a fresh demo shop in SQLite, served
# on http://127.0.0.1:8080 with the built-in gateway simulator.
demo: build
	./$(BIN) demo

test: deps
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...

bench: build deps-postgres deps-wrk
	$(GO) run ./tools/bench

# Debian's wrk drives the short-link redirect in the bench's links section.
deps-wrk:
	@if ! command -v wrk >/dev/null 2>&1; then \
		echo "installing Debian's wrk for the redirect benchmark"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; \
	fi

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

deps: deps-npm deps-chromium deps-postgres deps-wrk

# npm packages: the SMSC peer (smpp) and the browser driver (playwright-core)
# used by tests; the console's vendored htmx/ECharts are checked against them.
deps-npm:
	@if [ ! -d node_modules/smpp ] || [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		npm ci --no-audit --no-fund; \
	fi

# Debian's Chromium for the headless browser test.
deps-chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser test"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# The local PostgreSQL the store tests use; started if it is installed but down.
deps-postgres:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		if command -v pg_ctlcluster >/dev/null 2>&1; then \
			echo "starting PostgreSQL"; \
			pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
			for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
		else \
			echo "PostgreSQL is not running and pg_ctlcluster is not installed: set NUDGE_TEST_POSTGRES"; \
		fi; \
	fi

clean:
	rm -rf bin
