#!/usr/bin/env python3
"""Runs each display filter through tshark and nettracer on one capture and
compares the selected frame numbers, or, for a filter tshark rejects, the
message and caret lines. Runs two at a time; prints one line per difference
and a summary."""
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

nt, cap, exprs_file, disable_file = sys.argv[1:5]
disable = [l.strip() for l in open(disable_file) if l.strip()]
exprs = [l.rstrip("\n") for l in open(exprs_file) if l.strip() and not l.startswith("#")]


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def message(stderr, prefix):
    lines = [l for l in stderr.splitlines() if "Running as user" not in l]
    if lines and lines[0].startswith(prefix):
        lines[0] = lines[0][len(prefix):]
    return "\n".join(lines)


def one(e):
    wrc, wout, werr = run(["tshark", "-r", cap, *disable, "-Y", e, "-T", "fields", "-e", "frame.number"])
    nrc, nout, nerr = run([nt, "show", "--no-header", "-Y", e, cap])
    wframes = [l.strip() for l in wout.splitlines() if l.strip()]
    nframes = [l.split()[0] for l in nout.splitlines() if l.strip()]
    if wrc != 0 and not wframes:
        if nrc != 2:
            return f"ACCEPTED what tshark rejects: {e!r}\n  tshark: {message(werr, 'tshark: ')}"
        wm, nm = message(werr, "tshark: "), message(nerr, "nettracer show: ")
        if wm != nm:
            return f"MESSAGE differs: {e!r}\n  tshark:    {wm!r}\n  nettracer: {nm!r}"
        return None
    if nrc != 0:
        return f"REJECTED what tshark accepts: {e!r}\n  nettracer: {message(nerr, 'nettracer show: ')}"
    if wframes != nframes:
        ws, ns = set(wframes), set(nframes)
        return (f"FRAMES differ: {e!r} (tshark {len(wframes)}, nettracer {len(nframes)})\n"
                f"  only tshark: {sorted(ws - ns, key=int)[:10]}\n  only nettracer: {sorted(ns - ws, key=int)[:10]}")
    return None


with ThreadPoolExecutor(2) as ex:
    results = list(ex.map(one, exprs))
fails = [r for r in results if r]
for r in fails:
    print(r)
print(f"tshark_filters: {len(exprs) - len(fails)} passed, {len(fails)} failed")
sys.exit(1 if fails else 0)
