#!/usr/bin/env python3
"""Small network programs that tests/captures/record.sh runs inside its own
network namespaces (stdlib only).  Every loop is bounded in count and time.

  nsapp.py udp-echo COUNT TIMEOUT            UDP echo server on [::]:5000 (v4+v6)
  nsapp.py udp-client HOST PORT COUNT SIZE   send COUNT datagrams, read replies
  nsapp.py udp-send HOST PORT SIZE [HOPS]    one datagram, optional TTL/hop limit
  nsapp.py tcp-close-server PORT TIMEOUT     2 connections: RST close, FIN close
  nsapp.py tcp-close-client HOST PORT        the matching client
  nsapp.py vlan IFACE PROTO:ID[,PROTO:ID]    tag frames with eBPF (no 8021q module)
"""
import ctypes
import os
import select
import signal
import socket
import struct
import sys
import time


def family(host):
    return socket.AF_INET6 if ':' in host else socket.AF_INET


def udp_echo(count, timeout):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(('::', 5000))
    print('ready', flush=True)
    deadline = time.monotonic() + timeout
    n = 0
    while n < count and time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], max(0.0, deadline - time.monotonic()))
        if not r:
            break
        data, peer = s.recvfrom(65535)
        n += 1
        if len(data) <= 1400:
            s.sendto(b'echo: ' + data, peer)


def udp_client(host, port, count, size):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.settimeout(2.0)
    for i in range(count):
        msg = (b'nettracer udp test %d ' % (i + 1)).ljust(size, b'.')[:size]
        s.sendto(msg, (host, port))
        try:
            s.recvfrom(65535)
        except (socket.timeout, ConnectionRefusedError):
            pass
        time.sleep(0.2)


def udp_send(host, port, size, hops=None):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    if hops is not None:
        if family(host) == socket.AF_INET:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, hops)
        else:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, hops)
    s.connect((host, port))
    s.send((b'nettracer datagram ').ljust(size, b'x')[:size])
    # give the ICMP error time to come back (it is in the capture either way)
    s.settimeout(1.0)
    try:
        s.recv(65535)
    except (socket.timeout, OSError):
        pass


def body(tag, size):
    line = b'%s: the quick brown fox jumps over the lazy dog 0123456789\n' % tag
    return (line * (size // len(line) + 1))[:size]


def tcp_close_server(port, timeout):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('0.0.0.0', port))
    ls.listen(4)
    ls.settimeout(timeout)
    print('ready', flush=True)
    for mode in ('rst', 'fin'):
        try:
            c, _ = ls.accept()
        except socket.timeout:
            return
        c.settimeout(timeout)
        try:
            c.recv(1024)                      # request line
            c.sendall(body(mode.encode(), 3000))
            time.sleep(0.3)                   # let the client read and ACK
            if mode == 'rst':
                # SO_LINGER on, 0 s: close() sends RST instead of FIN
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack('ii', 1, 0))
            else:
                c.shutdown(socket.SHUT_WR)
                c.recv(1024)                  # wait for the client's FIN
        except OSError:
            pass
        c.close()


def tcp_close_client(host, port):
    for mode in ('rst', 'fin'):
        c = socket.create_connection((host, port), timeout=5)
        c.sendall(b'GET %s\r\n' % mode.encode())
        got = 0
        try:
            while got < 100000:
                d = c.recv(65536)
                if not d:
                    break
                got += len(d)
        except (ConnectionResetError, socket.timeout):
            pass
        c.close()
        time.sleep(0.3)


# --- VLAN tagging with eBPF -------------------------------------------------
# Used when the kernel has no 8021q module (ip link add ... type vlan fails).
# Two tcx programs on IFACE: egress pushes the tags (bpf_skb_vlan_push), ingress
# pops them (bpf_skb_vlan_pop) so the stack above sees untagged frames, as a
# VLAN sub-interface would.  tcpdump taps run after tc egress and before tc
# ingress, so a capture on IFACE shows tagged frames in both directions.
SYS_BPF = {'x86_64': 321, 'aarch64': 280, 'riscv64': 280}.get(os.uname().machine, 321)
BPF_PROG_LOAD, BPF_LINK_CREATE = 5, 28
BPF_PROG_TYPE_SCHED_CLS = 3
BPF_TCX_INGRESS, BPF_TCX_EGRESS = 46, 47
FN_SKB_VLAN_PUSH, FN_SKB_VLAN_POP = 18, 19


def _insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack('<BBhi', code, (src << 4) | dst, off, imm)


_MOV64_IMM, _MOV64_REG, _CALL, _EXIT = 0xb7, 0xbf, 0x85, 0x95


def _bpf(libc, cmd, attr):
    buf = ctypes.create_string_buffer(attr, 256)
    r = libc.syscall(SYS_BPF, cmd, buf, 256)
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, 'bpf(%d): %s' % (cmd, os.strerror(e)))
    return r


def _load(libc, code):
    ins = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(b'GPL')
    log = ctypes.create_string_buffer(65536)
    attr = struct.pack('<IIQQIIQII16s', BPF_PROG_TYPE_SCHED_CLS, len(code) // 8,
                       ctypes.addressof(ins), ctypes.addressof(lic), 1, len(log),
                       ctypes.addressof(log), 0, 0, b'nt_vlan')
    try:
        return _bpf(libc, BPF_PROG_LOAD, attr)
    except OSError:
        sys.stderr.write(log.value.decode(errors='replace'))
        raise


def vlan(ifname, tags):
    libc = ctypes.CDLL(None, use_errno=True)
    push = _insn(_MOV64_REG, 6, 1)           # r6 = skb
    pop = _insn(_MOV64_REG, 6, 1)
    for t in tags.split(','):               # innermost tag first
        proto, vid = t.split(':')
        etype = {'8021q': 0x8100, '8021ad': 0x88a8}[proto]
        push += (_insn(_MOV64_REG, 1, 6) + _insn(_MOV64_IMM, 2, imm=socket.htons(etype))
                 + _insn(_MOV64_IMM, 3, imm=int(vid)) + _insn(_CALL, imm=FN_SKB_VLAN_PUSH))
        pop += _insn(_MOV64_REG, 1, 6) + _insn(_CALL, imm=FN_SKB_VLAN_POP)
    tail = _insn(_MOV64_IMM, 0, imm=0) + _insn(_EXIT)   # TCX_PASS
    ifindex = socket.if_nametoindex(ifname)
    links = []
    for code, where in ((push + tail, BPF_TCX_EGRESS), (pop + tail, BPF_TCX_INGRESS)):
        pfd = _load(libc, code)
        links.append(_bpf(libc, BPF_LINK_CREATE, struct.pack('<IIII', pfd, ifindex, where, 0)))
    print('attached', flush=True)
    # the links live as long as this process holds their fds
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    signal.signal(signal.SIGALRM, lambda *a: sys.exit(0))
    signal.alarm(120)                        # bounded even if nobody stops us
    try:
        while True:
            signal.pause()
    except KeyboardInterrupt:
        pass


def main(a):
    cmd = a[0] if a else ''
    if cmd == 'udp-echo':
        udp_echo(int(a[1]), float(a[2]))
    elif cmd == 'udp-client':
        udp_client(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif cmd == 'udp-send':
        udp_send(a[1], int(a[2]), int(a[3]), int(a[4]) if len(a) > 4 else None)
    elif cmd == 'tcp-close-server':
        tcp_close_server(int(a[1]), float(a[2]))
    elif cmd == 'tcp-close-client':
        tcp_close_client(a[1], int(a[2]))
    elif cmd == 'vlan':
        vlan(a[1], a[2])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv[1:])
