#!/usr/bin/python3
# domq.py - questions about a DOM dumped by chromium --dump-dom, for the
# browser tests (standard library only).
#   domq.py value FILE ID      data-v of the element id=ID or of its
#                              first descendant that has one
#   domq.py text FILE ID       its text content
#   domq.py title FILE         the document title
#   domq.py rows FILE ID       number of <tr> in the tbody of table ID
#   domq.py report FILE RID    row id N of the report section
#                              (id="report-N") whose heading shows the
#                              report ID RID; empty when none
#   domq.py hostile FILE       list elements/attributes a stored XSS could
#                              have added (THREATS #9); exit 1 if any
# SPDX-License-Identifier: MIT
import sys
from html.parser import HTMLParser

ALLOWED = {"html", "head", "meta", "title", "link", "script", "body",
           "header", "nav", "a", "main", "h1", "h2", "p", "div", "span",
           "table", "thead", "tbody", "tr", "th", "td", "svg", "g", "rect",
           "line", "text", "polyline", "circle", "title", "footer", "ul",
           "ol", "li", "br", "code", "i", "button", "input", "small", "pre",
           "h3", "section", "details", "summary"}


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.ids = {}
        self.text = {}
        self.rows = {}
        self.val = {}   # id -> data-v of it or its first descendant
        self.title = None
        self.in_title = False
        self.bad = []
        self.table = []
        self.in_tbody = False
        self.section = None     # row id of the report section we are in
        self.heading = None
        self.span = None
        self.reports = {}       # report ID shown in a heading -> row id

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in ALLOWED:
            self.bad.append("element <%s>" % tag)
        for k, v in attrs:
            if k.startswith("on"):
                self.bad.append("<%s %s=...>" % (tag, k))
            if k in ("href", "src") and v and ":" in v.split("/")[0]:
                self.bad.append("<%s %s=%r>" % (tag, k, v))
            if k == "id" and v and v.lower().startswith("xss"):
                self.bad.append("<%s id=%s>" % (tag, v))
        if tag == "script" and not (a.get("src") or "").endswith(
                ("sort.js", "generated.js")):
            self.bad.append("<script src=%r>" % a.get("src"))
        if tag == "link" and not (a.get("href") or "").endswith("style.css"):
            self.bad.append("<link href=%r>" % a.get("href"))
        if tag == "title" and self.stack_has("head"):
            self.in_title = True
            self.title = ""
        if "id" in a:
            self.ids[a["id"]] = a
            self.text[a["id"]] = ""
        if "data-v" in a:
            for _, i in [(None, a.get("id"))] + self.stack:
                if i is not None and i not in self.val:
                    self.val[i] = a["data-v"]
        if tag == "section" and (a.get("id") or "").startswith("report-"):
            self.section = a["id"][len("report-"):]
            self.heading = None
        if tag == "h2" and self.section is not None and self.heading is None:
            self.heading = ""
        if tag == "span" and self.heading is not None and \
                self.section is not None:
            self.span = ""
        if tag == "table":
            self.table.append(a.get("id"))
        if tag == "tbody":
            self.in_tbody = True
        if tag == "tr" and self.in_tbody and self.table:
            t = self.table[-1]
            self.rows[t] = self.rows.get(t, 0) + 1
        if tag not in ("meta", "link", "br", "input", "rect", "line",
                       "circle", "polyline"):
            self.stack.append((tag, a.get("id")))

    def stack_has(self, tag):
        return any(t == tag for t, _ in self.stack)

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag == "span" and self.span is not None:
            self.reports.setdefault(self.span, self.section)
            self.span = None
        if tag == "h2" and self.heading is not None:
            self.heading = None
            self.section = None
        if tag == "tbody":
            self.in_tbody = False
        if tag == "table" and self.table:
            self.table.pop()
        if not self.stack_has(tag):
            return      # void or self-closed element: nothing was pushed
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        if self.span is not None:
            self.span += data
        for _, i in self.stack:
            if i is not None:
                self.text[i] += data


def main():
    what, path = sys.argv[1], sys.argv[2]
    d = Dom()
    with open(path, encoding="utf-8") as f:
        d.feed(f.read())
    if what == "value":
        print(d.val.get(sys.argv[3], ""))
    elif what == "text":
        print(d.text.get(sys.argv[3], "").strip())
    elif what == "title":
        print(d.title or "")
    elif what == "rows":
        print(d.rows.get(sys.argv[3], 0))
    elif what == "report":
        print(d.reports.get(sys.argv[3], ""))
    elif what == "hostile":
        for b in d.bad:
            print(b)
        sys.exit(1 if d.bad else 0)
    else:
        sys.exit("domq.py: unknown question " + what)


main()
