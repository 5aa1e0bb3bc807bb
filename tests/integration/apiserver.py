#!/usr/bin/env python3
# apiserver.py - a local server for the OAuth2 and mail API tests: an
# OAuth2 token endpoint (RFC 6749 client credentials and refresh token
# grants, RFC 8628 device authorization), a token introspection
# endpoint for Dovecot's oauth2 passdb (RFC 7662), and the documented
# subset of Microsoft Graph v1.0 mail and the Gmail API v1 that
# dmarcsift uses, over one set of messages read from a Maildir.
#
#   apiserver.py --port-file F --state DIR [--maildir DIR] [--tls CERT KEY]
#
# DIR/secret holds the client secret, DIR/refresh the valid refresh token
# (both written by the test). Control: POST /_ctl/expire (every access
# token becomes invalid at once), /_ctl/revoke (refresh tokens too),
# /_ctl/throttle?n=N (the next N API requests get 429 Retry-After: 1),
# /_ctl/deny-device; GET /_ctl/stats (JSON counters), /_ctl/folders
# (Message-ID lists per Graph folder and per Gmail label).
# SPDX-License-Identifier: MIT
import argparse, base64, json, os, re, secrets, ssl, sys, threading, time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--state", required=True)
ap.add_argument("--maildir")
ap.add_argument("--tls", nargs=2)
ap.add_argument("--expires-in", type=int, default=3600)
args = ap.parse_args()

lock = threading.RLock()
stats = {"client_credentials": 0, "refresh_token": 0, "device_code": 0,
         "introspect": 0, "api": 0, "throttled": 0, "unauthorized": 0,
         "fetch": 0, "move": 0, "modify": 0, "bad_request": 0}
access = {}           # token -> expiry (Unix time)
revoked = set()
throttle = [0]
device = {"pending": 0, "deny": False, "code": None}

def read(name):
    with open(os.path.join(args.state, name)) as f:
        return f.read().strip()

# ---- the messages
msgs = {}             # graph id -> dict(raw, folder, gid, labels, msgid)
folders = {"inbox-id": "Inbox", "archive-id": "Archive",
           "deleteditems-id": "Deleted Items"}
well_known = {"inbox": "inbox-id", "archive": "archive-id",
              "deleteditems": "deleteditems-id"}
labels = {"INBOX": "INBOX", "UNREAD": "UNREAD", "Label_1": "dmarc"}
if args.maildir:
    names = []
    for sub in ("cur", "new"):
        d = os.path.join(args.maildir, sub)
        if os.path.isdir(d):
            names += [os.path.join(d, n) for n in os.listdir(d)]
    for i, path in enumerate(sorted(names)):
        raw = open(path, "rb").read()
        m = re.search(rb"(?im)^message-id:\s*(\S+)", raw)
        gid = "AAMk%04d-x_y=" % i   # Graph ids carry - _ =
        msgs[gid] = {"raw": raw, "folder": "inbox-id", "gid": "%016x" % (i + 1),
                     "labels": {"INBOX", "UNREAD", "Label_1"},
                     "msgid": m.group(1).decode() if m else "?"}

def by_gmail(gid):
    for k, m in msgs.items():
        if m["gid"] == gid:
            return m
    return None

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", ctype="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def form(self):
        return {k: v[0] for k, v in
                urllib.parse.parse_qs(self.body().decode()).items()}

    def token_ok(self, form):
        return (form.get("client_id") == "dmarcsift-test" and
                form.get("client_secret") in (None, read("secret")))

    def issue(self, refresh=None):
        t = "at-" + secrets.token_hex(16)
        access[t] = time.time() + args.expires_in
        # every secret handed out, for the tests' grep
        with open(os.path.join(args.state, "issued"), "a") as fh:
            fh.write(t + "\n" + (refresh or "") + "\n")
        r = {"access_token": t, "token_type": "Bearer",
             "expires_in": args.expires_in}
        if refresh:
            r["refresh_token"] = refresh
        return r

    def oauth_error(self, code, desc):
        self.send(400, {"error": code, "error_description": desc})

    def do_token(self):
        f = self.form()
        g = f.get("grant_type")
        with lock:
            if not self.token_ok(f):
                return self.send(401, {"error": "invalid_client",
                                       "error_description": "unknown client or bad secret"})
            if g == "client_credentials":
                if f.get("client_secret") != read("secret"):
                    return self.send(401, {"error": "invalid_client",
                                           "error_description": "bad secret"})
                stats["client_credentials"] += 1
                return self.send(200, self.issue())
            if g == "refresh_token":
                rt = f.get("refresh_token")
                if rt in revoked or rt != read("refresh"):
                    return self.oauth_error("invalid_grant",
                                            "AADSTS70000: the refresh token has been revoked")
                stats["refresh_token"] += 1
                # rotate, as Microsoft does
                new = "rt-" + secrets.token_hex(16)
                with open(os.path.join(args.state, "refresh"), "w") as fh:
                    fh.write(new)
                return self.send(200, self.issue(new))
            if g == "urn:ietf:params:oauth:grant-type:device_code":
                if f.get("device_code") != device["code"]:
                    return self.oauth_error("invalid_grant", "unknown device code")
                if device["deny"]:
                    return self.oauth_error("access_denied", "the user said no")
                if device["pending"] < 1:
                    device["pending"] += 1
                    return self.oauth_error("authorization_pending", "waiting")
                stats["device_code"] += 1
                rt = "rt-" + secrets.token_hex(16)
                with open(os.path.join(args.state, "refresh"), "w") as fh:
                    fh.write(rt)
                return self.send(200, self.issue(rt))
        self.oauth_error("unsupported_grant_type", str(g))

    def do_device(self):
        f = self.form()
        if f.get("client_id") != "dmarcsift-test":
            return self.send(401, {"error": "invalid_client"})
        device["code"] = "dc-" + secrets.token_hex(8)
        device["pending"] = 0
        self.send(200, {"device_code": device["code"], "user_code": "WDJB-MJHT",
                        "verification_uri": "https://example.com/device",
                        "expires_in": 60, "interval": 1})

    def do_introspect(self):
        f = self.form()
        t = f.get("token", "")
        with lock:
            stats["introspect"] += 1
            ok = t in access and access[t] > time.time()
        self.send(200, {"active": True, "username": "dmarc"} if ok
                  else {"active": False})

    def authorized(self):
        h = self.headers.get("Authorization", "")
        t = h[7:] if h.startswith("Bearer ") else ""
        with lock:
            stats["api"] += 1
            if throttle[0] > 0:
                throttle[0] -= 1
                stats["throttled"] += 1
                self.send(429, {"error": {"code": "TooManyRequests",
                                          "message": "throttled"}},
                          headers=[("Retry-After", "1")])
                return False
            if t not in access or access[t] <= time.time():
                stats["unauthorized"] += 1
                self.send(401, {"error": {"code": "InvalidAuthenticationToken",
                                          "message": "Access token has expired or is not yet valid."}})
                return False
        return True

    def ctl(self, what, q):
        with lock:
            if what == "expire":
                access.clear()
            elif what == "revoke":
                access.clear()
                revoked.add(read("refresh"))
            elif what == "throttle":
                throttle[0] = int(q.get("n", ["1"])[0])
            elif what == "deny-device":
                device["deny"] = True
            elif what == "stats":
                return self.send(200, stats)
            elif what == "folders":
                out = {}
                for m in msgs.values():
                    out.setdefault("graph:" + folders[m["folder"]], []).append(m["msgid"])
                    for l in m["labels"]:
                        out.setdefault("gmail:" + labels[l], []).append(m["msgid"])
                return self.send(200, out)
        self.send(200, {})

    # ---- Microsoft Graph v1.0
    def graph(self, method, parts, q):
        # parts after /graph/v1.0/users/{u} or /graph/v1.0/me
        if parts[:1] == ["mailFolders"]:
            if len(parts) == 1 and method == "GET":
                vals = [{"id": k, "displayName": v} for k, v in folders.items()]
                skip = int(q.get("$skip", ["0"])[0])
                page = {"value": vals[skip:skip + 2]}
                if skip + 2 < len(vals):
                    page["@odata.nextLink"] = self.base + self.path.split("?")[0] + \
                        "?$top=2&$skip=%d" % (skip + 2)
                return self.send(200, page)
            if len(parts) == 1 and method == "POST":
                name = json.loads(self.body())["displayName"]
                fid = "folder-" + secrets.token_hex(4)
                folders[fid] = name
                return self.send(201, {"id": fid, "displayName": name})
            fid = well_known.get(parts[1].lower(), parts[1])
            if fid not in folders:
                return self.send(404, {"error": {"code": "ErrorItemNotFound",
                                                 "message": "no such folder"}})
            if len(parts) == 2:
                return self.send(200, {"id": fid, "displayName": folders[fid]})
            if parts[2] == "messages":
                if q.get("$select") != ["id"]:
                    stats["bad_request"] += 1
                ids = sorted(k for k, m in msgs.items() if m["folder"] == fid)
                top = int(q.get("$top", ["10"])[0])
                skip = int(q.get("$skiptoken", ["0"])[0])
                page = {"value": [{"id": i} for i in ids[skip:skip + top]]}
                if skip + top < len(ids):
                    page["@odata.nextLink"] = (self.base + self.path.split("?")[0] +
                        "?$select=id&$top=%d&$skiptoken=%d" % (top, skip + top))
                return self.send(200, page)
        if parts[:1] == ["messages"] and len(parts) >= 2:
            m = msgs.get(parts[1])
            if m is None:
                return self.send(404, {"error": {"code": "ErrorItemNotFound",
                                                 "message": "The specified object was not found in the store."}})
            if len(parts) == 3 and parts[2] == "$value" and method == "GET":
                stats["fetch"] += 1
                return self.send(200, m["raw"], "text/plain")
            if len(parts) == 3 and parts[2] == "move" and method == "POST":
                dest = json.loads(self.body())["destinationId"]
                dest = well_known.get(dest.lower(), dest)
                if dest not in folders:
                    return self.send(400, {"error": {"code": "ErrorInvalidIdMalformed",
                                                     "message": "bad destination"}})
                # a moved message gets a new id, as in Exchange
                del msgs[parts[1]]
                nid = parts[1] + "m"
                m["folder"] = dest
                msgs[nid] = m
                stats["move"] += 1
                return self.send(201, {"id": nid})
            if len(parts) == 2 and method == "PATCH":
                m["read"] = json.loads(self.body()).get("isRead")
                return self.send(200, {"id": parts[1]})
        self.send(400, {"error": {"code": "BadRequest", "message": "unsupported"}})

    # ---- Gmail API v1
    def gmail(self, method, parts, q):
        if parts == ["labels"] and method == "GET":
            return self.send(200, {"labels": [{"id": k, "name": v}
                                              for k, v in labels.items()]})
        if parts == ["labels"] and method == "POST":
            name = json.loads(self.body())["name"]
            lid = "Label_%d" % (len(labels) + 1)
            labels[lid] = name
            return self.send(200, {"id": lid, "name": name})
        if parts == ["messages"] and method == "GET":
            terms = q.get("q", [""])[0].split()
            def match(m):
                for t in terms:
                    k, _, v = t.partition(":")
                    ids = {l for l, n in labels.items()
                           if n.lower() == v.lower() or l.lower() == v.lower()}
                    if k in ("label", "in") and not (ids & m["labels"]):
                        return False
                return True
            ids = sorted(m["gid"] for m in msgs.values() if match(m))
            n = min(int(q.get("maxResults", ["100"])[0]), 100)
            at = int(q.get("pageToken", ["0"])[0])
            page = {"messages": [{"id": i, "threadId": i} for i in ids[at:at + n]],
                    "resultSizeEstimate": len(ids)}
            if at + n < len(ids):
                page["nextPageToken"] = str(at + n)
            return self.send(200, page)
        if parts == ["messages", "batchModify"] and method == "POST":
            b = json.loads(self.body())
            if len(b["ids"]) > 1000:
                return self.send(400, {"error": {"code": 400, "message": "too many ids"}})
            for gid in b["ids"]:
                m = by_gmail(gid)
                if m is None:
                    continue
                m["labels"] |= set(b.get("addLabelIds", []))
                m["labels"] -= set(b.get("removeLabelIds", []))
                stats["modify"] += 1
            return self.send(204, b"")
        if len(parts) == 2 and parts[0] == "messages" and method == "GET":
            m = by_gmail(parts[1])
            if m is None:
                return self.send(404, {"error": {"code": 404, "message": "Requested entity was not found."}})
            if q.get("format") != ["raw"]:
                stats["bad_request"] += 1
            stats["fetch"] += 1
            return self.send(200, {"id": parts[1], "threadId": parts[1],
                                   "sizeEstimate": len(m["raw"]),
                                   "raw": base64.urlsafe_b64encode(m["raw"]).decode()})
        self.send(400, {"error": {"code": 400, "message": "unsupported"}})

    def route(self, method):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        parts = [urllib.parse.unquote(p) for p in u.path.split("/") if p]
        if parts == ["token"] and method == "POST":
            return self.do_token()
        if parts == ["device"] and method == "POST":
            return self.do_device()
        if parts == ["introspect"] and method == "POST":
            return self.do_introspect()
        if parts[:1] == ["_ctl"]:
            return self.ctl(parts[1], q)
        if parts[:2] == ["graph", "v1.0"]:
            if not self.authorized():
                return
            rest = parts[2:]
            if rest[:1] == ["users"] and len(rest) >= 2 and rest[1] == "dmarc@example.com":
                return self.graph(method, rest[2:], q)
            return self.send(404, {"error": {"code": "ErrorInvalidUser",
                                             "message": "no such user"}})
        if parts[:4] == ["gmail", "v1", "users", "me"]:
            if not self.authorized():
                return
            return self.gmail(method, parts[4:], q)
        self.send(404, {"error": "not found"})

    def do_GET(self):
        with lock:
            self.route("GET")

    def do_POST(self):
        self.route("POST") if self.path in ("/token", "/device", "/introspect") \
            else self.locked("POST")

    def do_PATCH(self):
        self.locked("PATCH")

    def locked(self, m):
        with lock:
            self.route(m)

srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
scheme = "http"
if args.tls:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.tls[0], args.tls[1])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    scheme = "https"
port = srv.server_address[1]
H.base = "%s://127.0.0.1:%d" % (scheme, port)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(port))
os.rename(args.port_file + ".tmp", args.port_file)
srv.serve_forever()
