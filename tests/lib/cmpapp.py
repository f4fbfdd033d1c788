#!/usr/bin/env python3
"""TCP programs for the compare scenarios (tests/scenarios/compare*.sh), run
inside the namespaces those scripts create (stdlib only). Every loop is
bounded in count and time; every socket has a timeout.

  cmpapp.py server PORT SECONDS ANSWER_BYTES
        accept connections for SECONDS s; on each, read one request line and
        answer ANSWER_BYTES bytes, then close
  cmpapp.py client HOST PORT COUNT ANSWER_BYTES TIMEOUT
        COUNT connections one after the other: connect (TIMEOUT s), send a
        100-byte request line, read the answer until the server closes;
        prints "ok N failed M"
"""
import socket
import sys
import threading
import time


def serve_one(c, answer):
    c.settimeout(5)
    try:
        buf = b''
        while b'\n' not in buf and len(buf) < 4096:
            d = c.recv(4096)
            if not d:
                return
            buf += d
        c.sendall(bytes((i * 7) & 0xff for i in range(answer)))
        c.shutdown(socket.SHUT_WR)
        while c.recv(4096):
            pass
    except OSError:
        pass
    finally:
        c.close()


def server(port, seconds, answer):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('0.0.0.0', port))
    ls.listen(16)
    ls.settimeout(0.2)
    print('listening', flush=True)
    end = time.time() + seconds
    while time.time() < end:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve_one, args=(c, answer), daemon=True).start()
    ls.close()


def client(host, port, count, answer, timeout):
    ok = failed = 0
    for i in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect((host, port))
            s.sendall(b'request %d ' % i + b'x' * (100 - 10 - len(str(i))) + b'\n')
            got = 0
            while got < answer:
                d = s.recv(65536)
                if not d:
                    break
                got += len(d)
            ok += 1
        except OSError:
            failed += 1
        finally:
            s.close()
    print('ok %d failed %d' % (ok, failed), flush=True)


def main(a):
    if a[0] == 'server':
        server(int(a[1]), float(a[2]), int(a[3]))
    elif a[0] == 'client':
        client(a[1], int(a[2]), int(a[3]), int(a[4]), float(a[5]))
    else:
        sys.exit('unknown command ' + a[0])


if __name__ == '__main__':
    main(sys.argv[1:])
