#!/bin/bash
# mkcerts.sh DIR: the certificates the TLS captures and tests use, made
# fresh each time with openssl (EC P-256 keys: quick to generate).
#   ca.pem/ca.key          root "nettracer test root CA"
#   inter.pem/inter.key    intermediate signed by the root
#   leaf.pem/leaf.key      www.nettracer.test (SANs www.nettracer.test,
#                          nettracer.test), signed by the intermediate
#   chain.pem              leaf + intermediate (what a server sends)
#   wrong.pem/wrong.key    CN=Default Web Site, no SAN, signed by the root
#   expired.pem/expired.key www.nettracer.test, validity ended 2020-01-02
#   clientcas.pem          90 root certificates with long names: a client-CA
#                          list of about 20 KB, over Schannel's 16 KB limit
set -euo pipefail
D=$1
mkdir -p "$D"
cd "$D"
ossl() { openssl "$@" 2>/dev/null; }
key() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
cat >ext.cnf <<'X'
[v3ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
[v3leaf]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:www.nettracer.test,DNS:nettracer.test
[v3plain]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
X
key ca.key
ossl req -new -x509 -key ca.key -subj "/O=nettracer tests/CN=nettracer test root CA" -days 3650 \
    -extensions v3ca -config <(cat /etc/ssl/openssl.cnf ext.cnf) -out ca.pem
sign() { # NAME SUBJ ISSUER EXT [x509 options]
    local n=$1 s=$2 i=$3 e=$4
    shift 4
    key "$n.key"
    ossl req -new -key "$n.key" -subj "$s" -out "$n.csr"
    ossl x509 -req -in "$n.csr" -CA "$i.pem" -CAkey "$i.key" -set_serial "0x$(openssl rand -hex 8)" \
        -extfile ext.cnf -extensions "$e" -out "$n.pem" "$@"
}
sign inter "/O=nettracer tests/CN=nettracer test intermediate CA" ca v3ca -days 3650
sign leaf "/O=nettracer tests/CN=www.nettracer.test" inter v3leaf -days 825
cat leaf.pem inter.pem >chain.pem
sign wrong "/CN=Default Web Site" ca v3plain -days 825
# an expired certificate: x509 -req cannot back-date, so let `openssl ca`
# write explicit dates
mkdir -p cadb && : >cadb/index.txt && echo 01 >cadb/serial
cat >ca.cnf <<X
[ca]
default_ca=d
[d]
database=cadb/index.txt
serial=cadb/serial
new_certs_dir=cadb
certificate=ca.pem
private_key=ca.key
default_md=sha256
policy=p
copy_extensions=none
[p]
commonName=supplied
X
key expired.key
ossl req -new -key expired.key -subj "/CN=www.nettracer.test" -out expired.csr
ossl ca -batch -config ca.cnf -startdate 20190101000000Z -enddate 20200102000000Z \
    -extfile ext.cnf -extensions v3leaf -in expired.csr -out expired.pem -notext
: >clientcas.pem
for i in $(seq -w 1 90); do
    key c.key
    ossl req -new -x509 -key c.key -days 3650 -out c.pem \
        -subj "/C=US/ST=Washington/L=Redmond/O=Contoso Federated Partner Organisation Number $i/OU=Unified Communications Certificate Services/CN=Contoso Partner Issuing Certification Authority $i"
    cat c.pem >>clientcas.pem
done
rm -f c.key c.pem ./*.csr
