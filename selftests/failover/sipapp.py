#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""sipapp: the phone's "other process" (a call or presence application).

usage: sipapp.py --to ADDR:PORT [--udp] [--tcp] [--sport N] [--interval MS]

It was given the primary's address and never learns of a failover: every
interval it sends an OPTIONS over UDP from one fixed source port (one
flow, as a SIP stack keeps it) and over one TCP connection, which it
opens again when the connection fails. Replies are counted. One event a
line, t in CLOCK_REALTIME ms:

  udp-reply t=MS code=NNN
  tcp-connected t=MS local=PORT
  tcp-reply t=MS code=NNN
  tcp-error t=MS op=connect|send|recv err=NAME
  summary udp_sent=N udp_replies=N tcp_connects=N tcp_errors=N tcp_replies=N
  (at SIGTERM)
"""
import argparse
import errno
import select
import signal
import socket
import sys
import time

stats = {"udp_sent": 0, "udp_replies": 0, "tcp_connects": 0,
         "tcp_errors": 0, "tcp_replies": 0}


def now_ms():
    return int(time.time() * 1000)


def event(text):
    print("%s t=%d%s" % (text[0], now_ms(), text[1]), flush=True)


def options(dst, proto, local, seq):
    host, port = dst
    return ("OPTIONS sip:%s:%d SIP/2.0\r\n"
            "Via: SIP/2.0/%s %s:%d;rport;branch=z9hG4bK-app-%s-%d\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:app@example.test>;tag=app%d\r\n"
            "To: <sip:%s:%d>\r\n"
            "Call-ID: app-%s@example.test\r\n"
            "CSeq: %d OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n" %
            (host, port, proto.upper(), local[0], local[1], proto, seq,
             seq, host, port, proto, seq)).encode()


def status_codes(data):
    return [int(line.split()[1]) for line in data.split(b"\r\n")
            if line.startswith(b"SIP/2.0 ") and len(line.split()) > 1]


def err_name(e):
    return errno.errorcode.get(e.errno, str(e.errno)) if e.errno else "timeout"


class Tcp:
    def __init__(self, dst):
        self.dst = dst
        self.sock = None
        self.buf = b""

    def fail(self, op, e):
        stats["tcp_errors"] += 1
        event(("tcp-error", " op=%s err=%s" % (op, err_name(e))))
        if self.sock:
            self.sock.close()
        self.sock = None
        self.buf = b""

    def send(self, seq):
        if not self.sock:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.settimeout(1.0)
            try:
                self.sock.connect(self.dst)
            except OSError as e:
                self.fail("connect", e)
                return
            stats["tcp_connects"] += 1
            event(("tcp-connected",
                   " local=%d" % self.sock.getsockname()[1]))
        try:
            self.sock.sendall(options(self.dst, "tcp",
                                      self.sock.getsockname(), seq))
        except OSError as e:
            self.fail("send", e)

    def readable(self):
        try:
            data = self.sock.recv(65535)
        except OSError as e:
            self.fail("recv", e)
            return
        if not data:
            self.fail("recv", OSError(errno.ECONNRESET, "closed"))
            return
        self.buf += data
        head, sep, rest = self.buf.rpartition(b"\r\n\r\n")
        if sep:
            self.buf = rest
            for code in status_codes(head):
                stats["tcp_replies"] += 1
                event(("tcp-reply", " code=%d" % code))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", required=True)
    ap.add_argument("--udp", action="store_true")
    ap.add_argument("--tcp", action="store_true")
    ap.add_argument("--sport", type=int, default=7000)
    ap.add_argument("--interval", type=int, default=200)
    args = ap.parse_args()
    host, port = args.to.rsplit(":", 1)
    dst = (host, int(port))

    def finish(*_):
        print("summary " + " ".join("%s=%d" % kv for kv in stats.items()),
              flush=True)
        sys.exit(0)
    signal.signal(signal.SIGTERM, finish)

    # The address a reply comes back to (the Via); the route picks it.
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.connect(dst)
    local_ip = probe.getsockname()[0]
    probe.close()
    udp = None
    if args.udp:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("0.0.0.0", args.sport))
    tcp = Tcp(dst) if args.tcp else None
    print("ready", flush=True)
    seq = 0
    while True:
        seq += 1
        if udp:
            try:
                udp.sendto(options(dst, "udp", (local_ip, args.sport),
                                   seq), dst)
                stats["udp_sent"] += 1
            except OSError:
                pass
        if tcp:
            tcp.send(seq)
        deadline = time.monotonic() + args.interval / 1000.0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            fds = [s for s in (udp, tcp.sock if tcp else None) if s]
            ready = select.select(fds, [], [], left)[0]
            for s in ready:
                if s is udp:
                    try:
                        data = udp.recv(65535)
                    except OSError:
                        continue
                    for code in status_codes(data):
                        stats["udp_replies"] += 1
                        event(("udp-reply", " code=%d" % code))
                elif tcp and s is tcp.sock:
                    tcp.readable()


if __name__ == "__main__":
    main()
