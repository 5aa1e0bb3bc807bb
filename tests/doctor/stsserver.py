#!/usr/bin/env python3
# stsserver.py - a local HTTPS server for doctor's MTA-STS fetch test
# (t_mtasts.sh): serves DIR/body at /.well-known/mta-sts.txt with the
# status in DIR/status (default 200) and the Content-Type in DIR/ctype
# (default text/plain), read again on every request so the test can
# change them; logs each request path to DIR/log. Other paths: 404.
# Usage: stsserver.py DIR ADDR PORT CERT KEY (writes DIR/ready)
# SPDX-License-Identifier: MIT
import http.server
import os
import ssl
import sys

D, ADDR, PORT, CERT, KEY = sys.argv[1:6]


def read(name, default):
    try:
        with open(os.path.join(D, name), "rb") as f:
            return f.read()
    except FileNotFoundError:
        return default


class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(os.path.join(D, "log"), "a") as f:
            f.write(self.path + "\n")
        if self.path != "/.well-known/mta-sts.txt":
            status, body = 404, b"not found\n"
        else:
            status = int(read("status", b"200").strip())
            body = read("body", b"")
        self.send_response(status)
        self.send_header("Content-Type",
                         read("ctype", b"text/plain").decode().strip())
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
srv = http.server.HTTPServer((ADDR, int(PORT)), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(os.path.join(D, "ready"), "w").close()
srv.serve_forever()
