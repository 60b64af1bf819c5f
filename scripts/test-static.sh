#!/usr/bin/env bash
# Checks the static RustPython binary: it is not dynamically linked, and it
# runs the example configuration in an empty root (only the binary, the
# configuration and /dev/urandom) with an empty environment. Needs root (chroot).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/static/logfetch
[ -x "$bin" ] || scripts/build-static.sh
passed=0
failed=0
check() {
    local name=$1
    shift
    if "$@"; then
        echo "test static::$name ... ok"
        passed=$((passed + 1))
    else
        echo "test static::$name ... FAILED"
        failed=$((failed + 1))
    fi
}

not_dynamic() {
    local out
    out=$(ldd "$bin" 2>&1 || true)
    grep -q "not a dynamic executable" <<<"$out"
}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
runs_in_empty_root() {
    mkdir -p "$root/dev" "$root/tmp"
    cp "$bin" "$root/logfetch"
    cp examples/seed.conf "$root/seed.conf"
    mknod -m 444 "$root/dev/urandom" c 1 9
    local chroot_cmd timeout_cmd
    chroot_cmd=$(command -v chroot)
    timeout_cmd=$(command -v timeout)
    env -i "$timeout_cmd" -s INT 3 "$chroot_cmd" "$root" /logfetch run /seed.conf --backend rustpython \
        >"$root/stdout.txt" 2>"$root/stderr.txt" || true
    local expected
    for i in 1 2 3 4 5; do
        expected="myfetcher: hello from MyFetcher, message $i"
        grep -q "$expected" "$root/stdout.txt" || { cat "$root/stderr.txt"; return 1; }
        grep -q "$expected" "$root/tmp/logfetch-example.log" || { cat "$root/stderr.txt"; return 1; }
    done
}

version_lists_only_rustpython() {
    "$bin" --version | grep -q "(backends: rustpython)"
}

check not_a_dynamic_executable not_dynamic
check version_lists_only_rustpython version_lists_only_rustpython
check runs_example_in_empty_root_with_empty_environment runs_in_empty_root
echo "static: $passed passed, $failed failed"
[ "$failed" = 0 ]
