/* markers.c - see markers.h. */
#include "nettracer/markers.h"

#include <stdlib.h>
#include <string.h>

void nt_markers_init(nt_markers *mk, uint32_t start_size, uint32_t end_size)
{
    memset(mk, 0, sizeof *mk);
    mk->start_size = start_size;
    mk->end_size = end_size;
}

void nt_markers_free(nt_markers *mk)
{
    free(mk->m);
    free(mk->r);
    memset(mk, 0, sizeof *mk);
}

int64_t nt_echo_payload(const nt_packet *pkt, bool *reply)
{
    for (int i = 0; i < pkt->nlayers; i++) {
        const nt_layer *l = &pkt->layers[i];
        if (l->inner) break;
        if (l->proto == NT_P_ICMP && l->len >= 8) {
            const nt_icmp *m = &pkt->icmp[l->idx];
            if (m->type != 0 && m->type != 8) return -1;
            *reply = m->type == 0;
            return m->data_len;
        }
        if (l->proto == NT_P_ICMPV6 && l->len >= 8) {
            const nt_icmpv6 *m = &pkt->icmp6[l->idx];
            if (m->type != 128 && m->type != 129) return -1;
            *reply = m->type == 129;
            return m->data_len;
        }
    }
    return -1;
}

/* 1 start, 0 end, -1 none: the comment a capture wrote on a marker */
static int comment_kind(const nt_frame *f)
{
    for (int i = 0; i < f->ncomments; i++) {
        size_t n = f->comments[i].len;
        const char *s = f->comments[i].s;
        if (n == strlen(NT_MARKER_COMMENT_START) && !memcmp(s, NT_MARKER_COMMENT_START, n)) return 1;
        if (n == strlen(NT_MARKER_COMMENT_END) && !memcmp(s, NT_MARKER_COMMENT_END, n)) return 0;
    }
    return -1;
}

/* At a glance, for the common link types: the protocol number of the
 * frame's IP header (IPv4's protocol, IPv6's next header), or -1 when it
 * takes more than a glance. TCP and UDP carry no ICMP layer the dissector
 * would find outside a quoted packet, so those frames need no dissection. */
static int quick_ipproto(const nt_frame *f)
{
    const uint8_t *p = f->data;
    uint32_t n = f->caplen, off;
    unsigned et;
    switch (f->linktype) {
    case NT_LINK_ETHERNET:
        if (n < 14) return -1;
        et = (unsigned)p[12] << 8 | p[13];
        off = 14;
        while ((et == 0x8100 || et == 0x88a8) && n >= off + 4) {
            et = (unsigned)p[off + 2] << 8 | p[off + 3];
            off += 4;
        }
        break;
    case NT_LINK_LINUX_SLL:
        if (n < 16) return -1;
        et = (unsigned)p[14] << 8 | p[15];
        off = 16;
        break;
    case NT_LINK_LINUX_SLL2:
        if (n < 20) return -1;
        et = (unsigned)p[0] << 8 | p[1];
        off = 20;
        break;
    default: return -1;
    }
    if (et == 0x0800 && n >= off + 20 && p[off] >> 4 == 4) return p[off + 9];
    if (et == 0x86dd && n >= off + 40 && p[off] >> 4 == 6) return p[off + 6];
    return -1;
}

const char *nt_marker_comment(const nt_frame *f, uint32_t start_size, uint32_t end_size)
{
    /* a marker is a small ICMP frame: most frames are passed by without
     * dissecting, by their length or their IP protocol */
    uint32_t big = start_size > end_size ? start_size : end_size;
    if (f->len > big + 128) return NULL;
    int proto = quick_ipproto(f);
    if (proto == 6 || proto == 17) return NULL;
    nt_packet pkt;
    nt_dissect(f, &pkt);
    bool reply;
    int64_t size = nt_echo_payload(&pkt, &reply);
    if (size < 0) return NULL;
    if (size == start_size) return NT_MARKER_COMMENT_START;
    if (size == end_size) return NT_MARKER_COMMENT_END;
    return NULL;
}

void nt_markers_add(nt_markers *mk, const nt_packet *pkt)
{
    bool reply;
    int64_t size = nt_echo_payload(pkt, &reply);
    if (size < 0) return;
    /* by size, or by the comment a capture wrote (a marker of another size) */
    int kind = size == mk->start_size ? 1 : size == mk->end_size ? 0 : comment_kind(pkt->frame);
    if (kind < 0) return;
    if (mk->n == mk->cap) {
        mk->cap = mk->cap ? mk->cap * 2 : 16;
        nt_marker *m = realloc(mk->m, mk->cap * sizeof *m);
        if (!m) abort();
        mk->m = m;
    }
    nt_marker *m = &mk->m[mk->n++];
    memset(m, 0, sizeof *m);
    m->frame = pkt->frame->number;
    m->ts = pkt->frame->ts;
    m->start = kind == 1;
    m->reply = reply;
    m->size = (uint32_t)size;
    if (pkt->nip6 && nt_packet_layer(pkt, NT_P_ICMPV6)) {
        m->family = 6;
        memcpy(m->src, pkt->ip6[0].src, 16);
        memcpy(m->dst, pkt->ip6[0].dst, 16);
        m->id = pkt->icmp6[0].id, m->seq = pkt->icmp6[0].seq;
    } else {
        m->family = 4;
        memcpy(m->src, pkt->ip4[0].src, 4);
        memcpy(m->dst, pkt->ip4[0].dst, 4);
        m->id = pkt->icmp[0].id, m->seq = pkt->icmp[0].seq;
    }
}

void nt_markers_ranges(nt_markers *mk, uint64_t last_frame)
{
    free(mk->r);
    mk->r = NULL;
    mk->nr = 0;
    size_t i = 0;
    while (i < mk->n) {
        /* a start marker's request, then its reply if one follows */
        if (!mk->m[i].start) {
            i++;
            continue;
        }
        uint64_t begin = mk->m[i].frame;
        size_t j = i + 1;
        while (j < mk->n && mk->m[j].start) {
            if (mk->m[j].reply) begin = mk->m[j].frame;
            j++;
        }
        /* the next end marker's request (its reply follows it) */
        uint64_t end = last_frame + 1;
        while (j < mk->n && mk->m[j].reply) j++;
        if (j < mk->n) end = mk->m[j].frame;
        if (end > begin + 1) {
            nt_range *r = realloc(mk->r, (mk->nr + 1) * sizeof *r);
            if (!r) abort();
            mk->r = r;
            mk->r[mk->nr].first = begin + 1;
            mk->r[mk->nr].last = end - 1;
            mk->nr++;
        }
        /* past this pair's end markers */
        while (j < mk->n && !mk->m[j].start) j++;
        i = j;
    }
}
