#!/usr/bin/python3
# smtp_sink.py PORTFILE DIR - a minimal SMTP server on 127.0.0.1
# (RFC 5321 subset: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that
# stores each message as DIR/N.eml with DIR/N.env holding the envelope.
# No STARTTLS, no AUTH. Used by tests/browser/t_weekly.sh; smtpd is gone
# from Python 3.12, so this is our own. Standard library only.
# SPDX-License-Identifier: MIT
import os
import socket
import sys


def session(conn, outdir, n):
    f = conn.makefile("rb")
    def say(s):
        conn.sendall(s.encode() + b"\r\n")
    say("220 sink.test ESMTP")
    frm, rcpt = None, []
    while True:
        line = f.readline()
        if not line:
            return n
        cmd = line.decode("latin-1").rstrip("\r\n")
        up = cmd.upper()
        if up.startswith("EHLO"):
            conn.sendall(b"250-sink.test\r\n250-8BITMIME\r\n250 SIZE 10000000\r\n")
        elif up.startswith("HELO"):
            say("250 sink.test")
        elif up.startswith("MAIL FROM:"):
            frm, rcpt = cmd[10:].split()[0], []   # drop SIZE= etc.
            say("250 ok")
        elif up.startswith("RCPT TO:"):
            rcpt.append(cmd[8:].split()[0])
            say("250 ok")
        elif up == "DATA":
            say("354 go ahead")
            body = []
            while True:
                l = f.readline()
                if not l or l in (b".\r\n", b".\n"):
                    break
                if l.startswith(b".."):
                    l = l[1:]
                body.append(l)
            n += 1
            with open(os.path.join(outdir, "%d.eml" % n), "wb") as o:
                o.write(b"".join(body))
            with open(os.path.join(outdir, "%d.env" % n), "w") as o:
                o.write("from %s\n" % frm)
                for r in rcpt:
                    o.write("rcpt %s\n" % r)
            say("250 queued as %d" % n)
        elif up in ("RSET", "NOOP"):
            say("250 ok")
        elif up == "QUIT":
            say("221 bye")
            return n
        else:
            say("502 not implemented")


def main():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(4)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(s.getsockname()[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    n = 0
    while True:
        c, _ = s.accept()
        try:
            n = session(c, sys.argv[2], n)
        except OSError:
            pass
        finally:
            c.close()


main()
