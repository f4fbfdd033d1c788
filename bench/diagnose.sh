#!/usr/bin/env bash
# diagnose.sh - times `nettracer diagnose` against `tshark -q -z conv,tcp`
# (the least tshark does to list the TCP conversations) on the generated
# capture (see show.sh), in one run, page cache warm, with peak RSS; also
# `nettracer conns` on the same file, the floor diagnose builds on, and
# `cat` as the reading floor. Prints the ratio tshark / diagnose.
# Usage: bench/diagnose.sh [SIZE_MB]     NETTRACER=path overrides build/nettracer
set -u -o pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench/.." && pwd)
size=${1:-1024}
nt=${NETTRACER:-$root/build/nettracer}
[ -x "$nt" ] || { echo "diagnose.sh: build nettracer first (make build)" >&2; exit 2; }
if [ "$size" -eq 1024 ]; then f="$bench/out/bench.pcap"; else f="$bench/out/bench-${size}MB.pcap"; fi
if [ ! -f "$f" ]; then
    mkdir -p "$bench/out"
    [ -x "$bench/gencap" ] || cc -O2 -std=c17 -o "$bench/gencap" "$bench/gencap.c" || exit 2
    "$bench/gencap" "$f" "$size" 1 2>/dev/null || exit 2
fi
cat "$f" > /dev/null
run() { # name cmd...   (diagnose exits 1 when it finds something: time's last line is the numbers)
    local name=$1 out; shift
    out="$bench/out/$name.out"
    [ "$name" = cat ] && out=/dev/null
    /usr/bin/time -f '%e %M' -o "$bench/out/$name.time" "$@" > "$out" 2>/dev/null
    read -r sec kb < <(tail -1 "$bench/out/$name.time")
    printf '%-28s %8.2f s %10.1f MB\n' "$name" "$sec" "$(echo "$kb" | awk '{print $1/1024}')"
    eval "T_$(echo "$name" | tr -c 'a-zA-Z0-9\n' _)=$sec"
}
printf '%-28s %10s %13s\n' "command ($size MB)" "time" "peak RSS"
run "cat" cat "$f"
run "nettracer diagnose" "$nt" diagnose --all "$f"
run "nettracer conns" "$nt" conns "$f"
run "tshark -q -z conv,tcp" tshark -q -r "$f" -z conv,tcp
grep '^  findings' "$bench/out/nettracer diagnose.out"
awk -v a="$T_nettracer_diagnose" -v t="$T_tshark__q__z_conv_tcp" \
    'BEGIN { printf "tshark -z conv,tcp / nettracer diagnose: %.1fx\n", t / a }'
