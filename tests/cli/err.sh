#!/usr/bin/env bash
# CLI test: `nettracer err` on the reference's codes (HRESULT decoding of
# 014C0220 and 0x80f10043, 9003, WSAETIMEDOUT, CERT_E_UNTRUSTEDROOT), every
# table, names, JSON, and bad input.
set -u
NT=${1:?usage: err.sh NETTRACER}
fail=0
bad() { echo "FAIL: $*"; fail=1; }
check() { # ARGS... -- EXPECTED-RC TEXT...
    local args=() rc
    while [ "$1" != "--" ]; do args+=("$1"); shift; done
    shift
    out=$("$NT" err "${args[@]}" 2>&1); rc=$?
    [ "$rc" = "$1" ] || bad "err ${args[*]}: exit $rc, expected $1: $out"
    shift
    for t in "$@"; do grep -qF -- "$t" <<<"$out" || bad "err ${args[*]}: missing '$t' in: $out"; done
}
check 014C0220 -- 0 "# as an HRESULT: Severity: SUCCESS (0), Facility: 0x14c, Code 0x220" "# for hex 0x220 / decimal 544 :"
check 0x80f10043 -- 0 "Facility: 0xf1, Code 0x43" "ERROR_BAD_NET_NAME" "# The network name cannot be found."
check 9003 -- 0 "DNS_ERROR_RCODE_NAME_ERROR" "# DNS name does not exist."
check 10060 -- 0 "# for decimal 10060 / hex 0x274c :" "WSAETIMEDOUT"
check 0x274c -- 0 "WSAETIMEDOUT"
check wsaetimedout -- 0 "# WSAETIMEDOUT is Win32 0x0000274c (10060)"
check 0x800b0109 -- 0 "CERT_E_UNTRUSTEDROOT" "Facility: 0xb (FACILITY_CERT)"
check -2146762487 -- 0 "CERT_E_UNTRUSTEDROOT"
check 0x80070005 -- 0 "E_ACCESSDENIED" "Facility: 0x7 (FACILITY_WIN32), Code 0x5" "ERROR_ACCESS_DENIED"
check 0xC0000022 -- 0 "STATUS_ACCESS_DENIED" "ntstatus.h (NTSTATUS)" "as an NTSTATUS: Severity: ERROR (3)"
check 0xD0000022 -- 0 "HRESULT from an NTSTATUS" "STATUS_ACCESS_DENIED"
check 110 -- 0 "ETIMEDOUT" "errno.h (POSIX errno)" "# Connection timed out"
check 20 -- 0 "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY" "# unable to get local issuer certificate"
check 12045 -- 0 "ERROR_INTERNET_INVALID_CA" "ERROR_WINHTTP_SECURE_INVALID_CA" "# 2 matches found"
check 0xdeadbeef -- 1 "# no table knows \"0xdeadbeef\""
check 9003 10060 -- 0 "DNS_ERROR_RCODE_NAME_ERROR" "WSAETIMEDOUT"
out=$("$NT" err --json 0x80070005) || bad "json exit"
[ "$(wc -l <<<"$out")" = 2 ] || bad "json: two records expected: $out"
python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <<<"$out" || bad "json does not parse"
grep -qF '"via":"HRESULT_FROM_WIN32"' <<<"$out" || bad "json via: $out"
for a in zz 0x100000000 "" --bogus; do
    "$NT" err $a >/dev/null 2>"/tmp/nt7err.$$"; rc=$?
    [ "$rc" = 2 ] || bad "err '$a': exit $rc, expected 2"
    [ "$(wc -l <"/tmp/nt7err.$$")" = 1 ] || bad "err '$a': not one line: $(cat "/tmp/nt7err.$$")"
done
rm -f "/tmp/nt7err.$$"
exit $fail
