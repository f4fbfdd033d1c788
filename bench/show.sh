#!/usr/bin/env bash
# show.sh - times `nettracer show` against cat (the floor), tcpdump and tshark
# on the same generated capture, in one run, with a warm page cache.
#
# Usage: bench/show.sh [SIZE_MB]            (default 1024)
# Environment:
#   NETTRACER=path   nettracer binary (default: build/nettracer under the repo root)
#   SEED=n           gencap seed (default 1)
#   TSHARK_MB=n      run tshark on an n MB capture instead and scale its time
#                    to SIZE_MB (default: the same file as everyone else);
#                    TSHARK_MB=0 skips tshark
#   TCPDUMP_MB=n     the same for tcpdump
# See bench/README.md.
set -u -o pipefail

bench=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench/.." && pwd)
out=$bench/out
size=${1:-1024}
seed=${SEED:-1}
nt=${NETTRACER:-$root/build/nettracer}
TIME=/usr/bin/time

die() { echo "show.sh: $*" >&2; exit 2; }

case $size in '' | *[!0-9]*) die "SIZE_MB must be a positive integer, not '$size'" ;; esac
[ "$size" -ge 1 ] || die "SIZE_MB must be at least 1"
for v in TSHARK_MB TCPDUMP_MB; do
    case ${!v:-} in *[!0-9]*) die "$v must be a number" ;; esac
done
[ -x "$TIME" ] || die "$TIME (GNU time) is required: apt-get install time"
mkdir -p "$out" || die "cannot create $out"

# --- gencap ---------------------------------------------------------------
gencap=$bench/gencap
if [ ! -x "$gencap" ] || [ "$bench/gencap.c" -nt "$gencap" ]; then
    echo "building gencap"
    ${CC:-cc} -O2 -std=c17 -Wall -Wextra -Werror -o "$gencap" "$bench/gencap.c" || die "gencap did not build"
fi

# capture_for MB -> prints the path of an MB-sized capture, generating it if
# it is absent, has the wrong size or is older than gencap
capture_for() {
    local mb=$1 f
    if [ "$mb" -eq 1024 ]; then f=$out/bench.pcap; else f=$out/bench-${mb}MB.pcap; fi
    local want=$((mb * 1048576)) have=0
    [ -f "$f" ] && have=$(stat -c %s "$f")
    if [ "$have" -gt "$want" ] || [ "$have" -le $((want - 1048576)) ] || [ "$gencap" -nt "$f" ]; then
        echo "generating $f ($mb MB, seed $seed)" >&2
        "$gencap" "$f.tmp" "$mb" "$seed" 2> "$f.info" || { cat "$f.info" >&2; die "gencap failed"; }
        mv "$f.tmp" "$f"
        sed 's/^/  /' "$f.info" >&2
    fi
    echo "$f"
}

# --- timing ----------------------------------------------------------------
warm() { cat "$1" > /dev/null; }

# timed NAME CMD... : runs CMD with stdout to /dev/null; sets SEC, RSS_KB, RC
timed() {
    local name=$1
    shift
    local tf=$out/$name.time
    "$TIME" -f '%e s %M KB' -o "$tf" "$@" > /dev/null 2> "$out/$name.stderr"
    RC=$?
    read -r SEC _ RSS_KB _ < <(tail -n 1 "$tf")
    if [ "$RC" -ne 0 ]; then
        echo "  $name exited with status $RC; see $out/$name.stderr" >&2
    fi
}

rows=()
add_row() { rows+=("$1|$2|$3|$4|$5"); } # tool seconds bytes rss_kb note

F=$(capture_for "$size") || exit 2
bytes=$(stat -c %s "$F")
warm "$F"

echo
echo "file:     $F ($(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1048576 }') MB$(sed -n 's/.*: \([0-9]* packets\).*/, \1/p' "$F.info" 2> /dev/null))"
echo "host:     $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
echo

timed cat cat "$F"
add_row "cat (floor)" "$SEC" "$bytes" "$RSS_KB" ""

nt_sec=
if [ -x "$nt" ]; then
    warm "$F"
    timed nettracer "$nt" show "$F"
    if [ "$RC" -eq 0 ]; then
        nt_sec=$SEC
        add_row "nettracer show" "$SEC" "$bytes" "$RSS_KB" ""
    else
        add_row "nettracer show" "-" "$bytes" "$RSS_KB" "failed ($RC)"
    fi
    nt_rss_full=$RSS_KB
else
    echo "nettracer: $nt not found (not built yet?); skipping it. Set NETTRACER=path to use another binary."
fi

# other_tool NAME MB_OVERRIDE CMD... ; the file argument is the literal @F@
other_tool() {
    local name=$1 mb=$2
    shift 2
    command -v "$1" > /dev/null || { echo "$name: not installed; skipping it."; return; }
    local f=$F note=""
    if [ -n "$mb" ]; then
        [ "$mb" -eq 0 ] && { echo "$name: skipped (${name^^}_MB=0)"; return; }
        if [ "$mb" -lt "$size" ]; then
            f=$(capture_for "$mb") || return
            note="time scaled from $mb MB, RSS of that run"
        fi
    fi
    local args=() a
    for a in "$@"; do [ "$a" = @F@ ] && args+=("$f") || args+=("$a"); done
    warm "$f"
    echo "running $name on $(basename "$f") ..." >&2
    timed "$name" "${args[@]}"
    local sec=$SEC
    if [ -n "$note" ]; then
        sec=$(awk -v s="$SEC" -v a="$(stat -c %s "$f")" -v b="$bytes" 'BEGIN { printf "%.2f", s * b / a }')
    fi
    if [ "$RC" -ne 0 ]; then note="failed ($RC)${note:+, $note}"; fi
    add_row "$name" "$sec" "$bytes" "$RSS_KB" "$note"
}

other_tool tcpdump "${TCPDUMP_MB:-}" tcpdump -nn -r @F@
other_tool tshark "${TSHARK_MB:-}" tshark -r @F@

# --- memory must not grow with the file --------------------------------------
small_line=
if [ -n "$nt_sec" ]; then
    eighth=$((size / 8))
    [ "$eighth" -ge 1 ] || eighth=1
    f8=$(capture_for "$eighth") || exit 2
    warm "$f8"
    timed nettracer-eighth "$nt" show "$f8"
    small_line=$(printf 'nettracer peak RSS: %s MB on %d MB, %s MB on %d MB (1/8)' \
        "$(awk -v k="$nt_rss_full" 'BEGIN { printf "%.1f", k / 1024 }')" "$size" \
        "$(awk -v k="$RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')" "$eighth")
fi

# --- table -------------------------------------------------------------------
echo
printf '%-16s %9s %9s %12s %13s  %s\n' tool seconds MB/s "peak RSS" "vs nettracer" ""
printf '%-16s %9s %9s %12s %13s\n' ---------------- --------- --------- ------------ -------------
for r in "${rows[@]}"; do
    IFS='|' read -r tool sec b rss note <<< "$r"
    awk -v tool="$tool" -v sec="$sec" -v b="$b" -v rss="$rss" -v nt="$nt_sec" -v note="$note" 'BEGIN {
        mbs = (sec + 0 > 0) ? sprintf("%.0f", b / 1048576 / sec) : "-"
        ratio = (nt + 0 > 0 && sec != "-") ? sprintf("%.2fx", sec / nt) : "n/a"
        printf "%-16s %9s %9s %9.1f MB %13s  %s\n", tool, sec, mbs, rss / 1024, ratio, note
    }'
done
[ -n "$small_line" ] && { echo; echo "$small_line"; }
echo
echo "(seconds: wall time and peak RSS from $TIME -f '%e s %M KB'; vs nettracer: seconds / nettracer's seconds; logs in $out)"
