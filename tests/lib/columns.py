#!/usr/bin/env python3
"""Reads `nettracer show --json` on stdin and prints "Protocol<TAB>Info" per
frame, the shape of `tshark -T fields -e _ws.col.Protocol -e _ws.col.Info`."""
import json
import sys

for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    o = json.loads(line)
    print(f"{o['protocol']}\t{o['info']}")
