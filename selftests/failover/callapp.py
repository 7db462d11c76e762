#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""callapp: a SIP user agent that places and answers calls, for tests.

usage: callapp.py [--name NAME] [--user USER] [--domain DOMAIN]
                  [--listen ADDR]... [--port N] [--tls-port N]
                  [--cert PEM --key PEM] [--ca PEM] [--tls-name NAME]
                  [--via ADDR:PORT] [--proto udp|tcp|tls]
                  [--ring MS] [--answer CODE] [--t1 MS] [--ctl FIFO]

The phone's call application (and, as another instance, the far end):
it listens on --port over UDP and TCP and, with a certificate, on
--tls-port over TLS, on every --listen address (default 0.0.0.0 and ::).
It answers an INVITE with 100, 180 and, --ring ms later, 200 with a
minimal SDP (or --answer CODE), and ACK, BYE, CANCEL, OPTIONS and other
requests as RFC 3261 wants; retransmitted requests get the last answer
again. No media flows.

It places calls as a naive phone application does: the INVITE goes to
the next hop it was given (--via, or via= of the command), over UDP from
its own listening port, over TCP or TLS on a connection it opens or
reuses (TLS: verified against --ca and --tls-name, default the domain,
when --ca is given). The 2xx is ACKed and the BYE sent along the route
set (Record-Route, loose routing; RFC 3261 12.1.2, 12.2.1.1, 13.2.2.4),
not to the first next hop. Requests are retransmitted over UDP per the
RFC's timers (T1 --t1 ms, T2 4 s, 64*T1 to give up). A connection is
used for every request to its peer's address until the peer or the
kernel ends it; a transaction on it then fails (503), the next request
opens a new one. It needs no privilege: the tests run the phone's as
uid 65534.

Commands, one a line on the control FIFO (--ctl):

  call ID USER@DOMAIN [via=ADDR:PORT] [proto=udp|tcp|tls] [hold=S]
      place a call; hold it S seconds after it is up, then BYE (no
      hold=, or 0: until "bye ID")
  bye ID       end an established call (either direction)
  cancel ID    CANCEL an outgoing call not yet answered
  answer CODE [ring=MS]
               answer later incoming calls with CODE (200: with SDP)
               after MS of ringing (the --answer and --ring defaults)
  quit

Events on stdout, one a line; t is CLOCK_REALTIME in ms, addresses are
ADDR:PORT ([ADDR]:PORT for IPv6), route is the route set (Route URIs in
order, comma separated, "-" when empty):

  ready t=MS name=NAME listen=PROTO:ADDR:PORT,...
  call-out t=MS id=ID callid=CID uri=URI via=ADDR:PORT proto=P local=ADDR:PORT
  retrans t=MS id=ID method=M n=N
  call-1xx t=MS id=ID code=N from=ADDR:PORT
  call-up t=MS id=ID callid=CID dir=out code=200 from=ADDR:PORT proto=P
      route=R target=URI ms=N
  call-fail t=MS id=ID callid=CID code=N from=ADDR:PORT|-
  call-in t=MS id=ID callid=CID from=ADDR:PORT proto=P ruri=URI caller=URI
  call-answer t=MS id=ID code=N
  call-up t=MS id=ID callid=CID dir=in from=ADDR:PORT proto=P route=R
      target=URI ms=N
  call-cancelled t=MS id=ID from=ADDR:PORT
  bye-out t=MS id=ID to=ADDR:PORT proto=P ruri=URI
  bye-in t=MS id=ID from=ADDR:PORT proto=P
  no-ack t=MS id=ID callid=CID  (64*T1 without the ACK of its 200: BYE)
  call-end t=MS id=ID callid=CID by=local|remote|cancel code=N
      from=ADDR:PORT|- ms=N
  request t=MS method=M from=ADDR:PORT proto=P code=N
  transport-error t=MS proto=P peer=ADDR:PORT op=connect|tls|recv|send err=NAME
  ctl-error t=MS line=TEXT  (a command it could not carry out)
  bad-message t=MS from=ADDR:PORT proto=P err=NAME
  summary t=MS out=N in=N up=N failed=N ended=N  (at SIGTERM and quit)

Incoming calls get the ids in1, in2, ... Code 408 in call-fail or
call-end: no final response within 64*T1; 503: the transport failed.
call-up's from= is where the 2xx (dir=out) or the ACK (dir=in) came
from, ms= the time since call-out or call-in; call-end's from= is where
the BYE's response (by=local) or the BYE (by=remote) came from, ms= the
time the call was up.
"""
import argparse
import errno
import heapq
import ipaddress
import os
import random
import selectors
import signal
import socket
import ssl
import sys
import time

T2 = 4.0
ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE"
KNOWN = {"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "INFO",
         "UPDATE", "PRACK", "SUBSCRIBE", "NOTIFY", "PUBLISH", "MESSAGE",
         "REFER"}
COMPACT = {"i": "call-id", "m": "contact", "f": "from", "t": "to",
           "v": "via", "l": "content-length", "c": "content-type",
           "k": "supported", "s": "subject", "e": "content-encoding"}
LISTS = {"via", "route", "record-route", "contact", "allow", "supported"}
CANON = {"call-id": "Call-ID", "cseq": "CSeq", "www-authenticate":
         "WWW-Authenticate", "record-route": "Record-Route"}
REASONS = {100: "Trying", 180: "Ringing", 200: "OK", 405: "Method Not Allowed",
           481: "Call/Transaction Does Not Exist", 486: "Busy Here",
           487: "Request Terminated", 501: "Not Implemented",
           603: "Decline"}

stats = {"out": 0, "in": 0, "up": 0, "failed": 0, "ended": 0}


def now_ms():
    return int(time.time() * 1000)


def event(what, **fields):
    line = " ".join("%s=%s" % (k.rstrip("_"), v) for k, v in fields.items())
    print("%s t=%d %s" % (what, now_ms(), line), flush=True)


def rand_token(n=10):
    return "%0*x" % (n, random.getrandbits(4 * n))


def norm_ip(host):
    return ipaddress.ip_address(host.strip("[]").split("%")[0]).compressed


def fmt_ap(addr):
    host, port = addr[0], addr[1]
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def host_text(host):
    return "[%s]" % host if ":" in host else host


def parse_ap(text, default_port=5060):
    """ADDR:PORT, [ADDR]:PORT or ADDR -> (normalized ADDR, PORT)."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") else default_port
    elif text.count(":") == 1:
        host, port = text.split(":")
        port = int(port)
    else:
        host, port = text, default_port
    return norm_ip(host), port


def err_name(e):
    if isinstance(e, ssl.SSLError):
        return (e.reason or "ssl").replace(" ", "_")
    if isinstance(e, socket.timeout) or not getattr(e, "errno", None):
        return type(e).__name__
    return errno.errorcode.get(e.errno, str(e.errno))


# ------------------------------------------------------------ messages

def split_list(value):
    """Split a header value at commas outside <> and quotes."""
    parts, cur, depth, quoted = [], "", 0, False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "<":
            depth += 1
        elif not quoted and ch == ">":
            depth -= 1
        elif not quoted and depth == 0 and ch == ",":
            parts.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


class Msg:
    """A SIP request or response: start line, ordered headers, body."""

    def __init__(self, start="", headers=None, body=b""):
        self.start = start
        self.headers = headers or []        # [(lower-case name, value)]
        self.body = body
        words = start.split(" ", 2)
        self.is_request = not start.startswith("SIP/")
        if self.is_request:
            self.method = words[0]
            self.uri = words[1] if len(words) > 1 else ""
            self.code = 0
        else:
            self.method, self.uri = "", ""
            self.code = int(words[1]) if len(words) > 1 else 0

    @classmethod
    def parse(cls, data):
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("utf-8", "replace").split("\r\n")
        headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and headers:
                name, value = headers[-1]
                headers[-1] = (name, value + " " + line.strip())
                continue
            name, sep, value = line.partition(":")
            if not sep:
                continue
            name = name.strip().lower()
            name = COMPACT.get(name, name)
            if name in LISTS:
                headers += [(name, v) for v in split_list(value.strip())]
            else:
                headers.append((name, value.strip()))
        msg = cls(lines[0], headers, body)
        length = msg.get("content-length")
        if length is not None and length.isdigit():
            msg.body = body[:int(length)]
        return msg

    def get(self, name):
        for n, v in self.headers:
            if n == name:
                return v
        return None

    def all(self, name):
        return [v for n, v in self.headers if n == name]

    def cseq(self):
        num, _, method = (self.get("cseq") or "0 -").partition(" ")
        return int(num), method.strip()

    def top_branch(self):
        return param(self.get("via") or "", "branch") or ""

    def to_bytes(self):
        out = [self.start]
        for name, value in self.headers:
            if name == "content-length":
                continue
            canon = CANON.get(name) or "-".join(
                w.capitalize() for w in name.split("-"))
            out.append("%s: %s" % (canon, value))
        out.append("Content-Length: %d" % len(self.body))
        return ("\r\n".join(out) + "\r\n\r\n").encode() + self.body


def param(value, name):
    """A ;name=value parameter of a header value (after any <uri>)."""
    rest = value.rpartition(">")[2] if ">" in value else value
    for p in rest.split(";")[1:]:
        k, _, v = p.partition("=")
        if k.strip().lower() == name:
            return v.strip()
    return None


def addr_uri(value):
    """The URI of a name-addr or addr-spec header value."""
    if "<" in value:
        return value.partition("<")[2].partition(">")[0]
    return value.split(";")[0].strip()


class Uri:
    """sip:/sips: URI: scheme, user, host (no brackets), port, params."""

    def __init__(self, text):
        self.text = text
        self.scheme, _, rest = text.partition(":")
        self.scheme = self.scheme.lower()
        rest = rest.partition("?")[0]
        userhost, *params = rest.split(";")
        self.params = {}
        for p in params:
            k, _, v = p.partition("=")
            self.params[k.lower()] = v
        self.user, _, hostport = userhost.rpartition("@")
        if hostport.startswith("["):
            self.host, _, port = hostport[1:].partition("]")
            port = port[1:]
        elif hostport.count(":") == 1:
            self.host, port = hostport.split(":")
        else:
            self.host, port = hostport, ""
        self.port = int(port) if port else None

    def proto(self):
        if self.scheme == "sips":
            return "tls"
        return self.params.get("transport", "udp").lower()

    def dest(self):
        """(proto, (addr, port)) a request to this URI is sent to."""
        proto = self.proto()
        port = self.port or (5061 if proto == "tls" else 5060)
        try:
            host = norm_ip(self.host)
        except ValueError:
            host = socket.getaddrinfo(self.host, port)[0][4][0]
        return proto, (host, port)


def request_line(method, uri):
    return "%s %s SIP/2.0" % (method, uri)


SDP = ("v=0\r\no=- %(sess)s 1 IN %(af)s %(addr)s\r\ns=-\r\n"
       "c=IN %(af)s %(addr)s\r\nt=0 0\r\nm=audio %(port)d RTP/AVP 0\r\n"
       "a=rtpmap:0 PCMU/8000\r\n")


def sdp(local_ip):
    return (SDP % {"sess": random.randint(1, 1 << 30),
                   "af": "IP6" if ":" in local_ip else "IP4",
                   "addr": local_ip, "port": 4000 + 2 * random.randint(0, 999)}
            ).encode()


# ------------------------------------------------------------- timers

class Timers:
    def __init__(self):
        self.heap = []
        self.seq = 0

    def add(self, delay, fn):
        self.seq += 1
        entry = [time.monotonic() + delay, self.seq, fn]
        heapq.heappush(self.heap, entry)
        return entry

    @staticmethod
    def cancel(entry):
        if entry:
            entry[2] = None

    def next_delay(self):
        while self.heap and self.heap[0][2] is None:
            heapq.heappop(self.heap)
        if not self.heap:
            return None
        return max(0.0, self.heap[0][0] - time.monotonic())

    def run(self):
        now = time.monotonic()
        while self.heap and self.heap[0][0] <= now:
            entry = heapq.heappop(self.heap)
            fn, entry[2] = entry[2], None
            if fn:
                fn()


# ---------------------------------------------------------- transports

class Source:
    """Where a message came from; a response goes back the same way."""

    def __init__(self, proto, addr, udp=None, conn=None):
        self.proto, self.addr, self.udp, self.conn = proto, addr, udp, conn

    def send(self, data):
        if self.conn:
            self.conn.send(data)
        else:
            udp_send(self.udp, data, self.addr)


def udp_send(sock, data, addr):
    try:
        sock.sendto(data, addr)
    except OSError as e:
        event("transport-error", proto="udp", peer=fmt_ap(addr), op="send",
              err=err_name(e))


class Conn:
    """A TCP or TLS connection, accepted or opened (non-blocking)."""

    def __init__(self, ua, sock, proto, peer, state):
        self.ua, self.sock, self.proto, self.peer = ua, sock, proto, peer
        self.state = state      # connecting, handshake, open, closed
        self.inbuf = b""
        self.outbuf = b""
        ua.sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE,
                        self.on_io)

    def local_ip(self):
        return norm_ip(self.sock.getsockname()[0])

    def watch(self, write):
        if self.state == "closed":
            return
        ev = selectors.EVENT_READ
        if write:
            ev |= selectors.EVENT_WRITE
        self.ua.sel.modify(self.sock, ev, self.on_io)

    def fail(self, op, e):
        if self.state == "closed":
            return
        event("transport-error", proto=self.proto, peer=fmt_ap(self.peer),
              op=op, err=err_name(e))
        self.close()

    def close(self):
        if self.state == "closed":
            return
        self.state = "closed"
        self.ua.sel.unregister(self.sock)
        self.sock.close()
        self.ua.conns.remove(self)
        self.ua.conn_lost(self)

    def start_tls(self, server_side):
        self.ua.sel.unregister(self.sock)
        if server_side:
            self.sock = self.ua.tls_server.wrap_socket(
                self.sock, server_side=True, do_handshake_on_connect=False)
        else:
            self.sock = self.ua.tls_client.wrap_socket(
                self.sock, server_hostname=self.ua.tls_name,
                do_handshake_on_connect=False)
        self.state = "handshake"
        self.ua.sel.register(self.sock, selectors.EVENT_READ |
                             selectors.EVENT_WRITE, self.on_io)

    def on_io(self, mask):
        if self.state == "connecting":
            err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                self.fail("connect", OSError(err, os.strerror(err)))
                return
            if self.proto == "tls":
                self.start_tls(False)
            else:
                self.state = "open"
        if self.state == "handshake":
            try:
                self.sock.do_handshake()
            except ssl.SSLWantReadError:
                self.watch(False)
                return
            except ssl.SSLWantWriteError:
                self.watch(True)
                return
            except (ssl.SSLError, OSError) as e:
                self.fail("tls", e)
                return
            self.state = "open"
        if self.state == "open":
            if mask & selectors.EVENT_READ or \
                    (self.proto == "tls" and self.sock.pending()):
                self.readable()
            if self.state == "open":
                self.flush()

    def readable(self):
        while self.state == "open":
            try:
                data = self.sock.recv(65535)
            except (ssl.SSLWantReadError, BlockingIOError):
                break
            except ssl.SSLWantWriteError:
                break
            except OSError as e:
                self.fail("recv", e)
                return
            if not data:
                self.fail("recv", OSError(errno.ECONNRESET, "closed"))
                return
            self.inbuf += data
            self.frame()
            if self.proto != "tls" or not self.sock.pending():
                break

    def frame(self):
        while self.state == "open":
            stripped = self.inbuf.lstrip(b"\r\n")
            if len(stripped) != len(self.inbuf):
                # RFC 5626 keep-alive: a double CRLF ping gets a CRLF pong.
                if self.inbuf.startswith(b"\r\n\r\n"):
                    self.send(b"\r\n")
                self.inbuf = stripped
            head, sep, _ = self.inbuf.partition(b"\r\n\r\n")
            if not sep:
                return
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() in (b"content-length", b"l"):
                    length = int(value.strip() or 0)
            end = len(head) + 4 + length
            if len(self.inbuf) < end:
                return
            data, self.inbuf = self.inbuf[:end], self.inbuf[end:]
            self.ua.receive(data, Source(self.proto, self.peer, conn=self))

    def send(self, data):
        self.outbuf += data
        if self.state == "open":
            self.flush()

    def flush(self):
        while self.outbuf and self.state == "open":
            try:
                n = self.sock.send(self.outbuf)
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError,
                    BlockingIOError):
                break
            except OSError as e:
                self.fail("send", e)
                return
            self.outbuf = self.outbuf[n:]
        self.watch(bool(self.outbuf))


class Target:
    """Where a request goes: the transport, the address, and the local
    address it leaves from (for Via and Contact)."""

    def __init__(self, ua, proto, addr):
        self.ua, self.proto, self.addr = ua, proto, addr
        self.conn = self.udp = self.local = None
        self.port = ua.args.tls_port if proto == "tls" else ua.args.port
        try:
            if proto == "udp":
                self.udp = ua.udp_for(addr)
                self.local = ua.local_ip_towards(addr, self.udp)
            else:
                self.conn = ua.conn_to(proto, addr)
                self.local = self.conn.local_ip() if self.conn else None
        except OSError as e:            # no socket of the family, no route
            event("transport-error", proto=proto, peer=fmt_ap(addr),
                  op="connect", err=err_name(e))

    def ok(self):
        return self.local is not None

    def send(self, data):
        if self.conn:
            self.conn.send(data)
        elif self.udp:
            udp_send(self.udp, data, self.addr)

    def via(self, branch):
        return "SIP/2.0/%s %s:%d;rport;branch=%s" % (
            self.proto.upper(), host_text(self.local), self.port, branch)


# ------------------------------------------------------- transactions

class ClientTx:
    """A client transaction (RFC 3261 17.1): retransmits over UDP, ends
    with a final response, 64*T1 without one (408) or a transport
    failure (503)."""

    def __init__(self, ua, target, msg, on_response, on_fail):
        self.ua, self.target, self.msg = ua, target, msg
        self.method = msg.method
        self.branch = msg.top_branch()
        self.on_response, self.on_fail = on_response, on_fail
        self.data = msg.to_bytes()
        self.final = False
        self.provisional = False
        self.n = 0
        self.retrans = None
        ua.ctx[(self.branch, self.method)] = self
        t1 = ua.t1
        if target.proto == "udp":
            self.interval = t1
            self.retrans = ua.timers.add(t1, self.retransmit)
        self.timeout = ua.timers.add(64 * t1, self.expire)
        target.send(self.data)

    def retransmit(self):
        self.n += 1
        call = self.ua.call_of_tx(self)
        event("retrans", id=call.id if call else "-", method=self.method,
              n=self.n)
        self.target.send(self.data)
        if self.method == "INVITE":
            self.interval *= 2
        else:
            self.interval = T2 if self.provisional else min(
                2 * self.interval, T2)
        self.retrans = self.ua.timers.add(self.interval, self.retransmit)

    def response(self, msg, src):
        if self.final:
            return
        if msg.code < 200:
            self.provisional = True
            if self.method == "INVITE":
                Timers.cancel(self.retrans)
        else:
            self.done()
        self.on_response(self, msg, src)

    def done(self):
        self.final = True
        Timers.cancel(self.retrans)
        Timers.cancel(self.timeout)
        # Late retransmissions of the final response still find it.
        self.ua.timers.add(64 * self.ua.t1, lambda: self.ua.ctx.pop(
            (self.branch, self.method), None))

    def expire(self):
        self.fail(408)

    def fail(self, code):
        if self.final:
            return
        self.done()
        self.on_fail(code)


class ServerTx:
    """A server transaction: the last response, sent again when the
    request is; a final response to INVITE over UDP is retransmitted
    until the ACK (Timer G), for 64*T1 at most."""

    def __init__(self, ua, key, src):
        self.ua, self.key, self.src = ua, key, src
        self.last = None
        self.code = 0
        self.retrans = None
        ua.stx[key] = self
        ua.timers.add(128 * ua.t1, lambda: ua.stx.pop(key, None))

    def reply(self, data, code, until_ack=False):
        self.last, self.code = data, code
        self.src.send(data)
        Timers.cancel(self.retrans)
        if until_ack and self.src.proto == "udp":
            self.retransmit(self.ua.t1, 64 * self.ua.t1)

    def retransmit(self, interval, left):
        if left <= 0:
            return

        def again():
            self.src.send(self.last)
            self.retransmit(min(2 * interval, T2), left - interval)
        self.retrans = self.ua.timers.add(interval, again)

    def acked(self):
        Timers.cancel(self.retrans)


# --------------------------------------------------------------- calls

class Call:
    def __init__(self, cid, direction):
        self.id, self.dir = cid, direction
        self.callid = ""
        self.local_tag = rand_token(8)
        self.remote_tag = ""
        self.local_uri = self.remote_uri = ""
        self.local_cseq = 1
        self.route = []          # Route URIs (with <>), in order
        self.target = ""         # the remote target (Contact URI)
        self.state = "calling"   # calling, early, answered, up, ending, ended
        self.invite = None       # ClientTx or ServerTx of the INVITE
        self.ack = None          # (Target, bytes) of the 2xx ACK
        self.hold = 0.0
        self.hold_timer = None
        self.started = time.monotonic()
        self.up_at = None
        self.answer_timer = None
        self.no_ack = None
        self.invite_msg = None
        self.src = None

    def route_text(self):
        return ",".join(self.route) or "-"


class UA:
    def __init__(self, args):
        self.args = args
        self.t1 = args.t1 / 1000.0
        self.sel = selectors.DefaultSelector()
        self.timers = Timers()
        self.udp = []            # (socket, family, bound address)
        self.conns = []
        self.ctx = {}            # (branch, method) -> ClientTx
        self.stx = {}            # (branch, sent-by, method) -> ServerTx
        self.calls = {}          # id -> Call
        self.incoming = 0
        self.tls_server = self.tls_client = None
        self.tls_name = args.tls_name or args.domain
        self.ctl_buf = b""
        self.running = True

    # ------------------------------------------------------------ setup

    def listen(self):
        names = []
        if self.args.cert:
            self.tls_server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls_server.load_cert_chain(self.args.cert, self.args.key)
        self.tls_client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if self.args.ca:
            self.tls_client.load_verify_locations(self.args.ca)
        else:
            self.tls_client.check_hostname = False
            self.tls_client.verify_mode = ssl.CERT_NONE
        for addr in self.args.listen or ["0.0.0.0", "::"]:
            fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
            specs = [("udp", self.args.port), ("tcp", self.args.port)]
            if self.tls_server:
                specs.append(("tls", self.args.tls_port))
            for proto, port in specs:
                kind = socket.SOCK_DGRAM if proto == "udp" else \
                    socket.SOCK_STREAM
                s = socket.socket(fam, kind)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if fam == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind((addr, port))
                s.setblocking(False)
                if proto == "udp":
                    self.udp.append((s, fam, addr))
                    self.sel.register(s, selectors.EVENT_READ,
                                      lambda m, s=s: self.udp_readable(s))
                else:
                    s.listen(16)
                    self.sel.register(s, selectors.EVENT_READ,
                                      lambda m, s=s, p=proto:
                                      self.accept(s, p))
                names.append("%s:%s" % (proto, fmt_ap((addr, port))))
        if self.args.ctl:
            fd = os.open(self.args.ctl, os.O_RDWR | os.O_NONBLOCK)
            self.sel.register(fd, selectors.EVENT_READ,
                              lambda m: self.ctl_readable(fd))
        event("ready", name=self.args.name, listen=",".join(names))

    def udp_for(self, addr):
        fam = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        for s, f, _ in self.udp:
            if f == fam:
                return s
        raise OSError(errno.EAFNOSUPPORT, "no UDP socket for " + addr[0])

    def local_ip_towards(self, addr, sock):
        bound = sock.getsockname()[0]
        if bound not in ("0.0.0.0", "::"):
            return norm_ip(bound)
        probe = socket.socket(sock.family, socket.SOCK_DGRAM)
        try:
            probe.connect(addr)
            return norm_ip(probe.getsockname()[0])
        finally:
            probe.close()

    def conn_to(self, proto, addr):
        """The open connection to addr, or a new one (none if it cannot
        even start)."""
        for c in self.conns:
            if c.proto == proto and c.peer == addr:
                return c
        fam = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex(addr)
        if err not in (0, errno.EINPROGRESS):
            event("transport-error", proto=proto, peer=fmt_ap(addr),
                  op="connect", err=errno.errorcode.get(err, str(err)))
            s.close()
            return None
        c = Conn(self, s, proto, addr, "connecting")
        self.conns.append(c)
        return c

    def accept(self, lsock, proto):
        try:
            s, peer = lsock.accept()
        except OSError:
            return
        s.setblocking(False)
        c = Conn(self, s, proto, (norm_ip(peer[0]), peer[1]), "open")
        self.conns.append(c)
        if proto == "tls":
            c.start_tls(True)

    def conn_lost(self, conn):
        for tx in list(self.ctx.values()):
            if tx.target.conn is conn:
                tx.fail(503)

    # ---------------------------------------------------------- receive

    def udp_readable(self, sock):
        while True:
            try:
                data, peer = sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if data.strip(b"\r\n"):
                self.receive(data, Source("udp", (norm_ip(peer[0]), peer[1]),
                                          udp=sock))

    def receive(self, data, src):
        try:
            msg = Msg.parse(data)
            if msg.is_request:
                self.request(msg, src)
            else:
                self.response(msg, src)
        except (ValueError, IndexError, KeyError) as e:
            event("bad-message", from_=fmt_ap(src.addr), proto=src.proto,
                  err=type(e).__name__)

    def response(self, msg, src):
        num, method = msg.cseq()
        if method == "INVITE" and 200 <= msg.code < 300:
            call = self.call_by_dialog(msg.get("call-id"),
                                       param(msg.get("from") or "", "tag"))
            if call and call.ack and call.state in ("up", "ending"):
                # A retransmitted 2xx: the ACK again (13.2.2.4).
                call.ack[0].send(call.ack[1])
                return
        tx = self.ctx.get((msg.top_branch(), method))
        if tx:
            tx.response(msg, src)

    # ----------------------------------------------------------- answer

    def respond(self, req, src, code, tag=None, extra=(), body=b"",
                stx=None, until_ack=False):
        to = req.get("to") or ""
        if tag and code > 100 and param(to, "tag") is None:
            to += ";tag=" + tag
        headers = [("via", v) for v in req.all("via")]
        headers += [("from", req.get("from")), ("to", to),
                    ("call-id", req.get("call-id")), ("cseq", req.get("cseq"))]
        headers += list(extra)
        if body:
            headers.append(("content-type", "application/sdp"))
        headers.append(("user-agent", "callapp " + self.args.name))
        msg = Msg("SIP/2.0 %d %s" % (code, REASONS.get(code, "Response")),
                  headers, body)
        data = msg.to_bytes()
        if stx:
            stx.reply(data, code, until_ack)
        else:
            src.send(data)

    def local_for(self, src):
        if src.conn:
            return src.conn.local_ip()
        return self.local_ip_towards(src.addr, src.udp)

    def contact(self, local_ip, proto):
        port = self.args.tls_port if proto == "tls" else self.args.port
        tp = "" if proto == "udp" else ";transport=" + proto
        return "<sip:%s@%s:%d%s>" % (self.args.user, host_text(local_ip),
                                     port, tp)

    def request(self, req, src):
        sent_by = (req.get("via") or "").split(";")[0]
        key_method = "INVITE" if req.method == "ACK" else req.method
        key = (req.top_branch(), sent_by, key_method)
        stx = self.stx.get(key)
        if req.method == "ACK":
            if stx:
                stx.acked()      # the ACK of a non-2xx final response
            else:
                self.ack_2xx(req, src)
            return
        if stx:
            if stx.last:
                src.send(stx.last)          # a retransmission
            return
        if req.method == "CANCEL":
            self.cancel(req, src)
            return
        stx = ServerTx(self, key, src)
        to_tag = param(req.get("to") or "", "tag")
        if to_tag:
            self.in_dialog(req, src, stx, to_tag)
        elif req.method == "INVITE":
            self.incoming_call(req, src, stx)
        elif req.method == "OPTIONS":
            self.respond(req, src, 200, rand_token(8),
                         [("allow", ALLOW), ("accept", "application/sdp")],
                         stx=stx)
            self.log_request(req, src, 200)
        else:
            code = 405 if req.method in KNOWN else 501
            self.respond(req, src, code, rand_token(8), [("allow", ALLOW)],
                         stx=stx)
            self.log_request(req, src, code)

    def log_request(self, req, src, code):
        event("request", method=req.method, from_=fmt_ap(src.addr),
              proto=src.proto, code=code)

    def incoming_call(self, req, src, stx):
        self.incoming += 1
        stats["in"] += 1
        call = Call("in%d" % self.incoming, "in")
        call.callid = req.get("call-id")
        call.remote_tag = param(req.get("from") or "", "tag") or ""
        call.remote_uri = req.get("from")
        call.local_uri = req.get("to")
        call.route = req.all("record-route")
        call.target = addr_uri(req.get("contact") or "")
        call.invite, call.invite_msg = stx, req
        call.src = src
        self.calls[call.id] = call
        event("call-in", id=call.id, callid=call.callid,
              from_=fmt_ap(src.addr), proto=src.proto, ruri=req.uri,
              caller=addr_uri(call.remote_uri))
        rr = [("record-route", r) for r in call.route]
        local = self.local_for(src)
        self.respond(req, src, 100, stx=stx)
        self.respond(req, src, 180, call.local_tag,
                     rr + [("contact", self.contact(local, src.proto))],
                     stx=stx)
        call.state = "early"

        def answer():
            code = self.args.answer
            if call.state != "early":
                return
            if code == 200:
                call.state = "answered"
                self.respond(req, src, 200, call.local_tag,
                             rr + [("contact", self.contact(local, src.proto)),
                                   ("allow", ALLOW)],
                             sdp(local), stx=stx, until_ack=True)
                call.no_ack = self.timers.add(64 * self.t1,
                                              lambda: self.no_ack(call))
            else:
                call.state = "ended"
                self.respond(req, src, code, call.local_tag, stx=stx,
                             until_ack=True)
            event("call-answer", id=call.id, code=code)
        call.answer_timer = self.timers.add(self.args.ring / 1000.0, answer)

    def ack_2xx(self, req, src):
        call = self.call_by_dialog(req.get("call-id"),
                                   param(req.get("to") or "", "tag"))
        if not call or call.dir != "in" or call.state != "answered":
            return
        call.invite.acked()
        Timers.cancel(call.no_ack)
        call.state = "up"
        call.up_at = time.monotonic()
        stats["up"] += 1
        event("call-up", id=call.id, callid=call.callid, dir="in",
              from_=fmt_ap(src.addr), proto=src.proto,
              route=call.route_text(), target=call.target,
              ms=int((call.up_at - call.started) * 1000))

    def no_ack(self, call):
        """No ACK for the 2xx: the dialog is ended with a BYE (13.3.1.4)."""
        if call.state != "answered":
            return
        event("no-ack", id=call.id, callid=call.callid)
        call.state = "up"
        call.up_at = time.monotonic()
        self.bye(call)

    def cancel(self, req, src):
        sent_by = (req.get("via") or "").split(";")[0]
        stx = self.stx.get((req.top_branch(), sent_by, "INVITE"))
        call = next((c for c in self.calls.values()
                     if c.dir == "in" and c.invite is stx), None)
        if not stx or not call:
            self.respond(req, src, 481, rand_token(8))
            return
        self.respond(req, src, 200, call.local_tag)
        if call.state == "early":
            event("call-cancelled", id=call.id, from_=fmt_ap(src.addr))
            Timers.cancel(call.answer_timer)
            call.state = "ended"
            self.respond(call.invite_msg, call.src, 487, call.local_tag,
                         stx=stx, until_ack=True)
            stats["ended"] += 1
            event("call-end", id=call.id, callid=call.callid, by="cancel",
                  code=487, from_=fmt_ap(src.addr), ms=0)

    def in_dialog(self, req, src, stx, to_tag):
        call = self.call_by_dialog(req.get("call-id"), to_tag)
        if not call or call.state == "ended":
            self.respond(req, src, 481, stx=stx)
            self.log_request(req, src, 481)
            return
        num, _ = req.cseq()
        if req.method == "BYE":
            event("bye-in", id=call.id, from_=fmt_ap(src.addr),
                  proto=src.proto)
            self.respond(req, src, 200, stx=stx)
            self.end(call, "remote", 200, src)
        elif req.method == "INVITE":
            local = self.local_for(src)
            self.respond(req, src, 200, None,
                         [("contact", self.contact(local, src.proto))],
                         sdp(local), stx=stx)
            self.log_request(req, src, 200)
        elif req.method in ("INFO", "UPDATE", "OPTIONS", "NOTIFY"):
            self.respond(req, src, 200, stx=stx)
            self.log_request(req, src, 200)
        else:
            self.respond(req, src, 405 if req.method in KNOWN else 501,
                         extra=[("allow", ALLOW)], stx=stx)
            self.log_request(req, src, 405)

    def end(self, call, by, code, src):
        if call.state == "ended":
            return
        was_up = call.up_at is not None
        call.state = "ended"
        Timers.cancel(call.hold_timer)
        stats["ended"] += 1
        event("call-end", id=call.id, callid=call.callid, by=by, code=code,
              from_=fmt_ap(src.addr) if src else "-",
              ms=int((time.monotonic() - call.up_at) * 1000) if was_up
              else 0)

    def call_by_dialog(self, callid, local_tag):
        for c in self.calls.values():
            if c.callid == callid and c.local_tag == local_tag:
                return c
        return None

    def call_of_tx(self, tx):
        for c in self.calls.values():
            if c.invite is tx or getattr(c, "bye_tx", None) is tx:
                return c
        return None

    # ------------------------------------------------------------ place

    def place(self, cid, aor, via, proto, hold):
        if cid in self.calls:
            event("ctl-error", line="call-%s-exists" % cid)
            return
        addr = parse_ap(via, 5061 if proto == "tls" else 5060)
        stats["out"] += 1
        call = Call(cid, "out")
        self.calls[cid] = call
        call.hold = hold
        call.callid = "%s-%s@%s" % (cid, rand_token(12), self.args.name)
        user, _, domain = aor.partition("@")
        ruri = "sip:%s@%s" % (user, domain or self.args.domain)
        call.local_uri = "<sip:%s@%s>;tag=%s" % (self.args.user,
                                                 self.args.domain,
                                                 call.local_tag)
        call.remote_uri = "<%s>" % ruri
        target = Target(self, proto, addr)
        event("call-out", id=cid, callid=call.callid, uri=ruri,
              via=fmt_ap(addr), proto=proto,
              local=fmt_ap((target.local, target.port))
              if target.ok() else "-")
        if not target.ok():
            self.fail_call(call, 503, None)
            return
        branch = "z9hG4bK-" + rand_token(16)
        body = sdp(target.local)
        msg = Msg(request_line("INVITE", ruri), [
            ("via", target.via(branch)),
            ("max-forwards", "70"),
            ("from", call.local_uri),
            ("to", call.remote_uri),
            ("call-id", call.callid),
            ("cseq", "1 INVITE"),
            ("contact", self.contact(target.local, proto)),
            ("allow", ALLOW),
            ("user-agent", "callapp " + self.args.name),
            ("content-type", "application/sdp"),
        ], body)
        call.invite_msg = msg
        call.invite_target = target
        call.invite = ClientTx(self, target, msg,
                               lambda tx, rsp, src: self.invite_response(
                                   call, tx, rsp, src),
                               lambda code: self.invite_failed(call, code))

    def fail_call(self, call, code, src):
        call.state = "ended"
        stats["failed"] += 1
        event("call-fail", id=call.id, callid=call.callid, code=code,
              from_=fmt_ap(src.addr) if src else "-")

    def invite_failed(self, call, code):
        """No final response (408) or the transport failed (503)."""
        if call.state in ("calling", "early", "cancelling"):
            self.fail_call(call, code, None)

    def invite_response(self, call, tx, rsp, src):
        if rsp.code < 200:
            if rsp.code > 100 and call.state == "calling":
                call.state = "early"
                event("call-1xx", id=call.id, code=rsp.code,
                      from_=fmt_ap(src.addr))
            return
        if rsp.code >= 300:
            self.ack_non2xx(call, tx, rsp)
            if call.state == "cancelling" and rsp.code == 487:
                call.state = "ended"
                stats["ended"] += 1
                event("call-end", id=call.id, callid=call.callid, by="cancel",
                      code=487, from_=fmt_ap(src.addr), ms=0)
            elif call.state != "ended":
                self.fail_call(call, rsp.code, src)
            return
        if call.state not in ("calling", "early", "cancelling"):
            return
        cancelled = call.state == "cancelling"
        call.remote_tag = param(rsp.get("to") or "", "tag") or ""
        call.remote_uri = rsp.get("to")
        call.route = list(reversed(rsp.all("record-route")))
        call.target = addr_uri(rsp.get("contact") or "")
        call.state = "up"
        call.up_at = time.monotonic()
        stats["up"] += 1
        self.send_ack(call)
        event("call-up", id=call.id, callid=call.callid, dir="out",
              code=rsp.code, from_=fmt_ap(src.addr), proto=src.proto,
              route=call.route_text(), target=call.target,
              ms=int((call.up_at - call.started) * 1000))
        if cancelled:                       # answered before the CANCEL
            self.bye(call)
        elif call.hold > 0:
            call.hold_timer = self.timers.add(call.hold,
                                              lambda: self.bye(call))

    def ack_non2xx(self, call, tx, rsp):
        """The ACK of a non-2xx final response: hop by hop, the INVITE's
        branch, to where the INVITE went (17.1.1.3)."""
        inv = call.invite_msg
        msg = Msg(request_line("ACK", inv.uri), [
            ("via", inv.get("via")),
            ("max-forwards", "70"),
            ("from", inv.get("from")),
            ("to", rsp.get("to")),
            ("call-id", call.callid),
            ("cseq", "1 ACK"),
        ])
        tx.target.send(msg.to_bytes())

    def dialog_request(self, call, method, cseq=None):
        """An in-dialog request along the route set (12.2.1.1), with the
        Target of its first hop."""
        routes = list(call.route)
        if routes and ";lr" not in addr_uri(routes[0]).lower():
            ruri = addr_uri(routes[0])                 # a strict router
            routes = routes[1:] + ["<%s>" % call.target]
        else:
            ruri = call.target
        hop = Uri(addr_uri(routes[0]) if routes else ruri)
        proto, addr = hop.dest()
        target = Target(self, proto, addr)
        if not target.ok():
            return None, target, ruri
        if cseq is None:
            call.local_cseq += 1
            cseq = call.local_cseq
        frm, to = call.local_uri, call.remote_uri
        if param(frm, "tag") is None:
            frm += ";tag=" + call.local_tag
        headers = [("via", target.via("z9hG4bK-" + rand_token(16))),
                   ("max-forwards", "70")]
        headers += [("route", r) for r in routes]
        headers += [("from", frm), ("to", to), ("call-id", call.callid),
                    ("cseq", "%d %s" % (cseq, method)),
                    ("user-agent", "callapp " + self.args.name)]
        return Msg(request_line(method, ruri), headers), target, ruri

    def send_ack(self, call):
        msg, target, _ = self.dialog_request(call, "ACK", cseq=1)
        if msg:
            data = msg.to_bytes()
            target.send(data)
            call.ack = (target, data)

    def bye(self, call, quiet=False):
        if call.state != "up":
            if not quiet:
                event("ctl-error", line="bye-%s-not-up" % call.id)
            return
        Timers.cancel(call.hold_timer)
        msg, target, ruri = self.dialog_request(call, "BYE")
        event("bye-out", id=call.id, to=fmt_ap(target.addr),
              proto=target.proto, ruri=ruri)
        call.state = "ending"
        if not msg:
            self.end(call, "local", 503, None)
            return

        def done(tx, rsp, src):
            if rsp.code >= 200:
                self.end(call, "local", rsp.code, src)
        call.bye_tx = ClientTx(self, target, msg, done,
                               lambda code: self.end(call, "local", code,
                                                     None))

    def cancel_call(self, call):
        if call.dir != "out" or call.state not in ("calling", "early"):
            event("ctl-error", line="cancel-%s-not-ringing" % call.id)
            return
        inv = call.invite_msg
        call.state = "cancelling"
        msg = Msg(request_line("CANCEL", inv.uri), [
            ("via", inv.get("via")),
            ("max-forwards", "70"),
            ("from", inv.get("from")),
            ("to", inv.get("to")),
            ("call-id", call.callid),
            ("cseq", "1 CANCEL"),
        ])
        ClientTx(self, call.invite_target, msg, lambda *a: None,
                 lambda code: None)

    # ---------------------------------------------------------- control

    def ctl_readable(self, fd):
        try:
            self.ctl_buf += os.read(fd, 4096)
        except BlockingIOError:
            return
        while b"\n" in self.ctl_buf:
            line, self.ctl_buf = self.ctl_buf.split(b"\n", 1)
            self.command(line.decode(errors="replace").strip())

    def command(self, line):
        words = line.split()
        if not words:
            return
        opts = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        plain = [w for w in words[1:] if "=" not in w]
        try:
            if words[0] == "call" and len(plain) == 2:
                proto = opts.get("proto", self.args.proto).lower()
                if proto not in ("udp", "tcp", "tls"):
                    raise ValueError(proto)
                self.place(plain[0], plain[1], opts.get("via", self.args.via),
                           proto, float(opts.get("hold", 0)))
            elif words[0] in ("bye", "cancel") and len(plain) == 1:
                call = self.calls.get(plain[0])
                if not call:
                    raise KeyError(plain[0])
                if words[0] == "bye":
                    self.bye(call)
                else:
                    self.cancel_call(call)
            elif words[0] == "answer" and len(plain) == 1:
                self.args.answer = int(plain[0])
                self.args.ring = int(opts.get("ring", self.args.ring))
            elif words[0] == "quit":
                self.running = False
            else:
                raise ValueError(words[0])
        except (ValueError, KeyError, TypeError, OSError):
            event("ctl-error", line=line.replace(" ", "_"))

    def run(self):
        while self.running:
            for key, mask in self.sel.select(self.timers.next_delay()):
                key.data(mask)
            self.timers.run()


def summary(*_):
    event("summary", **stats)
    sys.exit(0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default=None)
    ap.add_argument("--user", default="alice")
    ap.add_argument("--domain", default="example.test")
    ap.add_argument("--listen", action="append")
    ap.add_argument("--port", type=int, default=5060)
    ap.add_argument("--tls-port", type=int, default=5061)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--ca")
    ap.add_argument("--tls-name")
    ap.add_argument("--via", default="")
    ap.add_argument("--proto", default="udp")
    ap.add_argument("--ring", type=int, default=0)
    ap.add_argument("--answer", type=int, default=200)
    ap.add_argument("--t1", type=int, default=500)
    ap.add_argument("--ctl")
    args = ap.parse_args()
    args.name = args.name or args.user
    signal.signal(signal.SIGTERM, summary)
    ua = UA(args)
    ua.listen()
    ua.run()
    summary()


if __name__ == "__main__":
    main()
