#!/usr/bin/env python3
"""A small static file server for the hydration benchmark: HTTP/1.1 keep-alive, one thread per
connection, GET/HEAD with single byte ranges (206 + Content-Range), bodies sent with
os.sendfile straight from the page cache, so the server costs little CPU next to the clients.

    range_server.py DIRECTORY [--port 0] [--port-file PATH]

Prints `PORT <n>` on stdout (and writes it to --port-file) once listening on 127.0.0.1.
"""
import argparse
import os
import re
import socket
import socketserver
import sys
import threading
from email.utils import formatdate

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = sock.makefile("rb", buffering=65536)
        while True:
            line = reader.readline(65537)
            if not line:
                return
            parts = line.decode("latin-1").split()
            if len(parts) != 3:
                return
            method, target, _ = parts
            headers = {}
            while True:
                h = reader.readline(65537)
                if h in (b"\r\n", b"\n", b""):
                    break
                name, _, value = h.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            if not self.respond(sock, method, target, headers):
                return
            if headers.get("connection", "").lower() == "close":
                return

    def send_head(self, sock, status, fields):
        lines = [f"HTTP/1.1 {status}", f"Date: {formatdate(usegmt=True)}", "Server: velocity-bench-range"]
        lines += [f"{k}: {v}" for k, v in fields]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def respond(self, sock, method, target, headers):
        path = os.path.normpath(os.path.join(self.server.root, target.split("?")[0].lstrip("/")))
        if not path.startswith(self.server.root) or not os.path.isfile(path):
            self.send_head(sock, "404 Not Found", [("Content-Length", "0")])
            return True
        size = os.path.getsize(path)
        start, end, status = 0, size - 1, "200 OK"
        fields = [("Accept-Ranges", "bytes"), ("Content-Type", "application/octet-stream")]
        wanted = headers.get("range")
        if wanted:
            m = RANGE.match(wanted)
            if not m or (m.group(1) == "" and m.group(2) == ""):
                self.send_head(sock, "416 Range Not Satisfiable", [("Content-Range", f"bytes */{size}"), ("Content-Length", "0")])
                return True
            if m.group(1) == "":
                start, end = max(0, size - int(m.group(2))), size - 1
            else:
                start = int(m.group(1))
                end = min(size - 1, int(m.group(2))) if m.group(2) else size - 1
            if start >= size or start > end:
                self.send_head(sock, "416 Range Not Satisfiable", [("Content-Range", f"bytes */{size}"), ("Content-Length", "0")])
                return True
            status = "206 Partial Content"
            fields.append(("Content-Range", f"bytes {start}-{end}/{size}"))
        length = end - start + 1
        fields.append(("Content-Length", str(length)))
        self.send_head(sock, status, fields)
        if method == "HEAD":
            return True
        with open(path, "rb") as f:
            offset, left = start, length
            while left > 0:
                sent = os.sendfile(sock.fileno(), f.fileno(), offset, min(left, 1 << 30))
                if sent == 0:
                    return False
                offset += sent
                left -= sent
        return True


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.root = os.path.realpath(args.directory)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"PORT {port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
