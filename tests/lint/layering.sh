#!/usr/bin/env bash
# The layers of docs/ARCHITECTURE.md, held against the #include lines of
# src/ and include/nettracer/: a file of a layer may include only headers
# of the layers the table below allows (the one-way rule), and every public
# header must be in the table, so that a new header is given its layer.
# Usage: layering.sh [NETTRACER] (the binary is not used; NT_SRC or the
# script's place finds the tree). Prints each violation; exit 1 if any.
set -u
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}

# layer: the layers its files may include (itself included)
declare -A ALLOW=(
    [core]="core"
    [proto]="core proto"
    [trace]="core trace"
    [filter]="core proto filter"
    [analyze]="core proto trace filter analyze"
    [probe]="core proto probe"
    [cli]="core proto trace filter analyze probe cli"
)
# public header: the layer that implements it
declare -A HEADER=(
    [core.h]=core [errcodes.h]=core [text.h]=core [frame.h]=core [hash.h]=core
    [packet.h]=proto [fields.h]=proto [field_put.h]=proto [dhcp.h]=proto [dns.h]=proto [http.h]=proto
    [nbns.h]=proto [pseudotls.h]=proto [rtp.h]=proto [sdp.h]=proto [sip.h]=proto
    [stun.h]=proto [tls.h]=proto [tpkt.h]=proto
    [trace.h]=trace [capture.h]=trace [pcapng_write.h]=trace
    [filter.h]=filter
    [app.h]=analyze [columns.h]=analyze [conns.h]=analyze [convs.h]=analyze
    [detail.h]=analyze [keylog.h]=analyze [diagnose.h]=analyze [markers.h]=analyze [session.h]=analyze
    [voip.h]=analyze [pipeline.h]=analyze [compare.h]=analyze [registry.h]=analyze
    [probe.h]=probe [ews.h]=probe [check.h]=probe [steps.h]=probe [stunflow.h]=probe [mark.h]=probe [stunprobe.h]=probe
)

bad=0
complain() { echo "$1"; bad=$((bad + 1)); }

# check FILE LAYER: each quoted #include of FILE against ALLOW[LAYER]
check() {
    local file=$1 layer=$2 dir inc h hl
    dir=$(dirname "$file")
    while read -r inc; do
        case $inc in
        nettracer/*)
            h=${inc#nettracer/}
            hl=${HEADER[$h]:-}
            if [ -z "$hl" ]; then
                complain "${file#$SRC/}: includes $inc, which the layer table of tests/lint/layering.sh lacks"
                continue
            fi
            ;;
        */*) complain "${file#$SRC/}: includes $inc: include another layer's header as nettracer/NAME.h"; continue ;;
        *)
            [ -f "$dir/$inc" ] || { complain "${file#$SRC/}: includes $inc, not found next to it"; continue; }
            hl=$layer
            ;;
        esac
        case " ${ALLOW[$layer]} " in
        *" $hl "*) ;;
        *) complain "${file#$SRC/}: includes $inc ($hl): $layer may include only ${ALLOW[$layer]}" ;;
        esac
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
}

for h in "$SRC"/include/nettracer/*.h; do
    name=$(basename "$h")
    layer=${HEADER[$name]:-}
    if [ -z "$layer" ]; then
        complain "include/nettracer/$name: not in the layer table of tests/lint/layering.sh"
        continue
    fi
    check "$h" "$layer"
done
for layer in "${!ALLOW[@]}"; do
    [ -d "$SRC/src/$layer" ] || continue
    for f in "$SRC/src/$layer"/*.[ch]; do
        [ -f "$f" ] && check "$f" "$layer"
    done
done
for d in "$SRC"/src/*/; do
    [ -n "${ALLOW[$(basename "$d")]:-}" ] || complain "src/$(basename "$d"): a folder the layer table lacks"
done

if [ "$bad" -gt 0 ]; then
    echo "layering: $bad include(s) against the one-way rule"
    exit 1
fi
echo "layering: ok"
