#!/usr/bin/env bash
# What `nettracer diagnose` says about a call's media, on captures crafted
# here (tests/captures/craft.py's packet builders): ICE connectivity checks
# (STUN) sent to the RTP port an SDP announced are STUN transactions (an
# unanswered one is stun.no-response, an answered one nothing); answered
# calls whose RTP flows one way are sip.media-failed (warning), with the
# RTP counted per direction; a T.38 fax call (udptl, not RTP) is not said
# to miss its RTP.
set -u
NT=${1:?usage: diagnose_media.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
fails=0; n=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

expect() { # description, actual, wanted
    n=$((n+1))
    [ "$2" = "$3" ] || { echo "FAIL $1: got '$2', want '$3'"; fails=$((fails+1)); }
}

python3 - "$SRC/tests/captures" "$tmp" <<'PY' || { echo "FAIL crafting the captures"; exit 1; }
import struct, sys
sys.path.insert(0, sys.argv[1])
import craft as c
out = sys.argv[2]
A, B = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])

def sdp(ip, port, media):
    return ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=%s %d %s\r\n"
            % (ip, ip, media[0], port, media[1])).encode()

def sip(first, body, src, dst):
    head = ("%s\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\nFrom: <sip:a@10.0.0.1>;tag=1\r\n"
            "To: <sip:b@10.0.0.2>;tag=2\r\nCall-ID: call1@10.0.0.1\r\nCSeq: 1 INVITE\r\n"
            "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n" % (first, len(body)))
    return (src, dst, c.udp(5060, 5060, head.encode() + body, src=src, dst=dst))

def invite(media): return sip("INVITE sip:b@10.0.0.2 SIP/2.0", sdp("10.0.0.1", 40000, media), A, B)
def ok(media): return sip("SIP/2.0 200 OK", sdp("10.0.0.2", 41000, media), B, A)

def rtp(seq, src, dst, sport, dport):
    p = struct.pack('!BBHII', 0x80, 0, seq, seq * 160, 0x11223344 if src == A else 0x55667788) + b'\xff' * 160
    return (src, dst, c.udp(sport, dport, p, src=src, dst=dst))

def stun(cls, tid, src, dst, sport, dport):
    return (src, dst, c.udp(sport, dport, struct.pack('!HHI', cls, 0, 0x2112A442) + tid, src=src, dst=dst))

def write(name, pkts, step_ns=100_000_000):
    frames = [c.eth(c.ipv4(17, u, src=s, dst=d), 0x0800) for s, d, u in pkts]
    open('%s/%s.pcap' % (out, name), 'wb').write(c.pcap_bytes(c.with_times(frames, step_ns)))

avp = ('audio', 'RTP/AVP 0')
tid = b'\x07' * 12
# an ICE check to the offered RTP port, never answered; then one answered
write('ice_lost', [invite(avp), stun(0x0001, tid, B, A, 50000, 40000)])
write('ice_ok', [invite(avp), stun(0x0001, tid, B, A, 50000, 40000), stun(0x0101, tid, A, B, 40000, 50000)])
# answered, RTP only from the caller, for 3 s
write('oneway', [invite(avp), ok(avp)] + [rtp(i, A, B, 40000, 41000) for i in range(30)])
# a T.38 fax call: UDPTL both ways, no RTP
t38 = ('image', 'udptl t38')
udptl = lambda i, s, d, sp, dp: (s, d, c.udp(sp, dp, struct.pack('!H', i) + b'\x00\x05' + b'\x01' * 20, src=s, dst=d))
write('fax', [invite(t38), ok(t38)] + [udptl(i, A, B, 40000, 41000) for i in range(15)]
      + [udptl(i, B, A, 41000, 40000) for i in range(15)])
PY

# q CAPTURE CODE EXPR: a python expression on the first finding with CODE (f, values v), or "none"
q() { "$NT" diagnose --json "$tmp/$1.pcap" | python3 -c '
import json, sys
fs = [f for f in map(json.loads, sys.stdin) if f["code"] == sys.argv[1]]
f = fs[0] if fs else None
v = f["values"] if f else None
print(eval(sys.argv[2]) if f else "none")' "$2" "$3"; }
codes() { "$NT" diagnose --json "$tmp/$1.pcap" | python3 -c '
import json, sys
print(" ".join(sorted(set(json.loads(l)["code"] for l in sys.stdin))) or "none")'; }

expect "ice_lost codes" "$(codes ice_lost)" stun.no-response
expect "ice_lost frames" "$(q ice_lost stun.no-response "f['frames']")" "[2]"
expect "ice_lost flow" "$(q ice_lost stun.no-response "f['flow']")" "10.0.0.1:40000"
expect "ice_lost method" "$(q ice_lost stun.no-response "v['method']")" Binding
expect "ice_ok codes" "$(codes ice_ok)" none

expect "oneway codes" "$(codes oneway)" sip.media-failed
expect "oneway severity" "$(q oneway sip.media-failed "f['severity']")" warning
expect "oneway frames" "$(q oneway sip.media-failed "f['frames']")" "[1, 2, 3]"
expect "oneway caller to callee" "$(q oneway sip.media-failed "v['rtp_caller_to_callee']")" 30
expect "oneway callee to caller" "$(q oneway sip.media-failed "v['rtp_callee_to_caller']")" 0
expect "oneway text" "$(q oneway sip.media-failed "'only from the caller (to 10.0.0.2:41000)' in f['text']")" True
expect "oneway voip" "$("$NT" voip "$tmp/oneway.pcap" | grep -c 'IN CALL')" 1

expect "fax codes" "$(codes fax)" none

echo "diagnose_media: $n checks, $fails failed"
[ "$fails" -eq 0 ]
