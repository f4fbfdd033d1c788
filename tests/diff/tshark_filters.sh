#!/usr/bin/env bash
# Differential test: every expression in tests/diff/filters.txt selects the
# same frames with `nettracer show -Y` as with `tshark -Y`, over all the test
# captures (concatenated into one file), or both reject it with the same
# message and caret.
set -u
NT=${1:?usage: tshark_filters.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/lib/tshark.sh"
command -v mergecap >/dev/null || { echo "mergecap not installed"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# one file: pcapng keeps every capture's link type as its own interface
caps=()
for f in $(readable_captures); do
    # mergecap refuses damaged files, and mergecap 4.0 fails on the
    # two-section multisection.pcapng (interface numbering across sections)
    case $f in */multisection.pcapng) continue ;; esac
    # the crafted link-type variants carry the same 10.99.50.x flows as
    # malformed.pcap; concatenated they would be one TCP conversation whose
    # port-reuse handling is the TCP analysis work (the per-file column and
    # field tests cover these files)
    # likewise the pcapng/nanosecond conversions of recorded captures, and
    # the server side of the reasm_* recordings (the client side's flows),
    # and the server-side halves of compare's simultaneous pairs (cmp_*_b)
    case ${f##*/} in cmp_*_b.pcap) continue ;; esac
    case ${f##*/} in reasm_http_server.pcap|reasm_tls_server.pcap|http4.pcapng|http4_nsec.pcap|ping4.pcapng|ping4_nano.pcapng|be_nsec.pcap|be_usec.pcap|le_nsec.pcap|loop.pcap|null_loopback.pcap|raw_ip.pcap|raw_ipv4.pcap|raw_ipv6.pcap|badcaplen.pcap) continue ;; esac
    tshark -r "$f" >/dev/null 2>&1 && caps+=("$f")
done
mergecap -a -F pcapng -w "$tmp/all.pcapng" "${caps[@]}" || exit 1
[ -n "${NT_KEEP_MERGED:-}" ] && cp "$tmp/all.pcapng" "$NT_KEEP_MERGED"
printf '%s\n' "${DISABLE[@]}" > "$tmp/disable"
python3 "$SRC/tests/lib/filters_diff.py" "$NT" "$tmp/all.pcapng" "${NT_FILTERS:-$SRC/tests/diff/filters.txt}" "$tmp/disable"
