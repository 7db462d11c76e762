#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""wire: what reached the registrars' SIP port, seen on their links.

usage: wire.py PORT[,PORT...] NETNS:IFACE:FILE...

Packet sockets (IPv4 and IPv6) on IFACE in each named network
namespace, so it sees what arrives even when nothing answers (a silent
registrar drops it in nftables, a dead one answers ICMP): capture comes
before netfilter and the socket lookup. One process for every
registrar: start-up is slow under TCG. Prints "ready" once all listen,
then appends one line per packet to a PORT (UDP or TCP) to that
namespace's FILE:

  t=MS proto=udp [port=N ]src=ADDR:PORT tag=0|1 req=METHOD|- [unreg=1]
  t=MS proto=tcp [port=N ]src=ADDR:PORT tag=0|1 syn=0|1 req=METHOD|- [unreg=1]

t is CLOCK_REALTIME in ms; port= names the destination port when it is
not the first PORT (e.g. TLS beside SIP); ADDR is [ADDR] for IPv6;
tag=1 marks the phone's "other process" (its packets leave the phone
with DSCP CS1, in either family); req is the SIP method a request
starts with, "-" for anything else (responses, CRLF keep-alives, TLS
records); unreg=1 marks a REGISTER that removes bindings (Expires 0).
"""
import ctypes
import os
import re
import select
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
DSCP_CS1 = 8
CLONE_NEWNET = 0x40000000
UNREGISTER = re.compile(rb"(\r\nexpires:[ \t]*0\r\n|;expires=0(?![0-9]))")


def setns(name):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "setns " + name)
    os.close(fd)


def method(payload):
    word = payload.split(b" ", 1)[0]
    if payload.startswith(b"SIP/") or not word.isalpha() or not word.isupper():
        return "-"
    return word.decode("ascii")


def unreg(payload):
    head = payload.split(b"\r\n\r\n", 1)[0].lower() + b"\r\n"
    return " unreg=1" if UNREGISTER.search(head) else ""


def describe(pkt, ports):
    if len(pkt) >= 40 and pkt[0] >> 4 == 6:
        # IPv6 without extension headers: what SIP over UDP/TCP sends.
        tag = int(((pkt[0] & 0x0F) << 4 | pkt[1] >> 4) >> 2 == DSCP_CS1)
        proto = pkt[6]
        src = "[%s]" % socket.inet_ntop(socket.AF_INET6, pkt[8:24])
        l4 = pkt[40:]
    elif len(pkt) >= 20 and pkt[0] >> 4 == 4:
        ihl = (pkt[0] & 0x0F) * 4
        tag = int(pkt[1] >> 2 == DSCP_CS1)
        proto = pkt[9]
        src = socket.inet_ntoa(pkt[12:16])
        l4 = pkt[ihl:]
    else:
        return None
    if proto == socket.IPPROTO_UDP and len(l4) >= 8:
        name, extra, payload = "udp", "", l4[8:]
    elif proto == socket.IPPROTO_TCP and len(l4) >= 20:
        name = "tcp"
        extra = " syn=%d" % int(l4[13] & 0x12 == 0x02)
        payload = l4[(l4[12] >> 4) * 4:]
    else:
        return None
    sport, dport = struct.unpack("!HH", l4[:4])
    if dport not in ports:
        return None
    req = method(payload)
    return "t=%d proto=%s%s src=%s:%d tag=%d%s req=%s%s\n" % (
        time.time() * 1000, name,
        " port=%d" % dport if dport != ports[0] else "", src, sport, tag,
        extra, req, unreg(payload) if req == "REGISTER" else "")


def main():
    ports = [int(p) for p in sys.argv[1].split(",")]
    outs = {}
    for spec in sys.argv[2:]:
        ns, iface, path = spec.split(":", 2)
        setns(ns)
        out = open(path, "a", buffering=1)
        for ethertype in (ETH_P_IP, ETH_P_IPV6):
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                                 socket.htons(ethertype))
            sock.bind((iface, ethertype))
            outs[sock] = out
    print("ready", flush=True)
    while True:
        for sock in select.select(list(outs), [], [])[0]:
            pkt, addr = sock.recvfrom(65535)
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            line = describe(pkt, ports)
            if line:
                outs[sock].write(line)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
