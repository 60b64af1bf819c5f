#!/usr/bin/env bash
# Regenerates the golden files in tests/golden/parsers/,
# tests/golden/kv_date/, tests/golden/regexp_csv/ and
# tests/golden/template_functions/ with Debian's syslog-ng 3.38
# (syslog-ng-core and syslog-ng-mod-python; scripts/setup.sh installs them).
#
# It runs tests/fixtures/parsers.conf -- the configuration that
# tests/parsers_rewrites.rs runs with logfetch -- on syslog-ng: the fetcher in
# tests/fixtures/parsers_pinned.py sends pinned messages through json-parser()
# and rewrite rules to file() destinations. What they write is copied, byte
# for byte, to tests/golden/parsers/:
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
#   compare.txt          template comparisons in a filter and a condition()
#
# Then it runs tests/fixtures/kv_date.conf: the fetcher in
# tests/fixtures/kv_date_pinned.py sends key=value text in MESSAGE and a date
# in ${ts} through kv-parser() and date-parser(). Copied to
# tests/golden/kv_date/:
#
#   raw.txt              file(), default format, no parser
#   kv.txt               kv-parser(prefix(".kv.")), default separators
#   kv-colon.txt         kv-parser(value-separator(":") ...)
#   kv-semicolon.txt     kv-parser(pair-separator(";") ...)
#   kv-stray.txt         kv-parser(extract-stray-words-into("stray") ...)
#   date-iso.txt         date-parser(format("%Y-%m-%dT%H:%M:%S%z") ...)
#   date-list.txt        date-parser() with several formats, %f, %s, %Z
#   date-zone.txt        date-parser(time-zone("Asia/Kolkata") ...), two formats
#   date-clf.txt         date-parser(format("%d/%b/%Y:%H:%M:%S %z") ...)
#   date-recvd.txt       date-parser(time-stamp(recvd) ...)
#
# Then it runs tests/fixtures/regexp_csv.conf: the fetcher in
# tests/fixtures/regexp_csv_pinned.py sends comma-separated text in MESSAGE
# and an access-log-like line in ${line} through csv-parser() and
# regexp-parser(). Copied to tests/golden/regexp_csv/:
#
#   raw.txt              file(), default format, no parser
#   csv.txt              csv-parser(columns(...) prefix(".csv.")), defaults
#   csv-comma.txt        csv-parser(delimiters(",") ...)
#   csv-delims.txt       csv-parser(delimiters(";|") ...)
#   csv-double.txt       csv-parser(flags(escape-double-char) ...)
#   csv-backslash.txt    csv-parser(flags(escape-backslash) ...)
#   csv-strip.txt        csv-parser(flags(strip-whitespace, escape-double-char) ...)
#   csv-greedy.txt       csv-parser(flags(greedy) ...)
#   csv-drop.txt         csv-parser(flags(drop-invalid) ...)
#   csv-pairs.txt        csv-parser(quote-pairs('""[]') ...)
#   csv-null.txt         csv-parser(null("NULL") ...)
#   csv-line.txt         csv-parser(template("${line}")), no prefix
#   re.txt               regexp-parser(patterns(...) prefix(".http."))
#   re-two.txt           regexp-parser() with two patterns, template("${line}")
#   re-line.txt          regexp-parser(template("${line}") ...)
#   re-fail.txt          regexp-parser() that matches nothing
#   re-groups.txt        regexp-parser(), unnamed and named groups, $0...$6
#
# Then it runs tests/fixtures/template_functions.conf: the fetcher in
# tests/fixtures/template_functions_pinned.py sends text in MESSAGE and
# inputs in name-value pairs to file() destinations whose templates call
# basicfuncs and cryptofuncs template functions, each output between |
# separators. syslog-ng runs with LOGFETCH_TF=tf-value and LOGFETCH_TF_EMPTY=
# (set, empty) in its environment, and without LOGFETCH_TF_UNSET, for
# $(env). Copied to tests/golden/template_functions/:
#
#   raw.txt              file(), default format
#   string.txt           $(echo) $(lowercase) $(uppercase) $(strip) $(length)
#   substr.txt           $(substr) $(padding)
#   sanitize.txt         $(sanitize) [options], $(replace-delimiter)
#   indent.txt           $(indent-multi-line)
#   encode.txt           $(base64-encode) $(url-encode) $(url-decode)
#                        $(md5) $(sha1) $(hash) $(sha256) $(sha512)
#   numeric.txt          $(+) $(-) $(*) $(/) $(%)
#   cond.txt             $(if) $(or) $(env)
#
# A destination that receives nothing is never opened, so its file is not
# created; its golden file is then empty.
#
# syslog-ng runs with TZ=UTC: date-parser() puts a date without an offset
# (and without time-zone()) and a %s date in the local zone. The pinned
# stamps carry their own UTC offset and do not depend on it.
#
# Usage: tests/golden/regenerate-parsers.sh   (then review `git diff tests/golden`)
#        SYSLOG_NG_LOG=/tmp/syslog-ng.log tests/golden/regenerate-parsers.sh
#        also keeps syslog-ng's own log there (both runs, one after the other).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
fixtures="$root/tests/fixtures"

# shellcheck source=tests/golden/find-syslog-ng.sh
. "$root/tests/golden/find-syslog-ng.sh"

work="$(mktemp -d)"
runs=0
syslog_ng_pid=""
cleanup() {
    [ -n "$syslog_ng_pid" ] && kill "$syslog_ng_pid" 2>/dev/null || true
    # SYSLOG_NG_LOG=path keeps syslog-ng's own log (stderr with -e), for
    # inspection outside the repository.
    if [ -n "${SYSLOG_NG_LOG:-}" ]; then
        cat "$work"/*/syslog-ng.log >"$SYSLOG_NG_LOG" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# regenerate CONF GOLDEN EXPECTED NAME...
# Runs tests/fixtures/CONF on syslog-ng until its raw.txt has EXPECTED lines
# (one per message its fetcher sends), then copies each NAME.txt it wrote
# to tests/golden/GOLDEN/NAME.txt.
regenerate() {
    local conf="$1" subdir="$2" expected="$3"
    shift 3
    local golden="$root/tests/golden/$subdir"
    runs=$((runs + 1))
    local out="$work/$runs-$subdir"
    mkdir -p "$out"

    TEST_OUT="$out" TZ=UTC \
        PYTHONPATH="$fixtures${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 \
        "$syslog_ng" -F -e -f "$fixtures/$conf" \
        --persist-file="$out/syslog-ng.persist" --pidfile="$out/syslog-ng.pid" \
        --control="$out/syslog-ng.ctl" >"$out/syslog-ng.log" 2>&1 &
    syslog_ng_pid=$!

    # raw.txt gets every message; once it has all of them, the other
    # destinations get a second to finish writing.
    lines() { [ -e "$out/raw.txt" ] && wc -l <"$out/raw.txt" || echo 0; }
    for _ in $(seq 300); do
        [ "$(lines)" -ge "$expected" ] && break
        kill -0 "$syslog_ng_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ "$(lines)" -lt "$expected" ]; then
        echo "regenerate-parsers.sh: syslog-ng did not deliver with $conf; its output:" >&2
        cat "$out/syslog-ng.log" >&2
        exit 1
    fi
    sleep 1
    kill -TERM "$syslog_ng_pid"
    wait "$syslog_ng_pid" || true
    syslog_ng_pid=""

    mkdir -p "$golden"
    local name
    for name in "$@"; do
        if [ -e "$out/$name.txt" ]; then
            cp "$out/$name.txt" "$golden/$name.txt"
        else
            : >"$golden/$name.txt"
        fi
        chmod 644 "$golden/$name.txt"
    done
    echo "regenerated tests/golden/$subdir/ with $version"
}

# 8: the messages tests/fixtures/parsers_pinned.py sends.
regenerate parsers.conf parsers 8 \
    raw json cee extract errors rewrite rewrite-default format-json before after compare
# 10: the messages tests/fixtures/kv_date_pinned.py sends.
regenerate kv_date.conf kv_date 10 \
    raw kv kv-colon kv-semicolon kv-stray \
    date-iso date-list date-zone date-clf date-recvd
# 15: the messages tests/fixtures/regexp_csv_pinned.py sends.
regenerate regexp_csv.conf regexp_csv 15 \
    raw csv csv-comma csv-delims csv-double csv-backslash csv-strip \
    csv-greedy csv-drop csv-pairs csv-null csv-line \
    re re-two re-line re-fail re-groups
# 8: the messages tests/fixtures/template_functions_pinned.py sends; the
# environment for $(env) (see tests/fixtures/template_functions.conf).
unset LOGFETCH_TF_UNSET
LOGFETCH_TF=tf-value LOGFETCH_TF_EMPTY= \
    regenerate template_functions.conf template_functions 8 \
    raw string substr sanitize indent encode numeric cond
