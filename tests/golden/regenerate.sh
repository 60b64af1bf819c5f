#!/usr/bin/env bash
# Regenerates the golden files in tests/golden/ with Debian's syslog-ng 3.38
# (syslog-ng-core and syslog-ng-mod-python; scripts/setup.sh installs them).
#
# It runs tests/fixtures/golden_output.conf -- the configuration that
# tests/golden_output.rs runs with logfetch -- on syslog-ng: the fetcher in
# tests/fixtures/golden_pinned.py sends pinned messages to two file()
# destinations and, through small TCP and UDP listeners on 127.0.0.1, to
# network() and syslog(). What arrives is written, byte for byte, to:
#
#   file.txt             file(), default format (global frac-digits(3))
#   json.txt             file() with a $(format-json ...) template
#   stamp-iso.txt        file(), default format, ts-format(iso), time-zone()
#   dates.txt            file() showing the date macros: ts-format(full),
#                        frac-digits(6), time-zone()
#   escaped.txt          file() with a named template with template-escape(yes)
#   tags.txt             $TAGS: a source's tags(), set-tag() and .source.*
#   network-tcp.txt      network() over TCP
#   network-udp.txt      network() over UDP, the datagrams back to back
#   syslog-tcp.txt       syslog() over TCP (octet-counted)
#   syslog-udp.txt       syslog() over UDP, the datagrams back to back
#   syslog-template.txt  syslog() over TCP with template()
#   syslog-frac.txt      syslog() over TCP with frac-digits(6), time-zone()
#   udp-datagrams.txt    how many datagrams each UDP destination received
#
# Usage: tests/golden/regenerate.sh   (then review `git diff tests/golden`)
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
golden="$root/tests/golden"
fixtures="$root/tests/fixtures"

# shellcheck source=tests/golden/find-syslog-ng.sh
. "$root/tests/golden/find-syslog-ng.sh"

work="$(mktemp -d)"
listener_pid=""
syslog_ng_pid=""
cleanup() {
    [ -n "$syslog_ng_pid" ] && kill "$syslog_ng_pid" 2>/dev/null || true
    [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The listeners: each TCP one takes one connection and keeps everything
# until the sender closes it; each UDP one keeps datagrams until none came
# for two seconds (after the first). Ports go to ports.env, then `udp.done`
# appears once the UDP listeners are finished.
cat >"$work/listen.py" <<'PY'
import os, socket, sys, threading, time

work = sys.argv[1]
tcp_names = ["network-tcp", "syslog-tcp", "syslog-template", "syslog-frac"]
udp_names = ["network-udp", "syslog-udp"]
counts = {}

def tcp(name, sock):
    conn, _ = sock.accept()
    data = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    with open(os.path.join(work, name + ".txt"), "wb") as f:
        f.write(data)

def udp(name, sock):
    datagrams = [sock.recv(65536)]
    sock.settimeout(2.0)
    try:
        while True:
            datagrams.append(sock.recv(65536))
    except socket.timeout:
        pass
    counts[name] = len(datagrams)
    with open(os.path.join(work, name + ".txt"), "wb") as f:
        f.write(b"".join(datagrams))

threads, ports = [], {}
for name in tcp_names:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    ports[name] = s.getsockname()[1]
    threads.append(threading.Thread(target=tcp, args=(name, s)))
udp_threads = []
for name in udp_names:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    ports[name] = s.getsockname()[1]
    udp_threads.append(threading.Thread(target=udp, args=(name, s)))
for t in threads + udp_threads:
    t.start()
with open(os.path.join(work, "ports.env.tmp"), "w") as f:
    for name, port in ports.items():
        f.write("GOLDEN_%s_PORT=%d\n" % (name.upper().replace("-", "_"), port))
os.rename(os.path.join(work, "ports.env.tmp"), os.path.join(work, "ports.env"))
for t in udp_threads:
    t.join()
with open(os.path.join(work, "udp-datagrams.txt"), "w") as f:
    for name in udp_names:
        f.write("%s %d\n" % (name, counts[name]))
open(os.path.join(work, "udp.done"), "w").close()
for t in threads:
    t.join()
PY

python3 "$work/listen.py" "$work" &
listener_pid=$!
for _ in $(seq 100); do
    [ -e "$work/ports.env" ] && break
    sleep 0.1
done
set -a
# shellcheck disable=SC1091
. "$work/ports.env"
GOLDEN_HOST=127.0.0.1
TEST_OUT="$work"
set +a

PYTHONPATH="$fixtures${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 \
    "$syslog_ng" -F -e -f "$fixtures/golden_output.conf" \
    --persist-file="$work/syslog-ng.persist" --pidfile="$work/syslog-ng.pid" \
    --control="$work/syslog-ng.ctl" >"$work/syslog-ng.log" 2>&1 &
syslog_ng_pid=$!

for _ in $(seq 300); do
    [ -e "$work/udp.done" ] && break
    kill -0 "$syslog_ng_pid" 2>/dev/null || break
    sleep 0.1
done
if [ ! -e "$work/udp.done" ]; then
    echo "regenerate.sh: syslog-ng did not deliver; its output:" >&2
    cat "$work/syslog-ng.log" >&2
    exit 1
fi
sleep 1
kill -TERM "$syslog_ng_pid"
wait "$syslog_ng_pid" || true
syslog_ng_pid=""
wait "$listener_pid"
listener_pid=""

for name in file json stamp-iso dates escaped tags network-tcp network-udp syslog-tcp syslog-udp \
    syslog-template syslog-frac udp-datagrams; do
    cp "$work/$name.txt" "$golden/$name.txt"
    chmod 644 "$golden/$name.txt"
done
echo "regenerated tests/golden/ with $version"
