#!/usr/bin/env python3
"""TCP programs for the diagnose captures of tests/captures/record_diagnose.sh,
run inside its own network namespaces (stdlib only). Every loop is bounded in
count and time; every socket has a timeout.

  diagapp.py mute-server PORT TIMEOUT
        accept one connection, read the request, never answer; close when
        the client does (or after TIMEOUT s)
  diagapp.py ask-client HOST PORT WAIT
        connect, send one request, wait WAIT s for an answer, give up (close)
  diagapp.py split-server PORT COUNT TIMEOUT
        accept one connection; answer each request line with a 6-byte header
        and a 276-byte body written by two send() calls (Nagle on), as the
        field notes' UNIX server did
  diagapp.py rr-client HOST PORT COUNT ANSWER_BYTES
        COUNT requests (one 100-byte line each) back to back, reading
        ANSWER_BYTES of answer after each
  diagapp.py delay-server PORT COUNT DELAY TIMEOUT
        accept one connection; answer each request line after DELAY s
  diagapp.py pause-client HOST PORT PAUSE
        request/answer, PAUSE s of silence, request/answer, close
  diagapp.py sip-uas ADDR TIMEOUT
        SIP user agent on ADDR:5060: answers an INVITE with 200 OK and SDP
        (RTP port 40002), sends RTP to the caller's SDP port every 20 ms
        until BYE, answers the BYE
  diagapp.py sip-uac ADDR PEER SECONDS
        calls PEER:5060 from ADDR:5060 (SDP RTP port 40000), ACKs the 200,
        sends RTP for SECONDS s, then BYE
  diagapp.py stun-client ADDR PEER TRIES
        one STUN Binding request to PEER:3478, sent TRIES times (0.5 s, 1 s
        ... apart, as RFC 5389's retransmission), waiting for an answer
"""
import os
import socket
import struct
import sys
import time


def listener(port, timeout):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('0.0.0.0', port))
    ls.listen(4)
    ls.settimeout(timeout)
    print('ready', flush=True)
    return ls


def accept(ls, timeout):
    c, _ = ls.accept()
    c.settimeout(timeout)
    return c


def lines(c, count):
    """Yields up to count request lines."""
    buf = b''
    n = 0
    while n < count:
        while b'\n' not in buf:
            d = c.recv(4096)
            if not d:
                return
            buf += d
        line, buf = buf.split(b'\n', 1)
        n += 1
        yield line


def mute_server(port, timeout):
    ls = listener(port, timeout)
    c = accept(ls, timeout)
    try:
        for _ in range(100):
            if not c.recv(4096):
                break
    except OSError:
        pass
    c.close()


def ask_client(host, port, wait):
    c = socket.create_connection((host, port), timeout=5)
    c.sendall(b'GET /status HTTP/1.1\r\nHost: lb.nettracer.test\r\n\r\n')
    c.settimeout(wait)
    try:
        c.recv(4096)
    except socket.timeout:
        pass
    c.close()


def split_server(port, count, timeout):
    ls = listener(port, timeout)
    c = accept(ls, timeout)
    try:
        for _ in lines(c, count):
            c.send(b'HDR276')          # header first ...
            c.send(b'b' * 276)         # ... then the body: Nagle holds it
    except OSError:
        pass
    c.close()


def rr_client(host, port, count, answer):
    c = socket.create_connection((host, port), timeout=5)
    for i in range(count):
        c.sendall(('request %03d ' % i).encode() + b'q' * 87 + b'\n')
        got = 0
        while got < answer:
            d = c.recv(4096)
            if not d:
                c.close()
                return
            got += len(d)
    c.close()


def delay_server(port, count, delay, timeout):
    ls = listener(port, timeout)
    c = accept(ls, timeout)
    try:
        for line in lines(c, count):
            time.sleep(delay)
            c.sendall(b'answer to ' + line + b'\n')
    except OSError:
        pass
    c.close()


def pause_client(host, port, pause):
    c = socket.create_connection((host, port), timeout=5)
    for i in range(2):
        c.sendall(b'hello %d\n' % i)
        c.recv(4096)
        if i == 0:
            time.sleep(pause)
    c.close()


def sdp(addr, port):
    return ('v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n'
            'm=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n' % (addr, addr, port)).encode()


def sip_msg(first, hdrs, body=b''):
    h = first + '\r\n' + ''.join('%s: %s\r\n' % kv for kv in hdrs)
    if body:
        h += 'Content-Type: application/sdp\r\n'
    h += 'Content-Length: %d\r\n\r\n' % len(body)
    return h.encode() + body


def rtp_packet(seq, ts, ssrc):
    return struct.pack('!BBHII', 0x80, 0, seq & 0xffff, ts & 0xffffffff, ssrc) + b'\xff' * 160


def sip_uas(addr, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 5060))
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r.bind((addr, 40002))
    r.setblocking(False)
    print('ready', flush=True)
    s.settimeout(timeout)
    d, peer = s.recvfrom(4096)
    text = d.decode(errors='replace')
    hdr = dict(l.split(': ', 1) for l in text.split('\r\n\r\n')[0].split('\r\n')[1:] if ': ' in l)
    media_port = int(text.split('m=audio ')[1].split()[0])
    common = [('Via', hdr['Via']), ('From', hdr['From']), ('To', hdr['To'] + ';tag=uas1'),
              ('Call-ID', hdr['Call-ID'])]
    s.sendto(sip_msg('SIP/2.0 200 OK', common + [('CSeq', '1 INVITE'), ('Contact', '<sip:uas@%s>' % addr)],
                     sdp(addr, 40002)), peer)
    s.settimeout(0.02)
    seq, end = 0, time.time() + timeout
    while time.time() < end and seq < 3000:
        try:
            r.sendto(rtp_packet(seq, seq * 160, 0x3c3c0002), (peer[0], media_port))
        except OSError:
            pass  # dropped by a firewall rule on the way out (EPERM)
        try:
            r.recv(2048)  # read the caller's RTP (a closed port would send ICMP errors)
        except OSError:
            pass
        seq += 1
        try:
            d, peer2 = s.recvfrom(4096)
        except socket.timeout:
            continue
        if d.startswith(b'BYE'):
            s.sendto(sip_msg('SIP/2.0 200 OK', common + [('CSeq', '2 BYE')]), peer2)
            return


def sip_uac(addr, peer, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 5060))
    s.settimeout(5)
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r.bind((addr, 40000))
    common = [('Via', 'SIP/2.0/UDP %s:5060;branch=z9hG4bK-nt6-1' % addr), ('From', '<sip:uac@%s>;tag=uac1' % addr),
              ('To', '<sip:uas@%s>' % peer), ('Call-ID', 'oneway-%d@%s' % (os.getpid(), addr))]
    s.sendto(sip_msg('INVITE sip:uas@%s SIP/2.0' % peer, common + [('CSeq', '1 INVITE'), ('Max-Forwards', '70'),
                     ('Contact', '<sip:uac@%s>' % addr)], sdp(addr, 40000)), (peer, 5060))
    d, _ = s.recvfrom(4096)
    port = int(d.decode(errors='replace').split('m=audio ')[1].split()[0])
    ack = [c if c[0] != 'To' else ('To', '<sip:uas@%s>;tag=uas1' % peer) for c in common]
    s.sendto(sip_msg('ACK sip:uas@%s SIP/2.0' % peer, ack + [('CSeq', '1 ACK'), ('Max-Forwards', '70')]), (peer, 5060))
    n = int(seconds / 0.02)
    for seq in range(n):
        try:
            r.sendto(rtp_packet(seq, seq * 160, 0x3c3c0001), (peer, port))
        except OSError:
            pass  # dropped by a firewall rule on the way out (EPERM)
        time.sleep(0.02)
    bye = [c if c[0] != 'Via' else ('Via', 'SIP/2.0/UDP %s:5060;branch=z9hG4bK-nt6-2' % addr) for c in ack]
    s.sendto(sip_msg('BYE sip:uas@%s SIP/2.0' % peer, bye + [('CSeq', '2 BYE'), ('Max-Forwards', '70')]), (peer, 5060))
    try:
        s.recvfrom(4096)
    except socket.timeout:
        pass


def stun_client(addr, peer, tries):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 0))
    req = struct.pack('!HHI', 0x0001, 0, 0x2112A442) + os.urandom(12)
    wait = 0.5
    for _ in range(tries):
        s.sendto(req, (peer, 3478))
        s.settimeout(wait)
        try:
            s.recvfrom(2048)
            return
        except socket.timeout:
            wait *= 2


def main(a):
    cmd = a[0]
    if cmd == 'mute-server':
        mute_server(int(a[1]), float(a[2]))
    elif cmd == 'ask-client':
        ask_client(a[1], int(a[2]), float(a[3]))
    elif cmd == 'split-server':
        split_server(int(a[1]), int(a[2]), float(a[3]))
    elif cmd == 'rr-client':
        rr_client(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif cmd == 'delay-server':
        delay_server(int(a[1]), int(a[2]), float(a[3]), float(a[4]))
    elif cmd == 'pause-client':
        pause_client(a[1], int(a[2]), float(a[3]))
    elif cmd == 'sip-uas':
        sip_uas(a[1], float(a[2]))
    elif cmd == 'sip-uac':
        sip_uac(a[1], a[2], float(a[3]))
    elif cmd == 'stun-client':
        stun_client(a[1], a[2], int(a[3]))
    else:
        sys.exit('diagapp.py: unknown command ' + cmd)


if __name__ == '__main__':
    main(sys.argv[1:])
