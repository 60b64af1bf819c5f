#!/usr/bin/env bash
# Builds a RustPython-only logfetch, statically linked (no libpython, no
# libffi.so, no glibc at run time): target/static/logfetch, stripped.
#
# How: crt-static with a non-PIE static relocation model for the explicit
# target triple (so `ldd` says "not a dynamic executable"), getrandom told to
# call getrandom(2) directly (static glibc has no symbol for its run-time
# probe, so it would fall back to reading /dev/random), and libffi-sys told
# to link libffi.a instead of libffi.so (its `links = "ffi"` output is
# overridden). Needs Debian's libffi-dev, which ships libffi.a.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
triple=x86_64-unknown-linux-gnu
libdir=/usr/lib/x86_64-linux-gnu
RUSTFLAGS='-C target-feature=+crt-static -C relocation-model=static --cfg getrandom_backend="linux_getrandom"' cargo build --ignore-rust-version --release \
    --no-default-features --features rustpython --target "$triple" \
    --config "target.$triple.ffi.rustc-link-lib=[\"static=ffi\"]" \
    --config "target.$triple.ffi.rustc-link-search=[\"native=$libdir\"]"
mkdir -p target/static
cp "target/$triple/release/logfetch" target/static/logfetch
strip target/static/logfetch
size=$(du -m target/static/logfetch | cut -f1)
echo "target/static/logfetch: ${size} MB (stripped)"
