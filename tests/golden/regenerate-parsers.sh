#!/usr/bin/env bash
# Regenerates the golden files in tests/golden/parsers/ with Debian's
# syslog-ng 3.38 (syslog-ng-core and syslog-ng-mod-python; scripts/setup.sh
# installs them).
#
# It runs tests/fixtures/parsers.conf -- the configuration that
# tests/parsers_rewrites.rs runs with logfetch -- on syslog-ng: the fetcher in
# tests/fixtures/parsers_pinned.py sends pinned messages through json-parser()
# and rewrite rules to file() destinations. What they write is copied, byte
# for byte, to:
#
#   raw.txt              file(), default format, no parser
#   json.txt             json-parser(prefix(".json.")) fields in a template
#   cee.txt              json-parser(marker("@cee:") ...)
#   extract.txt          json-parser(extract-prefix("data") ...)
#   errors.txt           json-parser, filter and rewrites in one log path
#   rewrite.txt          set(), unset(), subst(), set-tag(), clear-tag()
#   rewrite-default.txt  the same rewrites, default file() format
#   format-json.txt      $(format-json) of the parsed pairs
#   before.txt           a destination before json-parser() in a path
#   after.txt            the destination after it in the same path
#
# A destination that receives nothing is never opened, so its file is not
# created; its golden file is then empty.
#
# Usage: tests/golden/regenerate-parsers.sh   (then review `git diff tests/golden`)
#        SYSLOG_NG_LOG=/tmp/syslog-ng.log tests/golden/regenerate-parsers.sh
#        also keeps syslog-ng's own log there.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
golden="$root/tests/golden/parsers"
fixtures="$root/tests/fixtures"
# How many messages tests/fixtures/parsers_pinned.py sends.
expected=8

# shellcheck source=tests/golden/find-syslog-ng.sh
. "$root/tests/golden/find-syslog-ng.sh"

work="$(mktemp -d)"
syslog_ng_pid=""
cleanup() {
    [ -n "$syslog_ng_pid" ] && kill "$syslog_ng_pid" 2>/dev/null || true
    # SYSLOG_NG_LOG=path keeps syslog-ng's own log (stderr with -e), for
    # inspection outside the repository.
    if [ -n "${SYSLOG_NG_LOG:-}" ] && [ -e "$work/syslog-ng.log" ]; then
        cp "$work/syslog-ng.log" "$SYSLOG_NG_LOG" || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

export TEST_OUT="$work"
PYTHONPATH="$fixtures${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 \
    "$syslog_ng" -F -e -f "$fixtures/parsers.conf" \
    --persist-file="$work/syslog-ng.persist" --pidfile="$work/syslog-ng.pid" \
    --control="$work/syslog-ng.ctl" >"$work/syslog-ng.log" 2>&1 &
syslog_ng_pid=$!

# raw.txt gets every message; once it has all of them, the other
# destinations get a second to finish writing.
lines() { [ -e "$work/raw.txt" ] && wc -l <"$work/raw.txt" || echo 0; }
for _ in $(seq 300); do
    [ "$(lines)" -ge "$expected" ] && break
    kill -0 "$syslog_ng_pid" 2>/dev/null || break
    sleep 0.1
done
if [ "$(lines)" -lt "$expected" ]; then
    echo "regenerate-parsers.sh: syslog-ng did not deliver; its output:" >&2
    cat "$work/syslog-ng.log" >&2
    exit 1
fi
sleep 1
kill -TERM "$syslog_ng_pid"
wait "$syslog_ng_pid" || true
syslog_ng_pid=""

mkdir -p "$golden"
for name in raw json cee extract errors rewrite rewrite-default format-json before after; do
    if [ -e "$work/$name.txt" ]; then
        cp "$work/$name.txt" "$golden/$name.txt"
    else
        : >"$golden/$name.txt"
    fi
    chmod 644 "$golden/$name.txt"
done
echo "regenerated tests/golden/parsers/ with $version"
