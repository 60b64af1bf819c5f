#!/usr/bin/env bash
# Installs what building and testing logfetch needs on a Debian machine:
# libffi-dev (RustPython links libffi), libssl-dev and pkg-config
# (RustPython's `ssl` module links the system's OpenSSL) and, for
# side-by-side comparisons, syslog-ng with its Python module. Safe to run
# again; skips what is there.
set -euo pipefail

need=()
for package in libffi-dev libssl-dev pkg-config; do
    dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if [ "${LOGFETCH_SKIP_SYSLOG_NG:-}" != 1 ]; then
    dpkg -s syslog-ng-core >/dev/null 2>&1 || need+=(syslog-ng-core)
    dpkg -s syslog-ng-mod-python >/dev/null 2>&1 || need+=(syslog-ng-mod-python)
fi
if [ ${#need[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
