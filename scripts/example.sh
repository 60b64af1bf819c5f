#!/usr/bin/env bash
# Builds logfetch and runs the example configuration (examples/seed.conf):
# five messages appear on stdout and in /tmp/logfetch-example.log.
# Stop it with Ctrl-C, as you would stop syslog-ng -F.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec cargo run --ignore-rust-version --quiet -- run examples/seed.conf "$@"
