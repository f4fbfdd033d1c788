#!/usr/bin/env bash
# Differential test: the application layers of `show --json` (and -V, the
# same walker) carry every registry field of tls, x509, http, dns, sip, sdp,
# rtp, rtcp, stun, dhcp, nbns, tpkt, cotp and rdp with all its occurrences,
# and each equals tshark 4.0's `-T fields -E occurrence=a` value, frame by
# frame, on every capture.
set -u
NT=${1:?usage: tshark_detail.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/lib/tshark.sh"

# the registry's application fields that tshark also knows (a few are ours alone)
known=$(tshark -G fields 2>/dev/null | awk -F'\t' '$1=="F"{print $3}')
FIELDS=$("$NT" fields | awk '{print $1}' | grep -E '^(tls|x509[a-z]*|http|dns|sip|sdp|rtp|rtcp|stun|dhcp|nbns|tpkt|cotp|rdp)\.' |
    grep -vxF -f <(printf '%s\n' ${NT_DETAIL_SKIP:-}) | grep -xF -f <(echo "$known"))
targs=(); for f in $FIELDS; do targs+=(-e "$f"); done

# Known differences, written in docs/protocols.md (capture:field): a
# response line cut inside its status code by the snap length is only
# "Continuation" for nettracer, while tshark still takes its version;
# tshark stops listing the 90 CA names of tls_clientca's CertificateRequest
# at its tree limit (checked below as a prefix), as of the same CA list in
# reasm_tls_server's.
KNOWN="tls_clientca.pcap:x509sat.uTF8String reasm_tls_server.pcap:x509sat.uTF8String multisection.pcapng:http.response multisection.pcapng:http.response.version multisection.pcapng:http.time
 multisection.pcapng:http.request_in"

fail=0; files=0; frames=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for f in $(readable_captures); do
    files=$((files+1))
    tshark -r "$f" "${DISABLE[@]}" -T fields -E occurrence=a "${targs[@]}" 2>/dev/null > "$tmp/ws"
    "$NT" show --json "$f" 2>/dev/null | python3 "$SRC/tests/lib/fields.py" $FIELDS > "$tmp/nt"
    frames=$((frames + $(wc -l < "$tmp/ws")))
    skip=$(for k in $KNOWN; do [ "${k%%:*}" = "$(basename "$f")" ] && printf '%s,' "${k#*:}"; done)
    python3 "$SRC/tests/lib/fielddiff.py" "$(basename "$f")" "$tmp/ws" "$tmp/nt" --blank "$skip" $FIELDS ||
        fail=$((fail+1))
done
# the CA names tshark lists are the first of nettracer's, in order
for ca in tls_clientca.pcap reasm_tls_server.pcap; do
    ca=${NT_CAPTURES:-$SRC/tests/captures}/$ca
    [ -e "$ca" ] || continue
    tshark -r "$ca" "${DISABLE[@]}" -Y tls.handshake.type==13 -T fields -E occurrence=a -e x509sat.uTF8String 2>/dev/null |
        tr ',' '\n' > "$tmp/ca_ws"
    "$NT" show --json -Y tls.handshake.type==13 "$ca" | python3 "$SRC/tests/lib/fields.py" x509sat.uTF8String |
        tr ',' '\n' > "$tmp/ca_nt"
    k=$(wc -l < "$tmp/ca_ws")
    if [ "$k" -lt 100 ] || ! head -n "$k" "$tmp/ca_nt" | cmp -s - "$tmp/ca_ws"; then
        fail=$((fail+1))
        echo "DIFFERENT: $(basename "$ca") CA names ($k from tshark, $(wc -l < "$tmp/ca_nt") from nettracer)"
    fi
done
echo "tshark_detail: $files captures, $frames frames, $(wc -w <<<"$FIELDS") fields, $fail captures differ"
[ "$files" -gt 0 ] && [ "$fail" -eq 0 ]
