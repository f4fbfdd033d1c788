#!/usr/bin/env python3
"""fielddiff.py NAME WS NT [--blank F1,F2] FIELD...: compares tshark's
`-T fields` rows (WS) with nettracer's (NT, from fields.py), one row per
frame and one column per FIELD. Columns named by --blank are ignored (known
differences). On a difference prints "DIFFERENT: NAME" and, per field, the
first frame where it differs; exits 1. Exits 0 when they agree."""
import sys

args = sys.argv[1:]
name, ws_path, nt_path = args[:3]
args = args[3:]
blank = set()
if args and args[0] == '--blank':
    blank = set(filter(None, args[1].split(',')))
    args = args[2:]
names = args
ws = [l.rstrip('\n').split('\t') for l in open(ws_path)]
nt = [l.rstrip('\n').split('\t') for l in open(nt_path)]
out = []
if len(ws) != len(nt):
    out.append('  frame count: tshark %d, nettracer %d' % (len(ws), len(nt)))
seen = set()
for i, (a, b) in enumerate(zip(ws, nt)):
    for j, n in enumerate(names):
        if n in blank or n in seen:
            continue
        x = a[j] if j < len(a) else ''
        y = b[j] if j < len(b) else ''
        if x != y:
            seen.add(n)
            out.append("  %s: frame %d: tshark '%s' nettracer '%s'" % (n, i + 1, x[:160], y[:160]))
if out:
    print('DIFFERENT: ' + name)
    print('\n'.join(out))
    sys.exit(1)
