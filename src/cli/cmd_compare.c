/* cmd_compare.c - `nettracer compare A B`: two captures taken at the same
 * time at two points of a path, matched packet by packet (analyze/compare.c).
 * This file parses the options and renders the result: a header (files,
 * both time spans, clock offset, NAT mappings), the problems worst first
 * (events grouped by kind, direction, hosts, service port and flags, with
 * frames in both files and the next step), the per-direction table and the
 * flows; or JSON Lines (docs/json.md). */
#include "cli.h"
#include "traceopts.h"

#include "nettracer/compare.h"

#include <stdlib.h>
#include <string.h>

const char nt_compare_help[] =
    "usage: nettracer compare [OPTIONS] A B\n"
    "\n"
    "Match two captures taken at the same time at two points of one path (A near\n"
    "the client, B near the server, or either side of a firewall, NAT or load\n"
    "balancer) packet by packet, and say what happened between the points: packets\n"
    "lost (sent past one point, never seen at the other), injected (seen at the\n"
    "receiving point, never sent at the other: a firewall's reset, a router's ICMP\n"
    "error), modified (MSS clamped, window, DSCP, TCP options, payload; not TTL or\n"
    "checksums), duplicated, reordered, delayed far beyond the flow's usual delay,\n"
    "or re-segmented (offload: the same bytes in other segment sizes, not lost).\n"
    "Matching survives NAT and port rewriting (the mappings are learned and\n"
    "shown), TCP sequence rewriting, pcap against pcapng, different link types and\n"
    "snap lengths. B's clock offset is estimated from the smallest one-way delay\n"
    "each way. Flows whose hosts never appear in the other file are listed as not\n"
    "on the common path, not as lost. docs/compare.md explains the matching.\n"
    "\n"
    "Options:\n"
    "  --offset MS    B's clock minus A's, in milliseconds (skips the estimate)\n"
    "  -Y FILTER      only A's packets that match the display filter (and B's\n"
    "                 packets that match it and have no twin in A)\n"
    "  --range A-B    only A's frames A to B (and B's packets of that time)\n"
    "  --json         JSON Lines: one record per event, one clock record, NAT\n"
    "                 mappings, one summary per direction (docs/json.md)\n"
    "\n"
    "Exit status: 0 nothing lost, injected or modified; 1 something was; 2 bad\n"
    "input, traces that do not overlap in time or share no flow.\n";

/* the common trace options compare reads, and its own */
typedef struct cmp_args {
    nt_trace_args t;
    nt_cmp_opts o;
} cmp_args;

static int set_offset(const nt_opt *opt, void *target, const char *cmd, const char *arg)
{
    (void)opt;
    cmp_args *a = target;
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v > -1e12 && v < 1e12))
        return nt_usage_error(cmd, "--offset needs B's clock minus A's in milliseconds (e.g. -3600000 or 12.5), not '%s'",
                              arg);
    a->o.have_offset = true;
    a->o.offset_ns = (int64_t)(v * 1e6 + (v < 0 ? -0.5 : 0.5));
    return 0;
}

/* common options that make no sense for two files read twice each */
static int not_here(const nt_opt *opt, void *target, const char *cmd, const char *arg)
{
    (void)target, (void)arg;
    if (opt->name) return nt_usage_error(cmd, "--%s is not supported by compare (use --range or -Y)", opt->name);
    return nt_usage_error(cmd, "-%c is not supported by compare: give the two traces as A B", opt->shrt);
}

static const nt_opt compare_opts[] = {
    {"offset", 0, "MS", NULL, set_offset, NULL},
    {"between-markers", 0, "S,E", NULL, not_here, NULL},
    {"rtp-heuristic", 0, NULL, NULL, not_here, NULL},
    {NULL, 'r', "FILE", NULL, not_here, NULL},
    {NULL, 'c', "N", NULL, not_here, NULL},
};

static void addr(nt_buf *b, uint8_t fam, const uint8_t *a)
{
    if (fam == 4) nt_buf_ipv4(b, a);
    else nt_buf_ipv6(b, a);
}

static const char *proto_name(uint8_t p)
{
    const char *n = nt_ipproto_name(p);
    return n ? n : "IP";
}

static bool has_ports(const nt_cmp_tuple *t) { return t->proto == 6 || t->proto == 17 || t->proto == 132; }

static void endpoint(nt_buf *b, const nt_cmp_tuple *t, bool src)
{
    bool br = t->family == 6 && has_ports(t);
    if (br) nt_buf_putc(b, '[');
    addr(b, t->family, src ? t->src : t->dst);
    if (br) nt_buf_putc(b, ']');
    if (has_ports(t)) nt_buf_printf(b, ":%u", src ? t->sport : t->dport);
}

static void tuple_text(nt_buf *b, const nt_cmp_tuple *t)
{
    nt_buf_printf(b, "%s ", proto_name(t->proto));
    endpoint(b, t, true);
    nt_buf_puts(b, " -> ");
    endpoint(b, t, false);
}

static void tcp_flags_text(nt_buf *b, uint16_t f)
{
    static const struct { uint16_t bit; const char *name; } fl[] = {
        {NT_TCP_SYN, "SYN"}, {NT_TCP_FIN, "FIN"}, {NT_TCP_RST, "RST"}, {NT_TCP_PSH, "PSH"},
        {NT_TCP_ACK, "ACK"}, {NT_TCP_URG, "URG"}, {NT_TCP_ECE, "ECE"}, {NT_TCP_CWR, "CWR"}};
    bool any = false;
    for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++)
        if (f & fl[i].bit) nt_buf_printf(b, "%s%s", any ? "," : "", fl[i].name), any = true;
    if (!any) nt_buf_puts(b, "none");
}

/* what the packet was, in a few words: "SYN", "RST, ACK", "1448 bytes", "ICMP 3/3" */
static void what(nt_buf *b, const nt_cmp_event *e)
{
    if (e->flow.proto == 6) {
        tcp_flags_text(b, e->tcp_flags);
        if (e->len) nt_buf_printf(b, " %u bytes", e->len);
    } else if (e->flow.proto == 1 || e->flow.proto == 58) {
        nt_buf_printf(b, "ICMP type %u code %u", e->icmp_type, e->icmp_code);
    } else {
        nt_buf_printf(b, "%u bytes", e->len);
    }
}

static double ms(int64_t ns) { return (double)ns / 1e6; }

static const char *dir_name(int d) { return d == NT_CMP_A_TO_B ? "a-to-b" : "b-to-a"; }

/* "A#12 -> B#10", sender first; "A#3 -> (not in B)" */
static void frames_text(nt_buf *b, const nt_cmp_event *e)
{
    char fa[64], fb[64];
    if (e->frame_a && e->frame_a_last && e->frame_a_last != e->frame_a)
        snprintf(fa, sizeof fa, "A#%llu-%llu", (unsigned long long)e->frame_a, (unsigned long long)e->frame_a_last);
    else if (e->frame_a) snprintf(fa, sizeof fa, "A#%llu", (unsigned long long)e->frame_a);
    else snprintf(fa, sizeof fa, "(not in A)");
    if (e->frame_b && e->frame_b_last && e->frame_b_last != e->frame_b)
        snprintf(fb, sizeof fb, "B#%llu-%llu", (unsigned long long)e->frame_b, (unsigned long long)e->frame_b_last);
    else if (e->frame_b) snprintf(fb, sizeof fb, "B#%llu", (unsigned long long)e->frame_b);
    else snprintf(fb, sizeof fb, "(not in B)");
    if (e->dir == NT_CMP_A_TO_B) nt_buf_printf(b, "%s -> %s", fa, fb);
    else nt_buf_printf(b, "%s -> %s", fb, fa);
}

static const struct { uint32_t bit; const char *name; } changed_names[] = {
    {NT_CMPF_DSCP, "dscp"}, {NT_CMPF_ECN, "ecn"}, {NT_CMPF_DF, "df"}, {NT_CMPF_IPID, "ip_id"},
    {NT_CMPF_WINDOW, "window"}, {NT_CMPF_MSS, "mss"}, {NT_CMPF_WSCALE, "wscale"}, {NT_CMPF_SACKPERM, "sack_perm"},
    {NT_CMPF_TSOPT, "timestamps"}, {NT_CMPF_OPTLEN, "options_len"}, {NT_CMPF_FLAGS, "tcp_flags"},
    {NT_CMPF_PAYLOAD, "payload"}};
#define NCHANGED (sizeof changed_names / sizeof changed_names[0])

/* the value of one changed field at one point; false: no number (payload) */
static bool field_val(uint32_t bit, const nt_cmp_vals *v, int64_t *out)
{
    switch (bit) {
    case NT_CMPF_DSCP: *out = v->tos >> 2; return true;
    case NT_CMPF_ECN: *out = v->tos & 3; return true;
    case NT_CMPF_DF: *out = v->df; return true;
    case NT_CMPF_IPID: *out = v->ipid; return true;
    case NT_CMPF_WINDOW: *out = v->win; return true;
    case NT_CMPF_MSS: *out = v->mss; return true;
    case NT_CMPF_WSCALE: *out = v->wscale; return true;
    case NT_CMPF_SACKPERM: *out = v->sackperm; return true;
    case NT_CMPF_TSOPT: *out = v->tsopt; return true;
    case NT_CMPF_OPTLEN: *out = v->optlen; return true;
    case NT_CMPF_FLAGS: *out = v->tcp_flags; return true;
    default: return false;
    }
}

/* "mss 1460 -> 1200, window 64240 -> 29200" in the direction of travel */
static void changes_text(nt_buf *b, const nt_cmp_event *e)
{
    const nt_cmp_vals *from = e->dir == NT_CMP_A_TO_B ? &e->a : &e->b, *to = e->dir == NT_CMP_A_TO_B ? &e->b : &e->a;
    bool first = true;
    for (size_t i = 0; i < NCHANGED; i++) {
        if (!(e->changed & changed_names[i].bit)) continue;
        int64_t x, y;
        nt_buf_printf(b, "%s%s", first ? "" : ", ", changed_names[i].name);
        first = false;
        if (field_val(changed_names[i].bit, from, &x) && field_val(changed_names[i].bit, to, &y)) {
            if (changed_names[i].bit == NT_CMPF_MSS && !y) nt_buf_printf(b, " %lld -> (removed)", (long long)x);
            else nt_buf_printf(b, " %lld -> %lld", (long long)x, (long long)y);
        } else {
            nt_buf_puts(b, " rewritten");
        }
    }
}

static const char *point(int dir, bool receiver) { return (dir == NT_CMP_A_TO_B) == receiver ? "B" : "A"; }

/* the sentence after a group of events: what it means, the next step */
static void advice(nt_buf *b, const nt_cmp_event *e, uint64_t n)
{
    const char *snd = point(e->dir, false), *rcv = point(e->dir, true);
    nt_buf tb;
    nt_buf_init(&tb);
    endpoint(&tb, &e->flow, true);
    bool tcp = e->flow.proto == 6;
    switch (e->kind) {
    case NT_CMP_LOST:
        if (tcp && (e->tcp_flags & NT_TCP_SYN) && !(e->tcp_flags & NT_TCP_ACK))
            nt_buf_printf(b, "the connection attempts passed %s and never reached %s: a device between the two points "
                             "drops them (a firewall rule or ACL for port %u); check its rules and logs",
                          snd, rcv, e->flow.dport);
        else
            nt_buf_printf(b, "%s sent past %s never reached %s: look for drops on the devices between the two points "
                             "(interface error counters, queue drops, firewall logs)",
                          n > 1 ? "these packets" : "this packet", snd, rcv);
        break;
    case NT_CMP_INJECTED:
        if (tcp && (e->tcp_flags & NT_TCP_RST) && n > 1)
            nt_buf_printf(b, "these resets were not sent by %s (%s never saw them): a device between the two points "
                             "rejects the connections (a firewall's REJECT rule, an IPS)",
                          tb.p, snd);
        else if (tcp && (e->tcp_flags & NT_TCP_RST))
            nt_buf_printf(b, "the reset in %s#%llu was not sent by %s (%s never saw it): a device between the two "
                             "points rejects the connection (a firewall's REJECT rule, an IPS)",
                          rcv, (unsigned long long)(e->frame_a ? e->frame_a : e->frame_b), tb.p, snd);
        else if (e->flow.proto == 1 || e->flow.proto == 58)
            nt_buf_printf(b, "an ICMP message from %s, a device between the two points: it reports a problem with "
                             "the path (unreachable, TTL exceeded, too big); read its type and code",
                          tb.p);
        else
            nt_buf_printf(b, "seen at %s but never sent at %s: a device between the two points answers in %s's name "
                             "(a proxy, a load balancer, a firewall)",
                          rcv, snd, tb.p);
        break;
    case NT_CMP_MODIFIED:
        if (e->changed & NT_CMPF_MSS)
            nt_buf_puts(b, "a device between the two points clamps the MSS: normal on VPN, PPPoE or tunnel paths; "
                           "if the path's MTU is not smaller, fix its MSS setting");
        else
            nt_buf_puts(b, "a device between the two points rewrites these fields: a stripped TCP option or a "
                           "rewritten payload points to a proxy, IPS or 'protocol fixup'");
        break;
    case NT_CMP_DUPLICATED:
        nt_buf_puts(b, "extra copies appeared between the two points (a loop, a SPAN/mirror set twice, or a "
                       "retransmitting middlebox)");
        break;
    case NT_CMP_REORDERED:
        nt_buf_puts(b, "packets overtook each other between the two points (per-packet load balancing over "
                       "parallel links); TCP may take it for loss");
        break;
    case NT_CMP_DELAYED:
        nt_buf_printf(b, "held %.1f ms beyond the flow's usual %.1f ms: queueing or a busy device between the two "
                         "points",
                      ms(e->delay_ns - e->usual_ns), ms(e->usual_ns));
        break;
    case NT_CMP_RESEGMENTED:
        nt_buf_puts(b, "the same bytes in other segment sizes at the two points (segmentation offload on a "
                       "capturing host, or a middlebox): not a loss");
        break;
    default: break;
    }
    nt_buf_free(&tb);
}

/* Events are grouped by what a reader acts on: the kind, the direction,
 * the hosts, the server port and the TCP flags (or the changed fields);
 * the client port of each connection does not split a group. */
typedef struct ev_group {
    int kind, dir;
    uint8_t family, proto, src[16], dst[16];
    uint16_t dport, flags;
    uint32_t changed;
} ev_group;

static ev_group group_of(const nt_cmp_event *e)
{
    ev_group g;
    memset(&g, 0, sizeof g);
    g.kind = e->kind;
    g.dir = e->dir;
    g.family = e->flow.family;
    g.proto = e->flow.proto;
    memcpy(g.src, e->flow.src, 16);
    memcpy(g.dst, e->flow.dst, 16);
    /* the service's port: the lower one */
    if (has_ports(&e->flow)) g.dport = e->flow.dport < e->flow.sport ? e->flow.dport : e->flow.sport;
    if (e->flow.proto == 6) g.flags = e->tcp_flags & (NT_TCP_SYN | NT_TCP_RST | NT_TCP_ACK | NT_TCP_FIN);
    if (e->kind == NT_CMP_MODIFIED) g.changed = e->changed;
    return g;
}

static int ev_cmp(const void *x, const void *y)
{
    const nt_cmp_event *a = x, *b = y;
    ev_group ga = group_of(a), gb = group_of(b);
    int c = memcmp(&ga, &gb, sizeof ga);
    if (c) return c;
    uint64_t fa = a->frame_a ? a->frame_a : a->frame_b, fb = b->frame_a ? b->frame_a : b->frame_b;
    return fa < fb ? -1 : fa > fb;
}

static bool same_group(const nt_cmp_event *a, const nt_cmp_event *b)
{
    ev_group ga = group_of(a), gb = group_of(b);
    return !memcmp(&ga, &gb, sizeof ga);
}

static void print_events(nt_buf *b, nt_cmp_result *r)
{
    if (!r->nev) {
        nt_buf_puts(b, "Between the two points: nothing lost, injected, modified, duplicated, reordered or delayed.\n");
        return;
    }
    qsort(r->ev, r->nev, sizeof *r->ev, ev_cmp);
    nt_buf_puts(b, "Between the two points, worst first:\n");
    for (size_t i = 0; i < r->nev;) {
        size_t j = i;
        while (j < r->nev && same_group(&r->ev[i], &r->ev[j])) j++;
        const nt_cmp_event *e = &r->ev[i];
        uint64_t n = j - i;
        nt_buf_printf(b, "  %-11s %s  ", nt_cmp_kind_name(e->kind), dir_name(e->dir));
        if (n > 1) nt_buf_printf(b, "%llu x ", (unsigned long long)n);
        what(b, e);
        nt_buf_puts(b, "  ");
        nt_cmp_tuple t = e->flow;
        bool ports_vary = false;
        for (size_t k = i + 1; k < j; k++)
            ports_vary |= r->ev[k].flow.sport != t.sport || r->ev[k].flow.dport != t.dport;
        tuple_text(b, &t);
        if (ports_vary) nt_buf_puts(b, " (several client ports)");
        nt_buf_puts(b, "\n      ");
        for (size_t k = i; k < j && k < i + 4; k++) {
            if (k > i) nt_buf_puts(b, ", ");
            frames_text(b, &r->ev[k]);
        }
        if (n > 4) nt_buf_printf(b, ", ... (%llu more)", (unsigned long long)(n - 4));
        if (e->kind == NT_CMP_MODIFIED) {
            nt_buf_puts(b, ": ");
            changes_text(b, e);
        }
        nt_buf_puts(b, "\n      ");
        advice(b, e, n);
        nt_buf_puts(b, "\n");
        i = j;
    }
    if (r->ev_dropped) nt_buf_printf(b, "  (%zu more events not kept)\n", r->ev_dropped);
}

static void print_header(nt_buf *b, const char *pa, const char *pb, const nt_cmp_result *r)
{
    nt_buf_printf(b, "A: %s (%llu frames)\nB: %s (%llu frames)\n", pa, (unsigned long long)r->frames_a, pb,
                  (unsigned long long)r->frames_b);
    /* each file's span by its packets, B's in A's clock */
    nt_buf_puts(b, "Time: A ");
    nt_time t0 = {r->a_first / 1000000000, (uint32_t)(r->a_first % 1000000000)};
    nt_buf_datetime(b, t0, 6, false);
    nt_buf_printf(b, " + %.3f s; B from %+.3f s for %.3f s (A's clock)\n", (double)(r->a_last - r->a_first) / 1e9,
                  (double)(r->b_first - r->offset_ns - r->a_first) / 1e9, (double)(r->b_last - r->b_first) / 1e9);
    nt_buf_printf(b, "B's clock: %+.3f ms from A's", ms(r->offset_ns));
    if (r->offset_given) nt_buf_puts(b, " (given with --offset)\n");
    else if (r->one_way_only)
        nt_buf_printf(b, " (from %llu packets one way only: includes the one-way delay, quality poor)\n",
                      (unsigned long long)(r->offset_samples[0] + r->offset_samples[1]));
    else
        nt_buf_printf(b, " +/- %.3f ms (from %llu A->B and %llu B->A packets; exact if the path is symmetric)\n",
                      ms(r->offset_err_ns), (unsigned long long)r->offset_samples[0],
                      (unsigned long long)r->offset_samples[1]);
    if (r->has_drift) nt_buf_printf(b, "B's clock drift: %+.1f ppm\n", r->drift_ppm);
    for (size_t i = 0; i < r->nnat && i < 20; i++) {
        const nt_cmp_nat *m = &r->nat[i];
        nt_buf_puts(b, i ? "     " : "NAT: ");
        nt_buf_puts(b, "A ");
        tuple_text(b, &m->a);
        nt_buf_puts(b, "  is  B ");
        tuple_text(b, &m->b);
        nt_buf_printf(b, "  (A#%llu, B#%llu)", (unsigned long long)m->frame_a, (unsigned long long)m->frame_b);
        if (m->seq_shift) nt_buf_printf(b, ", TCP sequence numbers shifted by %u", m->shift[0]);
        nt_buf_putc(b, '\n');
    }
    if (r->nnat > 20) nt_buf_printf(b, "     (%zu more mappings)\n", r->nnat - 20);
    if (r->warning[0]) nt_buf_printf(b, "Warning: %s\n", r->warning);
    nt_buf_putc(b, '\n');
}

static void print_table(nt_buf *b, const nt_cmp_result *r)
{
    nt_buf_puts(b, "\nPer direction     sent  received  matched  lost  injected  modified  reordered  dup  reseg"
                   "   one-way delay ms min / median / p99 / max\n");
    for (int d = 0; d < 2; d++) {
        const nt_cmp_dirstats *s = &r->dir[d];
        nt_buf_printf(b, "  %-8s %9llu %9llu %8llu %5llu %9llu %9llu %10llu %4llu %6llu", d == 0 ? "A -> B" : "B -> A",
                      (unsigned long long)s->sent, (unsigned long long)s->received, (unsigned long long)s->matched,
                      (unsigned long long)s->lost, (unsigned long long)s->injected, (unsigned long long)s->modified,
                      (unsigned long long)s->reordered, (unsigned long long)s->duplicated,
                      (unsigned long long)s->resegmented);
        if (s->delay_samples)
            nt_buf_printf(b, "   %.3f / %.3f / %.3f / %.3f\n", ms(s->delay_min), ms(s->delay_median), ms(s->delay_p99),
                          ms(s->delay_max));
        else nt_buf_puts(b, "   -\n");
    }
    size_t shown = 0;
    for (size_t i = 0; i < r->nflows && shown < 10; i++) {
        const nt_cmp_flow *f = &r->flows[i];
        if (!shown++) nt_buf_puts(b, "\nFlows, worst first       matched  lost  injected  modified  reordered\n");
        nt_buf_printf(b, "  %-22s %9llu %5llu %9llu %9llu %10llu  %s", f->in_a ? "" : "(only in B)",
                      (unsigned long long)f->matched, (unsigned long long)f->lost, (unsigned long long)f->injected,
                      (unsigned long long)f->modified, (unsigned long long)f->reordered, "");
        tuple_text(b, &f->a);
        nt_buf_putc(b, '\n');
    }
    if (r->nflows > 10) nt_buf_printf(b, "  (%zu more flows)\n", r->nflows - 10);
    if (r->outside_packets)
        nt_buf_printf(b, "\n%llu unmatched packets fall outside the common time span (one capture was not "
                         "running): no verdict on them\n",
                      (unsigned long long)r->outside_packets);
    if (r->noff) {
        nt_buf_printf(b, "\nNot on the common path (their hosts never appear in the other file): %zu flows, %llu packets\n",
                      r->noff, (unsigned long long)r->offpath_packets);
        for (size_t i = 0; i < r->noff && i < 5; i++) {
            nt_buf_printf(b, "  %s#%llu  ", r->off[i].side ? "B" : "A", (unsigned long long)r->off[i].first_frame);
            tuple_text(b, &r->off[i].flow);
            nt_buf_printf(b, "  (%llu packets)\n", (unsigned long long)r->off[i].packets);
        }
        if (r->noff > 5) nt_buf_printf(b, "  (%zu more)\n", r->noff - 5);
    }
}

/* ---- JSON Lines ---------------------------------------------------------- */

static void json_ms(nt_json *j, const char *key, int64_t ns)
{
    char t[48];
    snprintf(t, sizeof t, "%.3f", ms(ns));
    nt_json_raw(j, key, t);
}

static void json_tuple(nt_json *j, const char *key, const nt_cmp_tuple *t)
{
    nt_buf tb;
    nt_buf_init(&tb);
    nt_json_obj_open(j, key);
    nt_json_str(j, "proto", proto_name(t->proto));
    addr(&tb, t->family, t->src);
    nt_json_str(j, "src", tb.p);
    if (has_ports(t)) nt_json_u64(j, "sport", t->sport);
    nt_buf_reset(&tb);
    addr(&tb, t->family, t->dst);
    nt_json_str(j, "dst", tb.p);
    if (has_ports(t)) nt_json_u64(j, "dport", t->dport);
    nt_json_obj_close(j);
    nt_buf_free(&tb);
}

static void json_event(nt_buf *b, const nt_cmp_event *e)
{
    nt_json j;
    nt_json_begin(&j, b);
    nt_json_obj_open(&j, NULL);
    nt_json_str(&j, "type", nt_cmp_kind_name(e->kind));
    nt_json_str(&j, "direction", dir_name(e->dir));
    if (e->frame_a) nt_json_u64(&j, "frame_a", e->frame_a);
    if (e->frame_a_last && e->frame_a_last != e->frame_a) nt_json_u64(&j, "frame_a_last", e->frame_a_last);
    if (e->frame_b) nt_json_u64(&j, "frame_b", e->frame_b);
    if (e->frame_b_last && e->frame_b_last != e->frame_b) nt_json_u64(&j, "frame_b_last", e->frame_b_last);
    json_tuple(&j, "flow", &e->flow);
    if (e->flow.proto == 6) {
        nt_buf tb;
        nt_buf_init(&tb);
        tcp_flags_text(&tb, e->tcp_flags);
        nt_json_str(&j, "tcp_flags", tb.p);
        nt_buf_free(&tb);
        nt_json_u64(&j, "rel_seq", e->rel_seq);
    } else if (e->flow.proto == 1 || e->flow.proto == 58) {
        nt_json_u64(&j, "icmp_type", e->icmp_type);
        nt_json_u64(&j, "icmp_code", e->icmp_code);
    }
    nt_json_u64(&j, "len", e->len);
    if (e->kind == NT_CMP_MODIFIED) {
        nt_json_obj_open(&j, "changed");
        for (size_t i = 0; i < NCHANGED; i++) {
            if (!(e->changed & changed_names[i].bit)) continue;
            int64_t x, y;
            nt_json_obj_open(&j, changed_names[i].name);
            if (field_val(changed_names[i].bit, &e->a, &x) && field_val(changed_names[i].bit, &e->b, &y)) {
                nt_json_i64(&j, "a", x);
                nt_json_i64(&j, "b", y);
            }
            nt_json_obj_close(&j);
        }
        nt_json_obj_close(&j);
    }
    if (e->kind == NT_CMP_MODIFIED || e->kind == NT_CMP_REORDERED || e->kind == NT_CMP_DELAYED)
        json_ms(&j, "delay_ms", e->delay_ns);
    if (e->kind == NT_CMP_DELAYED) json_ms(&j, "usual_ms", e->usual_ns);
    nt_json_obj_close(&j);
    nt_buf_putc(b, '\n');
}

static void print_json(nt_buf *b, const nt_cmp_result *r)
{
    nt_json j;
    nt_json_begin(&j, b);
    nt_json_obj_open(&j, NULL);
    nt_json_str(&j, "type", "clock");
    json_ms(&j, "offset_ms", r->offset_ns);
    nt_json_bool(&j, "given", r->offset_given);
    if (!r->offset_given && !r->one_way_only) json_ms(&j, "error_ms", r->offset_err_ns);
    else nt_json_raw(&j, "error_ms", "null");
    nt_json_u64(&j, "samples_a_to_b", r->offset_samples[0]);
    nt_json_u64(&j, "samples_b_to_a", r->offset_samples[1]);
    nt_json_bool(&j, "one_way_only", r->one_way_only);
    if (r->has_drift) {
        char t[48];
        snprintf(t, sizeof t, "%.3f", r->drift_ppm);
        nt_json_raw(&j, "drift_ppm", t);
    }
    nt_json_obj_close(&j);
    nt_buf_putc(b, '\n');
    for (size_t i = 0; i < r->nnat; i++) {
        nt_json_begin(&j, b);
        nt_json_obj_open(&j, NULL);
        nt_json_str(&j, "type", "nat");
        json_tuple(&j, "a", &r->nat[i].a);
        json_tuple(&j, "b", &r->nat[i].b);
        nt_json_u64(&j, "frame_a", r->nat[i].frame_a);
        nt_json_u64(&j, "frame_b", r->nat[i].frame_b);
        if (r->nat[i].seq_shift) nt_json_u64(&j, "seq_shift", r->nat[i].shift[0]);
        nt_json_obj_close(&j);
        nt_buf_putc(b, '\n');
    }
    for (size_t i = 0; i < r->nev; i++) json_event(b, &r->ev[i]);
    for (size_t i = 0; i < r->nflows; i++) {
        const nt_cmp_flow *f = &r->flows[i];
        nt_json_begin(&j, b);
        nt_json_obj_open(&j, NULL);
        nt_json_str(&j, "type", "flow");
        json_tuple(&j, "flow", &f->a);
        nt_json_str(&j, "seen_in", f->in_a && f->in_b ? "both" : f->in_a ? "a" : "b");
        nt_json_u64(&j, "matched", f->matched);
        nt_json_u64(&j, "lost", f->lost);
        nt_json_u64(&j, "injected", f->injected);
        nt_json_u64(&j, "modified", f->modified);
        nt_json_u64(&j, "reordered", f->reordered);
        nt_json_obj_close(&j);
        nt_buf_putc(b, '\n');
    }
    for (int d = 0; d < 2; d++) {
        const nt_cmp_dirstats *s = &r->dir[d];
        nt_json_begin(&j, b);
        nt_json_obj_open(&j, NULL);
        nt_json_str(&j, "type", "summary");
        nt_json_str(&j, "direction", dir_name(d));
        nt_json_u64(&j, "sent", s->sent);
        nt_json_u64(&j, "received", s->received);
        nt_json_u64(&j, "matched", s->matched);
        nt_json_u64(&j, "lost", s->lost);
        nt_json_u64(&j, "injected", s->injected);
        nt_json_u64(&j, "modified", s->modified);
        nt_json_u64(&j, "reordered", s->reordered);
        nt_json_obj_open(&j, "delay_ms");
        if (s->delay_samples) {
            json_ms(&j, "min", s->delay_min);
            json_ms(&j, "median", s->delay_median);
            json_ms(&j, "p99", s->delay_p99);
            json_ms(&j, "max", s->delay_max);
        } else {
            nt_json_raw(&j, "min", "null");
            nt_json_raw(&j, "median", "null");
            nt_json_raw(&j, "p99", "null");
            nt_json_raw(&j, "max", "null");
        }
        nt_json_obj_close(&j);
        nt_json_obj_close(&j);
        nt_buf_putc(b, '\n');
    }
}

int cmd_compare(int argc, char **argv)
{
    cmp_args ca;
    nt_trace_args_init(&ca.t);
    nt_cmp_opts_init(&ca.o);
    int optind;
    int u = nt_trace_parse("compare", argc, argv, &ca.t, compare_opts, NT_NOPTS(compare_opts), &ca, &optind);
    if (u) return u;
    nt_cmp_opts o = ca.o;
    if (argc - optind != 2)
        return nt_usage_error("compare", "needs two traces, A and B (usage: nettracer compare [OPTIONS] A B)");
    const char *pa = argv[optind], *pb = argv[optind + 1];
    if (!strcmp(pa, "-") || !strcmp(pb, "-"))
        return nt_usage_error("compare", "compare reads each file twice: give files, not standard input");
    o.filter = ca.t.p.filter;
    o.first = ca.t.p.first;
    o.last = ca.t.p.last;
    nt_cmp_result r;
    nt_error err = {0};
    int rc = nt_cmp_run(pa, pb, &o, &r, &err);
    if (rc != NT_CMP_OK) {
        fprintf(stderr, "nettracer compare: %s\n", err.msg);
        nt_cmp_result_free(&r);
        return NT_EXIT_USAGE;
    }
    nt_buf b;
    nt_buf_init(&b);
    if (ca.t.json) {
        print_json(&b, &r);
    } else {
        print_header(&b, pa, pb, &r);
        print_events(&b, &r);
        print_table(&b, &r);
    }
    bool ok = nt_buf_flush(&b, stdout);
    nt_buf_free(&b);
    rc = nt_cmp_problem(&r) ? NT_EXIT_PROBLEM : NT_EXIT_OK;
    nt_cmp_result_free(&r);
    return ok ? rc : NT_EXIT_USAGE;
}
