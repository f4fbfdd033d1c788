/* tls.h - TLS records and handshake messages (SSL 3.0 to TLS 1.3), pure
 * decoding of complete buffers: the record layer, the handshake message
 * header, ClientHello/ServerHello with the extensions a troubleshooter
 * needs (SNI, ALPN, supported_versions), the certificate list,
 * CertificateRequest's CA names, Alert. Certificates themselves are decoded
 * with OpenSSL (nt_x509_decode). Names follow Wireshark's packet-tls. */
#ifndef NETTRACER_TLS_H
#define NETTRACER_TLS_H

#include "nettracer/core.h"

#define NT_TLS_CT_CCS 20
#define NT_TLS_CT_ALERT 21
#define NT_TLS_CT_HANDSHAKE 22
#define NT_TLS_CT_APPDATA 23
#define NT_TLS_CT_HEARTBEAT 24

#define NT_TLS_HS_HELLO_REQUEST 0
#define NT_TLS_HS_CLIENT_HELLO 1
#define NT_TLS_HS_SERVER_HELLO 2
#define NT_TLS_HS_NEW_SESSION_TICKET 4
#define NT_TLS_HS_ENCRYPTED_EXTENSIONS 8
#define NT_TLS_HS_CERTIFICATE 11
#define NT_TLS_HS_SERVER_KEY_EXCHANGE 12
#define NT_TLS_HS_CERTIFICATE_REQUEST 13
#define NT_TLS_HS_SERVER_HELLO_DONE 14
#define NT_TLS_HS_CERTIFICATE_VERIFY 15
#define NT_TLS_HS_CLIENT_KEY_EXCHANGE 16
#define NT_TLS_HS_FINISHED 20

#define NT_TLS_RECORD_MAX (16384 + 2048 + 5) /* TLSCiphertext limit, with the header */

/* The client-certificate CA list rule, one for `check` and `diagnose`: the
 * size is the CertificateRequest's certificate_authorities length (each
 * name's DER plus its 2-byte length). Schannel fails the handshake when the
 * list is over 16 KB (the field notes' IIS case); near it is worth a warning. */
#define NT_TLS_CA_LIST_WARN 12288u
#define NT_TLS_CA_LIST_LIMIT 16384u

/* A record header at p: returns its total length (header included) if the
 * 5 bytes look like a TLS record, 0 if they do not, -1 if fewer than 5 bytes
 * are given. */
int32_t nt_tls_record_len(const uint8_t *p, uint32_t len);
/* Whether a stream's first bytes look like TLS (a handshake record holding
 * a ClientHello or ServerHello): the content sniff used on any port. */
bool nt_tls_sniff(const uint8_t *p, uint32_t len);

typedef struct nt_tls_record {
    uint8_t type;
    uint16_t version;
    uint16_t length;
    const uint8_t *frag;   /* the record's body */
} nt_tls_record;
bool nt_tls_record_parse(const uint8_t *p, uint32_t len, nt_tls_record *r);

#define NT_TLS_MAX_VERSIONS 16
#define NT_TLS_MAX_CERTS 10

typedef struct nt_tls_hello {
    uint16_t version;          /* legacy_version field */
    uint8_t sid_len;
    uint16_t ncipher;          /* ClientHello: cipher suites offered */
    const uint8_t *ciphers;    /* ClientHello: the suites, 2 bytes each */
    uint16_t cipher;           /* ServerHello: selected suite */
    bool has_sni;
    char sni[256];
    char alpn[128];            /* ClientHello: every protocol, comma-separated; ServerHello: the chosen one */
    uint8_t nversions;         /* supported_versions (ServerHello: one) */
    uint16_t versions[NT_TLS_MAX_VERSIONS];
    uint16_t nextensions;
} nt_tls_hello;

/* ClientHello or ServerHello body (after the 4-byte handshake header). */
bool nt_tls_hello_parse(uint8_t hs_type, const uint8_t *body, uint32_t len, nt_tls_hello *h);
/* The version a ServerHello selects (supported_versions for TLS 1.3). */
uint16_t nt_tls_hello_selected(const nt_tls_hello *h);

typedef struct nt_tls_certs {
    uint8_t n;                 /* certificates listed (up to NT_TLS_MAX_CERTS kept) */
    uint32_t total;            /* certificates in the message */
    const uint8_t *der[NT_TLS_MAX_CERTS];
    uint32_t der_len[NT_TLS_MAX_CERTS];
} nt_tls_certs;
/* Certificate body; tls13: the TLS 1.3 layout (context, per-entry extensions). */
bool nt_tls_certs_parse(const uint8_t *body, uint32_t len, bool tls13, nt_tls_certs *c);

typedef struct nt_tls_certreq {
    uint32_t dn_len;           /* distinguished_names length: the CA list's size */
    uint32_t ndn;              /* distinguished names */
    const uint8_t *dn;         /* the list (2-byte length + DER Name each), in the parsed body */
} nt_tls_certreq;
bool nt_tls_certreq_parse(const uint8_t *body, uint32_t len, bool tls12, nt_tls_certreq *r);

const char *nt_tls_version_name(uint16_t v);      /* "TLS 1.2" */
const char *nt_tls_version_short(uint16_t v);     /* "TLSv1.2", Wireshark's column */
const char *nt_tls_hs_name(uint8_t t);            /* "Client Hello" */
const char *nt_tls_alert_name(uint8_t d);         /* "Handshake Failure" */
const char *nt_tls_ct_name(uint8_t t);            /* "Handshake" */

/* A certificate decoded by OpenSSL: what a reader checks. */
#define NT_X509_MAX_SAN 32
typedef struct nt_x509 {
    char subject[512];         /* RFC 2253-ish one line: "CN=..., O=..." */
    char issuer[512];
    char cn[256];
    char serial[80];           /* hex */
    int64_t not_before, not_after; /* Unix seconds */
    char key[48];              /* "EC 256 bits", "RSA 2048 bits" */
    char sigalg[64];
    uint8_t nsan;
    char san[NT_X509_MAX_SAN][128];
    bool is_ca;
} nt_x509;
bool nt_x509_decode(const uint8_t *der, uint32_t len, nt_x509 *x);
/* The strings of a certificate's DER as Wireshark's x509 fields list them,
 * pointing into der (no copies): issuer and subject attribute values
 * (tag: 0x0C UTF8String, 0x13 PrintableString, 0x16 IA5String ...) and DNS
 * names of the subjectAltName. Returns false on malformed DER. */
typedef enum { NT_X509_ISSUER_ATTR, NT_X509_SUBJECT_ATTR, NT_X509_SAN_DNS } nt_x509_item;
typedef void (*nt_x509_cb)(void *user, nt_x509_item kind, uint8_t tag, const uint8_t *p, uint32_t len);
bool nt_x509_walk(const uint8_t *der, uint32_t len, nt_x509_cb cb, void *user);
/* The attribute values of one DER Name (a CertificateRequest's CA name) as
 * NT_X509_SUBJECT_ATTR. */
bool nt_x509_walk_name(const uint8_t *der, uint32_t len, nt_x509_cb cb, void *user);
/* The commonName of one DER Name, NUL-terminated and cut to n-1 bytes;
 * false when it has none or is malformed. */
bool nt_x509_name_cn(const uint8_t *der, uint32_t len, char *out, size_t n);

/* The one certificate-name matcher, for captured certificates (diagnose)
 * and live ones (check). RFC 9525: a DNS name matches a DNS subjectAltName
 * (ASCII case-insensitive, a trailing dot ignored, "*" only as the whole
 * left-most label and for exactly one label, never "*.com"); an IP address
 * matches only an iPAddress subjectAltName; the subject CN never. What older
 * clients also accept (OpenSSL's defaults) is told apart: a partial
 * wildcard (f*.example.com, not in A-labels), or the CN of a certificate
 * without DNS names. IDNA names are compared as their A-labels ("xn--"). */
typedef enum nt_x509_match {
    NT_X509_MATCH,           /* by RFC 9525 */
    NT_X509_MATCH_CN,        /* only through the subject CN (no DNS name in the certificate) */
    NT_X509_MATCH_PARTIAL,   /* only through a partial wildcard */
    NT_X509_NO_MATCH,
} nt_x509_match;
/* On a DER certificate; matched gets "DNS:pattern", "IP:addr" or "CN=cn". */
nt_x509_match nt_x509_match_name(const uint8_t *der, uint32_t len, const char *name, char *matched, size_t msz);
/* On a decoded one (its DNS names and CN): NT_X509_MATCH, or with loose
 * also NT_X509_MATCH_CN. */
bool nt_x509_name_matches(const nt_x509 *x, const char *name, bool loose);

#endif
