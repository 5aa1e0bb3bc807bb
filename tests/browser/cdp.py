#!/usr/bin/python3
# cdp.py PROFILE_DIR URL... -- CHROMIUM_COMMAND...
# Start headless Chromium (the command after "--", given
# --remote-debugging-port=0 and --user-data-dir=PROFILE_DIR here), then
# over the DevTools protocol open each URL in one page target and print
#   REQ <url>      every request the page made (Network.requestWillBeSent,
#                  the page's own, not the browser's background traffic)
#   TITLE <title>  document.title once loaded and settled
#   JS <0|1>       whether sort.js ran (html[data-js])
#   GEN <text>     the footer's build time (#ds-generated, generated.js)
#   WIDTH <page> <view>  the page's scroll width and the viewport's
#   WIDE <table id> <width> <room>  a table wider than its container
# The viewport is 1280 px wide (CDP_WIDTH in the environment: another).
# A minimal RFC 6455 WebSocket client: Python standard library only.
# SPDX-License-Identifier: MIT
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request


class WS:
    def __init__(self, url):
        host, rest = url[len("ws://"):].split("/", 1)
        h, p = host.split(":")
        self.s = socket.create_connection((h, int(p)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket"
                        "\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n" % (rest, host, key))
                       .encode())
        resp = b""
        while b"\r\n\r\n" not in resp:
            resp += self.s.recv(1)
        if b" 101 " not in resp.split(b"\r\n")[0]:
            raise SystemExit("cdp.py: websocket refused: %r" % resp[:80])
        self.n = 0

    def send(self, method, params=None):
        self.n += 1
        data = json.dumps({"id": self.n, "method": method,
                           "params": params or {}}).encode()
        mask = os.urandom(4)
        hdr = bytes([0x81])
        if len(data) < 126:
            hdr += bytes([0x80 | len(data)])
        elif len(data) < 65536:
            hdr += bytes([0x80 | 126]) + struct.pack(">H", len(data))
        else:
            hdr += bytes([0x80 | 127]) + struct.pack(">Q", len(data))
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.s.sendall(hdr + mask + body)
        return self.n

    def _read(self, k):
        buf = b""
        while len(buf) < k:
            c = self.s.recv(k - len(buf))
            if not c:
                raise EOFError
            buf += c
        return buf

    def recv(self, timeout):
        self.s.settimeout(timeout)
        msg = b""
        while True:
            b0, b1 = self._read(2)
            ln = b1 & 0x7f
            if ln == 126:
                ln = struct.unpack(">H", self._read(2))[0]
            elif ln == 127:
                ln = struct.unpack(">Q", self._read(8))[0]
            msg += self._read(ln)
            if b0 & 0x80:
                return json.loads(msg)

    def call(self, method, params=None, events=None):
        i = self.send(method, params)
        while True:
            m = self.recv(30)
            if m.get("id") == i:
                return m.get("result", {})
            if events is not None:
                events.append(m)


def main():
    sep = sys.argv.index("--")
    prof, urls, cmd = sys.argv[1], sys.argv[2:sep], sys.argv[sep + 1:]
    port_file = os.path.join(prof, "DevToolsActivePort")
    proc = subprocess.Popen(cmd + ["--remote-debugging-port=0",
                                   "--user-data-dir=" + prof, "about:blank"],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            if os.path.exists(port_file) and \
               len(open(port_file).read().split("\n")) >= 2:
                break
            time.sleep(0.1)
        port = open(port_file).read().split("\n")[0]
        targets = json.load(urllib.request.urlopen(
            "http://127.0.0.1:%s/json/list" % port, timeout=30))
        page = [t for t in targets if t.get("type") == "page"][0]
        ws = WS(page["webSocketDebuggerUrl"])
        ws.call("Network.enable")
        ws.call("Page.enable")
        ws.call("Emulation.setDeviceMetricsOverride", {
            "width": int(os.environ.get("CDP_WIDTH", "1280")),
            "height": 1000, "deviceScaleFactor": 1, "mobile": False})
        for url in urls:
            ev = []
            ws.call("Page.navigate", {"url": url}, ev)
            loaded, deadline = False, time.time() + 30
            settle = None
            while time.time() < deadline:
                if settle and time.time() > settle:
                    break
                try:
                    m = ws.recv(0.5)
                except socket.timeout:
                    continue
                ev.append(m)
                if m.get("method") == "Page.loadEventFired" and not loaded:
                    loaded, settle = True, time.time() + 1.5
            for m in ev:
                if m.get("method") == "Network.requestWillBeSent":
                    print("REQ " + m["params"]["request"]["url"])
            r = ws.call("Runtime.evaluate", {"expression": "document.title"})
            print("TITLE " + str(r.get("result", {}).get("value")))
            r = ws.call("Runtime.evaluate", {"expression":
                        "document.documentElement.getAttribute('data-js')"})
            print("JS " + ("1" if r.get("result", {}).get("value") == "1"
                           else "0"))
            r = ws.call("Runtime.evaluate", {"expression":
                        "(document.getElementById('ds-generated') || "
                        "{textContent: ''}).textContent"})
            print("GEN " + str(r.get("result", {}).get("value")).strip())
            r = ws.call("Runtime.evaluate", {"expression":
                        "document.documentElement.scrollWidth + ' ' + "
                        "document.documentElement.clientWidth"})
            print("WIDTH " + str(r.get("result", {}).get("value")))
            r = ws.call("Runtime.evaluate", {"expression":
                        "Array.from(document.querySelectorAll('table'))"
                        ".filter(t => t.offsetWidth > "
                        "t.parentElement.clientWidth + 1 || "
                        "t.parentElement.scrollWidth > "
                        "t.parentElement.clientWidth + 1)"
                        ".map(t => (t.id || '?') + ' ' + t.offsetWidth + ' ' "
                        "+ t.parentElement.clientWidth).join('\\n')"})
            for w in str(r.get("result", {}).get("value") or "").split("\n"):
                if w:
                    print("WIDE " + w)
            print("LOADED %d" % loaded)
            sys.stdout.flush()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


main()
