#!/usr/bin/env bash
# Installs what is needed, then runs every test: the unit tests of each
# crate, the conformance suite (the real binary on both backends), and the
# static RustPython binary in an empty root (skip that part with
# LOGFETCH_SKIP_STATIC=1; it needs root and a release build).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test --ignore-rust-version --workspace "$@"
if [ "${LOGFETCH_SKIP_STATIC:-}" != 1 ]; then
    scripts/build-static.sh
    scripts/test-static.sh
fi
