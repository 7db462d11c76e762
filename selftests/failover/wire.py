#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""wire: what reached a registrar's SIP port, seen on its link.

usage: wire.py IFACE PORT

Listens on IFACE with a packet socket, so it sees what arrives even when
nothing answers (a silent registrar drops it in nftables, a dead one
answers ICMP): capture comes before netfilter and the socket lookup.
Prints "ready", then one line per packet to PORT (IPv4, UDP or TCP):

  t=MS proto=udp src=ADDR:PORT tag=0|1 req=METHOD|-
  t=MS proto=tcp src=ADDR:PORT tag=0|1 syn=0|1 req=METHOD|-

t is CLOCK_REALTIME in ms; tag=1 marks the phone's "other process" (its
packets leave the phone with DSCP CS1); req is the SIP method a request
starts with, "-" for anything else (responses, CRLF keep-alives, ACKs).
"""
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
DSCP_CS1 = 8


def method(payload):
    word = payload.split(b" ", 1)[0]
    if payload.startswith(b"SIP/") or not word.isalpha() or not word.isupper():
        return "-"
    return word.decode("ascii")


def main():
    iface, port = sys.argv[1], int(sys.argv[2])
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                         socket.htons(ETH_P_IP))
    sock.bind((iface, ETH_P_IP))
    print("ready", flush=True)
    while True:
        pkt, addr = sock.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING or len(pkt) < 20:
            continue
        ihl = (pkt[0] & 0x0F) * 4
        tag = int(pkt[1] >> 2 == DSCP_CS1)
        proto = pkt[9]
        src = socket.inet_ntoa(pkt[12:16])
        l4 = pkt[ihl:]
        if proto == socket.IPPROTO_UDP and len(l4) >= 8:
            sport, dport = struct.unpack("!HH", l4[:4])
            extra = ""
            payload = l4[8:]
            name = "udp"
        elif proto == socket.IPPROTO_TCP and len(l4) >= 20:
            sport, dport = struct.unpack("!HH", l4[:4])
            flags = l4[13]
            syn = int(flags & 0x12 == 0x02)
            extra = " syn=%d" % syn
            payload = l4[(l4[12] >> 4) * 4:]
            name = "tcp"
        else:
            continue
        if dport != port:
            continue
        print("t=%d proto=%s src=%s:%d tag=%d%s req=%s" %
              (time.time() * 1000, name, src, sport, tag, extra,
               method(payload)), flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
