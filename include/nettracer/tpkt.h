/* tpkt.h - TPKT (RFC 1006) and X.224 / ISO 8073 COTP class 0 TPDUs as RDP
 * uses them on TCP 3389: connection request and confirm with the RDP
 * routing cookie and negotiation (rdpNegReq, rdpNegRsp, rdpNegFailure,
 * MS-RDPBCGR 2.2.1.1/2.2.1.2), data and disconnect. Pure. */
#ifndef NETTRACER_TPKT_H
#define NETTRACER_TPKT_H

#include "nettracer/core.h"
#include "nettracer/fields.h"
#include "nettracer/text.h"

enum { NT_COTP_CR = 0x0e, NT_COTP_CC = 0x0d, NT_COTP_DR = 0x08, NT_COTP_DC = 0x0c,
       NT_COTP_DT = 0x0f, NT_COTP_ED = 0x01, NT_COTP_AK = 0x06, NT_COTP_ER = 0x07 };
enum { NT_RDP_NEG_REQ = 1, NT_RDP_NEG_RSP = 2, NT_RDP_NEG_FAILURE = 3 };

typedef struct nt_tpkt {
    const uint8_t *raw;
    uint32_t len;               /* bytes of this TPKT present (<= length) */
    uint8_t version;            /* 3 */
    uint16_t length;            /* TPKT length field, header included */
    /* COTP */
    bool has_cotp;
    uint8_t li;                 /* length indicator: header bytes after it */
    uint8_t type;               /* TPDU code, high nibble of the second byte: 0x0e CR ... */
    uint16_t dst_ref, src_ref;  /* CR, CC, DR, DC */
    uint8_t class_opt;          /* CR, CC: class and options */
    uint8_t reason;             /* DR */
    bool eot;                   /* DT: last data unit */
    uint8_t tpdu_nr;            /* DT */
    const uint8_t *user;        /* user data (CR/CC: after the 6 fixed header bytes, where RDP puts its data) */
    uint32_t user_len;
    /* RDP, in CR and CC user data */
    nt_text cookie;             /* "Cookie: mstshash=user" (without CRLF) */
    bool has_neg;
    uint8_t neg_type;           /* 1 request, 2 response, 3 failure */
    uint8_t neg_flags;
    uint16_t neg_length;
    uint32_t neg_value;         /* requestedProtocols, selectedProtocol, failureCode */
    bool has_corr;              /* rdpCorrelationInfo after a request flagged 0x08 */
    uint8_t corr_type;          /* 6 */
    uint16_t corr_length;       /* 36 */
    const uint8_t *corr_id;     /* 16 bytes */
    const char *error;
} nt_tpkt;

/* For a byte stream: the TPKT length. NT_TPKT_LEN_MORE when the 4-byte
 * header is incomplete or the packet is longer than len, BAD when the
 * version is not 3 or the length is below 4 + 3. */
enum { NT_TPKT_LEN_BAD = -1, NT_TPKT_LEN_MORE = 0, NT_TPKT_LEN_OK = 1 };
int nt_tpkt_msg_len(const uint8_t *p, uint32_t len, uint32_t *msg_len);
/* Parses one TPKT with its COTP TPDU. false: not version 3, a length below
 * 7, a COTP header longer than the packet (error says which). A TPKT cut by
 * the end of the buffer is parsed as far as it goes. */
bool nt_tpkt_parse(const uint8_t *p, uint32_t len, nt_tpkt *out);
/* Info as tshark 4.0 with the RDP dissector: "Cookie: mstshash=alice,
 * Negotiate Request", "Negotiate Response", "Negotiate Failure, failureCode
 * ..."; without RDP negotiation COTP's "CR TPDU src-ref: 0x0000 dst-ref: 0x0000". */
void nt_tpkt_info(const nt_tpkt *t, nt_buf *out);
/* Protocol column: "RDP" when RDP negotiation or a cookie is present, "COTP"
 * with a TPDU, else "TPKT". */
const char *nt_tpkt_protocol(const nt_tpkt *t);
const char *nt_rdp_failure_name(uint32_t code);

extern const nt_msg_field nt_tpkt_fields[];
extern const size_t nt_tpkt_nfields;

#endif
