#!/usr/bin/env bash
# conns.sh - times `nettracer conns` and `nettracer convs tcp` against
# `tshark -q -z conv,tcp` on the generated capture (see show.sh), in one run,
# page cache warm, with peak RSS; and the same nettracer runs on the 1/8 file
# to show that memory follows the number of flows, not the file size.
# Usage: bench/conns.sh [SIZE_MB]     NETTRACER=path overrides build/nettracer
set -u -o pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench/.." && pwd)
size=${1:-1024}
nt=${NETTRACER:-$root/build/nettracer}
[ -x "$nt" ] || { echo "conns.sh: build nettracer first (make build)" >&2; exit 2; }
file_for() { if [ "$1" -eq 1024 ]; then echo "$bench/out/bench.pcap"; else echo "$bench/out/bench-$1MB.pcap"; fi; }
for mb in "$size" $((size / 8)); do
    f=$(file_for "$mb")
    if [ ! -f "$f" ]; then
        mkdir -p "$bench/out"
        [ -x "$bench/gencap" ] || cc -O2 -std=c17 -o "$bench/gencap" "$bench/gencap.c" || exit 2
        "$bench/gencap" "$f" "$mb" 1 2>/dev/null || exit 2
    fi
done
f=$(file_for "$size")
small=$(file_for $((size / 8)))
cat "$f" > /dev/null
run() { # name cmd...
    local name=$1; shift
    /usr/bin/time -f '%e %M' -o "$bench/out/$name.time" "$@" > "$bench/out/$name.out" 2>/dev/null
    read -r sec kb < "$bench/out/$name.time"
    printf '%-28s %8.2f s %10.1f MB\n' "$name" "$sec" "$(echo "$kb" | awk '{print $1/1024}')"
    eval "T_$(echo "$name" | tr -c 'a-zA-Z0-9\n' _)=$sec"
}
printf '%-28s %10s %13s\n' "command ($size MB)" "time" "peak RSS"
run "nettracer conns" "$nt" conns "$f"
if "$nt" help convs >/dev/null 2>&1; then run "nettracer convs tcp" "$nt" convs "$f" tcp; fi
run "tshark -q -z conv,tcp" tshark -q -r "$f" -z conv,tcp
streams=$(($(wc -l < "$bench/out/nettracer conns.out") - 1))
echo "TCP streams: $streams"
awk -v a="$T_nettracer_conns" -v t="$T_tshark__q__z_conv_tcp" 'BEGIN { printf "tshark / nettracer conns: %.1fx\n", t / a }'
run "nettracer conns, eighth file" "$nt" conns "$small"
