#!/usr/bin/env python3
"""craft_apps.py OUTDIR -- write apps_edge.pcap: hand-built SIP, SDP, RTP,
RTCP, DHCP, NBNS and TPKT/X.224/RDP messages that the recorded captures do
not cover (other methods and status codes, compact and folded headers,
several messages per datagram or segment, RTP header variants, RTCP packet
types, every DHCP message type, NBNS operations, RDP without cookie ...),
for the differential test tests/diff/tshark_apps.sh.

Python 3 standard library only; correct checksums; fixed timestamps
(2024-01-01 10:00:00 UTC + 10 ms steps), so the output is the same byte for
byte on every run. Addresses 10.55.50.1 and 10.55.50.2.
"""
import os
import struct
import sys

T0 = 1704103200
A = bytes([10, 55, 50, 1])
B = bytes([10, 55, 50, 2])
MAC_A = bytes.fromhex('025500320001')
MAC_B = bytes.fromhex('025500320002')


def csum(d):
    if len(d) % 2:
        d += b'\0'
    s = sum(struct.unpack('!%dH' % (len(d) // 2), d))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip(proto, payload, src, dst):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 0x77, 0x4000, 64, proto, 0, src, dst)
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + payload


def udp(sport, dport, data, src=A, dst=B):
    u = struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data
    c = csum(src + dst + struct.pack('!BBH', 0, 17, len(u)) + u) or 0xffff
    return ip(17, u[:6] + struct.pack('!H', c) + u[8:], src, dst)


SEQ = {}


def tcp(sport, dport, data, src=A, dst=B, flags=0x18):
    key = (src, sport, dst, dport)
    seq = SEQ.get(key, 1000)
    SEQ[key] = seq + len(data)
    ack = SEQ.get((dst, dport, src, sport), 1000)
    t = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
    c = csum(src + dst + struct.pack('!BBH', 0, 6, len(t)) + t)
    return ip(6, t[:16] + struct.pack('!H', c) + t[18:], src, dst)


def eth(pkt, src=MAC_A, dst=MAC_B):
    return dst + src + b'\x08\x00' + pkt


FRAMES = []


def add(pkt, rev=False):
    FRAMES.append(eth(pkt, MAC_B, MAC_A) if rev else eth(pkt))


# ------------------------------------------------------------------ SIP

H = ('Via: SIP/2.0/UDP 10.55.50.1:5060;branch=z9hG4bK-e1\r\n'
     'From: "Al" <sip:al@10.55.50.1>;tag=f1\r\n'
     'To: <sip:bo@10.55.50.2>\r\n'
     'Call-ID: edge-1@10.55.50.1\r\n')


def sip(first, cseq, extra='', body=''):
    m = first + '\r\n' + H + (f'CSeq: {cseq}\r\n' if cseq else '') + extra
    if body:
        m += 'Content-Type: application/sdp\r\n'
    m += f'Content-Length: {len(body)}\r\n\r\n' + body
    return m.encode()


SDP = ('v=0\r\no=- 5 5 IN IP4 10.55.50.1\r\ns=-\r\nc=IN IP4 10.55.50.1\r\nt=0 0\r\n'
       'm=audio 41000 RTP/AVP 8 0 96\r\na=rtpmap:96 opus/48000/2\r\n'
       'm=video 41002 RTP/AVP 97\r\nc=IN IP4 10.55.50.2\r\na=rtpmap:97 H264/90000\r\n'
       'm=audio 0 RTP/AVP 0\r\n')

for first, cseq in (('REGISTER sip:10.55.50.2 SIP/2.0', '1 REGISTER'),
                    ('SIP/2.0 401 Unauthorized', '1 REGISTER'),
                    ('SIP/2.0 200 OK', '2 REGISTER'),
                    ('OPTIONS sip:bo@10.55.50.2 SIP/2.0', '3 OPTIONS'),
                    ('MESSAGE sip:bo@10.55.50.2 SIP/2.0', '4 MESSAGE'),
                    ('SIP/2.0 202 Accepted', '5 REFER'),
                    ('SUBSCRIBE sip:bo@10.55.50.2 SIP/2.0', '6 SUBSCRIBE'),
                    ('NOTIFY sip:al@10.55.50.1 SIP/2.0', '7 NOTIFY'),
                    ('CANCEL sip:bo@10.55.50.2 SIP/2.0', '8 CANCEL'),
                    ('SIP/2.0 487 Request Terminated', '8 INVITE'),
                    ('SIP/2.0 486 Busy Here', '9 INVITE'),
                    ('SIP/2.0 603 Decline', '10 INVITE'),
                    ('SIP/2.0 200 OK', None),
                    ('SIP/2.0 299 Odd', '11 INFO'),
                    ('PRACK sip:bo@10.55.50.2 SIP/2.0', '12 PRACK'),
                    ('UPDATE sip:bo@10.55.50.2 SIP/2.0', '13 UPDATE'),
                    ('INFO sip:bo@10.55.50.2 SIP/2.0', '14 INFO'),
                    ('PUBLISH sip:bo@10.55.50.2 SIP/2.0', '15 PUBLISH')):
    add(udp(5060, 5060, sip(first, cseq)))
# REGISTER and its answers: tshark counts bindings
for first, cseq, extra in (('REGISTER sip:10.55.50.2 SIP/2.0', '16 REGISTER', 'Contact: <sip:al@10.55.50.1>;expires=3600\r\n'),
                           ('REGISTER sip:10.55.50.2 SIP/2.0', '17 REGISTER', 'Contact: *\r\nExpires: 0\r\n'),
                           ('REGISTER sip:10.55.50.2 SIP/2.0', '18 REGISTER', 'Contact: <sip:al@10.55.50.1>;expires=0\r\n'),
                           ('SIP/2.0 200 OK', '16 REGISTER', 'Contact: <sip:al@10.55.50.1>;expires=3600, "x, y" <sip:al@10.55.50.7>\r\n'),
                           ('SIP/2.0 200 OK', '16 REGISTER', 'Contact: <sip:al@10.55.50.1>;expires=3600\r\nm: <sip:al@10.55.50.8>\r\n'),
                           ('SIP/2.0 200 OK', '16 REGISTER', 'Contact: <sip:al@10.55.50.1>;expires=3600\r\n'),
                           ('SIP/2.0 202 Accepted', '16 REGISTER', 'Contact: <sip:al@10.55.50.1>\r\n'),
                           ('SIP/2.0 100 Trying', '16 REGISTER', '')):
    add(udp(5060, 5060, sip(first, cseq, extra)))
# a 183 with SDP (three media, one refused) announces RTP flows on 41000 and 41002
add(udp(5060, 5060, sip('SIP/2.0 183 Session Progress', '20 INVITE', 'Contact: <sip:bo@10.55.50.2>\r\n', SDP)))
# compact headers only, bare LF line ends, a folded header, two Vias in one line
add(udp(5060, 5060, (b'INVITE sip:bo@10.55.50.2;transport=udp SIP/2.0\n'
                     b'v: SIP/2.0/UDP 10.55.50.1;branch=z9hG4bK-a, SIP/2.0/UDP 10.55.50.9;branch=z9hG4bK-b\n'
                     b'f: sip:al@10.55.50.1;tag=99\n'
                     b't: "Bo" <sip:bo@10.55.50.2>\n'
                     b'i: compact@x\n'
                     b'Subject: folded\n  subject\n'
                     b'CSeq: 21 INVITE\n'
                     b'm: <sip:al@10.55.50.1>\n'
                     b'l: 0\n\n')))
# two messages in one datagram: tshark decodes the first
add(udp(5060, 5060, sip('BYE sip:bo@10.55.50.2 SIP/2.0', '22 BYE') + sip('SIP/2.0 200 OK', '22 BYE')))
# Content-Length beyond the datagram
add(udp(5060, 5060, sip('MESSAGE sip:bo@10.55.50.2 SIP/2.0', '23 MESSAGE', 'Content-Type: text/plain\r\n').replace(
    b'Content-Length: 0', b'Content-Length: 400') + b'hello'))
# SIP over TCP: two messages in one segment, then one per segment
add(tcp(5062, 5060, sip('OPTIONS sip:bo@10.55.50.2 SIP/2.0', '30 OPTIONS') + sip('OPTIONS sip:bo@10.55.50.2 SIP/2.0', '31 OPTIONS')))
add(tcp(5060, 5062, sip('SIP/2.0 200 OK', '30 OPTIONS'), B, A), rev=True)
add(tcp(5060, 5062, sip('SIP/2.0 200 OK', '31 OPTIONS'), B, A), rev=True)

# ------------------------------------------------------------------ RTP / RTCP (on the ports SDP gave)


def rtp(pt, seq, ts, ssrc, marker=False, csrc=(), ext=None, pad=0, payload=b'\xd5' * 20):
    b0 = 0x80 | (0x20 if pad else 0) | (0x10 if ext is not None else 0) | len(csrc)
    h = struct.pack('!BBHII', b0, (0x80 if marker else 0) | pt, seq, ts, ssrc)
    h += b''.join(struct.pack('!I', c) for c in csrc)
    if ext is not None:
        h += struct.pack('!HH', 0xbede, len(ext) // 4) + ext
    return h + payload + (b'\0' * (pad - 1) + bytes([pad]) if pad else b'')


add(udp(42000, 41000, rtp(8, 100, 1000, 0x11111111, marker=True), B, A), rev=True)
add(udp(42000, 41000, rtp(0, 101, 1160, 0x11111111, csrc=(1, 2, 3)), B, A), rev=True)
add(udp(42000, 41000, rtp(96, 102, 1320, 0x11111111, ext=b'\x10\xaa\x00\x00'), B, A), rev=True)
add(udp(42000, 41000, rtp(13, 103, 1480, 0x11111111, pad=4, payload=b'\x40'), B, A), rev=True)
add(udp(42000, 41000, rtp(18, 65535, 1640, 0x11111111), B, A), rev=True)
add(udp(42000, 41000, rtp(18, 0, 1800, 0x11111111), B, A), rev=True)
add(udp(42002, 41002, rtp(97, 7, 90000, 0x22222222, marker=True)))


def rtcp(pt, count, body):
    return struct.pack('!BBH', 0x80 | count, pt, (4 + len(body)) // 4 - 1) + body


RB = struct.pack('!IIIIII', 0x22222222, 0x01000003, 0x00010064, 12, 0, 0)
SR_INFO = struct.pack('!IIIII', 0xe9000000, 0x80000000, 1800, 6, 120)
SDES = struct.pack('!I', 0x11111111) + b'\x01\x05a@b.c\x02\x03bob\x00\x00'
add(udp(42001, 41001, rtcp(201, 1, struct.pack('!I', 0x11111111) + RB), B, A), rev=True)
add(udp(42001, 41001, rtcp(200, 1, struct.pack('!I', 0x11111111) + SR_INFO + RB) + rtcp(202, 1, SDES), B, A), rev=True)
add(udp(42001, 41001, rtcp(201, 0, struct.pack('!I', 0x11111111)) + rtcp(202, 1, SDES) +
        rtcp(203, 1, struct.pack('!I', 0x11111111)), B, A), rev=True)
add(udp(42001, 41001, rtcp(204, 1, struct.pack('!I', 0x11111111) + b'TEST' + b'\0' * 4), B, A), rev=True)
add(udp(42001, 41001, rtcp(201, 0, struct.pack('!I', 0x11111111)) +
        rtcp(206, 1, struct.pack('!II', 0x11111111, 0x22222222)), B, A), rev=True)
add(udp(42001, 41001, rtcp(201, 0, struct.pack('!I', 0x11111111)) +
        rtcp(205, 1, struct.pack('!IIHH', 0x11111111, 0x22222222, 5, 0)), B, A), rev=True)
add(udp(42001, 41001, rtcp(204, 2, struct.pack('!I', 0x11111111) + b'abcd') +
        rtcp(206, 4, struct.pack('!IIII', 0x11111111, 0, 0x22222222, 0x05000000)), B, A), rev=True)
# a packet of version 0 after the RR, and an SDES whose length runs past the datagram
add(udp(42001, 41001, rtcp(201, 0, struct.pack('!I', 0x11111111)) + b'\0' * 8, B, A), rev=True)
add(udp(42001, 41001, rtcp(201, 0, struct.pack('!I', 0x11111111)) + struct.pack('!BBHI', 0x81, 202, 9, 5), B, A), rev=True)

# ------------------------------------------------------------------ DHCP


def dhcp(op, xid, mtype, opts=b'', giaddr=b'\0' * 4, ciaddr=b'\0' * 4, yiaddr=b'\0' * 4):
    b = struct.pack('!BBBBIHH4s4s4s4s', op, 1, 6, 1 if giaddr != b'\0' * 4 else 0, xid, 3, 0,
                    ciaddr, yiaddr, b'\0' * 4, giaddr)
    b += MAC_A + b'\0' * 10 + b'\0' * 192 + b'\x63\x82\x53\x63'
    b += bytes([53, 1, mtype]) + opts + b'\xff'
    return b


for i, t in enumerate((1, 2, 3, 4, 5, 6, 7, 8)):
    op = 2 if t in (2, 5, 6) else 1
    add(udp(68 if op == 1 else 67, 67 if op == 1 else 68,
            dhcp(op, 0x1000 + i, t, bytes([51, 4, 0, 0, 0x0e, 0x10, 54, 4]) + B,
                 yiaddr=bytes([10, 55, 50, 9]) if op == 2 else b'\0' * 4)))
# relayed request with a client identifier that is not a MAC, and padding
add(udp(67, 67, dhcp(1, 0xabcdef01, 3, bytes([61, 5, 0, 0x41, 0x42, 0x43, 0x44, 0, 0, 50, 4, 10, 55, 50, 9]),
                     giaddr=bytes([10, 55, 49, 254]))))

# ------------------------------------------------------------------ NBNS


def nbname(name, suffix):
    raw = name.encode().ljust(15)[:15] + bytes([suffix])
    return bytes([32]) + bytes(b for ch in raw for b in (0x41 + (ch >> 4), 0x41 + (ch & 15))) + b'\0'


def nbq(tid, flags, name, suffix, qtype=0x20, an=b'', ar=b''):
    h = struct.pack('!HHHHHH', tid, flags, 1 if name else 0, 1 if an else 0, 0, 1 if ar else 0)
    q = nbname(name, suffix) + struct.pack('!HH', qtype, 1) if name else b''
    return h + q + an + ar


NB_RR = struct.pack('!HHIHH4s', 0x20, 1, 300000, 6, 0x6000, A)
add(udp(137, 137, nbq(0x20, 0x2910, 'HOSTA', 0x00, ar=b'\xc0\x0c' + NB_RR)))            # registration
add(udp(137, 137, nbq(0x21, 0x3010, 'HOSTA', 0x00, ar=b'\xc0\x0c' + NB_RR)))            # release
add(udp(137, 137, nbq(0x22, 0x4010, 'HOSTA', 0x20, ar=b'\xc0\x0c' + NB_RR)))            # refresh
add(udp(137, 137, nbq(0x23, 0x0010, 'FILESERVER', 0x20)))
add(udp(137, 137, nbq(0x24, 0x0000, '*' + '\0' * 14, 0x00, qtype=0x21)))                # node status
add(udp(137, 137, nbq(0x25, 0xad00, '', 0, an=nbname('HOSTA', 0) + NB_RR), B, A), rev=True)  # registration response
add(udp(137, 137, struct.pack('!HHHHHH', 0x23, 0x8583, 0, 1, 0, 0) + nbname('FILESERVER', 0x20) +
        struct.pack('!HHIH', 0x20, 1, 0, 6) + b'\0' * 6, B, A), rev=True)           # negative response
add(udp(137, 137, nbq(0x26, 0x0110, 'DOMAIN', 0x1c)))

# ------------------------------------------------------------------ TPKT / X.224 / RDP


def tpkt(x224):
    return struct.pack('!BBH', 3, 0, 4 + len(x224)) + x224


def x224(code, data=b'', src=0, dst=0, extra=b'\0'):
    fixed = bytes([code]) + struct.pack('!HH', dst, src) + extra
    return bytes([len(fixed) + len(data)]) + fixed + data


NEGREQ = struct.pack('<BBHI', 1, 0, 8, 0x0b)
add(tcp(50001, 3389, tpkt(x224(0xe0, NEGREQ))))                                   # negotiation, no cookie
add(tcp(3389, 50001, tpkt(x224(0xd0, struct.pack('<BBHI', 2, 0, 8, 2), src=0x1234)), B, A), rev=True)
add(tcp(50002, 3389, tpkt(x224(0xe0, b'Cookie: msts=3640205228.15629.0000\r\n'))))  # routing token only
add(tcp(50003, 3389, tpkt(x224(0xe0))))                                            # plain CR
add(tcp(3389, 50003, tpkt(x224(0xd0, src=0x4321)), B, A), rev=True)                # plain CC
add(tcp(50003, 3389, tpkt(bytes([2, 0xf0, 0x80]) + b'\x7f\x65\x82\x01\x00')))      # DT EOT
add(tcp(50003, 3389, tpkt(x224(0x80, src=0x0001, dst=0x4321, extra=b'\x00'))))     # DR
CORR = struct.pack('<BBH', 6, 0, 36) + bytes(range(1, 17)) + b'\0' * 16
add(tcp(50004, 3389, tpkt(x224(0xe0, b'Cookie: mstshash=eve\r\n' + struct.pack('<BBHI', 1, 8, 8, 1) + CORR))))
add(tcp(3389, 50004, tpkt(x224(0xd0, struct.pack('<BBHI', 3, 0, 8, 2), src=9)), B, A), rev=True)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    path = os.path.join(sys.argv[1], 'apps_edge.pcap')
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(FRAMES):
            us = i * 10000
            f.write(struct.pack('<IIII', T0 + us // 1000000, us % 1000000, len(fr), len(fr)) + fr)
    print(f'{path}: {len(FRAMES)} frames')


if __name__ == '__main__':
    main()
