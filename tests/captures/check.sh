#!/bin/bash
# check.sh [DIR]: read every capture in DIR (default: this folder) with
# capinfos and tshark.  Good files must read without error or warning; the
# broken-on-purpose files must make tshark complain.  Exit 1 on a surprise.
set -u
DIR=${1:-$(dirname "$0")}
cd "$DIR" || exit 2
# files that tshark must refuse or warn about
BAD="truncated_tail.pcap truncated_hdr.pcap truncated.pcapng badcaplen.pcap
     unknown_linktype.pcap notacapture.txt"
fail=0 total=0
for f in *.pcap *.pcapng notacapture.txt; do
    [ -f "$f" ] || continue
    total=$((total + 1))
    size=$(stat -c %s "$f")
    capinfos -c -M "$f" >/tmp/check.$$.ci 2>&1
    circ=$?
    n=$(awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}' /tmp/check.$$.ci)
    tshark -r "$f" >/dev/null 2>/tmp/check.$$.ts
    tsrc=$?
    # tshark's warning about running as root is not a complaint about the file
    grep -v -e 'Running as user "root"' -e '^$' /tmp/check.$$.ts >/tmp/check.$$.err
    complained=0
    if [ $tsrc -ne 0 ] || [ -s /tmp/check.$$.err ]; then complained=1; fi
    expect_bad=0
    case " $(echo $BAD) " in *" $f "*) expect_bad=1 ;; esac
    if [ $complained = $expect_bad ]; then st=ok; else st=UNEXPECTED; fail=1; fi
    if [ $size -gt 204800 ]; then st="$st,TOO-BIG"; fail=1; fi
    printf '%-24s %7d bytes %6s pkts  capinfos=%d tshark=%d %s %s\n' "$f" "$size" "${n:--}" \
        $circ $tsrc "$st" "$(head -c 100 /tmp/check.$$.err | tr '\n' ' ')"
done
rm -f /tmp/check.$$.*
echo "checked $total files, total $(du -cb ./*.pcap ./*.pcapng 2>/dev/null | tail -1 | cut -f1) bytes"
exit $fail
