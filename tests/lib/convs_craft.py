#!/usr/bin/env python3
"""Writes convs_edges.pcap into the directory given: hand-built frames for
the corners of conversation counting that recorded captures do not reach,
so that tests/diff/tshark_convs.sh compares them with tshark too:

- a TCP stream whose first captured packet is the server's (A is the server)
- IP in IP and IPv6 in IPv4 carrying UDP/TCP (every IP header of a tunnel)
- a frame from a MAC and an IP address to itself; TCP between two ports of
  one address, both ways; UDP with equal ports
- a frame whose time is earlier than the first frame's (negative start) and
  one earlier than the previous (the start is the earliest, not the first)
- an ICMP error quoting a whole TCP header (the quoted packet is not counted)
- 802.1Q-tagged frames (one Ethernet conversation)
- conversations with equal packet counts (ties keep the order of appearance)

Checksums are left zero (tshark does not check them by default).
usage: convs_craft.py OUTDIR"""
import os
import struct
import sys

T0 = 1704103200  # 2024-01-01 10:00:00 UTC


def mac(n):
    return bytes([2, 0x99, 0, 0x77, 0, n])


def ip4(n):
    return bytes([10, 99, 77, n])


def ip6(n):
    return bytes.fromhex("fd000099007700000000000000000000")[:15] + bytes([n])


def eth(src, dst, etype, payload, vlan=None):
    hdr = dst + src
    if vlan is not None:
        hdr += struct.pack(">HH", 0x8100, vlan)
    return hdr + struct.pack(">H", etype) + payload


def ipv4(src, dst, proto, payload, ttl=64):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, ttl, proto, 0, src, dst) + payload


def ipv6(src, dst, nxt, payload):
    return struct.pack(">IHBB16s16s", 6 << 28, len(payload), nxt, 64, src, dst) + payload


def tcp(sport, dport, flags, seq=1000, ack=0, data=b""):
    return struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + data


def udp(sport, dport, data=b"x" * 8):
    return struct.pack(">HHHH", sport, dport, 8 + len(data), 0) + data


SYN, ACK, SYNACK, PSHACK = 0x02, 0x10, 0x12, 0x18


def frames():
    A, B, C = mac(1), mac(2), mac(3)
    a, b, c = ip4(1), ip4(2), ip4(3)
    out = []  # (seconds after T0, nanoseconds, frame)
    t = [0]

    def add(frame, dt_ns=10_000_000):
        t[0] += dt_ns
        out.append((t[0], frame))

    def at(ns, frame):
        out.append((ns, frame))

    # the first frame: its time is the origin of Rel Start
    add(eth(A, B, 0x0800, ipv4(a, b, 17, udp(5353, 5353))), 0)
    # TCP whose SYN was not captured: the SYN-ACK comes first
    add(eth(B, A, 0x0800, ipv4(b, a, 6, tcp(80, 41000, SYNACK, seq=5000, ack=1001))))
    add(eth(A, B, 0x0800, ipv4(a, b, 6, tcp(41000, 80, ACK, seq=1001, ack=5001))))
    add(eth(A, B, 0x0800, ipv4(a, b, 6, tcp(41000, 80, PSHACK, seq=1001, ack=5001, data=b"GET / HTTP/1.0\r\n\r\n"))))
    add(eth(B, A, 0x0800, ipv4(b, a, 6, tcp(80, 41000, PSHACK, seq=5001, ack=1019, data=b"HTTP/1.0 200 OK\r\n\r\n"))))
    # IP in IP carrying UDP; IPv6 in IPv4 carrying TCP
    add(eth(A, B, 0x0800, ipv4(a, b, 4, ipv4(ip4(11), ip4(12), 17, udp(4000, 4001)))))
    add(eth(B, A, 0x0800, ipv4(b, a, 4, ipv4(ip4(12), ip4(11), 17, udp(4001, 4000)))))
    add(eth(A, B, 0x0800, ipv4(a, b, 41, ipv6(ip6(1), ip6(2), 6, tcp(42000, 443, SYN)))))
    add(eth(B, A, 0x0800, ipv4(b, a, 41, ipv6(ip6(2), ip6(1), 6, tcp(443, 42000, SYNACK, seq=7000, ack=1001)))))
    # to itself: MAC, IP; TCP between two ports of one address, both ways
    add(eth(C, C, 0x0800, ipv4(c, c, 6, tcp(1000, 2000, SYN))))
    add(eth(C, C, 0x0800, ipv4(c, c, 6, tcp(2000, 1000, SYNACK, seq=9000, ack=1001))))
    add(eth(C, C, 0x0800, ipv4(c, c, 6, tcp(1000, 2000, ACK, seq=1001, ack=9001))))
    # UDP with equal ports, the other way
    add(eth(B, A, 0x0800, ipv4(b, a, 17, udp(5353, 5353))))
    # earlier than the first frame, then earlier than the previous one
    at(-2_500_000_000, eth(A, C, 0x0800, ipv4(a, c, 17, udp(6000, 6001))))
    at(t[0] + 10_000_000, eth(A, C, 0x0800, ipv4(a, c, 17, udp(6000, 6001))))
    at(t[0] + 5_000_000, eth(C, A, 0x0800, ipv4(c, a, 17, udp(6001, 6000))))
    t[0] += 20_000_000
    # an ICMP port unreachable quoting a whole TCP header to a new port pair
    quoted = ipv4(a, c, 6, tcp(43000, 25, SYN))
    add(eth(C, A, 0x0800, ipv4(c, a, 1, struct.pack(">BBHI", 3, 3, 0, 0) + quoted)))
    # 802.1Q: one Ethernet conversation, IPv6 over it
    add(eth(A, B, 0x86DD, ipv6(ip6(1), ip6(2), 17, udp(7000, 7001)), vlan=100))
    add(eth(B, A, 0x86DD, ipv6(ip6(2), ip6(1), 17, udp(7001, 7000)), vlan=100))
    # two more UDP conversations of one packet each (ties)
    add(eth(A, C, 0x0800, ipv4(a, c, 17, udp(8000, 8001))))
    add(eth(C, A, 0x0800, ipv4(c, a, 17, udp(8002, 8003))))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    path = os.path.join(sys.argv[1], "convs_edges.pcap")
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))  # nanosecond pcap
        for ns, frame in frames():
            sec, nsec = divmod(T0 * 10**9 + 123456789 + ns, 10**9)
            f.write(struct.pack("<IIII", sec, nsec, len(frame), len(frame)) + frame)
    print(path)


if __name__ == "__main__":
    main()
