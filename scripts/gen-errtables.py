#!/usr/bin/env python3
"""gen-errtables.py MINGW_INCLUDE X509_VFY_H MS_ERREF_TSV OUT.c

Generates the tables of `nettracer err` at build time: names and values
from the winerror.h family that Debian's mingw-w64-common ships (winerror.h:
Win32 errors, Winsock, DNS, HRESULTs such as SEC_E_/CERT_E_; lmerr.h;
wininet.h and winhttp.h: ERROR_INTERNET_/ERROR_WINHTTP_; ntstatus.h), the
OpenSSL verify codes from x509_vfy.h, and the message texts of [MS-ERREF]
from data/ms-erref.tsv (matched by name, then by table and value). Codes
that only [MS-ERREF] lists are kept too, with that as their source."""
import os
import re
import sys

DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)\s+(.+?)\s*(?:/[*/].*)?$")
WRAPPERS = re.compile(r"\b(?:__MSABI_LONG|_HRESULT_TYPEDEF_|_NDIS_ERROR_TYPEDEF_|__HRESULT_FROM_WIN32|MAKE_HRESULT)\b")
CASTS = re.compile(r"\(\s*(?:NTSTATUS|HRESULT|DWORD|LONG|ULONG|SCODE|long|unsigned\s+long|int)\s*\)")
NUMBER = re.compile(r"\b(0[xX][0-9a-fA-F]+|\d+)(?:[uUlL]+)\b")
SKIP = re.compile(r"^(FACILITY_|SEVERITY_|STATUS_SEVERITY_)|(_BASE|BASEERR|_LAST|_FIRST|_MASK|_MAX|_MIN)$|^MAX_NERR$")


def parse(path):
    """name -> expression text, in file order."""
    out = {}
    with open(path, encoding="latin-1") as f:
        for line in f:
            m = DEFINE.match(line)
            if m and "(" not in m.group(1):
                out.setdefault(m.group(1), m.group(2))
    return out


def evaluate(expr, env, depth=0):
    if depth > 20:
        return None
    e = WRAPPERS.sub("", expr)
    e = CASTS.sub("", e)
    e = NUMBER.sub(r"\1", e)
    ids = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", e.replace("0x", "").replace("0X", ""))
    for ident in set(ids):
        if re.fullmatch(r"[0-9a-fA-F]+", ident):
            continue
        if ident not in env:
            return None
        v = evaluate(env[ident], env, depth + 1)
        if v is None:
            return None
        e = re.sub(r"\b%s\b" % ident, str(v), e)
    if not re.fullmatch(r"[0-9a-fA-FxX+\-|<>() ]+", e):
        return None
    try:
        return int(eval(e, {"__builtins__": {}})) & 0xFFFFFFFF
    except Exception:
        return None


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    inc, vfy, tsv, out = sys.argv[1:]
    msgs_by_name, msgs_by_val, erref = {}, {}, []
    with open(tsv, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            table, value, name, text = line.rstrip("\n").split("\t", 3)
            v = int(value, 16)
            msgs_by_name.setdefault(name, text)
            msgs_by_val.setdefault((table, v), text)
            erref.append((table, v, name, text))

    entries = {}  # (table, value, name) -> (source, message)

    def add(table, v, name, source):
        msg = msgs_by_name.get(name) or msgs_by_val.get((table, v)) or ""
        entries.setdefault((table, v, name), (source, msg))

    facilities = {}
    env = {}
    for h in ("winerror.h", "lmerr.h", "wininet.h", "winhttp.h", "ntstatus.h"):
        env.update({k: v for k, v in parse(os.path.join(inc, h)).items() if k not in env})
    for h in ("winerror.h", "lmerr.h", "wininet.h", "winhttp.h"):
        for name, expr in parse(os.path.join(inc, h)).items():
            if name.startswith("FACILITY_"):
                v = evaluate(expr, env)
                if v is not None:
                    facilities.setdefault(v, name)
                continue
            if SKIP.search(name):
                continue
            if h != "winerror.h" and not name.startswith(("ERROR_", "NERR_")):
                continue
            v = evaluate(expr, env)
            if v is None:
                continue
            if h == "winerror.h" and not ("_HRESULT_TYPEDEF_" in expr or "__MSABI_LONG" in expr or "BASE" in expr
                                          or name.startswith(("ERROR_", "WSA", "DNS_", "NO_ERROR"))
                                          or "HRESULT" in expr):
                continue
            table = "hresult" if (v >= 0x10000 or "HRESULT" in expr) else "win32"
            add(table, v, name, h)
    for name, expr in parse(os.path.join(inc, "ntstatus.h")).items():
        if not name.startswith(("STATUS_", "DBG_", "RPC_NT_")) or SKIP.search(name):
            continue
        v = evaluate(expr, env)
        if v is not None:
            add("ntstatus", v, name, "ntstatus.h")
    have = {(t, v, n) for (t, v, n) in entries}
    for table, v, name, text in erref:
        if (table, v, name) not in have:
            entries.setdefault((table, v, name), ("MS-ERREF", text))
    for name, expr in parse(vfy).items():
        if name.startswith("X509_V_ERR_") or name == "X509_V_OK":
            v = evaluate(expr, {})
            if v is not None:
                entries.setdefault(("openssl", v, name), ("x509_vfy.h", ""))

    order = {"win32": 0, "hresult": 1, "ntstatus": 2, "openssl": 3}
    rows = sorted(entries.items(), key=lambda kv: (kv[0][1], order[kv[0][0]], kv[0][2]))
    with open(out, "w") as f:
        f.write("/* Generated by scripts/gen-errtables.py from the mingw-w64 headers, OpenSSL's\n"
                " * x509_vfy.h and data/ms-erref.tsv. Do not edit. */\n")
        f.write('#include "nettracer/errcodes.h"\n\n')
        f.write("const nt_errent nt_errtab[] = {\n")
        for (table, v, name), (source, msg) in rows:
            f.write("    {0x%08xu, NT_ERRT_%s, %s, %s, %s},\n" % (v, table.upper(), cstr(name), cstr(source), cstr(msg)))
        f.write("};\nconst size_t nt_errtab_len = sizeof nt_errtab / sizeof nt_errtab[0];\n\n")
        f.write("const nt_facility nt_facilities[] = {\n")
        for v in sorted(facilities):
            f.write("    {%du, %s},\n" % (v, cstr(facilities[v])))
        f.write("};\nconst size_t nt_facilities_len = sizeof nt_facilities / sizeof nt_facilities[0];\n")
    counts = {}
    for (table, _, _), _ in rows:
        counts[table] = counts.get(table, 0) + 1
    print("gen-errtables: %s" % ", ".join("%s %d" % kv for kv in sorted(counts.items())), file=sys.stderr)


main()
