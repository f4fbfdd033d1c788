#!/usr/bin/env python3
"""Puts `tshark -q -z conv,TYPE` output and `nettracer convs --json` output
in one shape, one line per conversation in the order printed:

    A <-> B | A->B: frames, bytes | B->A: frames, bytes | total: frames, bytes | start | duration

written as tshark 4.0 writes them (tap-iousers.c): bytes through
format_size() ("9114 bytes", "10 kB"), the start as "%.9f" and the duration
as "%.4f" of nstime_to_sec() doubles. tshark's "<-" column is B->A and "->"
is A->B; A and B carry ":port" for tcp and udp. Only the formatting is
normalised: the figures are compared as tshark prints them.

usage: convs.py tshark TYPE < tshark-output
       convs.py nettracer TYPE < nettracer-json-lines
"""
import json
import re
import sys

ROW = re.compile(r"^(\S+)\s+<->\s+(\S+)\s+(\d+) (\d+ \S+)\s+(\d+) (\d+ \S+)\s+(\d+) (\d+ \S+)\s+(-?[\d.]+)\s+(-?[\d.]+)$")


def size(n):
    """wsutil format_size(n, FORMAT_SIZE_UNIT_BYTES | FORMAT_SIZE_PREFIX_SI)"""
    for power, prefix in ((10**15, "P"), (10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k")):
        if n >= 10 * power:
            return f"{n // power} {prefix}B"
    return f"{n} bytes"


def ns_of(text):
    """exact nanoseconds of a decimal string with up to 9 decimals"""
    neg = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    v = int(whole) * 10**9 + int((frac + "000000000")[:9])
    return -v if neg else v


def ws_secs(ns):
    """nstime_to_sec(): seconds and nanoseconds truncated towards zero"""
    secs = abs(ns) // 10**9 * (1 if ns >= 0 else -1)
    nsecs = ns - secs * 10**9
    return float(secs) + float(nsecs) / 1e9


def line(a, b, fab, bab, fba, bba, start, dur):
    return (f"{a} <-> {b} | A->B: {fab}, {bab} | B->A: {fba}, {bba} | "
            f"total: {int(fab) + int(fba)}, TOTAL | {start} | {dur}")


def from_tshark(inp):
    for raw in inp:
        m = ROW.match(raw.strip())
        if not m:
            continue
        a, b, fba, bba, fab, bab, ftot, btot, start, dur = m.groups()
        out = line(a, b, fab, bab, fba, bba, start, dur).replace("TOTAL", btot)
        if int(ftot) != int(fab) + int(fba):
            out += " | TOTAL FRAMES " + ftot
        print(out)


def from_nettracer(inp, typ):
    for raw in inp:
        raw = raw.strip()
        if not raw:
            continue
        o = json.loads(raw, parse_float=str)
        if o["type"] != typ:
            continue
        a, b = o["address_a"], o["address_b"]
        if o["port_a"] is not None:
            a, b = f"{a}:{o['port_a']}", f"{b}:{o['port_b']}"
        start = ns_of(str(o["rel_start"]))
        stop = start + ns_of(str(o["duration"]))
        dur = ws_secs(stop) - ws_secs(start)
        out = line(a, b, o["packets_ab"], size(o["bytes_ab"]), o["packets_ba"], size(o["bytes_ba"]),
                   "%.9f" % ws_secs(start), "%.4f" % dur).replace("TOTAL", size(o["bytes"]))
        if o["packets"] != o["packets_ab"] + o["packets_ba"] or o["bytes"] != o["bytes_ab"] + o["bytes_ba"]:
            out += " | INCONSISTENT TOTALS"
        print(out)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("tshark", "nettracer"):
        sys.exit(__doc__)
    if sys.argv[1] == "tshark":
        from_tshark(sys.stdin)
    else:
        from_nettracer(sys.stdin, sys.argv[2])
