# Beseda: `make run` builds and starts the relay; `make test` runs every check and test.
# Both install what they need when it is missing.

CARGO ?= cargo
RELAY := target/release/beseda-relay
LISTEN ?= 127.0.0.1:8080
DB ?= beseda.db

.PHONY: all build run test bench fmt lint check-fmt toolchain

all: build

# rustfmt and clippy come with rustup's default profile, but a minimal profile lacks them.
toolchain:
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

build:
	$(CARGO) build --release -p beseda-relay

run: build
	$(RELAY) serve --listen $(LISTEN) --db $(DB)

check-fmt: toolchain
	$(CARGO) fmt --all --check

lint: toolchain
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test: check-fmt lint
	$(CARGO) test --workspace

fmt: toolchain
	$(CARGO) fmt --all

bench:
	$(CARGO) build --release -p beseda-relay -p beseda-bench
	./target/release/beseda-load --relay $(RELAY)
