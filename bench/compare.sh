#!/usr/bin/env bash
# compare.sh - times `nettracer compare A B` and its peak memory against what
# a user does today: mergecap the two files, then read the result with
# tshark. A is a gencap capture; B is A with its clock shifted by 0.4 ms
# (editcap -t) and every 1000th packet deleted, written as pcapng (editcap),
# so compare has a clock to find, losses to report and two formats. Not a test (bench/README.md).
#
# Usage: bench/compare.sh [SIZE_MB]            (default 1024: two ~1 GB files)
# Environment: NETTRACER=path, SEED=n, TSHARK_MB=n (run mergecap+tshark on an
# n MB pair and scale the time; 0 skips them)
set -u -o pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench/.." && pwd)
out=$bench/out
size=${1:-1024}
nt=${NETTRACER:-$root/build/nettracer}
die() { echo "compare.sh: $*" >&2; exit 2; }
case $size in '' | *[!0-9]* | 0) die "SIZE_MB must be a positive integer, not '$size'" ;; esac
for t in /usr/bin/time editcap mergecap capinfos; do command -v $t >/dev/null || die "needs $t"; done
[ -x "$nt" ] || die "no $nt (build first, or set NETTRACER)"
mkdir -p "$out"
make -s -C "$bench" gencap >/dev/null || die "gencap did not build"

# pair MB: generates $out/cmp-MB-a.pcap and -b.pcap unless present
pair() {
    local a=$out/cmp-$1-a.pcap b=$out/cmp-$1-b.pcapng
    if [ ! -s "$b" ]; then
        echo "generating the $1 MB pair" >&2
        "$bench/gencap" "$a" "$1" "${SEED:-1}" 2>/dev/null || die "gencap failed"
        editcap -t 0.0004 "$a" "$b.shift" || die "editcap -t failed"
        local n; n=$(capinfos -c -M "$a" | awk '/Number of packets/ {print $NF}')
        # shellcheck disable=SC2046
        editcap "$b.shift" "$b" $(seq 1000 1000 "$n") || die "editcap failed"
        rm -f "$b.shift"
    fi
    echo "$a $b"
}

# timed CMD...: sets SEC and MB (peak RSS) of CMD, stdout discarded
timed() {
    /usr/bin/time -f '%e %M' -o "$out/cmp.time" "$@" >/dev/null 2>"$out/cmp.stderr"
    local rc=$?
    [ $rc -le 1 ] || echo "  $1 exited $rc: $(head -c 300 "$out/cmp.stderr")" >&2
    read -r SEC KB < <(tail -n 1 "$out/cmp.time")
    MB=$((KB / 1024))
}

read -r A B < <(pair "$size")
cat "$A" "$B" >/dev/null
echo "pair: $(du -m "$A" | cut -f1) MB + $(du -m "$B" | cut -f1) MB, $(capinfos -c -M "$A" | awk '/Number of packets/ {print $NF}') packets in A"
echo "host: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
timed "$nt" compare "$A" "$B"
printf '%-34s %8s s %6s MB\n' "nettracer compare" "$SEC" "$MB"
"$nt" compare --json "$A" "$B" | grep -E '"clock"|"summary"'
eighth=$((size / 8)); [ $eighth -ge 1 ] || eighth=1
read -r A8 B8 < <(pair $eighth)
timed "$nt" compare "$A8" "$B8"
printf '%-34s %8s s %6s MB\n' "nettracer compare (1/8 size)" "$SEC" "$MB"

tmb=${TSHARK_MB:-$size}
if [ "$tmb" != 0 ]; then
    read -r TA TB < <(pair "$tmb")
    timed mergecap -w "$out/cmp-merged.pcap" "$TA" "$TB"
    msec=$SEC mmb=$MB
    timed tshark -r "$out/cmp-merged.pcap"
    scale=$(awk -v s="$size" -v t="$tmb" 'BEGIN { printf "%.3f", s / t }')
    total=$(awk -v a="$msec" -v b="$SEC" -v k="$scale" 'BEGIN { printf "%.2f", (a + b) * k }')
    note=""; [ "$tmb" = "$size" ] || note=" (time scaled from $tmb MB)"
    printf '%-34s %8s s %6s MB%s\n' "mergecap + tshark -r" "$total" "$((mmb > MB ? mmb : MB))" "$note"
    rm -f "$out/cmp-merged.pcap"
fi
