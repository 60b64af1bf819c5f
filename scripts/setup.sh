#!/usr/bin/env bash
# Installs what building and testing logfetch needs on a Debian machine:
# libffi-dev (RustPython links libffi) and, for side-by-side comparisons,
# syslog-ng with its Python module. Safe to run again; skips what is there.
set -euo pipefail

need=()
dpkg -s libffi-dev >/dev/null 2>&1 || need+=(libffi-dev)
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
