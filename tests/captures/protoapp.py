#!/usr/bin/env python3
"""Small application-protocol programs that tests/captures/record_apps.sh runs
inside its own network namespaces (stdlib only).  Every loop is bounded in
count and time; every program gives up after its TIMEOUT.

  protoapp.py sip-uas MODE LOCALIP TIMEOUT        SIP user agent server (callee)
  protoapp.py sip-uac MODE LOCALIP PEERIP          SIP user agent client (caller)
      MODE: call (INVITE/SDP, 100, 180, 200, ACK, RTP+RTCP both ways, BYE, 200)
            nobye (the caller stops its RTP and never sends BYE; the callee's
                   RTP goes on for 2 s more)
            error (INVITE answered 100 then 488 with ms-diagnostics, ACK)
            tcp (as call, over one TCP connection, 0.5 s of RTP)
  protoapp.py nbns-server NAME IP TIMEOUT          answers NB queries for NAME
  protoapp.py nbns-query NAME SERVERIP             one query, waits for the answer
  protoapp.py rdp-server TIMEOUT                   X.224 CC with rdpNegRsp / failure
  protoapp.py rdp-client HOST                      2 X.224 CRs with cookie + rdpNegReq
  protoapp.py dhcp-client IFACE MAC                DHCP DISCOVER/OFFER/REQUEST/ACK
"""
import os
import random
import select
import socket
import struct
import sys
import time

SIP_PORT = 5060
CALLER_RTP = 40000
CALLEE_RTP = 40002


# ------------------------------------------------------------------ SIP

def sdp(ip, port, sess_id):
    return ('v=0\r\n'
            f'o=- {sess_id} {sess_id} IN IP4 {ip}\r\n'
            's=nettracer\r\n'
            f'c=IN IP4 {ip}\r\n'
            't=0 0\r\n'
            f'm=audio {port} RTP/AVP 0 101\r\n'
            'a=rtpmap:0 PCMU/8000\r\n'
            'a=rtpmap:101 telephone-event/8000\r\n'
            'a=fmtp:101 0-15\r\n'
            'a=ptime:20\r\n'
            'a=sendrecv\r\n')


def sip_msg(first, headers, body=''):
    out = first + '\r\n'
    for k, v in headers:
        out += f'{k}: {v}\r\n'
    ctype = [h for h in headers if h[0] in ('Content-Type', 'c')]
    if body and not ctype:
        out += 'Content-Type: application/sdp\r\n'
    out += f'Content-Length: {len(body.encode())}\r\n\r\n' + body
    return out.encode()


class Transport:
    """SIP messages over UDP (one socket) or TCP (one connection)."""

    def __init__(self, tcp, sock, peer=None):
        self.tcp, self.s, self.peer, self.buf = tcp, sock, peer, b''

    def send(self, data):
        if self.tcp:
            self.s.sendall(data)
        else:
            self.s.sendto(data, self.peer)

    def recv(self, timeout):
        """One SIP message (bytes) or None after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            if self.tcp:
                m = self._split()
                if m:
                    return m
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.s], [], [], left)
            if not r:
                return None
            if self.tcp:
                d = self.s.recv(65535)
                if not d:
                    return None
                self.buf += d
            else:
                d, peer = self.s.recvfrom(65535)
                self.peer = peer
                return d

    def _split(self):
        i = self.buf.find(b'\r\n\r\n')
        if i < 0:
            return None
        head = self.buf[:i].decode()
        clen = 0
        for line in head.split('\r\n')[1:]:
            k, _, v = line.partition(':')
            if k.strip().lower() in ('content-length', 'l'):
                clen = int(v)
        end = i + 4 + clen
        if len(self.buf) < end:
            return None
        m, self.buf = self.buf[:end], self.buf[end:]
        return m


def hdr(msg, name):
    for line in msg.decode().split('\r\n')[1:]:
        if not line:
            break
        k, _, v = line.partition(':')
        if k.strip().lower() == name.lower():
            return v.strip()
    return ''


def rtp_stream(sock, peer, ssrc, seq0, ts0, count, rtcp_sock, rtcp_peer, rtcp_after):
    """count RTP packets of PCMU every 20 ms, one RTCP SR + SDES after rtcp_after."""
    seq, ts = seq0, ts0
    payload = bytes([0xff]) * 160
    t0 = time.monotonic()
    octets = 0
    for i in range(count):
        hdrb = struct.pack('!BBHII', 0x80, (0x80 if i == 0 else 0) | 0, seq & 0xffff, ts & 0xffffffff, ssrc)
        sock.sendto(hdrb + payload, peer)
        octets += len(payload)
        if i + 1 == rtcp_after:
            now = time.time()
            ntp_s = int(now) + 2208988800
            ntp_f = int((now % 1) * (1 << 32))
            sr = struct.pack('!BBHIIIIII', 0x80, 200, 6, ssrc, ntp_s, ntp_f, ts, i + 1, octets)
            cname = f'nt5@{peer[0]}'.encode()
            item = bytes([1, len(cname)]) + cname + b'\x00'
            item += b'\x00' * ((4 - (4 + len(item)) % 4) % 4)
            sdes = struct.pack('!BBHI', 0x81, 202, (4 + len(item)) // 4, ssrc) + item
            rtcp_sock.sendto(sr + sdes, rtcp_peer)
        seq += 1
        ts += 160
        delay = t0 + (i + 1) * 0.02 - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def media_socks(ip, port):
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r.bind((ip, port))
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.bind((ip, port + 1))
    return r, c


def rtp_count(mode):
    return {'call': 100, 'tcp': 25}.get(mode, 50)


def sip_uas(mode, ip, timeout):
    tcp = mode == 'tcp'
    if tcp:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((ip, SIP_PORT))
        ls.listen(1)
        print('ready', flush=True)
        ls.settimeout(timeout)
        conn, _ = ls.accept()
        t = Transport(True, conn)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((ip, SIP_PORT))
        print('ready', flush=True)
        t = Transport(False, s)
    inv = t.recv(timeout)
    if inv is None:
        return
    via, frm, to, cid, cseq = (hdr(inv, h) for h in ('Via', 'From', 'To', 'Call-ID', 'CSeq'))
    caller_ip = inv.decode().split('c=IN IP4 ')[1].split('\r\n')[0]
    base = [('Via', via), ('From', frm)]
    to_tag = to + ';tag=b7c2e1'
    t.send(sip_msg('SIP/2.0 100 Trying', base + [('To', to), ('Call-ID', cid), ('CSeq', cseq)]))
    if mode == 'error':
        time.sleep(0.05)
        t.send(sip_msg('SIP/2.0 488 Not Acceptable Here', base + [
            ('To', to_tag), ('Call-ID', cid), ('CSeq', cseq),
            ('ms-diagnostics', '52001;reason="Client side general processing error.";'
             'component="nettracer";source="' + ip + '"'),
            ('Server', 'nettracer-uas')]))
        t.recv(3)   # ACK
        return
    time.sleep(0.05)
    contact = f'<sip:bob@{ip}:{SIP_PORT}' + (';transport=tcp>' if tcp else '>')
    t.send(sip_msg('SIP/2.0 180 Ringing', base + [('To', to_tag), ('Call-ID', cid), ('CSeq', cseq),
                                                 ('Contact', contact)]))
    time.sleep(0.2)
    r, c = media_socks(ip, CALLEE_RTP)
    t.send(sip_msg('SIP/2.0 200 OK', base + [('To', to_tag), ('Call-ID', cid), ('CSeq', cseq),
                                            ('Contact', contact), ('Server', 'nettracer-uas')],
                   sdp(ip, CALLEE_RTP, 2002)))
    ack = t.recv(3)
    if ack is None:
        return
    n = rtp_count(mode)
    if mode == 'nobye':
        n = 150   # 3 s: goes on 2 s after the caller went silent
    rtp_stream(r, (caller_ip, CALLER_RTP), 0x5a5a0002, 20000, 160000, n, c,
               (caller_ip, CALLER_RTP + 1), n // 2)
    if mode == 'nobye':
        return
    bye = t.recv(3)
    if bye is None:
        return
    t.send(sip_msg('SIP/2.0 200 OK', [('Via', hdr(bye, 'Via')), ('From', hdr(bye, 'From')),
                                      ('To', hdr(bye, 'To')), ('Call-ID', hdr(bye, 'Call-ID')),
                                      ('CSeq', hdr(bye, 'CSeq'))]))
    if tcp:
        t.recv(1)
        conn.close()


def sip_uac(mode, ip, peer):
    tcp = mode == 'tcp'
    if tcp:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((ip, 0))
        s.connect((peer, SIP_PORT))
        t = Transport(True, s)
        lport = s.getsockname()[1]
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((ip, SIP_PORT))
        t = Transport(False, s, (peer, SIP_PORT))
        lport = SIP_PORT
    proto = 'TCP' if tcp else 'UDP'
    cid = f'{mode}-3f2a9c@{ip}'
    via = f'SIP/2.0/{proto} {ip}:{lport};branch=z9hG4bK-nt5-{mode}-1;rport'
    frm = f'"Alice" <sip:alice@{ip}>;tag=a1f00d'
    to = f'<sip:bob@{peer}>'
    contact = f'<sip:alice@{ip}:{lport}' + (';transport=tcp>' if tcp else '>')
    r, c = media_socks(ip, CALLER_RTP)
    t.send(sip_msg(f'INVITE sip:bob@{peer} SIP/2.0', [
        ('Via', via), ('Max-Forwards', '70'), ('From', frm), ('To', to), ('Call-ID', cid),
        ('CSeq', '1 INVITE'), ('Contact', contact), ('User-Agent', 'nettracer-uac')],
        sdp(ip, CALLER_RTP, 1001)))
    final = None
    for _ in range(5):
        m = t.recv(5)
        if m is None:
            return
        code = int(m.split(b' ', 2)[1])
        if code >= 200:
            final = m
            break
    if final is None:
        return
    to_tag = hdr(final, 'To')
    code = int(final.split(b' ', 2)[1])
    if code >= 300:
        t.send(sip_msg(f'ACK sip:bob@{peer} SIP/2.0', [
            ('Via', via), ('Max-Forwards', '70'), ('From', frm), ('To', to_tag),
            ('Call-ID', cid), ('CSeq', '1 ACK')]))
        return
    t.send(sip_msg(f'ACK sip:bob@{peer}:{SIP_PORT} SIP/2.0', [
        ('v', f'SIP/2.0/{proto} {ip}:{lport};branch=z9hG4bK-nt5-{mode}-2;rport'),
        ('Max-Forwards', '70'), ('f', frm), ('t', to_tag), ('i', cid), ('CSeq', '1 ACK')]))
    n = rtp_count(mode)
    rtp_stream(r, (peer, CALLEE_RTP), 0x3c3c0001, 1000, 8000, n, c, (peer, CALLEE_RTP + 1), n // 2)
    if mode == 'nobye':
        return   # hung up without BYE
    t.send(sip_msg(f'BYE sip:bob@{peer}:{SIP_PORT} SIP/2.0', [
        ('Via', f'SIP/2.0/{proto} {ip}:{lport};branch=z9hG4bK-nt5-{mode}-3;rport'),
        ('Max-Forwards', '70'), ('From', frm), ('To', to_tag), ('Call-ID', cid),
        ('CSeq', '2 BYE')]))
    t.recv(3)
    if tcp:
        s.close()


# ------------------------------------------------------------------ NBNS

def nb_encode(name, suffix):
    raw = name.upper().ljust(15)[:15].encode() + bytes([suffix])
    enc = bytes(b for ch in raw for b in (0x41 + (ch >> 4), 0x41 + (ch & 15)))
    return bytes([32]) + enc + b'\x00'


def nbns_server(name, ip, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('0.0.0.0', 137))
    print('ready', flush=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], max(0.0, deadline - time.monotonic()))
        if not r:
            return
        q, peer = s.recvfrom(1500)
        if len(q) < 12 + 34 + 4:
            continue
        tid = q[:2]
        qname = q[12:12 + 34]
        if qname != nb_encode(name, 0x00) and qname != nb_encode(name, 0x20):
            continue   # negative answers are not needed for the capture
        ans = tid + struct.pack('!HHHHH', 0x8500, 0, 1, 0, 0) + qname
        ans += struct.pack('!HHIH', 0x20, 1, 300000, 6) + struct.pack('!H', 0) + socket.inet_aton(ip)
        s.sendto(ans, peer)


def nbns_query(name, server, suffix=0x00):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('0.0.0.0', 137))
    s.settimeout(2)
    for tid, sfx in ((0x8a31, 0x00), (0x8a32, 0x20)):
        q = struct.pack('!HHHHHH', tid, 0x0110, 1, 0, 0, 0) + nb_encode(name, sfx) + struct.pack('!HH', 0x20, 1)
        s.sendto(q, (server, 137))
        try:
            s.recvfrom(1500)
        except socket.timeout:
            pass


# ------------------------------------------------------------------ RDP (X.224)

def tpkt(payload):
    return struct.pack('!BBH', 3, 0, 4 + len(payload)) + payload


def rdp_server(timeout):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('0.0.0.0', 3389))
    ls.listen(2)
    ls.settimeout(timeout)
    print('ready', flush=True)
    for i in range(2):
        c, _ = ls.accept()
        c.settimeout(3)
        c.recv(4096)
        if i == 0:
            neg = struct.pack('<BBHI', 2, 0x1f, 8, 1)           # rdpNegRsp: PROTOCOL_SSL
        else:
            neg = struct.pack('<BBHI', 3, 0, 8, 5)              # rdpNegFailure: SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER
        x224 = bytes([6 + len(neg), 0xd0, 0, 0, 0x12, 0x34, 0]) + neg
        c.sendall(tpkt(x224))
        try:
            c.recv(4096)
        except socket.timeout:
            pass
        c.close()


def rdp_client(host):
    for user, protos in (('alice', 3), ('bob', 0)):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(3)
        s.connect((host, 3389))
        cookie = f'Cookie: mstshash={user}\r\n'.encode()
        neg = struct.pack('<BBHI', 1, 0, 8, protos)             # rdpNegReq
        body = cookie + neg
        x224 = bytes([6 + len(body), 0xe0, 0, 0, 0, 0, 0]) + body
        s.sendall(tpkt(x224))
        try:
            s.recv(4096)
        except socket.timeout:
            pass
        s.close()
        time.sleep(0.2)


# ------------------------------------------------------------------ DHCP

def csum(b):
    if len(b) % 2:
        b += b'\x00'
    s = sum(struct.unpack(f'!{len(b) // 2}H', b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udp_frame(mac, src, dst, payload):
    udp = struct.pack('!HHHH', 68, 67, 8 + len(payload), 0) + payload
    pseudo = src + dst + struct.pack('!BBH', 0, 17, len(udp))
    c = csum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack('!H', c) + udp[8:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0x10, 20 + len(udp), 0, 0, 128, 17, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return b'\xff' * 6 + mac + b'\x08\x00' + ip + udp


def dhcp_packet(mac, xid, mtype, opts):
    b = struct.pack('!BBBBIHH4s4s4s4s', 1, 1, 6, 0, xid, 0, 0x8000, b'\0' * 4, b'\0' * 4, b'\0' * 4, b'\0' * 4)
    b += mac + b'\0' * 10 + b'\0' * 64 + b'\0' * 128 + b'\x63\x82\x53\x63'
    b += bytes([53, 1, mtype])
    b += bytes([61, 7, 1]) + mac
    for code, val in opts:
        b += bytes([code, len(val)]) + val
    b += bytes([12, 8]) + b'nt5-host'
    b += bytes([55, 6, 1, 3, 6, 15, 51, 54])
    b += b'\xff'
    return b.ljust(300, b'\0')


def dhcp_reply(s, xid, want, deadline):
    while time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], max(0.0, deadline - time.monotonic()))
        if not r:
            return None
        f = s.recv(2048)
        if len(f) < 14 + 20 + 8 + 240 or f[12:14] != b'\x08\x00' or f[23] != 17:
            continue
        ihl = (f[14] & 15) * 4
        udp = f[14 + ihl:]
        if struct.unpack('!H', udp[2:4])[0] != 68:
            continue
        d = udp[8:]
        if d[0] != 2 or struct.unpack('!I', d[4:8])[0] != xid:
            continue
        o, opts = 240, {}
        while o < len(d) and d[o] != 255:
            if d[o] == 0:
                o += 1
                continue
            opts[d[o]] = d[o + 2:o + 2 + d[o + 1]]
            o += 2 + d[o + 1]
        if opts.get(53) == bytes([want]):
            return d[16:20], opts
    return None


def dhcp_client(iface, mac_s):
    mac = bytes(int(x, 16) for x in mac_s.split(':'))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.bind((iface, 0))
    xid = 0x5e5e0001
    zero, bcast = b'\0' * 4, b'\xff' * 4
    deadline = time.monotonic() + 10
    s.send(udp_frame(mac, zero, bcast, dhcp_packet(mac, xid, 1, [])))
    got = dhcp_reply(s, xid, 2, deadline)
    if got is None:
        sys.exit('no offer')
    yiaddr, opts = got
    s.send(udp_frame(mac, zero, bcast, dhcp_packet(mac, xid, 3, [(50, yiaddr), (54, opts[54])])))
    if dhcp_reply(s, xid, 5, deadline) is None:
        sys.exit('no ack')
    print('bound', socket.inet_ntoa(yiaddr), flush=True)


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    cmd = a[0]
    if cmd == 'sip-uas':
        sip_uas(a[1], a[2], float(a[3]))
    elif cmd == 'sip-uac':
        sip_uac(a[1], a[2], a[3])
    elif cmd == 'nbns-server':
        nbns_server(a[1], a[2], float(a[3]))
    elif cmd == 'nbns-query':
        nbns_query(a[1], a[2])
    elif cmd == 'rdp-server':
        rdp_server(float(a[1]))
    elif cmd == 'rdp-client':
        rdp_client(a[1])
    elif cmd == 'dhcp-client':
        dhcp_client(a[1], a[2])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
