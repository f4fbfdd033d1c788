/* tcp.c - TCP header and options (MSS, window scale, SACK permitted and
 * blocks, timestamps, NOP/EOL). An option whose length is impossible ends
 * option parsing and marks the packet, as Wireshark's expert info does. */
#include "dissect_int.h"

#include <string.h>

static void tcp_options(nt_dctx *c, nt_tcp *t, bool cut)
{
    const uint8_t *o = t->opts;
    uint32_t n = t->optlen, i = 0;
    while (i < n) {
        uint8_t kind = o[i];
        if (kind == 0) break;       /* EOL */
        if (kind == 1) { i++; continue; } /* NOP */
        if (i + 1 >= n) {
            if (cut) return; /* the snap length, not the sender, cut it */
            nt_malformed(c, "TCP: option length missing");
            return;
        }
        uint8_t len = o[i + 1];
        if (len < 2) {
            nt_malformed(c, "TCP: option length too small");
            return;
        }
        if (i + len > n) {
            if (cut) {
                /* Wireshark still shows a TSval that made it into the capture */
                if (kind == 8 && len == 10 && n - i >= 6) {
                    t->tsval_only = true;
                    nt_load_be32(o + i + 2, 4, 0, &t->tsval);
                }
                return;
            }
            nt_malformed(c, "TCP: option runs past the end of the header");
            return;
        }
        const uint8_t *v = o + i + 2;
        switch (kind) {
        case 2:
            if (len == 4) { t->has_mss = true; t->mss = (uint16_t)(v[0] << 8 | v[1]); }
            break;
        case 3:
            if (len == 3) { t->has_ws = true; t->ws = v[0]; }
            break;
        case 4:
            if (len == 2) t->sack_perm = true;
            break;
        case 5:
            for (uint32_t j = 0; j + 8 <= (uint32_t)len - 2 && t->nsack < 4; j += 8) {
                nt_load_be32(v, len - 2u, j, &t->sack[t->nsack][0]);
                nt_load_be32(v, len - 2u, j + 4, &t->sack[t->nsack][1]);
                t->nsack++;
            }
            break;
        case 8:
            if (len == 10) {
                t->has_ts = true;
                nt_load_be32(v, 8, 0, &t->tsval);
                nt_load_be32(v, 8, 4, &t->tsecr);
            }
            break;
        default: break;
        }
        i += len;
    }
}

/* the fixed header after the sequence number: ack, data offset and flags,
 * window, checksum, urgent pointer */
static void fixed_rest(nt_cur *k, nt_tcp *t)
{
    t->ack = nt_cur_be32(k);
    uint16_t w = nt_cur_be16(k);
    t->hlen = (uint8_t)((w >> 12) * 4);
    t->flags = w & 0x1ff;
    t->win = nt_cur_be16(k);
    t->csum = nt_cur_be16(k);
    t->urp = nt_cur_be16(k);
}

void nt_dissect_tcp(nt_dctx *c, const uint8_t *p, uint32_t cap, uint32_t rep)
{
    nt_packet *pkt = c->pkt;
    if (pkt->ntcp >= 2) return;
    uint8_t idx = pkt->ntcp;
    nt_tcp *t = &pkt->tcp[idx];
    memset(t, 0, sizeof *t);
    if (c->inner) {
        /* an ICMP error quotes at least the ports and the sequence number */
        if (cap < 4) return;
        nt_cur k = nt_cur_make(p, cap);
        t->sport = nt_cur_be16(&k);
        t->dport = nt_cur_be16(&k);
        t->seq = nt_cur_be32(&k);
        pkt->ntcp++;
        uint32_t len = cap < 20 ? cap : 20;
        if (cap >= 20) { /* a whole quoted header: Wireshark decodes it all */
            fixed_rest(&k, t);
            if (t->hlen >= 20) {
                len = cap < t->hlen ? cap : t->hlen;
                t->opts = p + 20;
                t->optlen = (uint8_t)(len - 20);
                t->opts_cut = len < t->hlen;
                tcp_options(c, t, true);
            }
        }
        nt_layer_add(c, NT_P_TCP, idx, p, len);
        return;
    }
    /* Wireshark names the column TCP once it has read the ports */
    if (cap >= 4) nt_enter(c, NT_P_TCP);
    if (!nt_need(c, 20, cap, rep, "TCP header cut short")) {
        /* keep what was captured of the fixed header: the Info column
         * shows it up to the window, as Wireshark's does */
        if (cap >= 4) {
            nt_cur k = nt_cur_make(p, cap);
            t->sport = nt_cur_be16(&k);
            t->dport = nt_cur_be16(&k);
            if (cap >= 16) {
                t->seq = nt_cur_be32(&k);
                t->ack = nt_cur_be32(&k);
                t->flags = nt_cur_be16(&k) & 0x1ff;
                t->win = nt_cur_be16(&k);
            }
            pkt->ntcp++;
            nt_layer_add(c, NT_P_TCP, idx, p, cap);
        }
        return;
    }
    nt_cur k = nt_cur_make(p, cap);
    t->sport = nt_cur_be16(&k);
    t->dport = nt_cur_be16(&k);
    t->seq = nt_cur_be32(&k);
    fixed_rest(&k, t);
    pkt->ntcp++;
    nt_layer *l = nt_layer_add(c, NT_P_TCP, idx, p, cap < t->hlen ? cap : t->hlen);
    if (!l) return;
    if (t->hlen < 20) {
        t->bad_hlen = 1;
        t->payload_len = rep >= t->hlen ? rep - t->hlen : 0;
        nt_malformed(c, "TCP: bogus header length (must be at least 20)");
        l->len = 20;
        return;
    }
    if (t->hlen > rep) {
        t->bad_hlen = 2;
        nt_malformed(c, "TCP: header length larger than the segment");
        c->pkt->flags |= NT_PKT_SHORT;
        return;
    }
    /* the lengths come from the IP header even when the snap length cut
     * the segment; options are read as far as they were captured */
    t->payload_len = rep - t->hlen;
    t->opts = p + 20;
    t->optlen = (uint8_t)((cap < t->hlen ? cap : t->hlen) - 20);
    t->opts_cut = cap < t->hlen;
    tcp_options(c, t, t->opts_cut);
    if (!nt_need(c, t->hlen, cap, rep, "TCP options cut short")) return;
    t->payload = p + t->hlen;
    t->payload_cap = cap - t->hlen;
    /* the payload is "data" until an application protocol claims it */
    if (t->payload_len && t->payload_cap) nt_dissect_data(c, t->payload, t->payload_cap, t->payload_len);
}
