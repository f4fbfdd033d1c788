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
"""
import socket
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
    else:
        sys.exit('diagapp.py: unknown command ' + cmd)


if __name__ == '__main__':
    main(sys.argv[1:])
