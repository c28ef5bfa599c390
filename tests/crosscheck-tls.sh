#!/usr/bin/env bash
# crosscheck-tls.sh - cross-check the tls_ncsc probe against three independent
# tools on every lab TLS listener: testssl.sh, sslscan and nmap's
# ssl-enum-ciphers (issue 13). Not part of `make test`: run it after every
# change to probes/ncsc_table.c or the plan (probes/ncsc.c), as `make
# crosscheck-tls`, inside a network namespace of its own like the lab suites:
#
#   unshare -n bash -c 'ip link set lo up; make crosscheck-tls'
#
# Per listener of tests/lab/listeners.tsv that speaks TLS it runs
# `mailscan check --json -v -v` on a lab domain whose MX is there, then each
# tool, counts the SMTP sessions each made (build/lab/smtpd-conn.log), and
# prints a Markdown table: the versions, the suite families (key exchange x
# kind of encryption; TLS 1.3 suites by name), the weak groups, the
# key-exchange signature hashes, the cipher order and client-initiated
# renegotiation (testssl.sh -R) each one saw, and the sessions. "=" marks a tool agreeing with mailscan, "!" a difference to look
# at (a tool may also not test a thing: "-"). The raw outputs stay in
# build/crosscheck/. Exit status: 0 when it ran (differences are for a
# person to judge), 2 when a tool is missing.
#
# Needs: testssl.sh, sslscan, nmap (Debian: apt-get install testssl.sh sslscan
# nmap), python3, jq, openssl; the lab tools (make all build/lab-smtpd ...).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${1:-$ROOT/build/mailscan}
OUT=$ROOT/build/crosscheck
LAB=$ROOT/build/lab
CONNLOG=$LAB/smtpd-conn.log
# the listeners left out: slowok answers too slowly for the tools' timeouts,
# tempfail refuses the first connection (a tool would judge that one)
SKIP_MODES=" nostarttls endless silent slow slowok brokentls starttlsreject garbage tempfail "

missing=
for t in testssl sslscan nmap python3 jq openssl; do
    command -v "$t" >/dev/null || missing+=" $t"
done
if [[ -n $missing ]]; then
    echo "crosscheck-tls: missing:$missing (Debian: apt-get install testssl.sh sslscan nmap python3 jq)" >&2
    exit 2
fi
[[ -x $BIN ]] || { echo "crosscheck-tls: $BIN is not built (make all)" >&2; exit 2; }

cd "$ROOT" || exit 2
started=
if [[ $(tests/lab/lab.sh status | grep -c ': running') -ne 3 ]]; then
    tests/lab/lab.sh up >/dev/null || { echo "crosscheck-tls: the lab did not start" >&2; exit 2; }
    started=1
fi
cleanup() { [[ -z $started ]] || tests/lab/lab.sh down >/dev/null 2>&1 || true; }
trap cleanup EXIT
rm -rf "$OUT"
mkdir -p "$OUT"
FLAGS=(--root-hints build/lab/root.hints --trust-anchor build/lab/root.key --ca-file build/lab/ca.pem --timeout 3)

# The lab domain whose MX (the first in zones.conf) has this address.
domain_of() {
    awk -v ip="$1" '
        function fq(n, z) { return n == "@" ? z : n ~ /\.$/ ? substr(n, 1, length(n) - 1) : n "." z }
        $1 == "zone" { z = $2; next }
        $2 == "MX" && $3 != "0" { mx[++n] = z SUBSEP fq($4, z) }
        ($2 == "A" || $2 == "AAAA") { addr[fq($1, z) SUBSEP $3] = 1 }
        END { for (i = 1; i <= n; i++) { split(mx[i], p, SUBSEP)
                  if ((p[2] SUBSEP ip) in addr) { print p[1]; exit } } }' tests/lab/zones.conf
}
sessions() { awk -v ip="$1" '$1 == ip { n++ } END { print n + 0 }' "$CONNLOG"; }

# OpenSSL names and code points to IANA names, for sslscan
openssl ciphers -V -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' 2>/dev/null >"$OUT/ciphers.map"
openssl ciphers -V -stdname -s -tls1_3 2>/dev/null >>"$OUT/ciphers.map"

: >"$OUT/listeners"
while read -r ip mode _; do
    [[ -z $ip || $ip == \#* ]] && continue
    [[ $SKIP_MODES == *" $mode "* ]] && continue
    domain=$(domain_of "$ip")
    [[ -n $domain ]] || { echo "crosscheck-tls: no lab domain has its MX on $ip, skipped" >&2; continue; }
    tag=${ip//:/_}
    if [[ $ip == *:* ]]; then host="[$ip]"; v6=(-6); else host=$ip; v6=(); fi
    echo "crosscheck-tls: $ip ($mode, $domain)" >&2
    n0=$(sessions "$ip")
    "$BIN" check --json -v -v "${FLAGS[@]}" "$domain" >"$OUT/$tag.mailscan.json" 2>"$OUT/$tag.mailscan.log"
    n1=$(sessions "$ip")
    timeout 600 testssl "${v6[@]}" --quiet --color 0 --warnings off --nodns min --openssl-timeout 5 \
        --starttls smtp -p -E -P -f -S -R --mapping iana --jsonfile "$OUT/$tag.testssl.json" \
        "$host:25" >"$OUT/$tag.testssl.txt" 2>&1
    n2=$(sessions "$ip")
    timeout 600 sslscan --starttls-smtp --no-colour --show-sigs --xml="$OUT/$tag.sslscan.xml" \
        "$host:25" >"$OUT/$tag.sslscan.txt" 2>&1
    n3=$(sessions "$ip")
    timeout 600 nmap "${v6[@]}" -Pn -n -p 25 --script ssl-enum-ciphers -oX "$OUT/$tag.nmap.xml" \
        "$ip" >"$OUT/$tag.nmap.txt" 2>&1
    n4=$(sessions "$ip")
    printf '%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n' "$ip" "$mode" "$domain" "$tag" \
        $((n1 - n0)) $((n2 - n1)) $((n3 - n2)) $((n4 - n3)) >>"$OUT/listeners"
done <tests/lab/listeners.tsv

python3 - "$OUT" <<'EOF'
import json, os, re, sys
import xml.etree.ElementTree as ET

out = sys.argv[1]
names = {}  # OpenSSL name or code "0xC02C" -> IANA
for line in open(os.path.join(out, "ciphers.map")):
    f = line.split()
    if len(f) >= 5 and f[0].startswith("0x"):
        hi, lo = f[0].split(",")
        names["0x%s%s" % (hi[2:].upper(), lo[2:].upper())] = f[2]
        names[f[4]] = f[2]

def family(iana):
    """ECDHE-AEAD, DHE-CBC, RSA-CBC, ... ; TLS 1.3 suites by name."""
    iana = iana.replace("TLS_AKE_WITH_", "TLS_")  # nmap's name for TLS 1.3 suites
    if "_WITH_" not in iana:
        return iana.replace("TLS_", "")
    kx = ("anon" if "_anon_" in iana else "ECDHE" if "_ECDHE_" in iana
          else "DHE" if "_DHE_" in iana else "DH" if "_DH_" in iana
          else "ECDH" if "_ECDH_" in iana else "RSA" if iana.startswith("TLS_RSA_") else "other")
    bulk = iana.split("_WITH_")[1]
    b = ("NULL" if bulk.startswith("NULL") else "RC4" if "RC4" in bulk
         else "AEAD" if re.search("GCM|CHACHA|CCM", bulk) else "CBC")
    return "%s-%s" % (kx, b)

VERS = ["SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]

def mailscan(tag, ip):
    d = json.load(open(os.path.join(out, tag + ".mailscan.json")))
    d = d[0] if isinstance(d, list) else d
    for mx in d.get("mx", []):
        for a in mx.get("addresses", []):
            if a.get("ip") == ip and a.get("ncsc"):
                n = a["ncsc"]
                seen = [s for s in n.get("seen", [])]
                fams = {family(s["item"]) for s in seen if s["aspect"] == "cipher"}
                groups = {s["item"] for s in seen if s["aspect"] == "key-exchange"}
                weakg = {s["item"] for s in n.get("findings", []) if s["aspect"] == "key-exchange"}
                sig = {s["item"].split("+")[-1] for s in seen if s["aspect"] == "key-exchange-signature"}
                return dict(verdict=d["verdicts"].get("tls_ncsc"),
                            reasons=d.get("reasons", {}).get("tls_ncsc", []),
                            versions={v for v, st in n.get("versions", {}).items() if st == "accepted"},
                            fams=fams, groups=groups, weakg=weakg, sig=sig,
                            order=n.get("cipher_order"), hs=n.get("handshakes"),
                            reneg=n.get("client_renegotiation"))
    return None

def testssl(tag):
    p = os.path.join(out, tag + ".testssl.json")
    if not os.path.exists(p):
        return None
    try:
        rows = json.load(open(p))
    except ValueError:
        return None
    if isinstance(rows, dict):
        rows = rows.get("scanResult", rows)
    vmap = {"SSLv3": "SSLv3", "TLS1": "TLSv1.0", "TLS1_1": "TLSv1.1", "TLS1_2": "TLSv1.2", "TLS1_3": "TLSv1.3"}
    r = dict(versions=set(), fams=set(), groups=set(), sig=None, order=None, reneg=None)
    for row in rows:
        i, f = row.get("id", ""), row.get("finding", "")
        if i == "secure_client_renego":
            # "VULNERABLE, potential DoS threat", "not vulnerable", "likely not
            # vulnerable (timed out)", "not vulnerable, TLS 1.3 only": mailscan's
            # allowed / refused / not-applicable
            r["reneg"] = ("not-applicable" if "TLS 1.3 only" in f
                          else "allowed" if f.startswith("VULNERABLE")
                          else "refused" if "not vulnerable" in f else f)
        elif i in vmap and f.startswith("offered"):
            r["versions"].add(vmap[i])
        elif i.startswith("cipher-") or i.startswith("cipher_x"):
            m = re.search(r"\b(TLS_[A-Za-z0-9_]+)", f)
            if m:
                r["fams"].add(family(m.group(1)))
        elif i in ("FS_ECDHE_curves", "DH_groups", "FS_TLS13_groups"):
            r["groups"].update(f.split())
        elif i == "cipher_order" or i.startswith("cipher_order"):
            if "NOT" in f or "not" in f:
                r["order"] = "client"
            elif "server" in f:
                r["order"] = "server"
    return r

def sslscan(tag):
    p = os.path.join(out, tag + ".sslscan.xml")
    if not os.path.exists(p):
        return None
    try:
        root = ET.parse(p).getroot()
    except ET.ParseError:
        return None
    r = dict(versions=set(), fams=set(), groups=set(), sig=set(), order=None)
    for e in root.iter():
        a = e.attrib
        if e.tag == "protocol" and a.get("enabled") == "1":
            v = ("SSLv%s" % a["version"]) if a.get("type") == "ssl" else "TLSv%s" % a["version"]
            r["versions"].add(v)
        elif e.tag == "cipher" and a.get("status") in ("accepted", "preferred"):
            c = a.get("cipher", "")
            iana = (c if c.startswith("TLS_") else names.get(c)
                    or names.get(a.get("id", "").upper().replace("0X", "0x")))
            r["fams"].add(family(iana) if iana else a.get("cipher", "?"))
        elif e.tag == "group":
            r["groups"].add(a.get("name", "?"))
        elif "signature" in e.tag and a.get("sslversion") == "TLSv1.2":
            m = re.search(r"sha(1|224|256|384|512)", a.get("name", "").lower())
            if m:
                r["sig"].add("SHA" + m.group(1))
    return r

def nmap(tag):
    p = os.path.join(out, tag + ".nmap.xml")
    if not os.path.exists(p):
        return None
    try:
        root = ET.parse(p).getroot()
    except ET.ParseError:
        return None
    r = dict(versions=set(), fams=set(), groups=set(), sig=None, order=None, lists={})
    for sc in root.iter("script"):
        if sc.attrib.get("id") != "ssl-enum-ciphers":
            continue
        for vt in sc.findall("table"):
            v = vt.attrib.get("key", "")
            if not v.startswith(("TLSv", "SSLv")):
                continue
            r["versions"].add(v)
            lst = []
            for ct in vt.iter("table"):
                el = {x.attrib.get("key"): x.text for x in ct.findall("elem")}
                if el.get("name"):
                    lst.append(el["name"])
                    r["fams"].add(family(el["name"]))
                    if el.get("kex_info"):
                        r["groups"].add(el["kex_info"].split()[0])
            r["lists"][v] = lst
            for x in vt.findall("elem"):
                if x.attrib.get("key") == "cipher preference":
                    r["order"] = x.text
    return r

def s(x):
    return ",".join(sorted(x)) if x else "none"

def cmp(ms, other, key):
    if other is None or other.get(key) is None:
        return "-"
    return "=" if other[key] == ms[key] else "! " + s(other[key])

rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(out, "listeners")) if l.strip()]
print("| listener | tls_ncsc verdict (reasons) | versions | suite families | groups (weak) | kex signature | cipher order | client renegotiation | SMTP sessions: mailscan / testssl / sslscan / nmap |")
print("|---|---|---|---|---|---|---|---|---|")
agg = []
for ip, mode, domain, tag, n_ms, n_ts, n_ss, n_nm in rows:
    ms = mailscan(tag, ip)
    if ms is None:
        print("| %s %s | no tls_ncsc result | | | | | | | %s / %s / %s / %s |" % (ip, mode, n_ms, n_ts, n_ss, n_nm))
        continue
    ts, ss, nm = testssl(tag), sslscan(tag), nmap(tag)
    # families: the tools list every suite, mailscan one per family: compare the sets
    fam = "%s; testssl %s, sslscan %s, nmap %s" % (s(ms["fams"]), cmp(ms, ts, "fams"), cmp(ms, ss, "fams"), cmp(ms, nm, "fams"))
    ver = "%s; testssl %s, sslscan %s, nmap %s" % (s(ms["versions"]), cmp(ms, ts, "versions"), cmp(ms, ss, "versions"), cmp(ms, nm, "versions"))
    grp = "%s (%s); sslscan %s" % (s(ms["groups"]), s(ms["weakg"]), s(ss["groups"]) if ss else "-")
    sig = "%s; sslscan %s" % (s(ms["sig"]) if ms["sig"] else "none weak", s(ss["sig"]) if ss and ss["sig"] else "-")
    nmo = nm["order"] if nm else None
    order = "%s; testssl %s, nmap %s" % (ms["order"], ts["order"] if ts and ts["order"] else "-", nmo or "-")
    if nm and nm["lists"].get("TLSv1.2") and nmo == "server":
        order += " (nmap's TLS 1.2 order: %s)" % " > ".join(x.replace("TLS_ECDHE_", "").replace("_WITH", "") for x in nm["lists"]["TLSv1.2"][:4])
    reneg = "%s; testssl %s" % (ms["reneg"], "-" if not ts or ts["reneg"] is None
                                else "=" if ts["reneg"] == ms["reneg"] else "! " + ts["reneg"])
    print("| %s %s (%s) | %s (%s) | %s | %s | %s | %s | %s | %s | %s / %s / %s / %s |" % (
        ip, mode, domain, ms["verdict"], " ".join(ms["reasons"]) or "-", ver, fam, grp, sig, order,
        reneg, n_ms, n_ts, n_ss, n_nm))
    agg.append((int(n_ms), int(n_ts), int(n_ss), int(n_nm)))
if agg:
    import statistics
    print()
    for i, name in enumerate(["mailscan (STARTTLS probe + tls_ncsc)", "testssl.sh", "sslscan", "nmap ssl-enum-ciphers"]):
        col = [a[i] for a in agg]
        print("%s: SMTP sessions per listener median %g, worst %d" % (name, statistics.median(col), max(col)))
    below = all(a[0] < a[1] and a[0] < a[2] for a in agg)
    print("mailscan below testssl.sh and sslscan on every listener: %s" % ("yes" if below else "NO"))
EOF
