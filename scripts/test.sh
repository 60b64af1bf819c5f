#!/usr/bin/env bash
# Installs what is needed, then runs every test: unit tests of each crate and
# the conformance suite, which runs the real binary on both backends.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test --ignore-rust-version --workspace "$@"
