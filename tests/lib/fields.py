#!/usr/bin/env python3
"""Reads `nettracer show --json` on stdin and prints, per frame, the first
occurrence of each field named on the command line, tab-separated, as
`tshark -T fields -E occurrence=f -e F1 -e F2 ...` does (booleans as 1/0,
a missing field as an empty column). With --columns first, each line
starts with frame.number, Protocol and Info, as `-e frame.number -e
_ws.col.Protocol -e _ws.col.Info` would."""
import json
import sys

fields = sys.argv[1:]
columns = bool(fields) and fields[0] == "--columns"
if columns:
    fields = fields[1:]


def first(obj, key):
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for v in obj.values():
            r = first(v, key)
            if r is not None:
                return r
    return None


for line in sys.stdin:
    if not line.strip():
        continue
    o = json.loads(line, parse_float=str, parse_int=str)
    out = [o["number"], o["protocol"], o["info"]] if columns else []
    for f in fields:
        v = first(o["layers"], f)
        if v is None:
            out.append("")
        elif v is True:
            out.append("1")
        elif v is False:
            out.append("0")
        else:
            out.append(str(v))
    print("\t".join(out))
