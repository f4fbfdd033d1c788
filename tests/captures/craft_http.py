#!/usr/bin/env python3
"""craft_http.py OUTDIR -- write the hand-built HTTP and TCP-reassembly
captures the recordings do not cover, for the differential tests:

  http_media.pcap  HTTP requests and responses whose bodies are JSON, XML
                   (text/xml, application/xml, SOAP as Autodiscover/EWS send
                   it), and other media types tshark leaves to HTTP
  reasm_craft.pcap TCP messages that span a lost and re-sent segment: a DNS
                   answer over TCP re-sent after duplicate ACKs (fast
                   retransmission), a SIP INVITE whose segments arrive out of
                   order, an HTTP response whose middle segment never arrives

Python 3 standard library only; builds on craft_apps.py's packet helpers;
fixed timestamps (10 ms steps), so the output is the same byte for byte on
every run.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import craft_apps as c  # noqa: E402

A, B = c.A, c.B


def seg(sport, dport, seq, ack, data=b'', flags=0x18, src=A, dst=B):
    t = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
    cs = c.csum(src + dst + struct.pack('!BBH', 0, 6, len(t)) + t)
    return c.eth(c.ip(6, t[:16] + struct.pack('!H', cs) + t[18:], src, dst),
                 *((c.MAC_A, c.MAC_B) if src == A else (c.MAC_B, c.MAC_A)))


class Conn:
    """One TCP connection from A:cport to B:sport, with a handshake (so
    that tshark knows the round trip) and explicit sequence numbers."""

    def __init__(self, frames, cport, sport):
        self.f, self.cp, self.sp = frames, cport, sport
        self.cs, self.ss = 1000, 5000
        frames.append(seg(cport, sport, self.cs - 1, 0, flags=0x02))
        frames.append(seg(sport, cport, self.ss - 1, self.cs, flags=0x12, src=B, dst=A))
        frames.append(seg(cport, sport, self.cs, self.ss, flags=0x10))

    def c2s(self, data):
        self.f.append(seg(self.cp, self.sp, self.cs, self.ss, data))
        self.cs += len(data)

    def s2c(self, data, at=None, ack=None):
        seq = self.ss if at is None else at
        self.f.append(seg(self.sp, self.cp, seq, self.cs, data, src=B, dst=A))
        if at is None:
            self.ss += len(data)

    def ack(self, n=None):
        self.f.append(seg(self.cp, self.sp, self.cs, self.ss if n is None else n, flags=0x10))


def http_media():
    fr = []
    port = 40000

    def exchange(method, path, ctype, body, req_ctype=None, req_body=b''):
        nonlocal port
        port += 1
        k = Conn(fr, port, 80)
        req = '%s %s HTTP/1.1\r\nHost: mail.nettracer.test\r\n' % (method, path)
        if req_ctype:
            req += 'Content-Type: %s\r\nContent-Length: %d\r\n' % (req_ctype, len(req_body))
        k.c2s(req.encode() + b'\r\n' + req_body)
        k.ack()
        head = 'HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n' % (ctype, len(body))
        k.s2c(head.encode() + body)
        k.ack()

    js = b'{"items": [1, 2, 3], "ok": true}\n'
    xml = b'<?xml version="1.0" encoding="utf-8"?>\n<a><b>1</b></a>\n'
    soap = (b'<?xml version="1.0" encoding="utf-8"?>\n<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/'
            b'soap/envelope/"><soap:Body><GetFolder/></soap:Body></soap:Envelope>\n')
    autod = (b'<?xml version="1.0" encoding="utf-8"?>\n<Autodiscover xmlns="http://schemas.microsoft.com/'
             b'exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>al@nettracer.test'
             b'</EMailAddress></Request></Autodiscover>\n')
    exchange('GET', '/a.json', 'application/json', js)
    exchange('GET', '/b.json', 'application/json; charset=utf-8', js)
    exchange('POST', '/api', 'application/problem+json', js, 'application/json', js)
    exchange('GET', '/c.xml', 'text/xml', xml)
    exchange('GET', '/d.xml', 'application/xml; charset=utf-8', xml)
    exchange('POST', '/EWS/Exchange.asmx', 'text/xml; charset=utf-8', soap, 'text/xml; charset=utf-8', soap)
    exchange('POST', '/EWS/Exchange.asmx', 'application/soap+xml', soap, 'application/soap+xml', soap)
    exchange('POST', '/autodiscover/autodiscover.xml', 'text/xml', autod, 'text/xml', autod)
    exchange('GET', '/e.html', 'text/html', b'<html><body>x</body></html>\n')
    exchange('GET', '/f.txt', 'text/plain', b'plain text\n')
    exchange('GET', '/g.bin', 'application/octet-stream', b'\x01\x02\x03\x04')
    exchange('GET', '/h.js', 'application/javascript', b'var x = 1;\n')
    exchange('GET', '/i.json', 'text/json', js)
    exchange('GET', '/j.xhtml', 'application/xhtml+xml', xml)
    return fr


def reasm():
    fr = []
    # DNS over TCP: a 2100-byte answer in three segments; the second is lost
    # before the capture point, the client ACKs twice more, the server
    # re-sends it (fast retransmission) and the answer completes
    k = Conn(fr, 41001, 53)
    q = bytes.fromhex('beef01000001000000000000') + b'\x03big\x09nettracer\x04test\x00' + b'\x00\x10\x00\x01'
    k.c2s(struct.pack('!H', len(q)) + q)
    rrs = b''
    for i in range(30):
        txt = ('record %02d ' % i + 'x' * 50).encode()
        rrs += b'\xc0\x0c\x00\x10\x00\x01\x00\x00\x0e\x10' + struct.pack('!HB', len(txt) + 1, len(txt)) + txt
    ans = bytes.fromhex('beef81800001') + struct.pack('!HHH', 30, 0, 0) + q[12:] + rrs
    msg = struct.pack('!H', len(ans)) + ans
    s0 = k.ss
    parts = [msg[:1000], msg[1000:2000], msg[2000:]]
    k.s2c(parts[0])
    k.ack()
    k.s2c(parts[2], at=s0 + 2000)
    k.ack(s0 + 1000)
    k.ack(s0 + 1000)
    k.s2c(parts[1], at=s0 + 1000)
    k.ss = s0 + len(msg)
    k.ack()
    # SIP INVITE over TCP with SDP, in three segments; the second and the
    # third arrive swapped (out of order)
    k = Conn(fr, 41002, 5060)
    sdp = ('v=0\r\no=al 1 1 IN IP4 10.55.50.1\r\ns=-\r\nc=IN IP4 10.55.50.1\r\nt=0 0\r\n'
           'm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n' + 'a=x-pad:' + 'p' * 900 + '\r\n')
    inv = ('INVITE sip:bo@10.55.50.2 SIP/2.0\r\nVia: SIP/2.0/TCP 10.55.50.1:41002;branch=z9hG4bK-r1\r\n'
           'From: <sip:al@10.55.50.1>;tag=r1\r\nTo: <sip:bo@10.55.50.2>\r\nCall-ID: reasm-1@10.55.50.1\r\n'
           'CSeq: 1 INVITE\r\nContact: <sip:al@10.55.50.1:41002;transport=tcp>\r\n'
           'Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s' % (len(sdp), sdp)).encode()
    c0 = k.cs
    k.c2s(inv[:500])
    k.f.append(seg(k.cp, k.sp, c0 + 1000, k.ss, inv[1000:]))
    k.f.append(seg(k.cp, k.sp, c0 + 500, k.ss, inv[500:1000]))
    k.cs = c0 + len(inv)
    k.f.append(seg(k.sp, k.cp, k.ss, k.cs, flags=0x10, src=B, dst=A))
    # HTTP: a 3000-byte body whose middle segment is never captured, then a
    # second response on the same connection: decoding resumes there
    k = Conn(fr, 41003, 80)
    k.c2s(b'GET /a HTTP/1.1\r\nHost: x\r\n\r\n')
    body = b'y' * 3000
    r1 = b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3000\r\n\r\n' + body
    s0 = k.ss
    k.s2c(r1[:1000])
    k.s2c(r1[2000:], at=s0 + 2000)
    k.ss = s0 + len(r1)
    k.c2s(b'GET /b HTTP/1.1\r\nHost: x\r\n\r\n')
    k.s2c(b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello')
    return fr


def write(path, frames):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            us = i * 10000
            f.write(struct.pack('<IIII', c.T0 + us // 1000000, us % 1000000, len(fr), len(fr)) + fr)
    print(f'{path}: {len(frames)} frames')


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    write(os.path.join(sys.argv[1], 'http_media.pcap'), http_media())
    write(os.path.join(sys.argv[1], 'reasm_craft.pcap'), reasm())


if __name__ == '__main__':
    main()
