# Sourced by the regenerate scripts: sets $syslog_ng (SYSLOG_NG, else
# syslog-ng on PATH, else /usr/sbin/syslog-ng) and $version, and warns when
# it is not the 3.38 the golden files come from. $0 names the caller.
syslog_ng="${SYSLOG_NG:-syslog-ng}"
if ! command -v "$syslog_ng" >/dev/null 2>&1 && [ ! -x /usr/sbin/syslog-ng ]; then
    echo "$(basename "$0"): syslog-ng not found; run scripts/setup.sh first" >&2
    exit 1
fi
command -v "$syslog_ng" >/dev/null 2>&1 || syslog_ng=/usr/sbin/syslog-ng
version="$("$syslog_ng" --version | head -1)"
case "$version" in
*"(3.38."*) ;;
*) echo "$(basename "$0"): warning: expected syslog-ng 3.38, found: $version" >&2 ;;
esac
