/* Unit tests for proto/ and the session: hand-built packets decode to the
 * expected fields, and every prefix of every test capture's frames (as a
 * snap length would cut them) and every one-byte corruption of a header
 * decodes without reading past the captured bytes (the ASan build checks
 * the "without"), marked short or malformed instead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "nettracer/columns.h"
#include "nettracer/detail.h"
#include "nettracer/session.h"
#include "nettracer/trace.h"

static void info_of(const uint8_t *d, uint32_t caplen, uint32_t len, uint32_t lt, char *out, size_t n)
{
    nt_frame f = {.number = 1, .caplen = caplen, .len = len, .data = d, .linktype = lt};
    nt_packet pkt;
    nt_dissect(&f, &pkt);
    nt_buf b;
    nt_buf_init(&b);
    nt_col_protocol(&pkt, &b);
    nt_buf_putc(&b, '|');
    nt_col_info(&pkt, &b);
    snprintf(out, n, "%s", b.p);
    nt_buf_free(&b);
}

/* Ethernet + IPv4 + TCP SYN with MSS, SACK_PERM, timestamps, NOP, WS */
static const uint8_t syn[] = {
    0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
    0x45, 0, 0, 60, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    0xc2, 0x1d, 0x01, 0xbb, 0, 0, 0, 100, 0, 0, 0, 0, 0xa0, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
    2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
};

static void tcp_syn_fields(void **st)
{
    (void)st;
    nt_frame f = {.number = 1, .caplen = sizeof syn, .len = sizeof syn, .data = syn, .linktype = NT_LINK_ETHERNET};
    nt_packet pkt;
    nt_dissect(&f, &pkt);
    assert_int_equal(pkt.flags, 0);
    assert_int_equal(pkt.ntcp, 1);
    assert_int_equal(pkt.tcp[0].sport, 49693);
    assert_int_equal(pkt.tcp[0].dport, 443);
    assert_true(pkt.tcp[0].has_mss && pkt.tcp[0].mss == 1460);
    assert_true(pkt.tcp[0].sack_perm);
    assert_true(pkt.tcp[0].has_ts && pkt.tcp[0].tsval == 1);
    assert_true(pkt.tcp[0].has_ws && pkt.tcp[0].ws == 7);
    char s[256];
    info_of(syn, sizeof syn, sizeof syn, NT_LINK_ETHERNET, s, sizeof s);
    assert_string_equal(s, "TCP|49693 \xe2\x86\x92 443 [SYN] Seq=100 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=1 TSecr=0 WS=128");
}

static void truncated_and_malformed(void **st)
{
    (void)st;
    char s[256];
    /* cut by the snap length inside the options: truncated, not malformed */
    info_of(syn, 60, sizeof syn, NT_LINK_ETHERNET, s, sizeof s);
    assert_string_equal(s, "TCP|49693 \xe2\x86\x92 443 [SYN] Seq=100 Win=64240 Len=0 MSS=1460 SACK_PERM[Packet size limited during capture]");
    /* the packet itself is short: malformed (expected texts are tshark 4.0's) */
    info_of(syn, 40, 40, NT_LINK_ETHERNET, s, sizeof s);
    assert_string_equal(s, "TCP|49693 \xe2\x86\x92 443[Malformed Packet]");
    info_of(syn, 50, 50, NT_LINK_ETHERNET, s, sizeof s);
    assert_string_equal(s, "TCP|49693 \xe2\x86\x92 443 [SYN] Seq=100 Win=64240[Malformed Packet]");
    info_of(syn, 36, 36, NT_LINK_ETHERNET, s, sizeof s);
    assert_string_equal(s, "IPv4|[Malformed Packet]");
    info_of(syn, 10, 10, NT_LINK_ETHERNET, s, sizeof s);
    assert_string_equal(s, "Ethernet|[Malformed Packet]");
    /* an option whose length runs past the header */
    uint8_t bad[sizeof syn];
    memcpy(bad, syn, sizeof bad);
    bad[55] = 40; /* MSS option length */
    nt_frame f = {.number = 1, .caplen = sizeof bad, .len = sizeof bad, .data = bad, .linktype = NT_LINK_ETHERNET};
    nt_packet pkt;
    nt_dissect(&f, &pkt);
    assert_true(pkt.flags & NT_PKT_MALFORMED);
    assert_false(pkt.tcp[0].has_mss);
    /* option length zero must not loop */
    bad[55] = 0;
    nt_dissect(&f, &pkt);
    assert_true(pkt.flags & NT_PKT_MALFORMED);
}

static void ipv4_fragments_reassemble(void **st)
{
    (void)st;
    /* ICMP echo request of 24 bytes split into 16 + 8 */
    uint8_t f1[14 + 20 + 16], f2[14 + 20 + 8];
    const uint8_t eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
    const uint8_t ip1[20] = {0x45, 0, 0, 36, 0xab, 0xcd, 0x20, 0x00, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
    const uint8_t ip2[20] = {0x45, 0, 0, 28, 0xab, 0xcd, 0x00, 0x02, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
    const uint8_t icmp[24] = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
                              'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p'};
    memcpy(f1, eth, 14), memcpy(f1 + 14, ip1, 20), memcpy(f1 + 34, icmp, 16);
    memcpy(f2, eth, 14), memcpy(f2 + 14, ip2, 20), memcpy(f2 + 34, icmp + 16, 8);
    nt_session *s = nt_session_new();
    nt_frame a = {.number = 1, .caplen = sizeof f1, .len = sizeof f1, .data = f1, .linktype = NT_LINK_ETHERNET};
    nt_frame b = {.number = 2, .caplen = sizeof f2, .len = sizeof f2, .data = f2, .linktype = NT_LINK_ETHERNET};
    nt_packet pkt;
    nt_session_dissect(s, &a, &pkt);
    assert_true(pkt.flags & NT_PKT_FRAGMENT);
    nt_buf buf;
    nt_buf_init(&buf);
    nt_col_info(&pkt, &buf);
    assert_string_equal(buf.p, "Fragmented IP protocol (proto=ICMP 1, off=0, ID=abcd)");
    nt_session_dissect(s, &b, &pkt);
    assert_false(pkt.flags & NT_PKT_FRAGMENT);
    assert_true(pkt.ana.reassembled);
    assert_int_equal(pkt.ana.reasm_frames, 2);
    assert_int_equal(pkt.nicmp, 1);
    assert_int_equal(pkt.icmp[0].id, 0x1234);
    assert_int_equal(pkt.icmp[0].data_len, 16);
    nt_buf_free(&buf);
    nt_session_free(s);
}

/* Every prefix of every frame, and byte flips in the headers. */
static void every_prefix_of_every_capture(void **st)
{
    (void)st;
    DIR *d = opendir(NT_TEST_CAPTURES);
    assert_non_null(d);
    struct dirent *de;
    unsigned files = 0;
    uint64_t runs = 0;
    uint8_t *copy = malloc(70000);
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (!(n > 5 && (!strcmp(de->d_name + n - 5, ".pcap") || (n > 7 && !strcmp(de->d_name + n - 7, ".pcapng")))))
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", NT_TEST_CAPTURES, de->d_name);
        nt_error err;
        nt_trace *t = nt_trace_open(path, &err);
        if (!t) continue;
        files++;
        nt_session *s = nt_session_new();
        nt_frame f;
        nt_packet pkt;
        nt_buf b;
        nt_buf_init(&b);
        while (nt_trace_next(t, &f, &err) == 1) {
            if (f.caplen > 70000) continue;
            for (uint32_t cut = 0; cut <= f.caplen && cut <= 128; cut++) {
                /* a heap copy of exactly `cut` bytes: ASan sees any overread */
                uint8_t *p = malloc(cut ? cut : 1);
                memcpy(p, f.data, cut);
                nt_frame g = f;
                g.data = p;
                g.caplen = cut;
                nt_session_dissect(s, &g, &pkt);
                nt_buf_reset(&b);
                nt_col_info(&pkt, &b);
                nt_col_protocol(&pkt, &b);
                nt_col_src(&pkt, &b);
                nt_col_dst(&pkt, &b);
                nt_detail_opts o = {0};
                nt_buf_reset(&b);
                nt_detail_json(&pkt, &o, &b);
                free(p);
                runs++;
            }
            memcpy(copy, f.data, f.caplen);
            for (uint32_t i = 0; i < f.caplen && i < 80; i++) {
                for (int v = 0; v < 3; v++) {
                    uint8_t old = copy[i];
                    copy[i] = v == 0 ? 0x00 : v == 1 ? 0xff : (uint8_t)(old ^ 0x0f);
                    nt_frame g = f;
                    g.data = copy;
                    nt_session_dissect(s, &g, &pkt);
                    nt_buf_reset(&b);
                    nt_col_info(&pkt, &b);
                    nt_detail_opts o = {0};
                    nt_detail_json(&pkt, &o, &b);
                    copy[i] = old;
                    runs++;
                }
            }
        }
        nt_buf_free(&b);
        nt_session_free(s);
        nt_trace_close(t);
    }
    closedir(d);
    free(copy);
    assert_true(files >= 20);
    assert_true(runs > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tcp_syn_fields),
        cmocka_unit_test(truncated_and_malformed),
        cmocka_unit_test(ipv4_fragments_reassemble),
        cmocka_unit_test(every_prefix_of_every_capture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
