# certs.sh - sourced: make_test_pki DIR makes the certificates of the check
# scenario with openssl: a root CA, an intermediate CA, and leaf keys and
# certificates (PEM) signed by the intermediate:
#   good      SANs www.contoso.test, contoso.test, lyncdiscover.contoso.test, IP 10.77.1.1
#   wild      SAN *.contoso.test
#   partial   SAN w*.contoso.test            (a partial wildcard)
#   cnonly    CN=cn.contoso.test, no SAN
#   wrong     CN=Default Web Site, no SAN    (the reference's DirectAccess case)
#   expired   SAN www.contoso.test, valid 2020-01-01 to 2021-01-01
#   soon      SAN www.contoso.test, valid 10 more days
# and for each NAME: NAME.key, NAME.crt, NAME-chain.pem (leaf + intermediate).
make_test_pki() {
    local d=$1 n
    mkdir -p "$d/newcerts" && : >"$d/index.txt" && echo 1000 >"$d/serial"
    cat >"$d/ca.cnf" <<CNF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $d
database = $d/index.txt
new_certs_dir = $d/newcerts
serial = $d/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
organizationName = optional
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/root.key" -out "$d/root.crt" -days 3650 \
        -subj "/O=nt7 test/CN=nt7 Test Root CA" -addext "basicConstraints=critical,CA:true" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || return 1
    openssl req -newkey rsa:2048 -nodes -keyout "$d/inter.key" -out "$d/inter.csr" \
        -subj "/O=nt7 test/CN=nt7 Test Intermediate CA" 2>/dev/null || return 1
    openssl ca -batch -config "$d/ca.cnf" -cert "$d/root.crt" -keyfile "$d/root.key" -in "$d/inter.csr" \
        -out "$d/inter.crt" -days 3650 -extensions v3_ca -extfile "$d/ca.cnf" -notext 2>/dev/null || return 1
    # leaf NAME SUBJECT SAN-or-empty [DATES...]
    leaf() {
        local name=$1 subj=$2 san=$3; shift 3
        {
            echo "basicConstraints = CA:false"
            echo "keyUsage = critical, digitalSignature, keyEncipherment"
            echo "extendedKeyUsage = serverAuth"
            [ -n "$san" ] && echo "subjectAltName = $san"
        } >"$d/$name.ext"
        openssl req -newkey rsa:2048 -nodes -keyout "$d/$name.key" -out "$d/$name.csr" -subj "$subj" 2>/dev/null &&
        openssl ca -batch -config "$d/ca.cnf" -cert "$d/inter.crt" -keyfile "$d/inter.key" -in "$d/$name.csr" \
            -out "$d/$name.crt" -extfile "$d/$name.ext" -notext "$@" 2>/dev/null &&
        cat "$d/$name.crt" "$d/inter.crt" >"$d/$name-chain.pem"
    }
    leaf good "/CN=www.contoso.test" \
        "DNS:www.contoso.test, DNS:contoso.test, DNS:lyncdiscover.contoso.test, IP:10.77.1.1" -days 365 || return 1
    leaf wild "/CN=*.contoso.test" "DNS:*.contoso.test" -days 365 || return 1
    leaf partial "/CN=w.contoso.test" "DNS:w*.contoso.test" -days 365 || return 1
    leaf cnonly "/CN=cn.contoso.test" "" -days 365 || return 1
    leaf wrong "/CN=Default Web Site" "" -days 365 || return 1
    leaf expired "/CN=www.contoso.test" "DNS:www.contoso.test" -startdate 20200101000000Z -enddate 20210101000000Z || return 1
    leaf soon "/CN=www.contoso.test" "DNS:www.contoso.test" -days 10 || return 1
}
