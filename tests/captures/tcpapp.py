#!/usr/bin/env python3
"""TCP programs for the TCP-analysis captures of tests/captures/record.sh
(fw_drop ... preexisting), run inside its own network namespaces (stdlib
only).  Every loop is bounded in count and time; every socket has a timeout.

  tcpapp.py listen PORT TIMEOUT                listen, never accept (lost_ack)
  tcpapp.py idle-client HOST PORT WAIT         connect, send nothing, wait, close
  tcpapp.py echo-server PORT COUNT TIMEOUT MODE
        accept COUNT connections one after the other; MODE echo: answer every
        message until the client closes; MODE once: answer the first message,
        then close first (server FIN)
  tcpapp.py keepalive-client HOST PORT IDLE    hello/answer, then IDLE s idle
        with keep-alives every 1 s (TCP_KEEPIDLE=1 TCP_KEEPINTVL=1 TCP_KEEPCNT=3)
  tcpapp.py reuse-client HOST PORT SPORT COUNT GAP
        COUNT connections, each from source port SPORT (SO_REUSEADDR), GAP s apart
  tcpapp.py chat-client HOST PORT COUNT INTERVAL
        COUNT request/answer exchanges INTERVAL s apart on one connection
  tcpapp.py slow-server PORT RCVBUF PAUSE TIMEOUT
        SO_RCVBUF=RCVBUF before listen; accept one connection, read nothing
        for PAUSE s, then read everything
  tcpapp.py bulk-client HOST PORT BYTES        connect, send BYTES, close
"""
import socket
import sys
import time


def family(host):
    return socket.AF_INET6 if ':' in host else socket.AF_INET


def listener(port, timeout, rcvbuf=None):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    ls.bind(('0.0.0.0', port))
    ls.listen(4)
    ls.settimeout(timeout)
    print('ready', flush=True)
    return ls


def listen_only(port, timeout):
    ls = listener(port, timeout)
    time.sleep(timeout)          # never accept: handshakes stay in the kernel
    ls.close()


def idle_client(host, port, wait):
    c = socket.create_connection((host, port), timeout=5)
    time.sleep(wait)
    c.close()


def echo_server(port, count, timeout, mode):
    ls = listener(port, timeout)
    for _ in range(count):
        try:
            c, _ = ls.accept()
        except socket.timeout:
            return
        c.settimeout(timeout)
        try:
            for _ in range(1000):
                d = c.recv(4096)
                if not d:
                    break
                c.sendall(b'answer: ' + d)
                if mode == 'once':
                    break
        except OSError:
            pass
        c.close()


def keepalive_client(host, port, idle):
    c = socket.create_connection((host, port), timeout=5)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
    c.sendall(b'hello\n')
    c.recv(4096)
    time.sleep(idle)
    c.close()


def reuse_client(host, port, sport, count, gap):
    for i in range(count):
        for attempt in range(20):             # bounded retry if the port is busy
            c = socket.socket(family(host), socket.SOCK_STREAM)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            c.settimeout(5)
            try:
                c.bind(('0.0.0.0' if family(host) == socket.AF_INET else '::', sport))
                c.connect((host, port))
                break
            except OSError as e:
                c.close()
                sys.stderr.write('reuse-client: %s, retrying\n' % e)
                time.sleep(0.25)
        else:
            sys.exit('reuse-client: could not reuse port %d' % sport)
        c.sendall(b'request %d\n' % (i + 1))
        try:
            for _ in range(100):              # the server closes first
                if not c.recv(4096):
                    break
        except OSError:
            pass
        c.close()
        if i + 1 < count:
            time.sleep(gap)


def chat_client(host, port, count, interval):
    c = socket.create_connection((host, port), timeout=5)
    for i in range(count):
        c.sendall((b'request %03d ' % (i + 1)).ljust(100, b'.'))
        c.recv(4096)
        time.sleep(interval)
    c.close()


def slow_server(port, rcvbuf, pause, timeout):
    ls = listener(port, timeout, rcvbuf)
    try:
        c, _ = ls.accept()
    except socket.timeout:
        return
    time.sleep(pause)                        # read nothing: the window closes
    c.settimeout(timeout)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not c.recv(65536):
                break
    except OSError:
        pass
    c.close()


def bulk_client(host, port, nbytes):
    c = socket.create_connection((host, port), timeout=15)
    line = b'nettracer zero window test: the quick brown fox 0123456789\n'
    data = (line * (nbytes // len(line) + 1))[:nbytes]
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    try:
        c.recv(16)                           # wait for the server's FIN
    except OSError:
        pass
    c.close()


def main(a):
    cmd = a[0] if a else ''
    if cmd == 'listen':
        listen_only(int(a[1]), float(a[2]))
    elif cmd == 'idle-client':
        idle_client(a[1], int(a[2]), float(a[3]))
    elif cmd == 'echo-server':
        echo_server(int(a[1]), int(a[2]), float(a[3]), a[4])
    elif cmd == 'keepalive-client':
        keepalive_client(a[1], int(a[2]), float(a[3]))
    elif cmd == 'reuse-client':
        reuse_client(a[1], int(a[2]), int(a[3]), int(a[4]), float(a[5]))
    elif cmd == 'chat-client':
        chat_client(a[1], int(a[2]), int(a[3]), float(a[4]))
    elif cmd == 'slow-server':
        slow_server(int(a[1]), int(a[2]), float(a[3]), float(a[4]))
    elif cmd == 'bulk-client':
        bulk_client(a[1], int(a[2]), int(a[3]))
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv[1:])
