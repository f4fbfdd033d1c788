#!/usr/bin/env bash
# What `nettracer diagnose` finds in captures recorded from real programs
# (tests/captures: record.sh and record_diagnose.sh): per finding its code,
# severity, key evidence frames and measured values; clean captures give
# nothing of warning severity; exit status, markers, --all, usage errors.
set -u
NT=${1:?usage: diagnose.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
C=$SRC/tests/captures
fails=0; n=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

expect() { # description, actual, wanted
    n=$((n+1))
    [ "$2" = "$3" ] || { echo "FAIL $1: got '$2', want '$3'"; fails=$((fails+1)); }
}
# diag NAME CAPTURE [OPTIONS]: --json findings into $tmp/NAME, exit status into $tmp/NAME.rc
diag() { local nm=$1 cap=$2; shift 2; "$NT" diagnose --json "$@" "$cap" > "$tmp/$nm"; echo $? > "$tmp/$nm.rc"; }
# q NAME CODE INDEX EXPR: a python expression on the INDEX-th finding with CODE (f), or "none"
q() { python3 - "$tmp/$1" "$2" "$3" "$4" <<'PY'
import json, sys
path, code, idx, expr = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
fs = [json.loads(l) for l in open(path) if l.strip()]
fs = [f for f in fs if f['code'] == code]
if idx >= len(fs):
    print('none')
else:
    f = fs[idx]; v = f['values']
    print(eval(expr))
PY
}
codes() { python3 -c "import json,sys; print(' '.join(sorted(set(json.loads(l)['code'] for l in open(sys.argv[1]) if l.strip()))))" "$tmp/$1"; }
worst() { python3 -c "
import json,sys
r={'notice':0,'warning':1,'error':2}
s=[json.loads(l)['severity'] for l in open(sys.argv[1]) if l.strip()]
print(max(s,key=lambda x:r[x]) if s else 'none')" "$tmp/$1"; }

# --- SYNs dropped by a firewall: the retransmit schedule 1, 2, 4 s
diag drop "$C/fw_drop.pcap"
expect "fw_drop codes" "$(codes drop)" tcp.syn-unanswered
expect "fw_drop severity" "$(q drop tcp.syn-unanswered 0 "f['severity']")" error
expect "fw_drop frames" "$(q drop tcp.syn-unanswered 0 "f['frames']")" "[3, 4, 5, 6]"
expect "fw_drop syns" "$(q drop tcp.syn-unanswered 0 "v['syns']")" 4
expect "fw_drop schedule" "$(q drop tcp.syn-unanswered 0 "v['schedule']")" "+1.0 s, +3.0 s, +7.1 s"
expect "fw_drop port" "$(q drop tcp.syn-unanswered 0 "f['flow'].endswith(':8080')")" True
expect "fw_drop exit" "$(cat "$tmp/drop.rc")" 1
diag un "$C/unanswered.pcap"
expect "unanswered count" "$(q un tcp.syn-unanswered 1 "f['frames']")" "[8, 9, 10]"

# --- refused: resets from the firewall rule and the stack, ICMP rejections
diag rej "$C/fw_reject.pcap"
expect "fw_reject count" "$(grep -c syn-refused "$tmp/rej")" 6
expect "reject rst frames" "$(q rej tcp.syn-refused 0 "f['frames'][:2]")" "[3, 4]"
expect "reject rst ttl" "$(q rej tcp.syn-refused 0 "v['reset_ttl']")" 64
# the host's own TTL from its ICMP error (frame 8): the same, so no firewall claim
expect "reject host ttl" "$(q rej tcp.syn-refused 0 "(v['host_ttl'], v['host_ttl_frame'])")" "(64, 8)"
expect "reject icmp" "$(q rej tcp.syn-refused 2 "(f['frames'], v['icmp_code'], v['icmp_from'])")" "([7, 8], 3, '10.99.22.2')"
expect "reject icmp6" "$(q rej tcp.syn-refused 5 "(f['frames'], v['icmp_code'])")" "([15, 16], 4)"
# an ICMP error that refused a connection is not reported twice
expect "reject no icmp dup" "$(q rej icmp.unreachable 0 "1")" none
diag ref "$C/refused.pcap"
expect "refused" "$(q ref tcp.syn-refused 0 "(f['frames'], f['severity'])")" "([3, 4], 'error')"

# --- half-open: SYN-ACK sent 3 times, the ACK never seen
diag half "$C/lost_ack.pcap"
expect "half-open" "$(q half tcp.handshake-incomplete 0 "(f['frames'], v['synacks'])")" "([3, 4, 5, 6], 3)"

# --- an established connection reset by the server application
diag rst "$C/tcp_close.pcap"
expect "reset" "$(q rst tcp.reset 0 "(f['frames'][0], v['by'], v['bytes_s2c'], f['severity'])")" "(14, 'server', 3000, 'warning')"
expect "reset ttl" "$(q rst tcp.reset 0 "(v['reset_ttl'], v['host_ttl'])")" "(64, 64)"
expect "reset only one" "$(grep -c tcp.reset "$tmp/rst")" 1

# --- loss: retransmission rate of the server
diag loss "$C/loss.pcap"
expect "loss codes" "$(codes loss)" "capture.snaplen tcp.retransmissions tcp.window-full"
expect "loss sender" "$(q loss tcp.retransmissions 0 "v['sender']")" server
expect "loss counts" "$(q loss tcp.retransmissions 0 "(v['retransmissions'], v['data_segments'], v['fast_retransmissions'])")" \
    "($(tshark -r "$C/loss.pcap" -Y 'tcp.srcport==80 and tcp.len>0 and tcp.analysis.retransmission' 2>/dev/null | wc -l), $(tshark -r "$C/loss.pcap" -Y 'tcp.srcport==80 and tcp.len>0' 2>/dev/null | wc -l), $(tshark -r "$C/loss.pcap" -Y 'tcp.srcport==80 and tcp.analysis.fast_retransmission' 2>/dev/null | wc -l))"
expect "loss first" "$(q loss tcp.retransmissions 0 "f['frames'][0]")" \
    "$(tshark -r "$C/loss.pcap" -Y 'tcp.srcport==80 and tcp.len>0 and tcp.analysis.retransmission' -T fields -e frame.number 2>/dev/null | head -1)"
expect "snaplen" "$(q loss capture.snaplen 0 "(v['snaplen'], f['severity'])")" "(96, 'notice')"

# --- zero window: 3 s stall, the Linux probes (flagged keep-alive) count as probes
diag zw "$C/zero_window.pcap"
expect "zero window" "$(q zw tcp.zero-window 0 "(v['receiver'], v['stalls'], round(v['longest_s']), v['probes'])")" "('server', 1, 3, 3)"
expect "zero window first" "$(q zw tcp.zero-window 0 "f['frames'][0]")" \
    "$(tshark -r "$C/zero_window.pcap" -Y tcp.analysis.zero_window -T fields -e frame.number 2>/dev/null | head -1)"
# the window-full stalls do not count the zero-window time again
expect "window full below stall" "$(q zw tcp.window-full 0 "(f['severity'], v['stalled_s'] < 0.5)")" "('notice', True)"

# --- the field notes' cases recorded by record_diagnose.sh
diag nr "$C/diag_noresp.pcap"
expect "no-response" "$(q nr app.no-response 0 "(f['severity'], f['frames'], round(v['waited_s']))")" "('error', [6, 7, 8], 4)"
expect "no-response codes" "$(codes nr)" app.no-response
diag ng "$C/diag_nagle.pcap"
expect "nagle codes" "$(codes ng)" tcp.delayed-ack-nagle
expect "nagle sender" "$(q ng tcp.delayed-ack-nagle 0 "v['sender']")" server
expect "nagle many" "$(q ng tcp.delayed-ack-nagle 0 "v['occurrences'] >= 20")" True
expect "nagle delay" "$(q ng tcp.delayed-ack-nagle 0 "0.03 <= v['average_s'] <= 0.2")" True
expect "nagle total" "$(q ng tcp.delayed-ack-nagle 0 "abs(v['total_s'] - v['average_s'] * v['occurrences']) < 1e-3")" True
# each example is the small segment, the delayed ACK, the held segment
expect "nagle example" "$(q ng tcp.delayed-ack-nagle 0 "f['frames'][:3]")" \
    "$(tshark -r "$C/diag_nagle.pcap" -Y 'tcp.srcport==7890 and tcp.len==6' -T fields -e frame.number 2>/dev/null | python3 -c "
import sys, subprocess
small = [int(x) for x in sys.stdin.read().split()]
# the first small segment whose ACK took 30 ms or more
out = subprocess.run(['tshark', '-r', '$C/diag_nagle.pcap', '-Y', 'tcp.dstport==7890 and tcp.len==0 and tcp.analysis.ack_rtt >= 0.03',
                      '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.analysis.acks_frame'], capture_output=True, text=True).stdout.split('\n')
for l in out:
    if l.strip():
        a, s = map(int, l.split())
        print([s, a, a + 1]); break")"
expect "nagle advice" "$(q ng tcp.delayed-ack-nagle 0 "'TCP_NODELAY on the server' in f['advice']")" True
diag slow "$C/diag_slow.pcap"
expect "slow" "$(q slow app.slow-response 0 "(f['flow'], v['responses'], v['slow'], round(v['max_s'], 1))")" "('10.66.3.2:9001', 3, 3, 1.5)"
# cut while the second request waits: no answer until the end of the trace (a warning);
# cut while the first waits, before the server ever sent data: a one-way stream, nothing
diag cut "$C/diag_slow.pcap" --range 1-11 --no-response 0.000001
expect "no-response at end" "$(q cut app.no-response 0 "(f['severity'], f['frames'], v['request_frame'])")" "('warning', [10, 11], 10)"
diag cut1 "$C/diag_slow.pcap" --range 1-7 --no-response 0.000001
expect "no-response one-way" "$(q cut1 app.no-response 0 1)" none
diag slow2 "$C/diag_slow.pcap" --slow-response 2
expect "slow threshold" "$(codes slow2)" ""
expect "slow threshold exit" "$(cat "$tmp/slow2.rc")" 0
diag idle "$C/diag_idle.pcap"
expect "idle" "$(q idle app.idle-gap 0 "(f['severity'], f['frames'], round(v['gap_s']), v['waiting'])")" "('notice', [9, 12], 11, 'server')"
expect "idle exit (notice only)" "$(cat "$tmp/idle.rc")" 0
diag idle2 "$C/diag_idle.pcap" --idle-gap 12
expect "idle threshold" "$(codes idle2)" ""
diag arp "$C/diag_arp.pcap"
expect "arp" "$(q arp arp.unanswered 0 "(f['frames'], v['target'], v['requests'])")" "([1, 2, 3], '10.66.5.99', 3)"

# --- checksums: offload on the capturing host (all its own wrong, the peer's right),
# and one damaged segment among good ones; both agree with tshark's check
diag off "$C/diag_offload.pcap"
expect "offload" "$(q off capture.checksum-offload 0 "(f['severity'], v['host'], v['bad'] == v['checked'])")" "('notice', '10.66.6.1', True)"
expect "offload count" "$(q off capture.checksum-offload 0 "v['bad']")" \
    "$(tshark -r "$C/diag_offload.pcap" -o tcp.check_checksum:TRUE -Y 'tcp.checksum.status==0' 2>/dev/null | wc -l)"
expect "offload first" "$(q off capture.checksum-offload 0 "f['frames'][0]")" \
    "$(tshark -r "$C/diag_offload.pcap" -o tcp.check_checksum:TRUE -Y 'tcp.checksum.status==0' -T fields -e frame.number 2>/dev/null | head -1)"
expect "offload exit" "$(cat "$tmp/off.rc")" 0
diag mal "$C/malformed.pcap"
expect "bad checksum" "$(q mal capture.bad-checksum 0 "(f['severity'], f['frames'])")" \
    "('warning', [$(tshark -r "$C/malformed.pcap" -o tcp.check_checksum:TRUE -Y 'tcp.checksum.status==0' -T fields -e frame.number 2>/dev/null | head -1)])"

# --- what the capture lost: pcapng interface statistics (isb_ifdrop 3 and 42)
diag ms "$C/multisection.pcapng"
expect "dropped" "$(q ms capture.dropped 0 "(f['severity'], v['interface_drops'])")" "('warning', 45)"
expect "snaplen one" "$(q ms capture.snaplen 0 "(v['frames_cut'], f['frames'])")" "(1, [10])"

# --- TLS
diag bad "$C/tls_badname.pcap"
expect "badname" "$(q bad tls.cert-name-mismatch 0 "(f['severity'], v['sni'], f['frames'])")" "('error', 'www.nettracer.test', [8, 6])"
diag exp "$C/tls_expired.pcap"
expect "expired codes" "$(codes exp)" "tls.alert tls.cert-expired tls.handshake-aborted"
expect "expired" "$(q exp tls.cert-expired 0 "(f['frames'], v['not_after'])")" "([8], '2020-01-02 00:00:00')"
expect "expired alert" "$(q exp tls.alert 0 "(f['frames'], v['sender'], v['description'])")" "([10], 'client', 45)"
expect "expired aborted" "$(q exp tls.handshake-aborted 0 "(f['frames'], v['closed_by'])")" "([6, 8, 12], 'client')"
diag ca "$C/tls_clientca.pcap"
expect "client ca" "$(q ca tls.client-ca-list-large 0 "(f['severity'], v['ca_list_bytes'] > 16384)")" "('error', True)"
expect "client ca bytes" "$(q ca tls.client-ca-list-large 0 "v['ca_list_bytes']")" \
    "$(tshark -r "$C/tls_clientca.pcap" -Y tls.handshake.type==13 -T fields -e tls.handshake.dnames_len 2>/dev/null | head -1)"
# the first CA name: the commonName of the list's first Name (its fifth string)
expect "ca list first" "$(q ca tls.client-ca-list-large 0 "v['first_ca']")" \
    "$(tshark -r "$C/tls_clientca.pcap" -Y tls.handshake.type==13 -T fields -E occurrence=a -e x509sat.uTF8String 2>/dev/null | cut -d, -f5)"

# --- DNS: dnsmasq's NXDOMAIN and a silent server (dns.pcap, record_dns.sh), and
# diag_dns.pcap: a name that resolved to an address whose certificate is for another name
diag dns "$C/dns.pcap"
expect "dns nxdomain" "$(q dns dns.no-such-name 0 "(f['severity'], v['name'], f['frames'])")" "('warning', 'nope.contoso.test', [11, 12])"
expect "dns no response" "$(q dns dns.no-response 0 "(v['server'], v['queries'], f['frames'])")" "('10.77.1.2', 1, [25])"
# the trace ends right after that query: only a notice
expect "dns no response short" "$(q dns dns.no-response 0 "f['severity']")" notice
diag dnss "$C/dns.pcap" --dns-slow 0.000001
expect "dns slow count" "$(q dnss dns.slow 0 "v['answers']")" \
    "$(tshark -r "$C/dns.pcap" -Y 'dns.flags.response==1' 2>/dev/null | wc -l)"
expect "dns slow worst" "$(q dnss dns.slow 0 "(f['frames'][:2], v['max_s'])")" \
    "$(tshark -r "$C/dns.pcap" -Y 'dns.flags.response==1' -T fields -e dns.response_to -e frame.number -e dns.time 2>/dev/null |
       sort -k3 -g | tail -1 | awk '{printf "([%d, %d], %s)", $1, $2, $3 + 0}')"
expect "dns not slow" "$(q dns dns.slow 0 1)" none
diag dd "$C/diag_dns.pcap"
expect "resolved elsewhere" "$(q dd dns.resolved-elsewhere 0 "(f['severity'], v['name'], f['frames'][0])")" \
    "('error', 'portal.nettracer.test', $(tshark -r "$C/diag_dns.pcap" -Y 'dns.a==10.66.7.2' -T fields -e frame.number 2>/dev/null | head -1))"
expect "resolved elsewhere cert" "$(q dd dns.resolved-elsewhere 0 "f['frames'][1]")" \
    "$(tshark -r "$C/diag_dns.pcap" -Y 'tls.handshake.type==11' -T fields -e frame.number 2>/dev/null | head -1)"
expect "dd nxdomain" "$(q dd dns.no-such-name 0 "v['name']")" gone.nettracer.test
expect "dd no response" "$(q dd dns.no-response 0 "(f['severity'], v['server'], v['tries'])")" "('warning', '10.66.7.3', 2)"
expect "dd codes" "$(codes dd)" "dns.no-response dns.no-such-name dns.resolved-elsewhere"

# diag_dnsfail.pcap: dnsmasq refuses names it has no server for (over UDP and
# TCP); a long TXT answer over TCP in two segments is one answer, as tshark says
diag df "$C/diag_dnsfail.pcap"
expect "dns refused" "$(q df dns.server-failure 0 "(f['severity'], v['rcode'], v['name'], f['frames'])")" \
    "('error', 'REFUSED', 'www.example.test', [$(tshark -r "$C/diag_dnsfail.pcap" -Y 'dns.flags.rcode==5 and udp' -T fields -e dns.response_to -e frame.number 2>/dev/null | tr '\t' ',' | sed 's/,/, /')])"
expect "dns refused tcp" "$(q df dns.server-failure 1 "(v['name'], f['frames'])")" \
    "('mail.example.test', [$(tshark -r "$C/diag_dnsfail.pcap" -Y 'dns.flags.rcode==5 and tcp' -T fields -e dns.response_to -e frame.number 2>/dev/null | tr '\t' ',' | sed 's/,/, /')])"
expect "dns refused only" "$(codes df)" dns.server-failure
diag dfs "$C/diag_dnsfail.pcap" --dns-slow 0.000001
expect "dns split answer counted" "$(q dfs dns.slow 0 "v['answers']")" \
    "$(tshark -r "$C/diag_dnsfail.pcap" -Y 'dns.flags.response==1' 2>/dev/null | wc -l)"
expect "dns split answer frames" "$(q dfs dns.slow 0 "f['frames'][:2]")" \
    "[$(tshark -r "$C/diag_dnsfail.pcap" -Y 'dns.flags.response==1 and tcp.reassembled.length' -T fields -e dns.response_to -e frame.number 2>/dev/null | tr '\t' ',' | sed 's/,/, /')]"

# diag_tls.pcap: a certificate valid only from 2099, then a session the server renegotiates
diag tl "$C/diag_tls.pcap"
expect "not yet valid" "$(q tl tls.cert-not-yet-valid 0 "(f['severity'], v['not_before'], f['frames'])")" \
    "('error', '2099-01-01 00:00:00', [$(tshark -r "$C/diag_tls.pcap" -Y 'tls.handshake.type==11 and tcp.srcport==443' -T fields -e frame.number 2>/dev/null)])"
expect "not yet valid alert" "$(q tl tls.alert 0 "(v['sender'], v['description'])")" "('client', 42)"
first_app=$(tshark -r "$C/diag_tls.pcap" -Y 'tls.record.content_type==23 and tcp.dstport==4433' -T fields -e frame.number 2>/dev/null | head -1)
expect "renegotiation" "$(q tl tls.renegotiation 0 "(f['severity'], v['initiator'], v['completed'], f['frames'][:2])")" \
    "('notice', 'server', 'yes', [$(tshark -r "$C/diag_tls.pcap" -Y "tls.record.content_type==22 and tcp.srcport==4433 and frame.number > $first_app" -T fields -e frame.number 2>/dev/null | head -1), $(tshark -r "$C/diag_tls.pcap" -Y "tls.record.content_type==22 and tcp.dstport==4433 and frame.number > $first_app" -T fields -e frame.number 2>/dev/null | head -1)])"
expect "renegotiation handshake end" "$(q tl tls.renegotiation 0 "f['frames'][2]")" \
    "$(tshark -r "$C/diag_tls.pcap" -Y 'tls.record.content_type==20 and tcp.srcport==4433' -T fields -e frame.number 2>/dev/null | head -1)"
# the renegotiation records are encrypted handshake messages (no HelloRequest in clear)
expect "renegotiation is encrypted" "$(tshark -r "$C/diag_tls.pcap" -Y 'tls.handshake.type==0' 2>/dev/null | wc -l)" 0
for c in tls12.pcap tls13.pcap tls_clientca.pcap http4.pcap; do
    diag nr "$C/$c"
    expect "no renegotiation in $c" "$(q nr tls.renegotiation 0 1)" none
done

# --- SIP and its media (sip_*.pcap from record_apps.sh; diag_oneway, diag_stun from record_diagnose.sh)
diag se "$C/sip_error.pcap"
expect "sip error" "$(q se sip.error-response 0 "(f['severity'], v['status'], v['method'], f['frames'])")" "('warning', 488, 'INVITE', [3, 1])"
expect "sip ms-diagnostics" "$(q se sip.error-response 0 "v['ms_diagnostics'].startswith('52001;')")" True
diag nb "$C/sip_nobye.pcap"
expect "no bye" "$(q nb sip.media-without-bye 0 "(f['severity'], v['stopped'], round(v['media_after_s']))")" "('error', 'caller', 2)"
expect "no bye frames" "$(q nb sip.media-without-bye 0 "f['frames'][:2]")" \
    "[$(tshark -r "$C/sip_nobye.pcap" -Y 'udp.srcport==40000 and rtp' -T fields -e frame.number 2>/dev/null | tail -1), $(tshark -r "$C/sip_nobye.pcap" -Y 'udp.srcport==40002 and rtp' -T fields -e frame.number 2>/dev/null | tail -1)]"
expect "no bye icmp" "$(q nb sip.media-without-bye 0 "v['icmp_errors'] > 0")" True
diag ow "$C/diag_oneway.pcap"
expect "one-way" "$(q ow sip.media-failed 0 "(f['severity'], v['rtp_callee_to_caller'], f['frames'][:2])")" "('warning', 0, [3, 4])"
expect "one-way count" "$(q ow sip.media-failed 0 "v['rtp_caller_to_callee']")" \
    "$(tshark -r "$C/diag_oneway.pcap" -Y 'udp.dstport==40002' 2>/dev/null | wc -l)"
expect "one-way codes" "$(codes ow)" sip.media-failed
diag nm "$C/diag_nomedia.pcap"
expect "no media" "$(q nm sip.media-failed 0 "(f['severity'], v['rtp_caller_to_callee'], v['rtp_callee_to_caller'], f['frames'])")" \
    "('error', 0, 0, [$(tshark -r "$C/diag_nomedia.pcap" -Y 'sip.Method==INVITE' -T fields -e frame.number 2>/dev/null), $(tshark -r "$C/diag_nomedia.pcap" -Y 'sip.Status-Code==200 and sip.CSeq.method==INVITE' -T fields -e frame.number 2>/dev/null)])"
expect "no media on the wire" "$(tshark -r "$C/diag_nomedia.pcap" -Y 'udp.port==40000 or udp.port==40002' 2>/dev/null | wc -l)" 0
expect "no media codes" "$(codes nm)" sip.media-failed
diag ae "$C/apps_edge.pcap"
expect "busy and decline are notices" "$(worst ae)" notice
diag st "$C/diag_stun.pcap"
expect "stun no response" "$(q st stun.no-response 0 "(f['severity'], v['method'], v['requests'], v['tries'], f['frames'])")" "('error', 'Binding', 1, 4, [3])"
diag sr "$C/stun.pcap"
expect "stun 401 then success" "$(q sr stun.error 0 1)" none
diag sc "$C/stun_crafted.pcap"
expect "stun error" "$(q sc stun.error 0 "(v['code'], v['reason'])")" "(420, 'Unknown Attribute')"

# --- ICMP errors with the flow they quote
diag udp "$C/udp.pcap"
expect "unreachable" "$(q udp icmp.unreachable 0 "(f['frames'], v['reason'], f['flow'].startswith('UDP 10.99.7.1:'))")" "([10], 'port unreachable', True)"
diag ttl "$C/ttl.pcap"
expect "ttl exceeded" "$(q ttl icmp.ttl-exceeded 0 "(f['frames'], v['from'], v['count'])")" "([6, 8], '10.99.8.254', 2)"

# --- clean captures: nothing of warning severity, exit 0 (normal DNS: the
# five answered queries at the start of dns.pcap, over UDP and TCP)
editcap -r "$C/dns.pcap" "$tmp/dns_ok.pcap" 1-10 15-24 2>/dev/null
diag clean "$tmp/dns_ok.pcap"
expect "clean dns below warning" "$(worst clean | grep -cE "warning|error")" 0
expect "clean dns answers" "$(tshark -r "$tmp/dns_ok.pcap" -Y 'dns.flags.response==1 and dns.flags.rcode==0' 2>/dev/null | wc -l)" 6
for c in http4.pcap http6.pcap tls12.pcap tls13.pcap ping4.pcap ping6.pcap keepalive.pcap dumpcap.pcapng preexisting.pcap \
    sip_call.pcap sip_tcp.pcap; do
    diag clean "$C/$c"
    expect "clean $c" "$(worst clean)" none
    expect "clean $c exit" "$(cat "$tmp/clean.rc")" 0
done

# --- a connection running before the capture began: its idle gap is still found
editcap -r "$C/diag_idle.pcap" "$tmp/midway.pcap" 6-1000 2>/dev/null
diag mid "$tmp/midway.pcap"
expect "idle gap without handshake" "$(q mid app.idle-gap 0 "round(v['gap_s'])")" "$(q idle app.idle-gap 0 "round(v['gap_s'])")"

# --- markers: restricted to the range, and --all
"$NT" diagnose "$C/markers.pcap" > "$tmp/mk"
expect "markers header" "$(grep -c 'restricted to the range between the ping markers' "$tmp/mk")" 1
"$NT" diagnose --all "$C/markers.pcap" > "$tmp/mk2"
expect "markers --all" "$(grep -c 'restricted' "$tmp/mk2")" 0
expect "markers frames" "$(grep '^  frames' "$tmp/mk" | awk '{print $2}')" \
    "$("$NT" markers --json "$C/markers.pcap" | python3 -c "
import json,sys
for l in sys.stdin:
    o=json.loads(l)
    if 'first' in o and 'last' in o: print('%d-%d' % (o['first'], o['last'])); break")"

# --- several files, text header, JSON fields
"$NT" diagnose "$C/fw_drop.pcap" "$C/http4.pcap" > "$tmp/two"; rc=$?
expect "two files exit" "$rc" 1
expect "two files headers" "$(grep -c '^  link types  Ethernet' "$tmp/two")" 2
expect "two files order" "$(grep -n '^ERROR' "$tmp/two" | cut -d: -f1)" 7
expect "json keys" "$(head -1 "$tmp/drop" | python3 -c 'import json,sys; print(sorted(json.loads(sys.stdin.read())))')" \
    "['advice', 'code', 'file', 'flow', 'frames', 'severity', 'text', 'values']"
# worst first
diag mix "$C/tls_expired.pcap" --all
expect "worst first" "$(python3 -c "
import json,sys
r={'notice':0,'warning':1,'error':2}
s=[r[json.loads(l)['severity']] for l in open('$tmp/mix')]
print(s==sorted(s,reverse=True))")" True

# --- the demo sample: every problem of its parts, and no false no-response from
# connections that closed or from a trace that goes on long after them
diag demo "$SRC/samples/problems.pcapng"
expect "demo codes" "$(codes demo)" "app.no-response app.slow-response capture.snaplen dns.no-response dns.no-such-name dns.resolved-elsewhere dns.server-failure icmp.unreachable sip.error-response sip.media-failed sip.media-without-bye stun.no-response tcp.delayed-ack-nagle tcp.handshake-incomplete tcp.reset tcp.syn-refused tcp.syn-unanswered tcp.window-full tcp.zero-window tls.alert tls.cert-expired tls.cert-name-mismatch tls.cert-not-yet-valid tls.client-ca-list-large tls.handshake-aborted tls.renegotiation"
expect "demo one no-response" "$(grep -c app.no-response "$tmp/demo")" 1

# --- text output: at most N per code, the rest counted
"$NT" diagnose --max-per-code 2 "$C/fw_reject.pcap" > "$tmp/mpc"
expect "max per code shown" "$(grep -c '^ERROR' "$tmp/mpc")" 2
expect "max per code rest" "$(grep -c '^Not shown: 4 more tcp.syn-refused' "$tmp/mpc")" 1
expect "max per code header" "$(grep '^  findings' "$tmp/mpc")" "  findings    6 errors, 0 warnings, 0 notices"

# --- damaged input: 60 deterministic mutations of captures with application
# messages; every run ends with a status of at most 2 and valid JSON (the
# texts quote names and SIP/STUN strings from the packets)
expect "mutations" "$(python3 - "$NT" "$C" <<'PY'
import json, random, subprocess, sys, tempfile, os
nt, c = sys.argv[1], sys.argv[2]
random.seed(6)
caps = ['diag_dns.pcap', 'sip_nobye.pcap', 'stun_crafted.pcap', 'tls_clientca.pcap', 'dns.pcap', 'sip_error.pcap']
bad = 0
with tempfile.TemporaryDirectory() as d:
    m = os.path.join(d, 'm.pcap')
    for i in range(60):
        b = bytearray(open(os.path.join(c, caps[i % len(caps)]), 'rb').read())
        for _ in range(random.randint(1, 20)):
            b[random.randrange(24, len(b))] = random.randrange(256)
        open(m, 'wb').write(b)
        r = subprocess.run([nt, 'diagnose', '--all', '--json', m], capture_output=True)
        try:
            for l in r.stdout.decode('utf-8').splitlines():
                json.loads(l)
            ok = r.returncode <= 2 and b'Sanitizer' not in r.stderr and b'runtime error' not in r.stderr
        except ValueError:
            ok = False
        bad += not ok
print(bad)
PY
)" 0

# --- errors
"$NT" diagnose "$C/notacapture.txt" > /dev/null 2>&1; expect "bad input exit" $? 2
"$NT" diagnose > /dev/null 2>&1; expect "no trace exit" $? 2
"$NT" diagnose --idle-gap x "$C/http4.pcap" > /dev/null 2> "$tmp/e"; expect "bad number exit" $? 2
expect "bad number message" "$(wc -l < "$tmp/e")" 1
"$NT" diagnose --help | grep -q -- '--no-response S'; expect "help thresholds" $? 0

echo "$((n - fails))/$n passed"
[ "$fails" = 0 ]
