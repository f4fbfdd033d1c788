#!/usr/bin/env bash
# What `nettracer capture` and `nettracer mark` say about bad arguments:
# one line on stderr and exit status 2, before anything is opened or sent
# (needs no privilege and no network).
set -u
NT=${1:?usage: capture_usage.sh NETTRACER}
fails=0; n=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# usage WANTED_TEXT ARGS...: exit 2, one line containing the text
usage() {
    local want=$1; shift
    n=$((n+1))
    "$NT" "$@" > "$tmp/out" 2> "$tmp/err"
    local rc=$?
    if [ $rc != 2 ] || [ "$(wc -l < "$tmp/err")" != 1 ] || ! grep -qF -- "$want" "$tmp/err" || [ -s "$tmp/out" ]; then
        echo "FAIL $*: exit $rc, stderr: $(cat "$tmp/err")"; fails=$((fails+1))
    fi
}
usage "no output file: give -w FILE" capture -i lo
usage "-s needs a snap length from 1 to 262144 bytes, not '0'" capture -s 0 -w x
usage "-s needs a snap length" capture -s 300000 -w x
usage "--ring needs SIZE:COUNT such as 10M:5, not '10M'" capture --ring 10M -w x
usage "--ring needs SIZE:COUNT" capture --ring 10M:0 -w x
usage "--ring needs SIZE:COUNT" capture --ring 10X:3 -w x
usage "--chain needs a file size such as 100M or 500k, not 'big'" capture --chain big -w x
usage "--chain and --ring exclude each other" capture --chain 1M --ring 1M:2 -w x
usage "-w needs a file name, not '-'" capture --chain 1M -w -
usage "--duration needs a number of seconds above 0, not '-1'" capture --duration -1 -w x
usage "-c needs a packet count above 0" capture -c 0 -w x
usage "-B needs a buffer size in MiB" capture -B 0 -w x
usage "--marker-sizes needs two different payload sizes" capture --marker-sizes 22,22 -w x
usage "unexpected 'port'" capture -w x port 80
usage "unknown option '--bogus'" capture --bogus
usage "option -f needs a value" capture -w x -f
usage "give start, end or a payload size from 1 to 65000, not 'middle'" mark middle
usage "give start, end or a payload size" mark 70000
usage "one marker at a time" mark start end
usage "--wait needs seconds from 0 to 60" mark -W x
usage "is not an IPv4 address" mark --to not.an.address -W 0
# --help is true to the options
for opt in -D -i -f -s -w --pcap --chain --ring --duration --count -B -p -Z --marker-sizes --no-markers --json; do
    n=$((n+1))
    "$NT" capture --help | grep -qE -- "(^|[ ,])$opt([ ,]|$)" || { echo "FAIL capture --help lacks $opt"; fails=$((fails+1)); }
done
for opt in -6 --to --wait --json; do
    n=$((n+1))
    "$NT" mark --help | grep -qF -- "$opt" || { echo "FAIL mark --help lacks $opt"; fails=$((fails+1)); }
done
echo "$((n - fails))/$n checks passed"
[ "$fails" = 0 ]
