# Beseda: `make run` builds everything and starts the relay with the demo shop; `make test`
# runs every check and test, browser tests included. Both install what they need when missing.

CARGO ?= cargo
# CI builds once, from a fresh clone: incremental caches would only cost it disk.
ifeq ($(CI),true)
export CARGO_INCREMENTAL := 0
endif
RELAY := target/release/beseda-relay
# Throwaway PostgreSQL and nginx for the browser tests that run several relays.
THROWAWAY := target/release/beseda-throwaway
LISTEN ?= 127.0.0.1:8080
DB ?= beseda.db
# Must equal the `wasm-bindgen` crate's version in Cargo.toml (pinned with `=`).
WASM_BINDGEN_VERSION := 0.2.130
WIDGET_WASM := target/wasm32-unknown-unknown/widget/beseda_widget.wasm
BINDGEN_OUT := target/widget-bindgen
DIST := target/dist
CONSOLE_WASM := target/wasm32-unknown-unknown/widget/beseda_console.wasm
CONSOLE_BINDGEN := target/console-bindgen
# Source paths that panic locations carry into the WebAssembly, shortened: this machine's paths
# stay out of what visitors download, and the bytes with them (the registry's own folder too:
# rustc applies the last prefix that matches).
REGISTRY_SRC := $(or $(CARGO_HOME),$(HOME)/.cargo)/registry/src
WASM_RUSTFLAGS := --remap-path-prefix=$(REGISTRY_SRC)/= \
	$(foreach registry,$(wildcard $(REGISTRY_SRC)/*/),--remap-path-prefix=$(registry)=) \
	--remap-path-prefix=$(shell rustc --print sysroot)/lib/rustlib/src/rust/=/rustc/ \
	--remap-path-prefix=$(CURDIR)/=

.PHONY: all build widget console run test rust-test browser-test bench fmt lint check-fmt toolchain wasm-toolchain api-deps api-test browser-deps mail-deps cluster-deps npm example bench-relay bench-widget

all: build

# rustfmt and clippy come with rustup's default profile, but a minimal profile lacks them.
toolchain:
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

wasm-toolchain:
	@rustup target list --installed | grep -q '^wasm32-unknown-unknown$$' || rustup target add wasm32-unknown-unknown
	@wasm-bindgen --version 2>/dev/null | grep -q ' $(WASM_BINDGEN_VERSION)$$' || $(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	@test -x widget/node_modules/.bin/terser || (cd widget && npm ci --no-audit --no-fund)

# The widget: Rust → wasm32 → wasm-bindgen → wasm-opt, hashed and compressed into target/dist.
widget: wasm-toolchain
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$(WASM_RUSTFLAGS)" $(CARGO) build -p beseda-widget --target wasm32-unknown-unknown --profile widget
	wasm-bindgen --target web --no-typescript --encode-into always --omit-default-module-path --out-dir $(BINDGEN_OUT) --out-name beseda $(WIDGET_WASM)
	node widget/build.mjs $(BINDGEN_OUT) $(DIST)

# The operator console: the same pipeline into target/dist/console. After the widget, whose
# build starts target/dist afresh. The widget's size profile serves the console well too.
console: wasm-toolchain widget
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$(WASM_RUSTFLAGS)" $(CARGO) build -p beseda-console --target wasm32-unknown-unknown --profile widget
	wasm-bindgen --target web --no-typescript --out-dir $(CONSOLE_BINDGEN) --out-name beseda-console $(CONSOLE_WASM)
	node www/console/build.mjs $(CONSOLE_BINDGEN) $(DIST)

# The relay embeds target/dist: one self-contained binary. The throwaway servers' program is
# built with it, for the browser tests.
build: widget console
	$(CARGO) build --release -p beseda-relay -p beseda-throwaway

run: build
	@$(RELAY) site add demo --title "Horská bunda" --db $(DB) >/dev/null 2>&1 || true
	@$(RELAY) answers import --site demo www/answers/demo.json --if-empty --db $(DB) >/dev/null
	@echo "Demo shop: http://$(LISTEN)/demo/"
	$(RELAY) serve --listen $(LISTEN) --db $(DB)

check-fmt: toolchain
	$(CARGO) fmt --all --check

lint: toolchain wasm-toolchain
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p beseda-widget --target wasm32-unknown-unknown -- -D warnings
	$(CARGO) clippy -p beseda-console --target wasm32-unknown-unknown -- -D warnings

browser-deps:
	@test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	@test -d tests/browser/node_modules/playwright-core || (cd tests/browser && npm ci --no-audit --no-fund)

# The email tests talk to a real SMTP server: the Python package aiosmtpd, installed for the
# `python3` the tests run (a Debian-managed Python wants --break-system-packages for that).
mail-deps:
	@python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install --quiet aiosmtpd \
		|| python3 -m pip install --quiet --user --break-system-packages aiosmtpd

# The cluster tests start their own PostgreSQL and nginx, each in a temporary directory, so only
# the programs are needed (and openssl, which makes the TLS tests' certificates).
# Debian's packages may start a system cluster or nginx on install
# (where an init system lets them); nothing here uses those, so any that came up is stopped.
cluster-deps:
	@{ ls /usr/lib/postgresql/*/bin/initdb && test -x /usr/sbin/nginx && command -v openssl; } >/dev/null 2>&1 || { \
		{ DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql nginx openssl \
		|| { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql nginx openssl; }; } \
		&& { pg_lsclusters --no-header 2>/dev/null | awk '$$4 == "online" { print $$1, $$2 }' \
			| while read version cluster; do pg_ctlcluster "$$version" "$$cluster" stop; done; \
		if test -s /run/nginx.pid; then /usr/sbin/nginx -s quit; fi; }; }

# The end-to-end tests that store anything run a second time with their relays on PostgreSQL
# (the same bodies; the store's own tests and the cluster tests run on PostgreSQL anyway).
POSTGRES_TESTS := abuse_visitors answers assignment autoreply chat context durability hours \
	internal_errors mail mail_abuse names presence prompts rating refusals reports rules sessions \
	shortcuts team unauthorized workflow history backup files keys openapi webhooks privacy \
	retention

rust-test: mail-deps cluster-deps
	$(CARGO) test --workspace
	BESEDA_TEST_STORE=postgres $(CARGO) test -p beseda-tests $(addprefix --test relay_,$(POSTGRES_TESTS))

# The npm package, packed as front-end teams would install it.
npm:
	cd widget/npm && npm pack --pack-destination ../../target >/dev/null
	@echo "packed target/beseda-widget-0.1.0.tgz"

# The Vite example, built against the packed tarball.
example: npm
	cd examples/vite-app && (test -d node_modules/vite || npm ci --no-audit --no-fund) \
		&& npm install --no-save --no-audit --no-fund ../../target/beseda-widget-0.1.0.tgz && npx vite build --logLevel warn

# Schemathesis (PyPI) fuzzes the REST API from its OpenAPI document: a venv of its own, made
# when missing or of another version.
SCHEMATHESIS := target/schemathesis
SCHEMATHESIS_VERSION := 4.32.5
api-deps:
	@$(SCHEMATHESIS)/bin/st --version 2>/dev/null | grep -q ' $(SCHEMATHESIS_VERSION)$$' || { \
		python3 -m venv $(SCHEMATHESIS) \
		&& $(SCHEMATHESIS)/bin/pip install --quiet schemathesis==$(SCHEMATHESIS_VERSION); }

# The relay on 127.0.0.1 with a throwaway database, fuzzed with a fixed seed and a bounded
# number of examples per operation; any finding fails (see tests/api/schemathesis.py).
api-test: build api-deps
	python3 tests/api/schemathesis.py $(RELAY) $(SCHEMATHESIS)/bin/st

# A browser test that hangs fails after ten minutes instead of holding CI to its limit.
browser-test: build browser-deps mail-deps cluster-deps example
	cd tests/browser && BESEDA_RELAY=../../$(RELAY) BESEDA_THROWAWAY=../../$(THROWAWAY) BESEDA_DIST=../../$(DIST) node --test --test-concurrency=1 --test-timeout=600000

test: check-fmt lint rust-test api-test browser-test

fmt: toolchain
	$(CARGO) fmt --all

bench: bench-relay bench-widget

# Three configurations one after another, each with a table of its own: SQLite and one relay,
# PostgreSQL (fsync on) and one relay, PostgreSQL and two relays behind nginx. nginx's example
# configuration holds 4,096 connections per worker and a socket through it takes two, so the
# balanced run opens 3,000 idle sockets instead of 10,000. The PostgreSQL runs use the short
# windows (--quick): every window's backlog is committed before the next one starts, and on
# PostgreSQL that backlog takes long to drain.
bench-relay: cluster-deps
	$(CARGO) build --release -p beseda-relay -p beseda-bench
	./target/release/beseda-load --relay $(RELAY) --store sqlite
	./target/release/beseda-load --relay $(RELAY) --store postgres --quick
	./target/release/beseda-load --relay $(RELAY) --store postgres --quick --relays 2 --idle-sockets 3000
	rm -f target/bench-history.db target/bench-history.db-wal target/bench-history.db-shm
	./target/release/beseda-load --relay $(RELAY) --history target/bench-history.db
	./target/release/beseda-load --relay $(RELAY) --files 50
	./target/release/beseda-load --relay $(RELAY) --webhooks

# The widget's cost to a shop's page, in Chromium with 4x CPU throttling.
bench-widget: build browser-deps
	cd tests/browser && BESEDA_RELAY=../../$(RELAY) BESEDA_DIST=../../$(DIST) node bench.mjs
