#!/usr/bin/env bash
# The HTML compliance report (reports/html.c): golden files for the fixed
# database in Dutch and English, escaping of hostile names, banners and
# texts, self-containedness, and a headless-Chromium rendering that must
# load nothing from another origin and log no console message. Every check
# prints "ok NAME" or "not ok NAME: why"; the last line is "N passed, N failed".
#
#   tests/report-html-tests.sh MAILSCAN_BINARY
#   UPDATE_GOLDEN=1 tests/report-html-tests.sh build/mailscan   # rewrite the
#       golden files (tests/data/report/golden/fixture.{nl,en}.html); read the
#       diff before committing them
#
# Needs sqlite3, python3 and Debian's chromium (tests/setup.sh installs
# them); without chromium the Chromium checks FAIL, they are never skipped.
# Keeps the screenshot of the Dutch fixture report at build/report-screenshot.png.
# Works in a temporary directory it removes again; needs no network and no lab.
# ASan builds: sanitizer reports go to files that the last check looks for.
set -uo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 MAILSCAN_BINARY" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$1
[[ -x $BIN ]] || { echo "report-html-tests: $BIN is not executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
cd "$ROOT" || exit 2

DATA=$ROOT/tests/data/report
GOLDEN=$DATA/golden
SHOT=$ROOT/build/report-screenshot.png
SHOT_W=1280
SHOT_H=2000
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp}
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TMP/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$TMP/sanitizer:print_stacktrace=1"

pass=0
fail=0
RC=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
# not_ok NAME WHY [FILE...]: the first lines of each FILE are shown too.
not_ok() {
    local name=$1 why=$2 f
    shift 2
    echo "not ok $name: $why"
    for f in "$@"; do [[ -s $f ]] && head -n 12 "$f" | sed "s|^|  $(basename "$f"): |"; done
    fail=$((fail + 1))
}
# report TAG ARGS...: mailscan report ARGS; stdout $TMP/TAG.out, stderr
# $TMP/TAG.err, exit status in RC.
report() {
    local tag=$1
    shift
    timeout 60 "$BIN" report "$@" >"$TMP/$tag.out" 2>"$TMP/$tag.err"
    RC=$?
}

# ---- the checkers (python3, standard library only) ----

# check_html.py FILE LANG [NEEDLE-FILE]: parses FILE with html.parser and
# fails unless it is one self-contained, script-free document: only the
# elements and attributes the renderer writes, no on* attribute, links only
# to ids of the same file, no src, no url() or @import in the style, the
# Content-Security-Policy and charset meta elements, <html lang=LANG>,
# balanced elements, unique ids, valid UTF-8 without raw control characters.
# With NEEDLE-FILE (one string per line, \uXXXX escapes allowed), each string
# must appear in the document's text, i.e. as escaped text, never as markup.
cat >"$TMP/check_html.py" <<'EOF'
import sys
from html.parser import HTMLParser

ELEMENTS = set('''html head meta title style body header h1 h2 h3 h4 h5 p dl dt dd
nav strong ol ul li a main section table thead tbody tr th td figure figcaption
svg text rect line path circle div span pre br article footer'''.split())
VOID = {'meta', 'br'}
ATTRS = set('''class id href lang charset http-equiv content name scope colspan
rowspan viewbox width height role aria-label x y x1 y1 x2 y2 cx cy r d
text-anchor title'''.split())  # title: the stored machine word under its translation
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

path, lang = sys.argv[1], sys.argv[2]
problems = []
raw = open(path, 'rb').read()
try:
    doc = raw.decode('utf-8')
except UnicodeDecodeError as e:
    problems.append('not UTF-8: %s' % e)
    doc = raw.decode('utf-8', 'replace')
for i, ch in enumerate(doc):
    if (ord(ch) < 0x20 and ch not in '\n') or 0x7f <= ord(ch) <= 0x9f or \
            ch in '\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069':
        problems.append('raw control/bidi character U+%04X at offset %d' % (ord(ch), i))
        break


class Check(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.hrefs, self.text = [], set(), [], []
        self.style, self.metas, self.lang = [], [], None

    def tag(self, tag, attrs, empty):
        if tag not in ELEMENTS:
            problems.append('element <%s>' % tag)
        for k, v in attrs:
            v = v or ''
            if k.startswith('on') or k not in ATTRS:
                problems.append('attribute %s="%s" on <%s>' % (k, v[:40], tag))
            if '://' in v and k != 'content':
                problems.append('absolute URL in %s="%s"' % (k, v[:60]))
            if k == 'href':
                self.hrefs.append(v)
                if not v.startswith('#'):
                    problems.append('href="%s" leaves the file' % v[:60])
            if k == 'id':
                if v in self.ids:
                    problems.append('duplicate id "%s"' % v)
                self.ids.add(v)
        if tag == 'meta':
            self.metas.append(dict(attrs))
        if tag == 'html':
            self.lang = dict(attrs).get('lang')
        if not empty and tag not in VOID:
            self.stack.append(tag)

    def handle_starttag(self, tag, attrs):
        self.tag(tag, attrs, False)

    def handle_startendtag(self, tag, attrs):
        self.tag(tag, attrs, True)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            problems.append('</%s> closes <%s>' % (tag, self.stack[-1] if self.stack else ''))
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()

    def handle_data(self, data):
        (self.style if self.stack and self.stack[-1] == 'style' else self.text).append(data)

    def handle_comment(self, data):
        problems.append('comment <!--%s-->' % data[:40])

    def handle_pi(self, data):
        problems.append('processing instruction %s' % data[:40])


p = Check()
p.feed(doc)
p.close()
if p.stack:
    problems.append('unclosed elements: %s' % ' '.join(p.stack))
if p.lang != lang:
    problems.append('<html lang="%s">, expected "%s"' % (p.lang, lang))
if not any(m.get('charset', '').lower() == 'utf-8' for m in p.metas):
    problems.append('no <meta charset="utf-8">')
if not any(m.get('http-equiv') == 'Content-Security-Policy' and m.get('content') == CSP
           for m in p.metas):
    problems.append('no <meta http-equiv="Content-Security-Policy" content="%s">' % CSP)
style = ''.join(p.style).lower()
for bad in ('url(', '@import', '://', '</'):
    if bad in style:
        problems.append('style contains %s' % bad)
for h in p.hrefs:
    if h.startswith('#') and h[1:] not in p.ids:
        problems.append('href="%s" names no id' % h)
if len(sys.argv) > 3:
    text = ''.join(p.text)
    for line in open(sys.argv[3], encoding='utf-8'):
        needle = line.rstrip('\n').encode('ascii', 'backslashreplace').decode('unicode_escape')
        if needle and needle not in text:
            problems.append('not in the text: %r' % needle)
for m in problems[:20]:
    print(m)
sys.exit(1 if problems else 0)
EOF

# check_net.py NETLOG: every URL the page requested is file: or data:, and no
# other host is named anywhere in the log. Chromium itself makes a few
# requests at start-up that no switch turns off (the sign-in ListAccounts
# call, the component updater, network time): URL requests without an
# initiator ("not an origin") outside the file:// network partition. Those
# are listed as notes and their sites allowed; everything else fails.
cat >"$TMP/check_net.py" <<'EOF'
import json, re, sys
from urllib.parse import urlsplit

text = open(sys.argv[1], encoding='utf-8', errors='replace').read()
try:
    log = json.loads(text)
except ValueError:
    # a browser that did not exit cleanly leaves the log unterminated
    log = json.loads(text.rstrip().rstrip(',') + ']}')
types = {v: k for k, v in log['constants']['logEventTypes'].items()}
LOCAL = ('file', 'data', 'about', 'chrome', 'blob')
URL_RE = re.compile(r'\b([a-z][a-z0-9+.-]*)://(\[[0-9a-f:.]+\]|[^\s"\'/:;,}\]]+)', re.I)
bad, own, n = [], set(), 0
for e in log['events']:
    p = e.get('params') or {}
    if types.get(e['type']) != 'URL_REQUEST_START_JOB' or 'url' not in p:
        continue
    u = p['url']
    if urlsplit(u).scheme in LOCAL:
        continue
    if p.get('initiator') == 'not an origin' and 'file:' not in str(p.get('network_isolation_key')):
        own.add(urlsplit(u).hostname or '')
        n += 1
    else:
        bad.append('requested by the page: ' + u)


def site(host):
    return '.'.join(host.lower().strip('[]').split('.')[-2:])


def ours(host):
    # the dead proxy, host-resolver-rules results (~NOTFOUND), and the sites
    # of Chromium's own requests (their Origin headers and the like)
    return host in ('127.0.0.1', '') or host.startswith('~') or \
        site(host) in {site(h) for h in own}


def strings(o):
    if isinstance(o, dict):
        for v in o.values():
            yield from strings(v)
    elif isinstance(o, list):
        for v in o:
            yield from strings(v)
    elif isinstance(o, str):
        yield o


for e in log['events']:
    for s in strings(e.get('params') or {}):
        for scheme, host in URL_RE.findall(s):
            if scheme.lower() not in LOCAL and not ours(host):
                bad.append('%s names %s://%s' % (types.get(e['type']), scheme, host))
print('%d events; %d background request(s) of Chromium itself (%s) ignored' %
      (len(log['events']), n, ', '.join(sorted(own)) or 'none'))
for b in sorted(set(bad))[:20]:
    print('not local: ' + b)
sys.exit(1 if bad else 0)
EOF

# check_png.py FILE W H: a PNG of W x H pixels whose image data is complete
# and whose top (the title, the summary) is not blank: the first 480 rows
# decoded with zlib (8-bit RGB or RGBA as Chromium writes them).
cat >"$TMP/check_png.py" <<'EOF'
import struct, sys, zlib

data = open(sys.argv[1], 'rb').read()
want = (int(sys.argv[2]), int(sys.argv[3]))
if data[:8] != b'\x89PNG\r\n\x1a\n':
    sys.exit('not a PNG')
pos, idat, ihdr = 8, b'', None
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        ihdr = struct.unpack('>IIBBBBB', body)
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
w, h, depth, ctype = ihdr[:4]
if (w, h) != want:
    sys.exit('%dx%d pixels, expected %dx%d' % (w, h, want[0], want[1]))
if depth != 8 or ctype not in (2, 6):
    sys.exit('unexpected PNG format (depth %d, colour type %d)' % (depth, ctype))
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
if len(raw) != h * (stride + 1):
    sys.exit('image data of %d bytes, expected %d' % (len(raw), h * (stride + 1)))
prev, colours = bytearray(stride), set()
for y in range(min(h, 480)):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1:
            line[i] = (line[i] + a) & 255
        elif f == 2:
            line[i] = (line[i] + b) & 255
        elif f == 3:
            line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 8 == 0:
        colours.update(bytes(line[i:i + 3]) for i in range(0, stride, bpp * 4))
    prev = line
if len(colours) < 16:
    sys.exit('looks blank: %d colours' % len(colours))
print('%dx%d PNG, %d bytes, %d colours sampled' % (w, h, len(data), len(colours)))
EOF

# check_adv.py HTML JSON: the advice per reason code (section "advice",
# before the appendix "domains") lists each code with advice that the run
# names exactly once, sorted by code, with ids adv-0, adv-1, ... in that
# order (indexes, never the code), the number of domains and what/fix text
# that appears nowhere else; in the appendix every reason code with advice
# is a link <a href="#adv-N"> whose text is the code of entry N, and no other
# text is such a link. JSON is the json report of the same run: its advice
# per domain gives the codes and the number of domains of each.
cat >"$TMP/check_adv.py" <<'EOF'
import json, re, sys
from html.parser import HTMLParser

doc = open(sys.argv[1], encoding='utf-8').read()
rep = json.load(open(sys.argv[2], encoding='utf-8'))
problems = []


class Adv(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.section = None    # id of the <section> we are in
        self.order = []        # section ids in document order
        self.entries = []      # [id, [cell texts]] of the advice table rows
        self.cell = None       # text of the advice cell being read
        self.links = []        # (href, text, domain article id)
        self.link = None
        self.article = None
        self.text = []         # all text outside the advice section

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'section':
            self.section = a.get('id')
            self.order.append(self.section)
        elif tag == 'article':
            self.article = a.get('id')
        elif tag == 'tr' and self.section == 'advice' and 'id' in a:
            self.entries.append([a['id'], []])
        elif tag in ('th', 'td') and self.section == 'advice' and self.entries:
            self.cell = []
        elif tag == 'a' and (a.get('href') or '').startswith('#adv-'):
            self.link = [a['href'], [], self.article, self.section]

    def handle_endtag(self, tag):
        if tag in ('th', 'td') and self.cell is not None:
            self.entries[-1][1].append(''.join(self.cell))
            self.cell = None
        elif tag == 'a' and self.link:
            self.link[1] = ''.join(self.link[1])
            self.links.append(tuple(self.link))
            self.link = None
        elif tag == 'article':
            self.article = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        elif self.section != 'advice':
            self.text.append(data)
        if self.link:
            self.link[1].append(data)


p = Adv()
p.feed(doc)
p.close()
if 'advice' not in p.order or 'domains' not in p.order or \
        p.order.index('advice') + 1 != p.order.index('domains'):
    problems.append('sections %s: no advice right before the appendix' % p.order)
ids = [e[0] for e in p.entries]
if ids != ['adv-%d' % i for i in range(len(ids))]:
    problems.append('ids %s, expected adv-0 .. adv-%d in order' % (ids[:8], len(ids) - 1))
codes = [e[1][0] if e[1] else '' for e in p.entries]
if codes != sorted(set(codes)):
    problems.append('codes not sorted or repeated: %s' % codes)
if any(len(e[1]) != 4 for e in p.entries):
    problems.append('an advice row without code, domains, what and fix')
want = {}
for d in rep['domains']:
    for c in {x['code'] for x in d['advice']}:
        want[c] = want.get(c, 0) + 1
got = {e[1][0]: int(re.sub(r'[.,]', '', e[1][1])) for e in p.entries if len(e[1]) == 4}
if got != want:
    problems.append('codes and domain counts %s != json %s' % (got, want))
# what/fix once: not in the appendix or anywhere else outside the section
rest = ''.join(p.text)
for e in p.entries:
    for t in e[1][2:]:
        if t in rest:
            problems.append('%s: advice text outside the advice section: %r' % (e[0], t[:50]))
# links: all in the appendix, each names its entry's code; per code the
# linking domains are the domains the count says
target = dict(zip(ids, codes))
linked = {}
for href, text, art, sec in p.links:
    if sec != 'domains' or not art:
        problems.append('link %s outside a domain of the appendix' % href)
    if target.get(href[1:]) != text:
        problems.append('link %s says %r, the entry is %r' % (href, text, target.get(href[1:])))
    linked.setdefault(text, set()).add(art)
if {c: len(s) for c, s in linked.items()} != got:
    problems.append('domains linking each code %s != counts %s' %
                    ({c: len(s) for c, s in linked.items()}, got))
# and every reason code with advice in the appendix is linked: the json's
# codes per domain are the link texts of that domain's article
arts = {}
for href, text, art, sec in p.links:
    arts.setdefault(art, set()).add(text)
names = {}
for m in re.finditer(r'<article class="dom" id="(d\d+)">\n<div class="blk"><h3>', doc):
    names[m.group(1)] = len(names)
for i, d in enumerate(rep['domains']):
    if arts.get('d%d' % i, set()) != {x['code'] for x in d['advice']}:
        problems.append('%s: links %s, json advice %s' % (d['name'], sorted(arts.get('d%d' % i, set())),
                                                          sorted({x['code'] for x in d['advice']})))
if len(names) != len(rep['domains']):
    problems.append('%d domain articles, json has %d' % (len(names), len(rep['domains'])))
for m in problems[:20]:
    print(m)
if not problems:
    print('%d codes, %d links' % (len(ids), len(p.links)))
sys.exit(1 if problems else 0)
EOF

# ======================================================================
# (a) golden files: the fixed database in Dutch and English
# ======================================================================
if ! sqlite3 "$TMP/fixture.db" <"$DATA/fixture.sql" 2>"$TMP/fixture.err"; then
    not_ok "fixture database" "sqlite3 failed" "$TMP/fixture.err"
fi
FIXARGS=(--db "$TMP/fixture.db" --explanations "$DATA/explanations.yaml" --format html)
for lang in nl en; do
    report "fixture.$lang" "${FIXARGS[@]}" --lang "$lang" -o "$TMP/fixture.$lang.html"
    if [[ $RC -ne 0 || ! -s $TMP/fixture.$lang.html ]]; then
        not_ok "fixture report ($lang)" "exit $RC" "$TMP/fixture.$lang.err"
        continue
    fi
    ok "fixture report ($lang)"
    if [[ ${UPDATE_GOLDEN:-} == 1 ]]; then
        mkdir -p "$GOLDEN"
        cp "$TMP/fixture.$lang.html" "$GOLDEN/fixture.$lang.html"
        ok "golden fixture.$lang.html (rewritten: read the diff)"
    elif [[ ! -f $GOLDEN/fixture.$lang.html ]]; then
        not_ok "golden fixture.$lang.html" "missing (make it with UPDATE_GOLDEN=1)"
    elif diff -u "$GOLDEN/fixture.$lang.html" "$TMP/fixture.$lang.html" >"$TMP/golden.$lang.diff"; then
        ok "golden fixture.$lang.html"
    else
        not_ok "golden fixture.$lang.html" "differs (UPDATE_GOLDEN=1 rewrites it)" "$TMP/golden.$lang.diff"
    fi
    # same bytes on standard output and a second time: nothing depends on the clock
    report "fixture.$lang.stdout" "${FIXARGS[@]}" --lang "$lang"
    if [[ $RC -eq 0 ]] && cmp -s "$TMP/fixture.$lang.stdout.out" "$TMP/fixture.$lang.html"; then
        ok "deterministic, same on stdout ($lang)"
    else
        not_ok "deterministic, same on stdout ($lang)" "exit $RC or different output"
    fi
done
# the content the golden files pin down, in words a reader would look for
f=$TMP/fixture.nl.html
if grep -q 'Wijzigingen sinds run 2' "$f" && grep -q '>verlopen<' "$f" &&
    grep -q '>niet meer nodig<' "$f" && grep -q '>ongebruikt<' "$f" &&
    grep -q 'Los het op bij <strong>oudhost.nl</strong>' "$f" &&
    grep -q '<svg viewBox' "$f" && grep -q 'id="d0"' "$f" &&
    grep -q '<tr id="adv-0"><th scope="row" class="mono code">dane-insecure</th>' "$f" &&
    grep -q '<a href="#adv-2">dane-missing</a>' "$f"; then
    ok "fixture report has changes, explanation states, fixable provider, charts, advice, appendix"
else
    not_ok "fixture report has changes, explanation states, fixable provider, charts, advice, appendix" \
        "a section is missing in $f"
fi
# the advice per reason code: once, linked from the appendix by index ids,
# the codes and domain counts of the json report of the same run
for lang in nl en; do
    report "fixture.$lang.json" --db "$TMP/fixture.db" --explanations "$DATA/explanations.yaml" \
        --format json --lang "$lang"
    if python3 "$TMP/check_adv.py" "$TMP/fixture.$lang.html" "$TMP/fixture.$lang.json.out" \
        >"$TMP/adv.$lang.txt"; then
        ok "advice once per reason code, linked from every domain ($lang): $(cat "$TMP/adv.$lang.txt")"
    else
        not_ok "advice once per reason code, linked from every domain ($lang)" "see below" "$TMP/adv.$lang.txt"
    fi
done

# ======================================================================
# (b) escaping: hostile organisation and domain names, banners, labels...
# ======================================================================
cp "$TMP/fixture.db" "$TMP/hostile.db"
# char(1), char(27), char(127): control characters; x'C0AF': not UTF-8;
# U+202E: right-to-left override
sqlite3 "$TMP/hostile.db" >"$TMP/hostile.err" 2>&1 <<'EOF'
UPDATE organisations SET name = '<script>alert("org")</script> Gemeente "X" & ''Y''' || char(1) WHERE id = 2;
UPDATE organisations SET name = 'Gemeente <img src=x onerror=alert(2)>' || char(8238) || 'lanom' WHERE id = 3;
UPDATE organisations SET category = '"><svg onload=alert(3)>' WHERE id = 4;
UPDATE domains SET name = '"><img src=x onerror=alert(4)>.nl' WHERE run_id = 3 AND name = 'voorbeeld.nl';
UPDATE domains SET name = '<script>alert(5)</script>.nl' || char(27) WHERE run_id = 3 AND name = 'proefland.nl';
INSERT OR REPLACE INTO probe_evidence (domain_id, probe, evidence)
    SELECT id, 'mta_sts', json_object('policy_text', 'mode: enforce' || char(13) || char(10) || 'mx: </pre></style><script>alert(6)</script>')
    FROM domains WHERE run_id = 3;
UPDATE addresses SET evidence = json_set(evidence, '$.starttls.banner', '220 <script>alert(7)</script> "q" ''s'' ' || char(1) || char(127) || CAST(x'C0AF' AS TEXT) || char(13) || char(10) || '220 <img src=x onerror=alert(8)>',
    '$.starttls.cert.subject', 'CN=<iframe src=javascript:alert(9)>', '$.starttls.error', '</td></tr></table><script>alert(10)</script>')
WHERE mx_host_id IN (SELECT id FROM mx_hosts WHERE run_id = 3);
UPDATE verdicts SET reasons = reasons || ' "><a/href=javascript:alert(11)>x'
WHERE domain_id IN (SELECT id FROM domains WHERE run_id = 3) AND standard = 'dnssec';
UPDATE runs SET label = '</title><script>alert(12)</script>', targets = '/t/"onmouseover="alert(13).yaml' WHERE id = 3;
UPDATE addresses SET evidence = json_insert(json_set(evidence, '$.tls_ncsc.ncsc.versions',
        json_object('TLSv1.3', '</span><script>alert(15)</script>')),
    '$.tls_ncsc.ncsc.findings[#]', json_object('class', '"><svg onload=alert(16)>', 'aspect', 'cipher',
        'item', '<img src=x onerror=alert(17)>' || char(1), 'version', NULL,
        'detail', '</td></tr><script>alert(18)</script>'))
WHERE json_extract(evidence, '$.tls_ncsc.ncsc.state') IS NOT NULL
    AND mx_host_id IN (SELECT id FROM mx_hosts WHERE run_id = 3);
EOF
[[ -s $TMP/hostile.err ]] && not_ok "hostile database" "sqlite3 failed" "$TMP/hostile.err"
cat >"$TMP/hostile.yaml" <<'EOF'
explanations:
  - organisation: "Gemeente <img src=x onerror=alert(2)>\u202Elanom"
    standard: dnssec
    reason: "<script>alert(14)</script> & 'reden'"
    valid_until: 2030-01-01
EOF
# what must appear as text (\uFFFD where a control character or a byte that
# is not UTF-8 was; the RLO too)
cat >"$TMP/needles.txt" <<'EOF'
<script>alert("org")</script> Gemeente "X" & 'Y'\ufffd
Gemeente <img src=x onerror=alert(2)>\ufffdlanom
"><svg onload=alert(3)>
"><img src=x onerror=alert(4)>.nl
<script>alert(5)</script>.nl\ufffd
mx: </pre></style><script>alert(6)</script>
220 <script>alert(7)</script> "q" 's' \ufffd\ufffd\ufffd\ufffd
220 <img src=x onerror=alert(8)>
CN=<iframe src=javascript:alert(9)>
</td></tr></table><script>alert(10)</script>
"><a/href=javascript:alert(11)>x
</title><script>alert(12)</script>
/t/"onmouseover="alert(13).yaml
<script>alert(14)</script> & 'reden'
</span><script>alert(15)</script>
"><svg onload=alert(16)>
<img src=x onerror=alert(17)>\ufffd
</td></tr><script>alert(18)</script>
depth 1: CN=<script>alert("ncsc")</script>,O='Evil & Co' `x` *y*|z
EOF
for lang in nl en; do
    report "hostile.$lang" --db "$TMP/hostile.db" --explanations "$TMP/hostile.yaml" \
        --format html --lang "$lang" -o "$TMP/hostile.$lang.html"
    if [[ $RC -ne 0 ]]; then
        not_ok "hostile report ($lang)" "exit $RC" "$TMP/hostile.$lang.err"
        continue
    fi
    if python3 "$TMP/check_html.py" "$TMP/hostile.$lang.html" "$lang" "$TMP/needles.txt" \
        >"$TMP/hcheck.$lang.txt"; then
        ok "hostile names, banners, reasons, labels appear only as text ($lang)"
    else
        not_ok "hostile names, banners, reasons, labels appear only as text ($lang)" \
            "see below" "$TMP/hcheck.$lang.txt"
    fi
    # and plainly: no raw markup from the data (the renderer itself writes
    # none of these elements)
    if grep -qiE '<script|<img|<iframe|<a/href' "$TMP/hostile.$lang.html"; then
        not_ok "no raw <script, <img, <iframe in the hostile report ($lang)" \
            "$(grep -oiE '.{20}<(script|img|iframe|a/href).{20}' "$TMP/hostile.$lang.html" | head -n 3)"
    else
        ok "no raw <script, <img, <iframe in the hostile report ($lang)"
    fi
done
for lang in nl en; do
    report "hostile.$lang.json" --db "$TMP/hostile.db" --explanations "$TMP/hostile.yaml" \
        --format json --lang "$lang"
    if python3 "$TMP/check_adv.py" "$TMP/hostile.$lang.html" "$TMP/hostile.$lang.json.out" \
        >"$TMP/hadv.$lang.txt"; then
        ok "hostile reason codes are not linked, the others are ($lang)"
    else
        not_ok "hostile reason codes are not linked, the others are ($lang)" "see below" "$TMP/hadv.$lang.txt"
    fi
done
# the checker itself must catch what it looks for
printf '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>x</title></head><body><p>a<img src=x onerror=alert(1)></p></body></html>\n' >"$TMP/broken.html"
if python3 "$TMP/check_html.py" "$TMP/broken.html" nl >"$TMP/broken.txt"; then
    not_ok "the HTML checker rejects markup from data" "it passed $TMP/broken.html"
elif grep -q 'element <img>' "$TMP/broken.txt" && grep -q 'attribute onerror' "$TMP/broken.txt" &&
    grep -q 'Content-Security-Policy' "$TMP/broken.txt"; then
    ok "the HTML checker rejects markup from data"
else
    not_ok "the HTML checker rejects markup from data" "not for the right reasons" "$TMP/broken.txt"
fi

# ======================================================================
# (c) self-contained: nothing from elsewhere
# ======================================================================
# check_html.py: no src attribute, href only to ids of the file, no absolute
# URL in any attribute, no url() or @import in the style, no script, link,
# iframe, object or embed element, the Content-Security-Policy meta element.
# (Absolute URLs may appear as escaped text: the advice names the MTA-STS
# policy URL.)
for f in "$TMP"/fixture.*.html "$TMP"/hostile.*.html; do
    lang=${f%.html}
    lang=${lang##*.}
    if python3 "$TMP/check_html.py" "$f" "$lang" >"$TMP/self.txt"; then
        ok "self-contained, script-free, well-formed: $(basename "$f")"
    else
        not_ok "self-contained, script-free, well-formed: $(basename "$f")" "see below" "$TMP/self.txt"
    fi
done

# ======================================================================
# (d) headless Chromium: renders offline, requests nothing, logs nothing
# ======================================================================
# Debian's real binary: /usr/bin/chromium is a wrapper whose /etc/chromium.d
# snippets add remote extensions and print warnings.
CHROMIUM=
for c in /usr/lib/chromium/chromium "$(command -v chromium 2>/dev/null)"; do
    [[ -n $c && -x $c ]] && { CHROMIUM=$c; break; }
done
# render NAME FILE ARGS...: Chromium headless on file://FILE with a fresh
# profile and HOME and ARGS (--screenshot=PNG or --dump-dom); net log in
# $TMP/NAME.netlog, stdout in $TMP/NAME.stdout, stderr (where the console
# messages go) in $TMP/NAME.log.
# Offline: every request goes to a proxy on a closed local port and every name
# resolves to NXDOMAIN, so nothing waits for a network that is not there;
# --timeout stops a load that still hangs after 30 s, timeout(1) the browser.
render() {
    local name=$1 file=$2
    shift 2
    mkdir -p "$TMP/$name.home"
    HOME=$TMP/$name.home timeout 90 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu \
        --no-first-run --no-default-browser-check --user-data-dir="$TMP/$name.profile" \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-default-apps --disable-extensions --disable-breakpad \
        --disable-client-side-phishing-detection --disable-domain-reliability --no-pings \
        --metrics-recording-only --password-store=basic --use-mock-keychain \
        --disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,NetworkTimeServiceQuerying \
        --proxy-server=http://127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND' \
        --disable-dev-shm-usage --force-color-profile=srgb --hide-scrollbars \
        --force-device-scale-factor=1 --window-size="$SHOT_W,$SHOT_H" --timeout=30000 \
        --log-net-log="$TMP/$name.netlog" --enable-logging=stderr --v=0 \
        "$@" "file://$file" >"$TMP/$name.stdout" 2>"$TMP/$name.log"
    RC=$?
}
# console_messages NAME: the console lines Chromium logged (none expected),
# except those of Chromium's own pages (source: chrome://...), which some
# versions log in headless mode ("Slow network is detected ..." from the
# omnibox UI) whatever page is loaded
console_messages() { grep -E ':CONSOLE(:[0-9]+)?\]' "$TMP/$1.log" | grep -vE 'source: chrome://[^ ]*'; }

if [[ -z $CHROMIUM ]]; then
    not_ok "chromium installed" "no /usr/lib/chromium/chromium or chromium in PATH (tests/setup.sh installs Debian's chromium)"
else
    ok "chromium installed ($("$CHROMIUM" --version 2>/dev/null | head -n 1))"
    mkdir -p "$(dirname "$SHOT")"
    rm -f "$SHOT"
    for name in fixture.nl fixture.en hostile.nl; do
        [[ -s $TMP/$name.html ]] || { not_ok "chromium: $name" "no report to render"; continue; }
        png=$TMP/$name.png
        [[ $name == fixture.nl ]] && png=$SHOT
        render "$name" "$TMP/$name.html" --screenshot="$png"
        if [[ $RC -ne 0 ]]; then
            not_ok "chromium renders $name.html" "exit $RC" "$TMP/$name.log"
            continue
        fi
        if python3 "$TMP/check_png.py" "$png" "$SHOT_W" "$SHOT_H" >"$TMP/$name.png.txt" 2>&1; then
            ok "chromium renders $name.html: $(cat "$TMP/$name.png.txt")"
        else
            not_ok "chromium renders $name.html" "$(cat "$TMP/$name.png.txt")"
        fi
        if python3 "$TMP/check_net.py" "$TMP/$name.netlog" >"$TMP/$name.net.txt" 2>&1; then
            ok "chromium: $name.html requests nothing from another origin ($(head -n 1 "$TMP/$name.net.txt"))"
        else
            not_ok "chromium: $name.html requests nothing from another origin" "see below" "$TMP/$name.net.txt"
        fi
        if console_messages "$name" >"$TMP/$name.console"; then
            not_ok "chromium: no console message for $name.html" "see below" "$TMP/$name.console"
        else
            ok "chromium: no console message for $name.html"
        fi
    done
    [[ -s $SHOT ]] && echo "screenshot: $SHOT"
    # the screenshot is of the report, not of an error page: the DOM Chromium
    # built from the file has the report's title and ten sections (the
    # conclusion first, how the run was made after the summary)
    render dom "$TMP/fixture.nl.html" --dump-dom
    if [[ $RC -eq 0 ]] && grep -q '<h1>Mailbeveiliging: pas toe of leg uit</h1>' "$TMP/dom.stdout" &&
        [[ $(grep -o '<section' "$TMP/dom.stdout" | wc -l) -eq 10 ]] &&
        grep -q '<section class="major" id="advice">' "$TMP/dom.stdout" &&
        [[ $(grep -o '<section[^>]* id="[a-z]*"' "$TMP/dom.stdout" | sed -E 's/.*id="//; s/"//' | head -3 | tr '\n' ' ') == "conclusion summary method " ]] &&
        ! grep -qi '<script' "$TMP/dom.stdout"; then
        ok "chromium builds the report's DOM (title, ten sections: conclusion, summary, method first; no script)"
    else
        not_ok "chromium builds the report's DOM (title, ten sections: conclusion, summary, method first; no script)" \
            "exit $RC" "$TMP/dom.stdout" "$TMP/dom.log"
    fi

    # The detection must work: a page with an external image, an external
    # CSS background and a script that logs an error fails both checks.
    cat >"$TMP/leaky.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>leaky</title>
<style>body{background:url(https://192.0.2.1/bg.png)}</style></head>
<body><h1>leaky</h1><img src="http://192.0.2.1/x.png" alt="">
<script>console.error("deliberate console error");</script></body></html>
EOF
    render leaky "$TMP/leaky.html" --screenshot="$TMP/leaky.png"
    if [[ $RC -ne 0 ]]; then
        not_ok "chromium renders leaky.html" "exit $RC" "$TMP/leaky.log"
    else
        if python3 "$TMP/check_net.py" "$TMP/leaky.netlog" >"$TMP/leaky.net.txt" 2>&1; then
            not_ok "the net-log check catches an external request" "it passed" "$TMP/leaky.net.txt"
        elif grep -q 'requested by the page: http://192.0.2.1/x.png' "$TMP/leaky.net.txt"; then
            ok "the net-log check catches an external request"
        else
            not_ok "the net-log check catches an external request" "not for the right reason" "$TMP/leaky.net.txt"
        fi
        if console_messages leaky | grep -q 'deliberate console error'; then
            ok "the console check catches a console error"
        else
            not_ok "the console check catches a console error" "no CONSOLE line" "$TMP/leaky.log"
        fi
    fi

    # ---- the trend chart with one run and with two (issue 14) ----
    # The fixture's runs 1 and 2 (the trend of a report reaches its run).
    # trend_page.py REPORT SHOT PROBE: the report's trend figure and table
    # alone with the report's style (SHOT, for the screenshot), and the same
    # with a script (PROBE: the report has no script and a CSP against one)
    # that writes what Chromium laid out into the DOM: per line its computed
    # stroke, dash pattern and width, per label and marker its box.
    # check_trend.py DOM one|lines: the one-run chart has a labelled marker
    # per standard, each on its own row, and no line; the two-run chart a
    # line per standard, every line drawn differently (colour, dash, width
    # >= 2 px), a label at each line's end, no two labels overlapping.
    cat >"$TMP/trend_page.py" <<'EOF'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
head = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", s[:s.index("</head>")])
i = s.index('<figure class="chart"><svg class="trend')
j = s.index("</table>", i) + len("</table>")
body = s[i:j]
open(sys.argv[2], "w", encoding="utf-8").write(s[:s.index("</head>")] + "</head><body>" + body + "</body></html>\n")
probe = """<script>
const out = {lines: [], labels: [], markers: []};
const svg = document.querySelector("svg.trend");
for (const p of svg.querySelectorAll("path.ln")) {
  const c = getComputedStyle(p);
  out.lines.push({cls: p.getAttribute("class"), d: p.getAttribute("d"), stroke: c.stroke,
                  dash: c.strokeDasharray, width: parseFloat(c.strokeWidth)});
}
const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
for (const t of svg.querySelectorAll("text.lb")) out.labels.push({text: t.textContent, box: box(t)});
for (const m of svg.querySelectorAll("circle.mk")) out.markers.push({box: box(m)});
out.one = svg.classList.contains("one");
out.standards = document.querySelectorAll("table thead th").length - 2;
const pre = document.createElement("pre"); pre.id = "probe";
pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
</script>"""
open(sys.argv[3], "w", encoding="utf-8").write(head + "</head><body>" + body + probe + "</body></html>\n")
EOF
    cat >"$TMP/check_trend.py" <<'EOF'
import html, json, re, sys
m = re.search(r'<pre id="probe">(.*?)</pre>', open(sys.argv[1], encoding="utf-8").read(), re.S)
if not m:
    sys.exit("  no probe output in the DOM")
p, want, bad = json.loads(html.unescape(m.group(1))), sys.argv[2], []
n = p["standards"]
def overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
def no_overlap(what, boxes):
    for i in range(len(boxes)):
        for k in range(i + 1, len(boxes)):
            if overlap(boxes[i], boxes[k]):
                bad.append(f"{what} {i} and {k} overlap: {boxes[i]} {boxes[k]}")
if n < 2:
    bad.append(f"{n} standards in the trend table")
if want == "one":
    if not p["one"]:
        bad.append("not the one-run chart")
    if p["lines"]:
        bad.append(f"{len(p['lines'])} lines in a one-run chart")
    if len(p["markers"]) != n or len(p["labels"]) != n:
        bad.append(f"{len(p['markers'])} markers, {len(p['labels'])} labels for {n} standards")
    no_overlap("labels", [l["box"] for l in p["labels"]])
    no_overlap("markers", [k["box"] for k in p["markers"]])
    rows = sorted((k["box"][1] + k["box"][3]) / 2 for k in p["markers"])
    if any(b - a < 12 for a, b in zip(rows, rows[1:])):
        bad.append(f"markers not on rows of their own: {rows}")
else:
    if p["one"]:
        bad.append("the one-run chart for several runs")
    if len(p["lines"]) != n:
        bad.append(f"{len(p['lines'])} lines for {n} standards")
    styles = [(l["stroke"], l["dash"], l["width"]) for l in p["lines"]]
    if len(set(styles)) != len(styles):
        bad.append(f"lines drawn alike: {styles}")
    if any(l["width"] < 2 for l in p["lines"]):
        bad.append(f"a line thinner than 2 px: {styles}")
    if any(len(re.findall(r"[ML]", l["d"])) < 2 for l in p["lines"]):
        bad.append("a line of one point")
    if len(p["labels"]) != n:
        bad.append(f"{len(p['labels'])} line-end labels for {n} standards")
    no_overlap("labels", [l["box"] for l in p["labels"]])
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF
    for runs in 1 2; do
        kind=one
        [[ $runs -eq 2 ]] && kind=lines
        report "trend$runs" --db "$TMP/fixture.db" --run "$runs" -o "$TMP/trend$runs.html"
        if [[ $RC -ne 0 ]] || ! python3 "$TMP/trend_page.py" "$TMP/trend$runs.html" \
            "$TMP/trend$runs.shot.html" "$TMP/trend$runs.probe.html" 2>"$TMP/trend$runs.page.err"; then
            not_ok "trend chart, $runs run(s): the page" "exit $RC" "$TMP/trend$runs.err" "$TMP/trend$runs.page.err"
            continue
        fi
        png=$ROOT/build/report-trend-$runs.png
        render "trend$runs" "$TMP/trend$runs.shot.html" --screenshot="$png"
        if [[ $RC -eq 0 ]] && python3 "$TMP/check_png.py" "$png" "$SHOT_W" "$SHOT_H" >"$TMP/trend$runs.png.txt" 2>&1; then
            ok "chromium: screenshot of the $runs-run trend chart: $png"
        else
            not_ok "chromium: screenshot of the $runs-run trend chart" "exit $RC: $(cat "$TMP/trend$runs.png.txt")"
        fi
        render "trend${runs}dom" "$TMP/trend$runs.probe.html" --dump-dom
        if [[ $RC -eq 0 ]] && python3 "$TMP/check_trend.py" "$TMP/trend${runs}dom.stdout" "$kind" >"$TMP/trend$runs.txt"; then
            if [[ $kind == one ]]; then
                ok "chromium: the one-run trend chart has a labelled marker per standard on its own row, no line"
            else
                ok "chromium: the two-run trend chart has a line per standard, each drawn differently, labelled at its end without overlap"
            fi
        else
            not_ok "chromium: the $runs-run trend chart ($kind)" "exit $RC, see below" "$TMP/trend$runs.txt"
        fi
    done
    # the checker must catch a wrong chart: each chart fails the other's check
    if [[ -s $TMP/trend1dom.stdout && -s $TMP/trend2dom.stdout ]] &&
        ! python3 "$TMP/check_trend.py" "$TMP/trend1dom.stdout" lines >"$TMP/trendx1.txt" &&
        grep -q 'lines for' "$TMP/trendx1.txt" &&
        ! python3 "$TMP/check_trend.py" "$TMP/trend2dom.stdout" one >"$TMP/trendx2.txt" &&
        grep -q 'lines in a one-run chart' "$TMP/trendx2.txt"; then
        ok "the trend checks reject the other chart"
    else
        not_ok "the trend checks reject the other chart" "see below" "$TMP/trendx1.txt" "$TMP/trendx2.txt"
    fi
fi

# ======================================================================
# Sanitizers (ASan builds): no report from any run above
# ======================================================================
reports=$(find "$TMP" -maxdepth 1 -name 'sanitizer*' | sort)
if [[ -z $reports ]]; then
    ok "no sanitizer report"
else
    # shellcheck disable=SC2086
    not_ok "no sanitizer report" "$(wc -l <<<"$reports") report file(s)" $reports
fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
