#!/usr/bin/env python3
"""craft.py OUTDIR -- write the project's crafted edge-case captures.

Python 3 standard library only.  Every packet is built here by hand with
correct IPv4 header, TCP, UDP, ICMP and ICMPv6 checksums (unless a file is
about broken packets), and every timestamp is fixed, so the output is the
same byte for byte on every run.  See README.md for what each file holds.
"""
import os
import struct
import sys

# ---------------------------------------------------------------- packets

T0 = 1704103200  # 2024-01-01 10:00:00 UTC

MAC_A = bytes.fromhex('029900320001')
MAC_B = bytes.fromhex('029900320002')
IP_A = bytes([10, 99, 50, 1])
IP_B = bytes([10, 99, 50, 2])
IP6_A = bytes.fromhex('fd000099005000000000000000000001')
IP6_B = bytes.fromhex('fd000099005000000000000000000002')

ETH_IPV4, ETH_ARP, ETH_IPV6, ETH_VLAN = 0x0800, 0x0806, 0x86dd, 0x8100


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def eth(payload, etype, src=MAC_A, dst=MAC_B):
    return dst + src + struct.pack('!H', etype) + payload


def ipv4(proto, payload, src=IP_A, dst=IP_B, ttl=64, ident=0x1234, flags_frag=0x4000,
         options=b'', total_len=None, ihl=None, tos=0, fix_csum=True):
    if ihl is None:
        ihl = 5 + len(options) // 4
    if total_len is None:
        total_len = 20 + len(options) + len(payload)
    hdr = struct.pack('!BBHHHBBH4s4s', 0x40 | (ihl & 0xf), tos, total_len, ident,
                      flags_frag, ttl, proto, 0, src, dst) + options
    if fix_csum:
        c = csum(hdr)
        hdr = hdr[:10] + struct.pack('!H', c) + hdr[12:]
    return hdr + payload


def ipv6(nxt, payload, src=IP6_A, dst=IP6_B, hlim=64, plen=None):
    if plen is None:
        plen = len(payload)
    return struct.pack('!IHBB', 0x60000000, plen, nxt, hlim) + src + dst + payload


def pseudo(src, dst, proto, length):
    if len(src) == 4:
        return src + dst + struct.pack('!BBH', 0, proto, length)
    return src + dst + struct.pack('!IxxxB', length, proto)


def tcp(sport, dport, seq, ack, flags, payload=b'', src=IP_A, dst=IP_B, win=64240,
        options=b'', doff=None):
    if doff is None:
        doff = 5 + len(options) // 4
    hdr = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, (doff & 0xf) << 4, flags,
                      win, 0, 0) + options
    seg = hdr + payload
    c = csum(pseudo(src, dst, 6, len(seg)) + seg)
    return seg[:16] + struct.pack('!H', c) + seg[18:]


def udp(sport, dport, payload, src=IP_A, dst=IP_B, length=None):
    if length is None:
        length = 8 + len(payload)
    seg = struct.pack('!HHHH', sport, dport, length, 0) + payload
    c = csum(pseudo(src, dst, 17, len(seg)) + seg) or 0xffff
    return seg[:6] + struct.pack('!H', c) + seg[8:]


def icmp(typ, code, rest, payload):
    msg = struct.pack('!BBH', typ, code, 0) + rest + payload
    return msg[:2] + struct.pack('!H', csum(msg)) + msg[4:]


def icmp6(typ, code, body, src=IP6_A, dst=IP6_B):
    msg = struct.pack('!BBH', typ, code, 0) + body
    c = csum(pseudo(src, dst, 58, len(msg)) + msg)
    return msg[:2] + struct.pack('!H', c) + msg[4:]


def arp(op, sha, spa, tha, tpa, htype=1, ptype=0x0800, hlen=6, plen=4):
    return struct.pack('!HHBBH', htype, ptype, hlen, plen, op) + sha + spa + tha + tpa


F_FIN, F_SYN, F_RST, F_PSH, F_ACK = 0x01, 0x02, 0x04, 0x08, 0x10
SYN_OPTS = (bytes.fromhex('020405b4') + bytes.fromhex('0402') +            # MSS 1460, SACK_PERM
            bytes.fromhex('080a') + struct.pack('!II', 1000, 0) +         # timestamps
            bytes.fromhex('01030307'))                                      # NOP, WS 7
PING_DATA = bytes(range(0x10, 0x40))
HTTP_REQ = b'GET / HTTP/1.1\r\nHost: 10.99.50.2\r\nUser-Agent: craft\r\nAccept: */*\r\n\r\n'
HTTP_RSP = (b'HTTP/1.1 200 OK\r\nServer: craft\r\nContent-Type: text/plain\r\n'
            b'Content-Length: 22\r\n\r\nnettracer crafted page')


def l3_packets():
    """A short, consistent conversation as (ethertype, L3 packet) pairs:
    ping, a TCP/HTTP exchange, UDP both ways, then the same over IPv6."""
    p = []
    A, B = IP_A, IP_B
    p.append((ETH_IPV4, ipv4(1, icmp(8, 0, struct.pack('!HH', 0x4e54, 1), PING_DATA), A, B, ident=0x0101)))
    p.append((ETH_IPV4, ipv4(1, icmp(0, 0, struct.pack('!HH', 0x4e54, 1), PING_DATA), B, A, ident=0x0201, flags_frag=0)))
    c, s = 40000, 80
    cs, ss = 0x10000000, 0x20000000
    p.append((ETH_IPV4, ipv4(6, tcp(c, s, cs, 0, F_SYN, src=A, dst=B, options=SYN_OPTS), A, B, ident=0x0102)))
    p.append((ETH_IPV4, ipv4(6, tcp(s, c, ss, cs + 1, F_SYN | F_ACK, src=B, dst=A, win=65160, options=SYN_OPTS), B, A, ident=0)))
    p.append((ETH_IPV4, ipv4(6, tcp(c, s, cs + 1, ss + 1, F_ACK, src=A, dst=B, win=502), A, B, ident=0x0103)))
    p.append((ETH_IPV4, ipv4(6, tcp(c, s, cs + 1, ss + 1, F_PSH | F_ACK, HTTP_REQ, A, B, win=502), A, B, ident=0x0104)))
    p.append((ETH_IPV4, ipv4(6, tcp(s, c, ss + 1, cs + 1 + len(HTTP_REQ), F_PSH | F_ACK, HTTP_RSP, B, A, win=509), B, A, ident=0x0202)))
    p.append((ETH_IPV4, ipv4(6, tcp(c, s, cs + 1 + len(HTTP_REQ), ss + 1 + len(HTTP_RSP), F_FIN | F_ACK, src=A, dst=B, win=502), A, B, ident=0x0105)))
    p.append((ETH_IPV4, ipv4(6, tcp(s, c, ss + 1 + len(HTTP_RSP), cs + 2 + len(HTTP_REQ), F_FIN | F_ACK, src=B, dst=A, win=509), B, A, ident=0x0203)))
    p.append((ETH_IPV4, ipv4(6, tcp(c, s, cs + 2 + len(HTTP_REQ), ss + 2 + len(HTTP_RSP), F_ACK, src=A, dst=B, win=502), A, B, ident=0x0106)))
    p.append((ETH_IPV4, ipv4(17, udp(50000, 5000, b'nettracer udp hello', A, B), A, B, ident=0x0107)))
    p.append((ETH_IPV4, ipv4(17, udp(5000, 50000, b'echo: nettracer udp hello', B, A), B, A, ident=0x0204)))
    A6, B6 = IP6_A, IP6_B
    p.append((ETH_IPV6, ipv6(58, icmp6(128, 0, struct.pack('!HH', 0x4e55, 1) + PING_DATA, A6, B6), A6, B6)))
    p.append((ETH_IPV6, ipv6(58, icmp6(129, 0, struct.pack('!HH', 0x4e55, 1) + PING_DATA, B6, A6), B6, A6)))
    p.append((ETH_IPV6, ipv6(6, tcp(40001, 80, 0x30000000, 0, F_SYN, src=A6, dst=B6, options=SYN_OPTS), A6, B6)))
    p.append((ETH_IPV6, ipv6(6, tcp(80, 40001, 0x40000000, 0x30000001, F_SYN | F_ACK, src=B6, dst=A6, options=SYN_OPTS), B6, A6)))
    p.append((ETH_IPV6, ipv6(6, tcp(40001, 80, 0x30000001, 0x40000001, F_ACK, src=A6, dst=B6, win=502), A6, B6)))
    p.append((ETH_IPV6, ipv6(17, udp(50001, 5000, b'nettracer udp6 hello', A6, B6), A6, B6)))
    return p


def src_mac_of(l3):
    """Frames from 10.99.50.2 / fd00:99:50::2 come from MAC_B."""
    if l3[0] >> 4 == 4:
        return MAC_B if l3[12:16] == IP_B else MAC_A
    return MAC_B if l3[8:24] == IP6_B else MAC_A


def eth_frame(etype, l3):
    s = src_mac_of(l3)
    return eth(l3, etype, src=s, dst=MAC_A if s == MAC_B else MAC_B)


def eth_packets():
    frames = [eth(arp(1, MAC_A, IP_A, b'\0' * 6, IP_B), ETH_ARP, MAC_A, b'\xff' * 6),
              eth(arp(2, MAC_B, IP_B, MAC_A, IP_A), ETH_ARP, MAC_B, MAC_A)]
    frames += [eth_frame(et, l3) for et, l3 in l3_packets()]
    return frames


def stamps(n, step_ns=10_000_000):
    """n timestamps in ns: 10 ms apart, with sub-microsecond digits."""
    return [T0 * 10**9 + 123_456_789 + i * step_ns + i * 111 for i in range(n)]


# ---------------------------------------------------------------- pcap

def pcap_bytes(records, linktype=1, bo='<', nsec=False, snaplen=262144):
    """records: list of (ts_ns, data[, orig_len])."""
    magic = 0xa1b23c4d if nsec else 0xa1b2c3d4
    out = [struct.pack(bo + 'IHHiIII', magic, 2, 4, 0, 0, snaplen, linktype)]
    for r in records:
        ts, data = r[0], r[1]
        orig = r[2] if len(r) > 2 else len(data)
        sec, frac = divmod(ts, 10**9)
        if not nsec:
            frac //= 1000
        out.append(struct.pack(bo + 'IIII', sec, frac, len(data), orig) + data)
    return b''.join(out)


def with_times(frames, step_ns=10_000_000):
    return list(zip(stamps(len(frames), step_ns), frames))


# ---------------------------------------------------------------- pcapng

def pad4(b):
    return b + b'\0' * (-len(b) % 4)


def opts(bo, items):
    """items: list of (code, bytes).  Adds opt_endofopt when non-empty."""
    if not items:
        return b''
    out = b''.join(struct.pack(bo + 'HH', c, len(v)) + pad4(v) for c, v in items)
    return out + struct.pack(bo + 'HH', 0, 0)


def block(bo, btype, body):
    body = pad4(body)
    total = 12 + len(body)
    return struct.pack(bo + 'II', btype, total) + body + struct.pack(bo + 'I', total)


def shb(bo, options, section_len=-1):
    return block(bo, 0x0A0D0D0A, struct.pack(bo + 'IHHq', 0x1A2B3C4D, 1, 0, section_len)
                 + opts(bo, options))


def idb(bo, linktype, options, snaplen=262144):
    return block(bo, 1, struct.pack(bo + 'HHI', linktype, 0, snaplen) + opts(bo, options))


def ts_units(ts_ns, tsresol):
    """ts in ns -> integer in units of the interface's if_tsresol."""
    if tsresol & 0x80:
        return ts_ns * (1 << (tsresol & 0x7f)) // 10**9
    return ts_ns // 10**(9 - tsresol)


def epb(bo, ifid, ts, data, tsresol=6, orig=None, options=()):
    t = ts_units(ts, tsresol)
    orig = len(data) if orig is None else orig
    return block(bo, 6, struct.pack(bo + 'IIIII', ifid, t >> 32, t & 0xffffffff, len(data), orig)
                 + pad4(data) + opts(bo, list(options)))


def spb(bo, data):
    return block(bo, 3, struct.pack(bo + 'I', len(data)) + pad4(data))


def old_pb(bo, ifid, ts, data, tsresol=6, options=()):
    t = ts_units(ts, tsresol)
    return block(bo, 2, struct.pack(bo + 'HHIIII', ifid, 0, t >> 32, t & 0xffffffff, len(data), len(data))
                 + pad4(data) + opts(bo, list(options)))


def isb(bo, ifid, ts, tsresol, options):
    t = ts_units(ts, tsresol)
    return block(bo, 5, struct.pack(bo + 'III', ifid, t >> 32, t & 0xffffffff) + opts(bo, options))


def u64(bo, v):
    return struct.pack(bo + 'Q', v)


def u32(bo, v):
    return struct.pack(bo + 'I', v)


def tsopt(bo, ts, tsresol):
    t = ts_units(ts, tsresol)
    return struct.pack(bo + 'II', t >> 32, t & 0xffffffff)


def nrb(bo):
    def rec(typ, value):
        return struct.pack(bo + 'HH', typ, len(value)) + pad4(value)
    recs = (rec(1, IP_B + b'web.example.test\0')
            + rec(1, IP_A + b'client.example.test\0')
            + rec(2, IP6_B + b'web.example.test\0')
            + struct.pack(bo + 'HH', 0, 0))
    return block(bo, 4, recs + opts(bo, [(2, b'ns1.example.test'), (3, bytes([10, 99, 50, 53]))]))


def dsb(bo):
    keylog = (b'CLIENT_RANDOM ' + bytes(range(32)).hex().encode() + b' '
              + bytes(range(48, 96)).hex().encode() + b'\n')
    return block(bo, 0x0000000A, struct.pack(bo + 'II', 0x544c534b, len(keylog)) + pad4(keylog))


def multisection():
    frames = eth_packets()
    l3 = l3_packets()
    ts = stamps(40)
    # ---- section 1: little-endian
    bo = '<'
    s1 = []
    s1.append(idb(bo, 1, [(2, b'eth0'), (3, b'first interface, nanosecond stamps'),
                          (9, b'\x09'), (12, b'Linux 6.1')]))                   # IF 0: tsresol 9
    s1.append(idb(bo, 1, [(2, b'eth1'), (3, b'second interface, default resolution')]))  # IF 1: 6
    s1.append(idb(bo, 101, [(2, b'tun0'), (9, bytes([0x80 | 20]))]))            # IF 2: 2^-20 s
    s1.append(nrb(bo))
    s1.append(epb(bo, 0, ts[0], frames[0], 9,
                  options=[(1, b'first comment on packet 1'), (1, b'second comment on packet 1'),
                           (1, 'third comment, UTF-8: Grüße'.encode()), (2, u32(bo, 2))]))
    s1.append(epb(bo, 0, ts[1], frames[1], 9, options=[(2, u32(bo, 1))]))     # flags: inbound
    s1.append(dsb(bo))
    s1.append(epb(bo, 1, ts[2], frames[2], 6, options=[(1, b'packet on eth1')]))
    s1.append(block(bo, 0x00000BAD, struct.pack(bo + 'I', 32473) + pad4(b'custom block, PEN 32473 (example)')))
    s1.append(epb(bo, 1, ts[3], frames[3], 6))
    s1.append(block(bo, 0x8000BEEF, b'unknown local-use block type: a reader must skip it'))
    s1.append(spb(bo, frames[4]))                                               # simple packet block
    s1.append(old_pb(bo, 0, ts[5], frames[5], 9, options=[(1, b'obsolete packet block')]))
    s1.append(epb(bo, 2, ts[6], l3[4][1], 0x80 | 20, options=[(1, b'raw IP on tun0, 2^-20 s units')]))
    s1.append(epb(bo, 2, ts[7], l3[5][1], 0x80 | 20))
    s1.append(epb(bo, 0, ts[8], frames[8][:64], 9, orig=len(frames[8]),
                  options=[(1, b'snapped to 64 bytes')]))
    s1.append(isb(bo, 0, ts[9], 9, [(1, b'statistics of eth0'), (2, tsopt(bo, ts[0], 9)),
                                    (3, tsopt(bo, ts[9], 9)), (4, u64(bo, 120)), (5, u64(bo, 3)),
                                    (6, u64(bo, 8)), (7, u64(bo, 1)), (8, u64(bo, 7))]))
    body1 = b''.join(s1)
    shb1 = shb(bo, [(1, b'section 1: little-endian'), (2, b'x86_64'), (3, b'Linux 6.1'),
                    (4, b'nettracer craft.py')], section_len=len(body1))
    # ---- section 2: big-endian, interface numbers start again at 0
    bo = '>'
    s2 = []
    s2.append(idb(bo, 1, [(2, b'eth0'), (9, b'\x06')]))                         # IF 0: tsresol 6 explicit
    s2.append(idb(bo, 228, [(2, b'ipv4only'), (9, b'\x09')]))                   # IF 1: raw IPv4, ns
    s2.append(epb(bo, 0, ts[9], frames[9], 6, options=[(1, b'big-endian section'), (1, b'two comments')]))
    s2.append(epb(bo, 0, ts[10], frames[10], 6, options=[(2, u32(bo, 1)), (4, u64(bo, 0))]))
    s2.append(block(bo, 0x00000BAD, struct.pack(bo + 'I', 32473) + b'custom'))
    s2.append(epb(bo, 0, ts[11], frames[11], 6, options=[(2, u32(bo, 2))]))
    s2.append(epb(bo, 1, ts[12], l3[10][1], 9))                              # raw IPv4 interface
    s2.append(spb(bo, frames[13]))
    for i in range(14, len(frames)):
        s2.append(epb(bo, 0, ts[i], frames[i], 6))
    s2.append(isb(bo, 0, ts[len(frames)], 6, [(4, u64(bo, 5)), (5, u64(bo, 42))]))
    shb2 = shb(bo, [(1, b'section 2: big-endian'), (4, b'nettracer craft.py')])
    return shb1 + body1 + shb2 + b''.join(s2)


def simple_pcapng(frames):
    bo = '<'
    out = [shb(bo, [(4, b'nettracer craft.py')]), idb(bo, 1, [(2, b'eth0'), (9, b'\x09')])]
    for t, f in with_times(frames):
        out.append(epb(bo, 0, t, f, 9))
    return b''.join(out)


# ---------------------------------------------------------------- malformed

def malformed():
    """(description, frame) list: each frame breaks one rule."""
    m = []
    A, B = IP_A, IP_B
    ok_tcp = tcp(40000, 80, 1, 1, F_ACK, b'abcd', A, B)
    m.append(('IPv4 header length field 4 (< 5)',
              eth(ipv4(6, ok_tcp, A, B, ihl=4), ETH_IPV4)))
    m.append(('IPv4 total length 1500, frame carries 44 bytes of IP',
              eth(ipv4(6, ok_tcp, A, B, total_len=1500), ETH_IPV4)))
    ip = ipv4(1, b'', A, B, options=b'\x01' * 20)          # IHL 10: 20 option bytes
    m.append(('IPv4 IHL 10 (40-byte header) but frame ends after 28 bytes of IP (options cut)',
              eth(ip[:28], ETH_IPV4)))
    m.append(('IPv4 record-route option whose length (39) runs past the 8-byte options area',
              eth(ipv4(1, icmp(8, 0, b'\0\1\0\1', b''), A, B,
                       options=bytes([7, 39, 4, 0, 0, 0, 0, 0])), ETH_IPV4)))
    m.append(('IPv4 header checksum wrong',
              eth(ipv4(1, icmp(8, 0, b'\0\1\0\2', b'x'), A, B, fix_csum=False), ETH_IPV4)))
    m.append(('IPv4 total length 0 (claims no header at all)',
              eth(ipv4(6, ok_tcp, A, B, total_len=0), ETH_IPV4)))
    m.append(('IPv4 version 6 in an Ethernet type 0x0800 frame',
              eth(b'\x65' + ipv4(6, ok_tcp, A, B)[1:], ETH_IPV4)))
    m.append(('IPv4 fragment whose offset + length passes 65535',
              eth(ipv4(17, b'z' * 16, A, B, flags_frag=0x1fff), ETH_IPV4)))
    m.append(('TCP data offset 3 (< 5)',
              eth(ipv4(6, tcp(40000, 80, 1, 1, F_ACK, b'', A, B, doff=3), A, B), ETH_IPV4)))
    m.append(('TCP data offset 15 (60 bytes), only the 20-byte header captured',
              eth(ipv4(6, tcp(40000, 80, 1, 1, F_ACK, b'', A, B, doff=15), A, B), ETH_IPV4)))
    m.append(('TCP option (MSS) whose length 10 runs past the 24-byte header',
              eth(ipv4(6, tcp(40000, 80, 1, 0, F_SYN, b'', A, B, options=b'\x02\x0a\x05\xb4'), A, B), ETH_IPV4)))
    m.append(('TCP option length 0 (timestamps kind 8, len 0)',
              eth(ipv4(6, tcp(40000, 80, 1, 0, F_SYN, b'', A, B, options=b'\x01\x01\x08\x00'), A, B), ETH_IPV4)))
    m.append(('TCP option length 1 (window scale kind 3, len 1)',
              eth(ipv4(6, tcp(40000, 80, 1, 0, F_SYN, b'', A, B, options=b'\x03\x01\x00\x00'), A, B), ETH_IPV4)))
    m.append(('TCP checksum wrong',
              eth(ipv4(6, ok_tcp[:16] + b'\xde\xad' + ok_tcp[18:], A, B), ETH_IPV4)))
    m.append(('UDP length 4 (< 8)',
              eth(ipv4(17, udp(50000, 5000, b'0123456789ab', A, B, length=4), A, B), ETH_IPV4)))
    m.append(('UDP length 200, IP payload is 20 bytes',
              eth(ipv4(17, udp(50000, 5000, b'0123456789ab', A, B, length=200), A, B), ETH_IPV4)))
    hbh = bytes([58, 10]) + b'\0' * 6                        # says 88 bytes, 8 present
    m.append(('IPv6 hop-by-hop header (length 88) runs past the end of the packet',
              eth(ipv6(0, hbh), ETH_IPV6)))
    chain = bytes([43, 0, 1, 4, 0, 0, 0, 0])                  # HBH (PadN) -> routing
    chain += bytes([44, 2, 0, 0, 0, 0, 0, 0])                 # routing, len 24, 8 present
    m.append(('IPv6 hop-by-hop then routing header (length 24) cut after 8 bytes',
              eth(ipv6(0, chain), ETH_IPV6)))
    m.append(('IPv6 payload length 1000, frame carries 8 bytes',
              eth(ipv6(17, udp(1, 2, b'', IP6_A, IP6_B), plen=1000), ETH_IPV6)))
    deep = b''
    for i in range(40):                                       # 40 destination-options headers
        deep += bytes([60 if i < 39 else 59, 0, 1, 4, 0, 0, 0, 0])
    m.append(('IPv6 chain of 40 destination-options headers (loop bound test)',
              eth(ipv6(60, deep), ETH_IPV6)))
    ns_bad = icmp6(135, 0, b'\0' * 4 + IP6_B + bytes([1, 0]) + MAC_A, IP6_A, IP6_B)
    m.append(('ICMPv6 neighbour solicitation with an option of length 0 (invalid)',
              eth(ipv6(58, ns_bad, hlim=255), ETH_IPV6)))
    m.append(('ARP with hardware length 8 (Ethernet hardware type)',
              eth(arp(1, MAC_A + b'\0\0', IP_A, b'\0' * 8, IP_B, hlen=8), ETH_ARP, MAC_A, b'\xff' * 6)))
    m.append(('ARP with hardware length 0 and protocol length 16',
              eth(arp(1, b'', IP6_A, b'', IP6_B, hlen=0, plen=16), ETH_ARP, MAC_A, b'\xff' * 6)))
    m.append(('ARP header cut after 12 bytes',
              eth(arp(1, MAC_A, IP_A, b'\0' * 6, IP_B)[:12], ETH_ARP, MAC_A, b'\xff' * 6)))
    quoted = ipv4(17, udp(50000, 33434, b'', A, B), A, B, ttl=1)[:12]
    m.append(('ICMP time exceeded quoting only 12 bytes of the original IPv4 header',
              eth(ipv4(1, icmp(11, 0, b'\0' * 4, quoted), B, A), ETH_IPV4, MAC_B, MAC_A)))
    quoted = ipv4(6, tcp(40000, 80, 1, 0, F_SYN, b'', A, B), A, B)[:24]
    m.append(('ICMP port unreachable quoting a full IPv4 header but only 4 bytes of TCP',
              eth(ipv4(1, icmp(3, 3, b'\0' * 4, quoted), B, A), ETH_IPV4, MAC_B, MAC_A)))
    m.append(('Ethernet frame of 10 bytes', (MAC_B + MAC_A)[:10]))
    m.append(('Ethernet frame of 13 bytes (type field cut)', (MAC_B + MAC_A + b'\x08')))
    m.append(('802.1Q tag at the very end: TCI present, no inner type',
              MAC_B + MAC_A + struct.pack('!HH', ETH_VLAN, 100)))
    m.append(('802.1Q tag with inner type IPv4 and no payload',
              MAC_B + MAC_A + struct.pack('!HHH', ETH_VLAN, 100, ETH_IPV4)))
    m.append(('30 stacked 802.1Q tags before an IPv4 packet (loop bound test)',
              MAC_B + MAC_A + struct.pack('!HH', ETH_VLAN, 100) * 30 + struct.pack('!H', ETH_IPV4)
              + ipv4(1, icmp(8, 0, b'\0\1\0\3', b''), A, B)))
    m.append(('IEEE 802.3 length field (not an Ethernet II type) with LLC/SNAP header',
              MAC_B + MAC_A + struct.pack('!H', 8) + bytes.fromhex('aaaa030000000800')))
    m.append(('IPv4 carrying IPv4 (protocol 4) whose inner header is cut after 10 bytes',
              eth(ipv4(4, ipv4(6, ok_tcp, A, B)[:10], A, B), ETH_IPV4)))
    return m


# ---------------------------------------------------------------- main

def not_http():
    """Text that is not HTTP on HTTP's ports 8080 and 80: tshark leaves it
    to TCP (no "Continuation" before a message was seen)."""
    fr = []
    for sp, dp in ((40001, 8080), (40002, 80)):
        def seg(src, dst, a, b, seq, ack, fl, pl=b''):
            fr.append(eth(ipv4(6, tcp(a, b, seq, ack, fl, pl, src=src, dst=dst), src=src, dst=dst), 0x0800))
        seg(IP_A, IP_B, sp, dp, 100, 0, 0x02)
        seg(IP_B, IP_A, dp, sp, 500, 101, 0x12)
        seg(IP_A, IP_B, sp, dp, 101, 501, 0x10)
        seg(IP_A, IP_B, sp, dp, 101, 501, 0x18, b'hello server\nsecond line\n')
        seg(IP_B, IP_A, dp, sp, 501, 126, 0x18, b'reply line\n')
    return fr


def heuristics():
    """Protocols on ports no dissector table names, found the way Wireshark's
    default heuristics find them: HTTP on 8443 and 9080 (the first line ends
    with HTTP/1.1), text on 9081 that is not HTTP, SIP over UDP and TCP on
    5070, STUN on UDP 3479."""
    fr = []

    def seg(src, dst, a, b, seq, ack, fl, pl=b''):
        fr.append(eth(ipv4(6, tcp(a, b, seq, ack, fl, pl, src=src, dst=dst), src=src, dst=dst), 0x0800))

    def dgram(src, dst, a, b, pl):
        fr.append(eth(ipv4(17, udp(a, b, pl, src=src, dst=dst), src=src, dst=dst), 0x0800))

    req = b'GET /heur HTTP/1.1\r\nHost: 10.99.50.2\r\nUser-Agent: craft\r\n\r\n'
    resp = b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n'
    sipreq = (b'OPTIONS sip:bob@10.99.50.2:5070 SIP/2.0\r\nVia: SIP/2.0/%s 10.99.50.1:5070;branch=z9hG4bK-h1\r\n'
              b'From: <sip:alice@10.99.50.1>;tag=h1\r\nTo: <sip:bob@10.99.50.2>\r\nCall-ID: heur-%s@10.99.50.1\r\n'
              b'CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n')
    sipok = (b'SIP/2.0 200 OK\r\nVia: SIP/2.0/%s 10.99.50.1:5070;branch=z9hG4bK-h1\r\n'
             b'From: <sip:alice@10.99.50.1>;tag=h1\r\nTo: <sip:bob@10.99.50.2>;tag=h2\r\nCall-ID: heur-%s@10.99.50.1\r\n'
             b'CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n')
    for sp, dp, q, r in ((40003, 8443, req, resp), (40004, 9080, req, resp),
                         (40005, 9081, b'hello\r\nHTTP is not here\r\n', b'bye\r\n'),
                         (40006, 5070, sipreq % (b'TCP', b'tcp'), sipok % (b'TCP', b'tcp'))):
        seg(IP_A, IP_B, sp, dp, 100, 0, 0x02)
        seg(IP_B, IP_A, dp, sp, 500, 101, 0x12)
        seg(IP_A, IP_B, sp, dp, 101, 501, 0x10)
        seg(IP_A, IP_B, sp, dp, 101, 501, 0x18, q)
        seg(IP_B, IP_A, dp, sp, 501, 101 + len(q), 0x18, r)
        seg(IP_A, IP_B, sp, dp, 101 + len(q), 501 + len(r), 0x11)
        seg(IP_B, IP_A, dp, sp, 501 + len(r), 102 + len(q), 0x11)
        seg(IP_A, IP_B, sp, dp, 102 + len(q), 502 + len(r), 0x10)
    dgram(IP_A, IP_B, 5070, 5070, sipreq % (b'UDP', b'udp'))
    dgram(IP_B, IP_A, 5070, 5070, sipok % (b'UDP', b'udp'))
    tid = bytes(range(1, 13))
    dgram(IP_A, IP_B, 40007, 3479, struct.pack('!HHI', 0x0001, 0, 0x2112A442) + tid)
    xport = 40007 ^ 0x2112
    xaddr = bytes(a ^ b for a, b in zip(IP_A, struct.pack('!I', 0x2112A442)))
    attr = struct.pack('!HHBBH', 0x0020, 8, 0, 1, xport) + xaddr
    dgram(IP_B, IP_A, 3479, 40007, struct.pack('!HHI', 0x0101, len(attr), 0x2112A442) + tid + attr)
    return fr


def write(outdir, name, data):
    with open(os.path.join(outdir, name), 'wb') as f:
        f.write(data)


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: craft.py OUTDIR')
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    frames = eth_packets()
    recs = with_times(frames)

    write(out, 'be_usec.pcap', pcap_bytes(recs, 1, '>', nsec=False))
    write(out, 'be_nsec.pcap', pcap_bytes(recs, 1, '>', nsec=True))
    write(out, 'le_nsec.pcap', pcap_bytes(recs, 1, '<', nsec=True))
    write(out, 'empty.pcap', pcap_bytes([], 1))

    l3 = l3_packets()
    # LINKTYPE_NULL: AF in host (here little-endian) order; IPv6 as each BSD numbers it
    v6_afs = [24, 28, 30]
    null_recs, loop_recs = [], []
    k = 0
    for (et, p), t in zip(l3, stamps(len(l3))):
        if et == ETH_IPV4:
            af = 2
        else:
            af = v6_afs[k % 3]
            k += 1
        null_recs.append((t, struct.pack('<I', af) + p))
        loop_recs.append((t, struct.pack('>I', af) + p))
    write(out, 'null_loopback.pcap', pcap_bytes(null_recs, 0))
    write(out, 'loop.pcap', pcap_bytes(loop_recs, 108))

    write(out, 'raw_ip.pcap', pcap_bytes(list(zip(stamps(len(l3)), [p for _, p in l3])), 101))
    v4 = [p for et, p in l3 if et == ETH_IPV4]
    v6 = [p for et, p in l3 if et == ETH_IPV6]
    write(out, 'raw_ipv4.pcap', pcap_bytes(with_times(v4), 228))
    write(out, 'raw_ipv6.pcap', pcap_bytes(with_times(v6), 229))

    write(out, 'multisection.pcapng', multisection())

    full = pcap_bytes(recs[:8], 1)
    # last record: header (16) + data; cut 10 bytes into its data
    last_len = len(recs[7][1])
    write(out, 'truncated_tail.pcap', full[:len(full) - last_len + 10])
    write(out, 'truncated_hdr.pcap', full[:len(full) - last_len - 16 + 7])
    ng = simple_pcapng(frames[:8])
    write(out, 'truncated.pcapng', ng[:len(ng) - 40])

    m = malformed()
    write(out, 'malformed.pcap', pcap_bytes(with_times([f for _, f in m]), 1))
    with open(os.path.join(out, 'malformed.txt'), 'w') as f:
        f.write('# malformed.pcap: frame number, what is wrong (written by craft.py)\n')
        for i, (d, _) in enumerate(m, 1):
            f.write('%2d  %s\n' % (i, d))

    write(out, 'not_http.pcap', pcap_bytes(with_times(not_http()), 1))
    write(out, 'heur.pcap', pcap_bytes(with_times(heuristics()), 1))
    write(out, 'unknown_linktype.pcap', pcap_bytes(recs[:3], 999))
    # a record claiming 2 GB of data: a reader must refuse it, not allocate it
    bad = pcap_bytes(recs[:6], 1) + struct.pack('<IIII', T0 + 1, 0, 0x7fffffff, 0x7fffffff) + frames[6]
    write(out, 'badcaplen.pcap', bad)
    with open(os.path.join(out, 'notacapture.txt'), 'w') as f:
        f.write('This is not a capture file.\n'
                'nettracer must say so (exit status 2) instead of reading it.\n')


if __name__ == '__main__':
    main()
