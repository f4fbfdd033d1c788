#!/usr/bin/env python3
"""extract-ms-erref.py IMPACKET_DIR > data/ms-erref.tsv

Writes the message texts of Microsoft's [MS-ERREF] (Windows Error Codes)
specification as one TSV: table, value (hex), name, message. The texts come
from the tables Debian's python3-impacket package carries
(impacket/system_errors.py, hresult_errors.py, nt_errors.py, each "Errors
from [MS-ERREF]"), read as data, not imported as a package:

    apt-get download python3-impacket && dpkg-deb -x python3-impacket_*.deb x
    scripts/extract-ms-erref.py x/usr/lib/python3/dist-packages/impacket > data/ms-erref.tsv

Run by hand when the source changes; the build reads only the TSV."""
import importlib.util
import os
import sys

TABLES = [("win32", "system_errors"), ("hresult", "hresult_errors"), ("ntstatus", "nt_errors")]


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(path, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.ERROR_MESSAGES


def clean(s):
    return " ".join(s.replace("\t", " ").split())


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.stdout
    out.write("# [MS-ERREF] Windows Error Codes: message texts. Source: Microsoft's published\n"
              "# [MS-ERREF] specification, as tabulated in Debian's python3-impacket (0.10.0)\n"
              "# impacket/{system_errors,hresult_errors,nt_errors}.py. Made by scripts/extract-ms-erref.py.\n"
              "# table\tvalue\tname\tmessage\n")
    for table, mod in TABLES:
        msgs = load(sys.argv[1], mod)
        for value in sorted(msgs):
            name, text = msgs[value]
            out.write("%s\t0x%08x\t%s\t%s\n" % (table, value & 0xffffffff, clean(name), clean(text)))


main()
