#!/usr/bin/env bash
# Runs Estiba's whole test suite on this machine, setting up first what it needs:
# the Docker engine, a local registry on 127.0.0.1:5000 and the lesson's base images
# (built offline when no registry answers). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

sudo_ bash .ci/services.sh
export ESTIBA_REGISTRY_PASSWORD="${ESTIBA_REGISTRY_PASSWORD:-estiba}"

cargo build --locked --bins
# --offline: the base images come from Debian packages here; no registry is tried (nothing to pull).
sudo_ env ESTIBA_REGISTRY_PASSWORD="$ESTIBA_REGISTRY_PASSWORD" ./target/debug/estiba prepare --offline

# Unit, snapshot and engine integration tests.
cargo test --locked -- --test-threads=2

# The real TUI, release build, driven through tmux against the real engine.
cargo build --locked --release --bins
bash tests/tui-e2e.sh target/release/estiba
