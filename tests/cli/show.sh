#!/usr/bin/env bash
# What a user sees from `nettracer show` and the program's own arguments:
# exit statuses, one-line errors, options that select and format frames.
set -u
NT=${1:?usage: show.sh NETTRACER}
SRC=${NT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
C=$SRC/tests/captures
fails=0; n=0
check() { # name, expected status, command...
    local name=$1 want=$2; shift 2
    n=$((n+1))
    "$@" > /tmp/nt_cli_out.$$ 2> /tmp/nt_cli_err.$$; local rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL $name: exit $rc, expected $want"; sed 's/^/   /' /tmp/nt_cli_err.$$ | head -3; fails=$((fails+1))
        return 1
    fi
    return 0
}
expect_err() { # a one-line message containing $1
    n=$((n+1))
    if [ "$(wc -l < /tmp/nt_cli_err.$$)" -ne 1 ] || ! grep -q -- "$1" /tmp/nt_cli_err.$$; then
        echo "FAIL: stderr should be one line with '$1':"; sed 's/^/   /' /tmp/nt_cli_err.$$; fails=$((fails+1))
    fi
}
expect_out() { # stdout matches the extended regex $1
    n=$((n+1))
    grep -Eq -- "$1" /tmp/nt_cli_out.$$ || { echo "FAIL: stdout lacks /$1/"; head -5 /tmp/nt_cli_out.$$; fails=$((fails+1)); }
}
lines() { n=$((n+1)); [ "$(wc -l < /tmp/nt_cli_out.$$)" -eq "$1" ] || { echo "FAIL: expected $1 lines, got $(wc -l < /tmp/nt_cli_out.$$)"; fails=$((fails+1)); }; }

check help 0 "$NT" --help && expect_out '^  show '
check version 0 "$NT" --version && expect_out '^nettracer [0-9]+\.'
check help-cmd 0 "$NT" help show && expect_out 'usage: nettracer show'
check show-help 0 "$NT" show --help && expect_out '--range A-B'
check no-args 2 "$NT"
check bad-cmd 2 "$NT" frobnicate && expect_err "no such command 'frobnicate'"
check no-trace 2 "$NT" show && expect_err "no trace given"
check bad-opt 2 "$NT" show --bogus "$C/ping4.pcap" && expect_err "unknown option '--bogus'"
check bad-count 2 "$NT" show -c abc "$C/ping4.pcap" && expect_err "-c needs a positive number"
check bad-range 2 "$NT" show --range 9-3 "$C/ping4.pcap" && expect_err "--range needs FIRST-LAST"
check bad-time 2 "$NT" show -t zz "$C/ping4.pcap" && expect_err "unknown time format 'zz'"
check missing 2 "$NT" show /nonexistent.pcap && expect_err "cannot open: No such file"
check not-capture 2 "$NT" show "$C/notacapture.txt" && expect_err "not a pcap or pcapng capture file"
check linktype 2 "$NT" show "$C/unknown_linktype.pcap" && expect_err "unsupported link type 999"
check truncated 1 "$NT" show --no-header "$C/truncated_tail.pcap" && expect_err "cut short in the middle of a packet"
# what was read before the cut is shown, as tshark shows it
n=$((n+1)); want=$(tshark -r "$C/truncated_tail.pcap" 2>/dev/null | wc -l)
[ "$(wc -l < /tmp/nt_cli_out.$$)" -eq "$want" ] || { echo "FAIL: truncated file: $want frames expected"; fails=$((fails+1)); }

check range 0 "$NT" show --no-header --range 3-5 "$C/http4.pcap" && lines 3 && expect_out '^ +3 '
check count 0 "$NT" show --no-header -c 2 "$C/http4.pcap" && lines 2
check header 0 "$NT" show -c 1 "$C/http4.pcap" && expect_out '^ +No\. +Time +Delta +Source +Destination +Protocol +Length +Info'
check abs-date 0 env TZ=UTC "$NT" show --no-header -t ad -c 1 "$C/be_usec.pcap" && expect_out '^ +1 20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} '
check epoch 0 "$NT" show --no-header -t e -c 1 "$C/ping4_nano.pcap" && expect_out '^ +1 1[0-9]{9}\.[0-9]{9} '
check abs-seq 0 "$NT" show --no-header --absolute-seq --range 4 "$C/http4.pcap" && expect_out 'Seq=[0-9]{6,}'
check rel-seq 0 "$NT" show --no-header --range 4 "$C/http4.pcap" && expect_out 'Seq=0 Ack=1 '
# standard input: the same frames as from the file
check stdin 0 sh -c "cat '$C/http4.pcapng' | '$NT' show --no-header -" && cp /tmp/nt_cli_out.$$ /tmp/nt_cli_pipe.$$
check file 0 "$NT" show --no-header "$C/http4.pcapng"
n=$((n+1)); cmp -s /tmp/nt_cli_out.$$ /tmp/nt_cli_pipe.$$ || { echo "FAIL: pipe and file output differ"; fails=$((fails+1)); }
check verbose 0 "$NT" show -V -c 1 --range 3 "$C/http4.pcap" && expect_out '^Transmission Control Protocol, Src Port: [0-9]+, Dst Port: 80' && expect_out '^    Stream index: 0$'
check json 0 "$NT" show --json "$C/multisection.pcapng"
n=$((n+1)); python3 - /tmp/nt_cli_out.$$ <<'PY' || { echo "FAIL: --json is not JSON Lines with the documented keys"; fails=$((fails+1)); }
import json, sys
keys = {"number", "src", "dst", "protocol", "length", "info", "layers"}
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows and all(keys <= set(r) for r in rows), "missing keys"
# times are present exactly when the record has one (simple/custom blocks have none)
for r in rows:
    has = "frame.time_epoch" in r["layers"]["frame"]
    assert has == ("time_epoch" in r) == ("time_relative" in r), r["number"]
assert sum("time_epoch" in r for r in rows) > len(rows) // 2
assert any("frame.comment" in r["layers"]["frame"] for r in rows), "pcapng comment not kept"
PY
# display filters
check filter 0 "$NT" show --no-header -Y 'tcp.flags.syn==1 and tcp.port==80' "$C/http4.pcap" && lines 4 && expect_out 'SYN'
check filter-range 0 "$NT" show --no-header -Y 'tcp' --range 1-5 "$C/http4.pcap" && lines 3
check filter-count 0 "$NT" show --no-header -Y 'tcp' -c 2 "$C/http4.pcap" && lines 2 && expect_out '^ +3 '
check filter-json 0 "$NT" show --json -Y 'arp' "$C/http4.pcap" && lines 2
check filter-bad 2 "$NT" show -Y 'tcp.prot == 1' "$C/http4.pcap"
n=$((n+1)); [ "$(sed -n 3p /tmp/nt_cli_err.$$)" = "    ^~~~~~~~" ] || { echo "FAIL: caret line"; cat /tmp/nt_cli_err.$$; fails=$((fails+1)); }
check filter-nothing 0 "$NT" show --no-header -Y 'udp' "$C/http4.pcap" && lines 0
check fields 0 "$NT" fields tcp.flags && expect_out '^tcp\.flags\.syn +Boolean +Syn'
check fields-json 0 "$NT" fields --json ip.src && expect_out '"type":"IPv4 address"'
check fields-none 1 "$NT" fields nosuchproto
check fields-bad 2 "$NT" fields --bogus

rm -f /tmp/nt_cli_out.$$ /tmp/nt_cli_err.$$ /tmp/nt_cli_pipe.$$
echo "cli/show: $((n-fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
