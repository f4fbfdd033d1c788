#!/usr/bin/env python3
"""stun_craft.py OUTFILE -- write stun_crafted.pcap: hand-built STUN/TURN
messages (every attribute nettracer decodes, both dialects, and malformed
lengths) and TURN ChannelData (exact, padded, too long, too short), one per
UDP datagram to port 3478, for the differential test against tshark
(tests/diff/tshark_stun.sh).
stun_craft.py --tcp OUTFILE -- write stun_tcp.pcap: STUN and ChannelData
over TCP 3478 (padded ChannelData framing, several messages in a segment,
a message across segments), for the column test (tests/diff/tshark_columns.sh).
stun_craft.py --pseudotls OUTFILE -- write stun_pseudotls.pcap: MS-TURN's
pseudo-TLS hello and answer on TCP 443 followed by TURN messages (tshark:
"Ignored Unknown Record"), and non-TLS bytes before the session's version is
known ("SSL", "Continuation Data") or as printable text (left to TCP).

Python 3 standard library only; fixed timestamps and transaction IDs, so
the output is the same byte for byte on every run.
"""
import hashlib
import hmac
import struct
import sys
import zlib

T0 = 1704103200  # 2024-01-01 10:00:00 UTC
MAC_A = bytes.fromhex('029988000001')
MAC_B = bytes.fromhex('029988000002')
IP_A = bytes([10, 88, 50, 1])
IP_B = bytes([10, 88, 50, 2])
COOKIE = 0x2112A442


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def udp_frame(payload, to_server=True):
    src, dst = (IP_A, IP_B) if to_server else (IP_B, IP_A)
    sport, dport = (40000, 3478) if to_server else (3478, 40000)
    ulen = 8 + len(payload)
    pseudo = src + dst + struct.pack('!BBH', 0, 17, ulen)
    u = struct.pack('!HHHH', sport, dport, ulen, 0) + payload
    c = csum(pseudo + u) or 0xffff
    u = u[:6] + struct.pack('!H', c) + u[8:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(u), 0x1234, 0x4000, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    eth = (MAC_B + MAC_A) if to_server else (MAC_A + MAC_B)
    return eth + b'\x08\x00' + ip + u


def attr(t, v, pad=True):
    a = struct.pack('!HH', t, len(v)) + v
    if pad and len(v) % 4:
        a += b'\0' * (4 - len(v) % 4)
    return a


def xaddr4(ip, port):
    x = struct.unpack('!I', bytes(ip))[0] ^ COOKIE
    return struct.pack('!BBHI', 0, 1, port ^ (COOKIE >> 16), x)


def xaddr6(ip16, port, tid):
    key = struct.pack('!I', COOKIE) + tid
    return struct.pack('!BBH', 0, 2, port ^ (COOKIE >> 16)) + bytes(a ^ b for a, b in zip(ip16, key))


def addr4(ip, port):
    return struct.pack('!BBH', 0, 1, port) + bytes(ip)


def errcode(code, reason):
    return struct.pack('!HBB', 0, code // 100, code % 100) + reason


def u32(v):
    return struct.pack('!I', v)


def msgtype(method, cls):
    return ((method & 0xf) | (method & 0x70) << 1 | (method & 0xf80) << 2 |
            (cls & 1) << 4 | (cls & 2) << 7)


def msg(method, cls, attrs, tid, length=None, cookie=COOKIE):
    body = b''.join(attrs)
    n = len(body) if length is None else length
    return struct.pack('!HHI', msgtype(method, cls), n, cookie) + tid + body


def with_integrity(method, cls, attrs, tid, key, fingerprint=True):
    body = b''.join(attrs)
    head = struct.pack('!HHI', msgtype(method, cls), len(body) + 24, COOKIE) + tid
    mac = hmac.new(key, head + body, hashlib.sha1).digest()
    body += attr(0x0008, mac)
    if fingerprint:
        head = struct.pack('!HHI', msgtype(method, cls), len(body) + 8, COOKIE) + tid
        crc = (zlib.crc32(head + body) ^ 0x5354554e) & 0xffffffff
        body += attr(0x8028, u32(crc))
    return struct.pack('!HHI', msgtype(method, cls), len(body), COOKIE) + tid + body


def with_fingerprint(method, cls, attrs, tid, bad=False):
    body = b''.join(attrs)
    head = struct.pack('!HHI', msgtype(method, cls), len(body) + 8, COOKIE) + tid
    crc = (zlib.crc32(head + body) ^ 0x5354554e) & 0xffffffff
    if bad:
        crc ^= 1
    body += attr(0x8028, u32(crc))
    return struct.pack('!HHI', msgtype(method, cls), len(body), COOKIE) + tid + body


def tid(n):
    return bytes([0x10 + n] * 4) + struct.pack('!Q', 0x0102030405060708 + n)


# The reference's exact MS-TURN Allocate (field notes, turn.ps1).
MS_TURN_REF = bytes([
    0x00, 0x03, 0x00, 0x64, 0x21, 0x12, 0xa4, 0x42, 0xf1, 0x3c, 0x08, 0x4b,
    0x80, 0x18, 0x17, 0x72, 0x47, 0x49, 0x30, 0x65, 0x00, 0x0f, 0x00, 0x04,
    0x72, 0xc6, 0x4b, 0xc6, 0x80, 0x08, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04,
    0x00, 0x06, 0x00, 0x38, 0x02, 0x00, 0x00, 0x24, 0x79, 0xb7, 0x95, 0x2d,
    0x01, 0xce, 0xa8, 0x6e, 0x4e, 0x3d, 0x76, 0x22, 0x64, 0xaa, 0xc7, 0xb6,
    0x2b, 0xb8, 0x78, 0xde, 0xee, 0x8a, 0xc0, 0x88, 0x84, 0x49, 0x1b, 0x7c,
    0x00, 0x00, 0x00, 0x00, 0x82, 0x8b, 0x73, 0x75, 0xdd, 0x0c, 0xae, 0x66,
    0x95, 0xed, 0xef, 0x56, 0xd0, 0x4b, 0x54, 0xa4, 0x7c, 0xbd, 0xfa, 0x98,
    0x00, 0x10, 0x00, 0x04, 0x00, 0x00, 0x00, 0xc8, 0x80, 0x06, 0x00, 0x04,
    0x00, 0x00, 0x00, 0x01, 0x80, 0x55, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00])


def messages():
    key = hashlib.md5(b'alice:example.org:secret').digest()
    v6 = bytes.fromhex('fd000088000100000000000000000001')
    out = []
    out.append((True, msg(1, 0, [], tid(1))))
    out.append((False, with_fingerprint(1, 2, [
        attr(0x0020, xaddr4(IP_A, 40000)), attr(0x0001, addr4(IP_A, 40000)),
        attr(0x802b, addr4(IP_B, 3478)), attr(0x802c, addr4(IP_B, 3479)),
        attr(0x8022, b'Coturn-4.6.1 \'Gorst\'')], tid(1))))
    out.append((False, msg(1, 2, [attr(0x0020, xaddr6(v6, 51000, tid(2)))], tid(2))))
    out.append((True, msg(3, 0, [attr(0x0019, bytes([17, 0, 0, 0])), attr(0x000d, u32(3600)),
                                 attr(0x001a, b''), attr(0x8022, b'nettracer')], tid(3))))
    out.append((False, with_fingerprint(3, 3, [
        attr(0x0009, errcode(401, b'Unauthorized')), attr(0x0015, b'3c4d5e6f7a8b9c0d'),
        attr(0x0014, b'example.org'), attr(0x8022, b'Coturn-4.6.1 \'Gorst\'')], tid(3))))
    out.append((True, with_integrity(3, 0, [
        attr(0x0019, bytes([17, 0, 0, 0])), attr(0x0006, b'alice'), attr(0x0014, b'example.org'),
        attr(0x0015, b'3c4d5e6f7a8b9c0d')], tid(4), key)))
    out.append((False, with_integrity(3, 2, [
        attr(0x0016, xaddr4([10, 88, 50, 2], 49152)), attr(0x0020, xaddr4(IP_A, 40000)),
        attr(0x000d, u32(600))], tid(4), key)))
    out.append((True, with_integrity(4, 0, [attr(0x000d, u32(0)), attr(0x0006, b'alice'),
                                            attr(0x0014, b'example.org'),
                                            attr(0x0015, b'3c4d5e6f7a8b9c0d')], tid(5), key)))
    out.append((False, with_integrity(4, 2, [attr(0x000d, u32(0))], tid(5), key)))
    out.append((True, MS_TURN_REF))
    # MS-TURN error answer: MAGIC-COOKIE first, NONCE 0x0014 and REALM 0x0015, no padding
    out.append((False, msg(3, 3, [
        attr(0x000f, u32(0x72C64BC6), False), attr(0x8008, u32(1), False),
        attr(0x0009, errcode(401, b'The request did not contain a Message-Integrity attribute'), False),
        attr(0x0014, b'bm9uY2U=', False), attr(0x0015, b'RTCMEDIARELAY', False)], bytes.fromhex('f13c084b8018177247493065'))))
    out.append((True, msg(8, 0, [attr(0x0012, xaddr4([10, 88, 60, 1], 5000))], tid(6))))
    out.append((True, msg(9, 0, [attr(0x000c, bytes([0x40, 0x01, 0, 0])),
                                 attr(0x0012, xaddr4([10, 88, 60, 1], 5000))], tid(7))))
    out.append((True, msg(6, 1, [attr(0x0012, xaddr4([10, 88, 60, 1], 5000)), attr(0x0013, b'hello')], tid(8))))
    out.append((False, msg(7, 1, [attr(0x0012, xaddr4([10, 88, 60, 1], 5000)), attr(0x0013, b'world!')], tid(8))))
    out.append((False, msg(3, 3, [attr(0x0009, errcode(438, b'Stale Nonce')), attr(0x0015, b'n2')], tid(9))))
    out.append((False, msg(3, 3, [attr(0x0009, errcode(420, b'Unknown Attribute')),
                                  attr(0x000a, struct.pack('!HH', 0x0031, 0x0032))], tid(10))))
    out.append((False, msg(3, 3, [attr(0x0009, errcode(499, b'Strange'))], tid(11))))
    out.append((True, msg(3, 0, [attr(0x0019, bytes([99, 0, 0, 0])), attr(0x0010, u32(200)),
                                 attr(0x8055, struct.pack('!HH', 1, 0)), attr(0x8008, u32(6)),
                                 attr(0x8050, bytes(20) + u32(7))], tid(12))))
    out.append((True, msg(1, 0, [attr(0x0024, u32(0x6e7f00ff)), attr(0x802a, bytes(range(8))),
                                 attr(0x0025, b''), attr(0x8029, bytes(range(8, 16)))], tid(13))))
    out.append((False, msg(3, 2, [attr(0x000d, u32(0x80000001))], tid(14))))
    out.append((True, msg(1, 0, [attr(0x0006, 'jürgen'.encode())], tid(15))))
    # ---- malformed
    out.append((False, msg(1, 2, [attr(0x0020, xaddr4(IP_A, 40000)[:6])], tid(20))))   # short address
    out.append((False, msg(1, 2, [attr(0x0020, struct.pack('!BBH', 0, 3, 1) + bytes(4))], tid(21))))  # family 3
    out.append((False, msg(1, 2, [attr(0x0020, xaddr4(IP_A, 40000)[:1] + b'\x02' + xaddr4(IP_A, 40000)[2:])], tid(22))))  # v6 family, 8 bytes
    out.append((False, msg(3, 3, [attr(0x0009, struct.pack('!H', 0))], tid(23))))       # error code of 2 bytes
    out.append((False, msg(3, 3, [attr(0x0009, errcode(401, b''))], tid(24))))         # no reason
    out.append((False, msg(3, 3, [struct.pack('!HH', 0x0014, 40) + b'example.org\0'], tid(25))))  # length past end (known)
    out.append((False, msg(3, 3, [struct.pack('!HH', 0x7777, 40) + b'zzzz'], tid(26))))  # unknown, past end
    out.append((True, msg(1, 0, [attr(0x0006, b'bob'), b'\x00\x06'], tid(27))))          # 2 stray bytes
    out.append((False, with_fingerprint(1, 2, [attr(0x0020, xaddr4(IP_A, 40000))], tid(28), bad=True)))
    out.append((False, msg(3, 3, [attr(0x0009, errcode(401, b'Unauthorized')), attr(0x0014, b'')], tid(29))))  # empty realm
    out.append((True, msg(3, 0, [attr(0x000d, u32(7)[:2])], tid(30))))                  # lifetime of 2 bytes
    out.append((True, msg(3, 0, [attr(0x0019, b'\x11')], tid(31))))                     # transport of 1 byte
    out.append((False, msg(1, 2, [attr(0x8028, b'\x01\x02')], tid(32))))                 # short fingerprint
    out.append((True, msg(3, 0, [attr(0x000f, u32(0x72C64BC6)), attr(0x0014, b'abc')], tid(33))))  # MS-TURN, padded anyway
    return out


def channel_data():
    """ChannelData on UDP: tshark takes exact and 4-byte padded ones only"""
    return [
        (True, bytes.fromhex('40000004') + b'abcd'),
        (False, bytes.fromhex('40010005') + b'hello' + b'\0\0\0'),     # padded
        (True, bytes.fromhex('4000000a') + b'abcd'),                   # longer than the datagram
        (False, bytes.fromhex('7fff0000')),                            # highest channel, no data
        (True, bytes.fromhex('80000004') + b'abcd'),                   # first bits 10: not ChannelData
        (False, bytes.fromhex('400000')),                              # 3 bytes
        (True, bytes.fromhex('4ffe0002') + b'hi'),
        (False, bytes.fromhex('40000004') + b'abcdef'),                # 2 stray bytes
    ]


SEQ = {}


def tcp_frame(payload, to_server=True, cport=40001, sport_=3478):
    src, dst = (IP_A, IP_B) if to_server else (IP_B, IP_A)
    sport, dport = (cport, sport_) if to_server else (sport_, cport)
    seq = SEQ.get((cport, to_server), 1000)
    SEQ[(cport, to_server)] = seq + len(payload)
    ack = SEQ.get((cport, not to_server), 1000)
    t = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, 0x18, 65535, 0, 0) + payload
    c = csum(src + dst + struct.pack('!BBH', 0, 6, len(t)) + t)
    t = t[:16] + struct.pack('!H', c) + t[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(t), 0x1234, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    eth = (MAC_B + MAC_A) if to_server else (MAC_A + MAC_B)
    return eth + b'\x08\x00' + ip + t


def tcp_segments():
    bind = msg(1, 0, [], tid(40))
    ok = msg(1, 2, [attr(0x0020, xaddr4(IP_A, 40001))], tid(40))
    return [
        (True, bind),
        (False, ok),
        (True, bytes.fromhex('40010005') + b'hello\0\0\0'),                                   # padded to 4
        (True, bytes.fromhex('40000004') + b'abcd' + bytes.fromhex('40020002') + b'hi\0\0'),   # two in a segment
        (True, bytes.fromhex('4003000a') + b'0123'),                                           # across segments
        (True, b'456789\0\0'),
        (True, bind + bind),                                                                  # two requests: the last one's Info
        (True, bind + bytes.fromhex('40050000')),
        (False, bytes.fromhex('40050000') + ok),
    ]


def pseudotls_segments():
    """(to_server, client port, bytes) on TCP 443; the hello and answer as
    [MS-TURN] 2.1.1 with libnice's MS-OC values (zero random and session ID)"""
    hello = bytes.fromhex('160301002d0100002903 01'.replace(' ', '')) + bytes(32) + bytes.fromhex('00000200180100')
    sh = b'\x03\x01' + bytes(32) + b'\x20' + bytes(32) + b'\x00\x18\x00'
    answer = (b'\x16\x03\x01' + struct.pack('>H', 4 + len(sh) + 4) + b'\x02' + struct.pack('>I', len(sh))[1:] + sh
              + b'\x0e\x00\x00\x00')
    bind = msg(1, 0, [], tid(50))
    ok = msg(1, 2, [attr(0x0020, xaddr4(IP_A, 41002))], tid(50))
    return [
        (True, 41000, b'hello world\r\n'),                 # printable text first: TCP
        (False, 41000, b'\x00\x01garbage'),                 # not TLS, version unknown: SSL Continuation Data
        (True, 41001, hello),
        (True, 41001, bind),                                # after the hello, before an answer
        (True, 41002, hello),
        (False, 41002, answer),                             # ServerHello, ServerHelloDone
        (True, 41002, bind),                                # TURN: Ignored Unknown Record
        (False, 41002, ok),
        (True, 41002, bind + bind),                         # two in a segment: one unknown record
        (True, 41002, b'\x17\x03\x01\x00\x02ab'),           # a valid record type still is one
        (True, 41002, bind[:10]),
        (True, 41002, bind[10:]),
        (True, 41003, hello),
        (False, 41003, ok),                                 # STUN instead of the hello's answer
    ]


def main():
    if len(sys.argv) > 2 and sys.argv[1] == '--pseudotls':
        with open(sys.argv[2], 'wb') as f:
            f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
            for i, (to_server, cport, m) in enumerate(pseudotls_segments()):
                fr = tcp_frame(m, to_server, cport, 443)
                f.write(struct.pack('<IIII', T0, i * 10000, len(fr), len(fr)))
                f.write(fr)
        return
    if len(sys.argv) > 2 and sys.argv[1] == '--tcp':
        with open(sys.argv[2], 'wb') as f:
            f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
            for i, (to_server, m) in enumerate(tcp_segments()):
                fr = tcp_frame(m, to_server)
                f.write(struct.pack('<IIII', T0, i * 10000, len(fr), len(fr)))
                f.write(fr)
        return
    out = sys.argv[1] if len(sys.argv) > 1 else 'stun_crafted.pcap'
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, (to_server, m) in enumerate(messages() + channel_data()):
            fr = udp_frame(m, to_server)
            f.write(struct.pack('<IIII', T0 + i // 100, (i % 100) * 10000, len(fr), len(fr)))
            f.write(fr)


if __name__ == '__main__':
    main()
