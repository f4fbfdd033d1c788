#!/usr/bin/env python3
"""pseudotls_edge.py LISTEN_ADDR PORT TURN_ADDR TURN_PORT [MODE] -- the TCP
443 face of an MS-TURN A/V Edge for tests/scenarios/stun_coturn.sh: per
connection it waits for the pseudo-TLS ClientHello ([MS-TURN] 2.1.1),
answers with one record holding ServerHello + ServerHelloDone, then relays
the connection to a real TURN server (coturn over TCP).

The hello is checked by its TLS structure (record 0x16, ClientHello,
cipher suite 0x0018 offered), not against nettracer's bytes. The answer is
libnice's SSL_SERVER_MSOC_HANDSHAKE (socket/pseudossl.c) with a fresh
random and session ID, as libnice expects from an OCS/Lync edge.
MODE: ok (default); silent (read the hello, never answer).
Python 3 standard library only.
"""
import os
import socket
import struct
import sys
import threading

LADDR, LPORT, TADDR, TPORT = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
MODE = sys.argv[5] if len(sys.argv) > 5 else 'ok'


def answer():
    hello = b'\x03\x01' + os.urandom(32) + b'\x20' + os.urandom(32) + b'\x00\x18' + b'\x00'
    hs = b'\x02' + struct.pack('>I', len(hello))[1:] + hello + b'\x0e\x00\x00\x00'
    return b'\x16\x03\x01' + struct.pack('>H', len(hs)) + hs


def read_exact(s, n):
    b = b''
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def is_pseudo_hello(rec):
    """A TLS record holding one ClientHello that offers suite 0x0018."""
    if rec[0] != 0x16 or rec[1] != 3 or rec[5] != 1:
        return False
    body = rec[9:]
    sid = body[34]
    off = 35 + sid
    n = struct.unpack('>H', body[off:off + 2])[0]
    suites = [struct.unpack('>H', body[off + 2 + i:off + 4 + i])[0] for i in range(0, n, 2)]
    return 0x0018 in suites


def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(c):
    try:
        head = read_exact(c, 5)
        rec = head + read_exact(c, struct.unpack('>H', head[3:5])[0])
        if not is_pseudo_hello(rec):
            sys.stderr.write('not a pseudo-TLS hello: %s\n' % rec[:16].hex())
            c.close()
            return
        sys.stderr.write('pseudo-TLS hello of %d bytes\n' % len(rec))
        if MODE == 'silent':
            c.recv(1)   # until the client gives up
            c.close()
            return
        c.sendall(answer())
        t = socket.create_connection((TADDR, TPORT))
        threading.Thread(target=pump, args=(t, c), daemon=True).start()
        pump(c, t)
    except (EOFError, OSError, IndexError, struct.error) as e:
        sys.stderr.write('connection: %r\n' % e)
        c.close()


srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((LADDR, LPORT))
srv.listen(8)
while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
