#!/usr/bin/env bash
# mailscan test lab: a private mini-internet on loopback addresses.
#
#   tests/lab/lab.sh up      (re)generate keys, zones, certificates and configs in
#                            build/lab/ and start NSD, lab-smtpd, nginx and stayrtr
#   tests/lab/lab.sh down    stop them (idempotent)
#   tests/lab/lab.sh status  show what runs
#   tests/lab/lab.sh rearm   make every tempfail listener refuse its next connection again
#   tests/lab/lab.sh ip6     put the lab's IPv6 addresses on lo again (after
#                            tests/ipv6-noconn-tests.sh turned IPv6 off and on)
#   tests/lab/lab.sh synth [N [LAME_PERCENT]]  add N synthetic domains (default
#                            10000), each a zone of its own under synth.example,
#                            LAME_PERCENT (default 2) of them lame, to the running
#                            lab; lists build/lab/synth.txt, synth-healthy.txt,
#                            synth-lame.txt
#
# See tests/lab/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SRC=$ROOT/tests/lab
LAB=$ROOT/build/lab
SMTPD=$ROOT/build/lab-smtpd

DNS_IP=127.53.0.1
# lab.sh synth: the name server of the synthetic domains (a hoster's), an NSD of
# its own, so that the registry's synth.example (on DNS_IP) refers to it as the
# real .nl refers to a hoster: ns2.example. (tests/lab/README.md)
HOSTER_IP=127.53.0.3
HOSTER_NS=ns2.example.
WEB_IP=127.80.0.1
# a second address of the lab's NSD: ns2.rpki-nshost.example (tests/lab/rpki.tsv)
NS2_IP=127.53.0.9
# IPv6 (issue 12 §1): ULA addresses that `up` puts on lo (and `down` takes off):
# two more addresses of the lab's NSD (ns6a/ns6b of the ipv6-* zones, "answers
# over IPv6"), and an MX address where nothing listens (ipv6-mx-dead.example).
# The lab's SMTP listener on IPv6 is [::1] (listeners.tsv).
NS6_IPS="fd00:53::1 fd00:53::2"
DEAD6_IP=fd00:25::99
# ... and one IPv4 address that is not loopback (TEST-NET-1, RFC 5737), used by
# nothing: getaddrinfo's AI_ADDRCONFIG (RTRlib's, for --rpki-cache) returns IPv4
# only when a non-loopback IPv4 address exists once a non-loopback IPv6 one does
# (in a fresh namespace with only 127/8 and the ULAs above it would return none)
ADDRCONFIG4_IP=192.0.2.253
# stayrtr, the lab's RPKI cache: RTR (RFC 8210) over the VRPs of rpki.tsv
RTR_IP=127.61.0.1
RTR_PORT=323

say()  { printf 'lab: %s\n' "$*"; }
UP_STARTED=
fail() {
    printf 'lab: ERROR: %s\n' "$*" >&2
    # a failed `up` leaves nothing running
    if [[ -n $UP_STARTED ]]; then UP_STARTED=; lab_down >&2 || true; fi
    exit 1
}

need() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || fail "missing tool '$t' (run tests/setup.sh)"
    done
}

# ------------------------------------------------------------------ stop

# running and not a zombie (an unreaped zombie still answers kill -0)
alive() { # PID
    kill -0 "$1" 2>/dev/null || return 1
    local st
    st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $st && $st != Z ]]
}

stop_pidfile() { # NAME PIDFILE [group]
    local name=$1 pf=$2 group=${3:-} pid i
    [[ -s $pf ]] || return 0
    pid=$(cat "$pf")
    if [[ $pid =~ ^[0-9]+$ ]] && alive "$pid"; then
        if [[ -n $group ]]; then kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        else kill -TERM "$pid" 2>/dev/null || true; fi
        for i in $(seq 100); do
            alive "$pid" || break
            sleep 0.05
        done
        if alive "$pid"; then
            say "$name ($pid) did not stop, killing it"
            if [[ -n $group ]]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
            kill -KILL "$pid" 2>/dev/null || true
        fi
        say "stopped $name ($pid)"
    fi
    rm -f "$pf"
}

# Put the lab's IPv6 addresses on lo (root; a fresh `unshare -n` has IPv6 on
# lo once it is up). nodad: usable at once, no duplicate detection on lo.
lab_ip6_up() {
    local a
    [[ $(cat /proc/sys/net/ipv6/conf/lo/disable_ipv6 2>/dev/null || echo 1) == 0 ]] ||
        fail "IPv6 is disabled on lo (net.ipv6.conf.lo.disable_ipv6): the lab needs it"
    for a in $NS6_IPS $DEAD6_IP; do
        ip -6 addr replace "$a/128" dev lo nodad || fail "cannot add $a to lo (root needed)"
    done
    ip -4 addr replace "$ADDRCONFIG4_IP/32" dev lo || fail "cannot add $ADDRCONFIG4_IP to lo"
}

lab_ip6_down() {
    local a
    command -v ip >/dev/null 2>&1 || return 0
    for a in $NS6_IPS $DEAD6_IP; do
        ip -6 addr del "$a/128" dev lo 2>/dev/null || true
    done
    ip -4 addr del "$ADDRCONFIG4_IP/32" dev lo 2>/dev/null || true
}

lab_down() {
    # the lab's validating resolver (tests/lab/resolver.sh), if it runs
    "$ROOT/tests/lab/resolver.sh" down >/dev/null 2>&1 || true
    stop_pidfile nginx "$LAB/nginx/nginx.pid"
    stop_pidfile stayrtr "$LAB/rpki/stayrtr.pid"
    stop_pidfile smtpd "$LAB/smtpd.pid" group
    stop_pidfile blackhole "$LAB/blackhole.pid"
    stop_pidfile nsd "$LAB/nsd/nsd.pid"
    stop_pidfile "nsd (hoster)" "$LAB/nsd-hoster/nsd.pid"
    lab_ip6_down
    # synthetic domains (lab.sh synth) live only as long as the servers
    rm -rf "$LAB/synth" "$LAB/synth.txt" "$LAB/synth-healthy.txt" "$LAB/synth-lame.txt" \
        "$LAB/nginx/synth" "$LAB/nsd-hoster"
}

# ------------------------------------------------------------------ certificates

CERTS=$LAB/certs

write_openssl_cnf() {
    cat >"$CERTS/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = lab
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
subjectAltName = $ENV::SAN
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[selfleaf]
subjectAltName = $ENV::SAN
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
[ca]
default_ca = lab
[lab]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = pol
unique_subject = no
[pol]
commonName = supplied
EOF
    : >"$CERTS/index.txt"
    echo 01 >"$CERTS/serial"
}

make_key() { # NAME [ALG: ec (P-256, the default) | rsaBITS, e.g. rsa2048]
    local alg=${2:-ec}
    [[ -s $CERTS/$1.key ]] && return 0
    case $alg in
    ec)    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$CERTS/$1.key" 2>/dev/null ;;
    rsa[0-9]*)
           openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${alg#rsa}" -out "$CERTS/$1.key" 2>/dev/null ;;
    *)     fail "certs.tsv: unknown key algorithm '$alg' for $1" ;;
    esac
}

make_cert() { # NAME KIND KEY SANS [KEYALG] [MD]
    local name=$1 kind=$2 key=$3 sans=$4 alg=${5:--} md=${6:--} san="" s
    [[ $alg == - ]] && alg=ec
    [[ $md == - ]] && md=sha256
    [[ $md =~ ^(sha1|sha224|sha256|sha384|sha512)$ ]] || fail "certs.tsv: unknown digest '$md' for $name"
    make_key "$key" "$alg"
    [[ $kind == key ]] && return 0
    for s in ${sans//,/ }; do san+="${san:+,}DNS:$s"; done
    export SAN=$san
    local cnf=$CERTS/openssl.cnf k=$CERTS/$key.key out=$CERTS/$name
    case $kind in
    ca)
        openssl req -new -config "$cnf" -key "$k" -subj "/CN=$name" -out "$out.csr"
        openssl x509 -req -in "$out.csr" -CA "$LAB/ca.pem" -CAkey "$LAB/ca.key" \
            -set_serial "0x$(openssl rand -hex 8)" -days 825 "-$md" \
            -extfile "$cnf" -extensions leaf -out "$out.crt" 2>/dev/null
        cat "$out.crt" "$LAB/ca.pem" >"$out.chain.pem" ;;
    private) # signed by a private root of its own (NAME.root), self-signed with SHA-1,
             # which the chain carries beyond the leaf: a trust anchor no store knows
        openssl req -new -x509 -config "$cnf" -extensions ca_ext -newkey ec \
            -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$out.root.key" \
            -subj "/CN=private root of $name" -days 3650 -sha1 -out "$out.root.crt" 2>/dev/null
        openssl req -new -config "$cnf" -key "$k" -subj "/CN=$name" -out "$out.csr"
        openssl x509 -req -in "$out.csr" -CA "$out.root.crt" -CAkey "$out.root.key" \
            -set_serial "0x$(openssl rand -hex 8)" -days 825 "-$md" \
            -extfile "$cnf" -extensions leaf -out "$out.crt" 2>/dev/null
        cat "$out.crt" "$out.root.crt" >"$out.chain.pem" ;;
    self)
        openssl req -new -x509 -config "$cnf" -key "$k" -subj "/CN=$name" -days 825 \
            "-$md" -extensions selfleaf -set_serial "0x$(openssl rand -hex 8)" -out "$out.crt"
        cp "$out.crt" "$out.chain.pem" ;;
    expired)
        openssl req -new -config "$cnf" -key "$k" -subj "/CN=$name" -out "$out.csr"
        (cd "$CERTS" && openssl ca -batch -config "$cnf" -selfsign -keyfile "$k" -in "$out.csr" \
            -startdate 20200101000000Z -enddate 20210101000000Z -extensions selfleaf \
            -notext -out "$out.crt" 2>/dev/null)
        cp "$out.crt" "$out.chain.pem" ;;
    *) fail "certs.tsv: unknown kind '$kind' for $name" ;;
    esac
    [[ -s $out.crt ]] || fail "could not make certificate $name"
}

gen_certs() {
    mkdir -p "$CERTS"
    write_openssl_cnf
    export SAN=DNS:lab.example
    openssl req -new -x509 -config "$CERTS/openssl.cnf" -extensions ca_ext \
        -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$LAB/ca.key" \
        -subj "/O=mailscan lab/CN=mailscan lab CA" -days 3650 -sha256 -out "$LAB/ca.pem" 2>/dev/null
    cp "$LAB/ca.pem" "$CERTS/ca.crt"
    local name kind key sans alg md
    while read -r name kind key sans alg md; do
        [[ -z $name || $name == \#* ]] && continue
        make_cert "$name" "$kind" "$key" "$sans" "${alg:--}" "${md:--}"
    done <"$SRC/certs.tsv"
    # mta-sts.DOMAIN for every policy
    local d
    # shellcheck disable=SC2013 # domain names: no blanks
    for d in $(awk '$1 == "policy" { print $2 }' "$SRC/policies.conf"); do
        make_cert "mta-sts.$d" ca "mta-sts.$d" "mta-sts.$d"
    done
}

spki_sha256() { # KEYFILE
    openssl pkey -in "$1" -pubout -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1
}
cert_sha256() { # CERTFILE
    openssl x509 -in "$1" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1
}

# ------------------------------------------------------------------ DNS

ZONES=$LAB/zones
KEYS=$LAB/keys
SERIAL=$(date +%s)
INCEPTION=$(( $(date +%s) - 86400 ))
EXPIRATION=$(( $(date +%s) + 10 * 365 * 86400 ))

# Every zone has CAA at its apex (RFC 8659), so the MX hosts in it are not
# given ncsc-caa-missing; NO_CAA (zones.conf flag no-caa) leaves it out.
zone_header() { # ZONE [NO_CAA]
    local z=$1
    # shellcheck disable=SC2016 # $ORIGIN and $TTL are zone-file syntax
    printf '$ORIGIN %s\n$TTL 300\n' "${z%.}."
    printf '@ IN SOA ns1.example. hostmaster.example. %s 3600 600 864000 300\n' "$SERIAL"
    printf '@ IN NS ns1.example.\n'
    [[ -n ${2:-} ]] || printf '@ IN CAA 0 issue "ca.lab.example"\n'
}

# Replace {{spki:KEY}}, {{cert:NAME}} and {{random}} in file $1.
fill_placeholders() {
    local f=$1 ph kind arg val
    while read -r ph; do
        [[ -z $ph ]] && continue
        kind=${ph#\{\{}; kind=${kind%\}\}}
        arg=${kind#*:}; kind=${kind%%:*}
        case $kind in
        spki)   [[ -s $CERTS/$arg.key ]] || fail "placeholder $ph: no key $arg"
                val=$(spki_sha256 "$CERTS/$arg.key") ;;
        cert)   [[ -s $CERTS/$arg.crt ]] || fail "placeholder $ph: no certificate $arg"
                val=$(cert_sha256 "$CERTS/$arg.crt") ;;
        random) val=$(openssl rand -hex 32) ;;
        *)      fail "unknown placeholder $ph in $f" ;;
        esac
        # replace only the first occurrence per pass so {{random}} differs each time
        sed -i "0,/$(printf '%s' "$ph" | sed 's/[.[\*^$/]/\\&/g')/s//$val/" "$f"
    done < <(grep -o '{{[a-z]*\(:[A-Za-z0-9._-]*\)\?}}' "$f" || true)
}

# Make KSK + ZSK for ZONE, sign ZONEFILE in place (result ZONEFILE.signed),
# print the DS (SHA-256) of the KSK.
sign_zone() { # ZONE ZONEFILE
    local z=$1 zf=$2 ksk zsk origin
    origin=${z%.}.
    [[ $z == . ]] && origin=.
    ksk=$(cd "$KEYS" && ldns-keygen -a ECDSAP256SHA256 -k "$origin")
    zsk=$(cd "$KEYS" && ldns-keygen -a ECDSAP256SHA256 "$origin")
    rm -f "$KEYS/$ksk.ds" "$KEYS/$zsk.ds"
    ldns-signzone -o "$origin" -i "$INCEPTION" -e "$EXPIRATION" -f "$zf.signed" \
        "$zf" "$KEYS/$ksk" "$KEYS/$zsk" || fail "ldns-signzone failed for $origin"
    echo "$ksk" >"$zf.ksk"
    echo "$zsk" >"$zf.zsk"
    ldns-key2ds -n -2 "$KEYS/$ksk.key"
}

# Sign ZONEFILE again with the keys sign_zone made for it (the DS stays valid).
resign_zone() { # ZONE ZONEFILE
    local origin=${1%.}. zf=$2
    ldns-signzone -o "$origin" -i "$INCEPTION" -e "$EXPIRATION" -f "$zf.signed" \
        "$zf" "$KEYS/$(cat "$zf.ksk")" "$KEYS/$(cat "$zf.zsk")" ||
        fail "ldns-signzone failed for $origin"
}

# The TLD example.: ns1, and the delegations (NS, DS) in the files given.
write_example_zone() { # ZONEFILE DELEGATIONFILE...
    local zf=$1; shift
    { zone_header example
      printf 'ns1\tIN\tA\t%s\n' "$DNS_IP"
      cat "$@"; } >"$zf"
}

# Damage the signature of the RRSIG over OWNER/TYPE in a signed zone file.
corrupt_rrsig() { # SIGNEDFILE FQDN TYPE
    local f=$1 owner=$2 type=$3
    awk -v o="$owner" -v t="$type" 'BEGIN { n = 0 }
        $1 == o && $4 == "RRSIG" && $5 == t {
            s = $NF; c = substr(s, 20, 1); r = (c == "A") ? "B" : "A"
            $NF = substr(s, 1, 19) r substr(s, 21); n++
        }
        { print }
        END { if (n == 0) exit 3 }' OFS='\t' "$f" >"$f.tmp" ||
        fail "corrupt-rrsig: no RRSIG $type at $owner in $f"
    mv "$f.tmp" "$f"
}

# Make the digest of a DS record wrong (flip its last hex digit).
corrupt_ds() {
    awk '{ d = $NF; c = substr(d, length(d), 1); r = (c == "0") ? "1" : "0"
           $NF = substr(d, 1, length(d) - 1) r; print }' OFS='\t'
}

NSD_ZONES=()

gen_zones() {
    mkdir -p "$ZONES/src" "$KEYS"
    # split zones.conf into one body per zone, and a list "zone flags..."
    awk -v dir="$ZONES/src" '
        /^[ \t]*#/ || /^[ \t]*$/ { next }
        $1 == "zone" { name = $2; flags = ""; for (i = 3; i <= NF; i++) flags = flags " " $i
                       print name flags > (dir "/list"); out = dir "/" name ".body"
                       printf "" > out; next }
        { if (out == "") { print "zones.conf: records before the first zone line" > "/dev/stderr"; exit 2 }
          print >> out }' "$SRC/zones.conf"

    local delegations=$ZONES/src/example.delegations z flags f zf ds nocaa
    : >"$delegations"
    while read -r z flags; do
        zf=$ZONES/$z.zone
        nocaa=
        [[ " $flags " == *" no-caa "* ]] && nocaa=1
        { zone_header "$z" $nocaa; cat "$ZONES/src/$z.body"; } >"$zf"
        fill_placeholders "$zf"
        printf '%s.\tIN\tNS\tns1.example.\n' "$z" >>"$delegations"
        if [[ " $flags " == *" unsigned "* ]]; then
            NSD_ZONES+=("$z:$zf")
            continue
        fi
        ds=$(sign_zone "$z" "$zf")
        for f in $flags; do
            case $f in
            bad-ds) ds=$(printf '%s\n' "$ds" | corrupt_ds) ;;
            corrupt-rrsig=*)
                f=${f#corrupt-rrsig=}
                corrupt_rrsig "$zf.signed" "${f%/*}.$z." "${f#*/}" ;;
            unsigned | no-caa) ;;
            *) fail "zones.conf: unknown flag '$f' for zone $z" ;;
            esac
        done
        printf '%s\n' "$ds" >>"$delegations"
        NSD_ZONES+=("$z:$zf.signed")
    done <"$ZONES/src/list"

    # TLD example.
    zf=$ZONES/example.zone
    write_example_zone "$zf" "$delegations"
    ds=$(sign_zone example "$zf")
    NSD_ZONES+=("example:$zf.signed")

    # root
    zf=$ZONES/root.zone
    { zone_header .
      printf 'example.\tIN\tNS\tns1.example.\n'
      printf 'ns1.example.\tIN\tA\t%s\n' "$DNS_IP"
      cat "$LAB/rpki/root.delegations"
      printf '%s\n' "$ds"; } >"$zf"
    # shellcheck disable=SC2016 # $ORIGIN is zone-file syntax
    sed -i 's/^\$ORIGIN \.\.$/$ORIGIN ./' "$zf"
    sign_zone . "$zf" >/dev/null
    NSD_ZONES+=(".:$zf.signed")

    # outputs for the scanner (and delv)
    printf '.\t3600000\tIN\tNS\tns1.example.\nns1.example.\t3600000\tIN\tA\t%s\n' "$DNS_IP" >"$LAB/root.hints"
    local ksk
    ksk=$(cat "$zf.ksk")
    # root.key: ". 3600 IN DNSKEY 257 3 13 <key>" (the KSK, zone-file form)
    sed -e 's/;.*$//' "$KEYS/$ksk.key" | awk '
        { for (i = 1; i <= NF; i++) if ($i == "DNSKEY") break
          if (i > NF) next
          key = ""; for (j = i + 4; j <= NF; j++) key = key $j
          printf ".\t3600\tIN\tDNSKEY\t%s %s %s %s\n", $(i+1), $(i+2), $(i+3), key }' >"$LAB/root.key"
    [[ -s $LAB/root.key ]] || fail "could not write root.key"
    ldns-key2ds -n -2 "$KEYS/$ksk.key" >"$LAB/root.ds"
    awk '{ printf "trust-anchors {\n\t. static-key %s %s %s \"%s\";\n};\n", $5, $6, $7, $8 }' \
        "$LAB/root.key" >"$LAB/delv-anchors.conf"
}

# NSD's configuration in DIR/nsd.conf, listening on IP, for the zones in
# NSD_ZONES ("ZONE:FILE") and the ones in EXTRA ("ZONE FILE" a line, many: lab.sh
# synth). The lab's NSD: DIR=LAB/nsd, IP=DNS_IP; synth's hoster: LAB/nsd-hoster.
write_nsd_conf() { # DIR IP [EXTRA]
    local dir=$1 ip=$2 extra=${3:-} conf=$1/nsd.conf entry z f a
    mkdir -p "$dir"
    {
        printf 'server:\n'
        for a in $ip; do printf '\tip-address: %s\n' "$a"; done
        printf '\tport: 53\n'
        printf '\tusername: ""\n\tchroot: ""\n'
        printf '\tzonesdir: "%s"\n' "$ZONES"
        printf '\tdatabase: ""\n'
        printf '\tpidfile: "%s"\n' "$dir/nsd.pid"
        printf '\tlogfile: "%s"\n' "$dir/nsd.log"
        printf '\tzonelistfile: "%s"\n' "$dir/zone.list"
        printf '\txfrdfile: "%s"\n' "$dir/xfrd.state"
        printf '\txfrdir: "%s"\n' "$dir"
        printf '\tserver-count: 1\n\tverbosity: 1\n\thide-version: yes\n'
        printf '\tzonefiles-check: no\n\tzonefiles-write: 0\n'
        # response rate limiting stays at NSD's default (as on real servers);
        # room for the TCP retries of resolvers that got a truncated (slipped)
        # answer (the default is 100)
        printf '\ttcp-count: 1000\n'
        printf 'remote-control:\n\tcontrol-enable: no\n'
        for entry in "${NSD_ZONES[@]}"; do
            z=${entry%%:*}; f=${entry#*:}
            [[ $z == . ]] || z=$z.
            printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "$z" "$f"
        done
        if [[ -n $extra ]]; then
            awk '{ printf "zone:\n\tname: \"%s.\"\n\tzonefile: \"%s\"\n", $1, $2 }' "$extra"
        fi
    } >"$conf"
    nsd-checkconf "$conf" || fail "nsd-checkconf rejects $conf"
}

start_nsd() { # [TRIES: of 0.1 s, until it answers; 50] [DIR IP NAME: the hoster's]
    local tries=${1:-50} dir=${2:-$LAB/nsd} ip=${3:-$DNS_IP} name=${4:-.}
    say "starting nsd on $ip:53"
    nsd -c "$dir/nsd.conf" 2>"$dir/start.log" ||
        { cat "$dir/start.log" "$dir/nsd.log" 2>/dev/null >&2; port_users 53; fail "nsd did not start"; }
    wait_dns "$tries" "$ip" "$name" ||
        { cat "$dir/nsd.log" >&2 2>/dev/null; port_users 53; fail "nsd does not answer on $ip"; }
}

# ------------------------------------------------------------------ nginx

gen_nginx() {
    local n=$LAB/nginx www=$LAB/www
    mkdir -p "$n/tmp" "$www"
    # split policies.conf
    awk -v dir="$www" '
        /^[ \t]*#/ || /^[ \t]*$/ { next }
        $1 == "policy" { d = $2; print d, $3, ($4 == "" ? "-" : $4) > (dir "/list")
                         out = dir "/" d ".body"; printf "" > out; next }
        { print >> out }' "$SRC/policies.conf"

    {
        printf 'user root root;\nworker_processes 1;\ndaemon on;\n'
        printf 'pid %s/nginx.pid;\nerror_log %s/error.log warn;\n' "$n" "$n"
        printf 'events { worker_connections 256; }\n'
        printf 'http {\n'
        printf '\taccess_log %s/access.log;\n' "$n"
        local t
        for t in client_body proxy fastcgi uwsgi scgi; do
            printf '\t%s_temp_path %s/tmp/%s;\n' "$t" "$n" "$t"
        done
        printf '\tserver_tokens off;\n\ttypes { }\n\tdefault_type application/octet-stream;\n'
        printf '\tssl_protocols TLSv1.2 TLSv1.3;\n'
        # lab.sh synth adds its MTA-STS servers here (no match: nothing)
        printf '\tinclude %s/synth/*.conf;\n' "$n"
        # default server for unknown names: the lab CA cert of good.example, 404
        printf '\tserver {\n\t\tlisten %s:443 ssl default_server;\n\t\tserver_name _;\n' "$WEB_IP"
        printf '\t\tssl_certificate %s/mta-sts.good.example.chain.pem;\n' "$CERTS"
        printf '\t\tssl_certificate_key %s/mta-sts.good.example.key;\n' "$CERTS"
        printf '\t\treturn 404;\n\t}\n'
        local d serve cert dir keyname
        while read -r d serve cert; do
            [[ $cert == - ]] && cert=mta-sts.$d
            [[ -s $CERTS/$cert.chain.pem ]] || fail "policies.conf: no certificate $cert for $d"
            keyname=$(awk -v c="$cert" '$1 == c { print $3 }' "$SRC/certs.tsv")
            [[ -n $keyname ]] || keyname=$cert
            dir=$www/$d/.well-known
            mkdir -p "$dir"
            printf '\tserver {\n\t\tlisten %s:443 ssl;\n\t\tserver_name mta-sts.%s;\n' "$WEB_IP" "$d"
            printf '\t\tssl_certificate %s/%s.chain.pem;\n' "$CERTS" "$cert"
            printf '\t\tssl_certificate_key %s/%s.key;\n' "$CERTS" "$keyname"
            printf '\t\troot %s/%s;\n' "$www" "$d"
            printf '\t\tlocation = /.well-known/mta-sts.txt {\n'
            case $serve in
            plain) cp "$www/$d.body" "$dir/mta-sts.txt"
                   printf '\t\t\ttypes { }\n\t\t\tdefault_type text/plain;\n' ;;
            crlf)  sed 's/$/\r/' "$www/$d.body" >"$dir/mta-sts.txt"
                   printf '\t\t\ttypes { }\n\t\t\tdefault_type text/plain;\n' ;;
            html)  cp "$www/$d.body" "$dir/mta-sts.txt"
                   printf '\t\t\ttypes { }\n\t\t\tdefault_type text/html;\n' ;;
            big)   { cat "$www/$d.body"
                     local i
                     for i in $(seq 1 1120); do
                         printf 'x-pad: %04d %s\n' "$i" "padding-padding-padding-padding-padding-padding-pad"
                     done; } >"$dir/mta-sts.txt"
                   printf '\t\t\ttypes { }\n\t\t\tdefault_type text/plain;\n' ;;
            404)   printf '\t\t\treturn 404;\n' ;;
            redirect:*) printf '\t\t\treturn 301 %s;\n' "${serve#redirect:}" ;;
            *) fail "policies.conf: unknown serve mode '$serve' for $d" ;;
            esac
            printf '\t\t}\n\t\tlocation / { return 404; }\n\t}\n'
        done <"$www/list"
        printf '}\n'
    } >"$n/nginx.conf"
    nginx -t -q -e "$n/error.log" -p "$n/" -c "$n/nginx.conf" 2>"$n/check.log" ||
        { cat "$n/check.log" >&2; fail "nginx rejects $n/nginx.conf"; }
}

# ------------------------------------------------------------------ smtpd

gen_smtpd_conf() {
    local ip mode cert
    while read -r ip mode cert; do
        [[ -z $ip || $ip == \#* ]] && continue
        if [[ $cert == - ]]; then
            printf '%s %s - -\n' "$ip" "$mode"
        else
            local keyname
            keyname=$(awk -v c="$cert" '$1 == c { print $3 }' "$SRC/certs.tsv")
            [[ -n $keyname ]] || fail "listeners.tsv: unknown certificate $cert"
            printf '%s %s %s %s\n' "$ip" "$mode" "$CERTS/$cert.chain.pem" "$CERTS/$keyname.key"
        fi
    done <"$SRC/listeners.tsv" >"$LAB/smtpd.conf"
}

# ------------------------------------------------------------------ RPKI

RPKI=$LAB/rpki

# The 32 hex nibbles of an IPv6 address (forms with "::" too).
ipv6_nibbles() { # ADDR
    awk -v a="$1" 'BEGIN {
        n = split(a, h, "::"); left = h[1]; right = (n > 1) ? h[2] : ""
        nl = (left == "") ? 0 : split(left, L, ":"); nr = (right == "") ? 0 : split(right, R, ":")
        out = ""
        for (i = 1; i <= nl; i++) out = out sprintf("%4s", L[i])
        for (i = 0; i < 8 - nl - nr; i++) out = out "0000"
        for (i = 1; i <= nr; i++) out = out sprintf("%4s", R[i])
        gsub(/ /, "0", out); print tolower(out) }'
}

# From rpki.tsv and every address of zones.conf: the VRPs (vrps.json, for
# stayrtr and --rpki-vrps), the routes (bgp.txt, for --bgp-table), the lab copy
# of Team Cymru origin zones (unsigned, delegated from the root) and their
# delegations (root.delegations, for gen_zones). The name servers are routed
# too, the synthetic domains' hoster (HOSTER_IP, lab.sh synth) among them, so
# that make bench judges rpki on the synthetic list as on a real one.
gen_rpki() {
    mkdir -p "$RPKI"
    local addrs=$RPKI/addresses ip prefix origin name z zf
    { awk '!/^[ \t]*#/ && ($2 == "A" || $2 == "AAAA") { print $3 }' "$SRC/zones.conf"
      printf '%s\n' "$DNS_IP" "$NS2_IP" "$HOSTER_IP"; } | sort -u >"$addrs"
    # routes: rpki.tsv, else the /24 (IPv6: /128) from AS64496
    awk -v tsv="$SRC/rpki.tsv" '
        BEGIN { while ((getline l < tsv) > 0) { split(l, f, /[ \t]+/)
                    if (f[1] == "route") { p[f[2]] = f[3]; o[f[2]] = f[4] } } }
        { if ($1 in p) { print $1, p[$1], o[$1]; next }
          if ($1 ~ /:/) { print $1, $1 "/128", 64496; next }
          split($1, b, "."); print $1, b[1] "." b[2] "." b[3] ".0/24", 64496 }' "$addrs" >"$RPKI/routes"
    awk '{ print $2, "AS" $3 }' "$RPKI/routes" | sort -u >"$RPKI/bgp.txt"
    awk 'BEGIN { printf "{\"metadata\":{\"generated\":0,\"generatedTime\":\"1970-01-01T00:00:00Z\"},\"roas\":[" }
        !/^[ \t]*#/ && $1 == "vrp" { printf "%s{\"asn\":\"%s\",\"prefix\":\"%s\",\"maxLength\":%d,\"ta\":\"lab\"}", sep, $4, $2, $3; sep = "," }
        END { print "]}" }' "$SRC/rpki.tsv" >"$RPKI/vrps.json"
    : >"$RPKI/root.delegations"
    for z in origin.asn.cymru.com origin6.asn.cymru.com; do
        zf=$ZONES/$z.zone
        mkdir -p "$ZONES"
        { zone_header "$z"
          while read -r ip prefix origin; do
              if [[ $ip == *:* ]]; then
                  [[ $z == origin6.* ]] || continue
                  name=$(ipv6_nibbles "$ip" | rev | sed 's/./&./g')$z.
              else
                  [[ $z == origin.* ]] || continue
                  name=$(awk -F. '{ print $4 "." $3 "." $2 "." $1 }' <<<"$ip").$z.
              fi
              printf '%s\tIN\tTXT\t"%s | %s | ZZ | lab | 2026-12-01"\n' "$name" "$origin" "$prefix"
          done <"$RPKI/routes"; } >"$zf"
        NSD_ZONES+=("$z:$zf")
        printf '%s.\tIN\tNS\tns1.example.\n' "$z" >>"$RPKI/root.delegations"
    done
}

start_stayrtr() {
    say "starting stayrtr on $RTR_IP:$RTR_PORT"
    # RTR version 1 (RFC 8210), what RTRlib speaks; no staleness check of the
    # file (it is the lab's own), no metrics on every address
    stayrtr -bind "$RTR_IP:$RTR_PORT" -cache "$RPKI/vrps.json" -checktime=false -protocol 1 \
        -metrics.addr "$RTR_IP:9847" -log.verbose=false >"$RPKI/stayrtr.log" 2>&1 &
    echo $! >"$RPKI/stayrtr.pid"
    local i
    for i in $(seq 100); do
        ss -Hltn "sport = :$RTR_PORT" 2>/dev/null | grep -q "$RTR_IP:$RTR_PORT" &&
            grep -q 'New update' "$RPKI/stayrtr.log" 2>/dev/null && return 0
        alive "$(cat "$RPKI/stayrtr.pid")" || break
        sleep 0.1
    done
    cat "$RPKI/stayrtr.log" >&2
    fail "stayrtr does not serve $RTR_IP:$RTR_PORT"
}

# ------------------------------------------------------------------ synthetic domains

SYN=$LAB/synth
STS_CHUNK=250 # names per certificate of the synthetic MTA-STS hosts
BLACKHOLE=$ROOT/build/lab-blackhole

# The mail providers of the synthetic domains: provider k gets a share of the
# domains with MX proportional to 1/k (Zipf). Per MX host: NAME=ADDRESS/TLSA.
# NAME without a final dot is a host mxN.pKK.synth.example in the provider's own
# zone pKK.synth.example (signed), which gets an A record and, for TLSA "match",
# a TLSA 3 1 1 of the key of that listener (listeners.tsv), for "wrong" one that
# matches nothing, for "none" no TLSA. A NAME with a final dot is a host of the
# scenario zones (zones.conf), whose certificate names it (PKIX valid, so MTA-STS
# can pass); its A and TLSA are those of zones.conf, and the /TLSA part only says
# whether a domain that names its own MX host on that address copies a TLSA.
# Listeners: .10 .26 .27 .28 starttls, .30 tls13, .31 tls12gcm, .16 tls12,
# .15 tls10, .14 nostarttls, .18 silent (accepts, never writes). "no-own": no
# domain names its own MX host on that provider's address; such a domain uses
# the provider's hosts instead. (Many host names on the silent address would
# queue behind each other in a scanner's per-address limit, and whether a
# domain then meets its deadline depends on timing: not deterministic.)
SYNTH_PROVIDERS='
1  mx1.provider.example.=127.25.0.26/none mx2.provider.example.=127.25.0.27/none
2  mx1=127.25.0.10/match mx2=127.25.0.26/match
3  mx1.good.example.=127.25.0.10/match
4  mx1=127.25.0.27/none
5  mx1=127.25.0.28/match mx2=127.25.0.30/match
6  mx1=127.25.0.16/none
7  mx1=127.25.0.31/match
8  mx1=127.25.0.10/match
9  mx1=127.25.0.26/none mx2=127.25.0.27/none
10 mx1=127.25.0.28/wrong
11 a.b.provider.example.=127.25.0.28/none
12 mx1=127.25.0.30/match
13 mx1=127.25.0.14/none
14 mx1=127.25.0.16/match
15 mx.tls12.example.=127.25.0.16/none
16 mx1=127.25.0.15/none
17 mx1=127.25.0.10/match mx2=127.25.0.27/match
18 mx1=127.25.0.26/none
19 mx1=127.25.0.30/none
20 mx1=127.25.0.28/match mx2=127.25.0.26/match
21 mx1=127.25.0.27/match
22 mx1=127.25.0.10/none
23 mx1=127.25.0.31/none
24 mx1=127.25.0.15/none
25 mx1=127.25.0.26/match mx2=127.25.0.28/match
26 mx1=127.25.0.10/match
27 mx1=127.25.0.10/match mx2=127.25.0.27/none
28 mx1=127.25.0.16/none
29 mx1=127.25.0.28/none
30 mx1=127.25.0.14/none
31 mx1=127.25.0.30/match
32 mx1=127.25.0.26/match
33 mx1=127.25.0.27/none mx2=127.25.0.28/none
34 mx1=127.25.0.10/wrong
35 mx1=127.25.0.31/match
36 mx1=127.25.0.26/none
37 mx1=127.25.0.10/match mx2=127.25.0.30/match
38 mx1=127.25.0.27/none
39 mx1=127.25.0.28/match
40 mx1=127.25.0.18/none no-own
'

# "IP=SPKI-SHA256 ..." for every listener address with a certificate (TLSA 3 1 1).
listener_spkis() {
    local ip mode cert key
    while read -r ip mode cert; do
        [[ -z $ip || $ip == \#* || $cert == - || $ip == *:* ]] && continue
        key=$(awk -v c="$cert" '$1 == c { print $3 }' "$SRC/certs.tsv")
        [[ -n $key && -s $CERTS/$key.key ]] || continue
        printf '%s=%s ' "$ip" "$(spki_sha256 "$CERTS/$key.key")"
    done <"$SRC/listeners.tsv"
}

# Write the zones and lists of N domains dNNNNN.synth.example, LAME percent of
# them lame. What a domain is follows from its index i alone, through
# u(i, a) = frac(i * a) for a few irrational a (a Weyl sequence: equidistributed,
# so every slice of the list has about the same mix; the kinds of a domain are
# independent of each other), see tests/lab/README.md:
#   lame      u(i, sqrt 2)  < LAME/100   (the rest does not depend on LAME)
#   signed    u(i, sqrt 3)  < 0.60
#   MX        u(i, sqrt 5)  < 0.01 null MX, < 0.02 none, < 0.12 mail.D on the
#                           provider's first address, else the provider's hosts
#   provider  u(i, sqrt 7)  Zipf over SYNTH_PROVIDERS
#   MTA-STS   u(i, sqrt 11) < 0.05
#   TLS-RPT   u(i, sqrt 13) < 0.14, < 0.15 with an invalid rua
#   SPF       u(i, sqrt 17) < 0.93 (< 0.09 of it ~all, else -all; "v=spf1 -all"
#             for a null MX), an include of the provider's _spf record
#   DMARC     u(i, sqrt 19) < 0.90: p=reject below 0.60, quarantine below
#             0.75, else none; the rest falls back to synth.example (none there)
#   DKIM      u(i, sqrt 23) < 0.80: a key at sel1._domainkey (one RSA key)
# Outputs:
#   SYN/signed.src                 the zones to sign (domains, providers), one
#                                  after the other, each after a line "; zone Z"
#   SYN/zones/Z.zone               every unsigned zone
#   SYN/signed.list, unsigned.list their names
#   SYN/synth.example.body         the delegations (NS; glue for the lame ones)
#   SYN/lame.addrs                 the blackhole addresses
#   SYN/sts.names                  domains with an MTA-STS policy
#   SYN/domains.tsv                domain zone mx provider sts tlsrpt ns-address
#                                  spf dmarc dkim
#   LAB/synth.txt, synth-healthy.txt, synth-lame.txt
gen_synth() { # N LAME
    local n=$1 lame=$2 spkis dkimkey
    spkis=$(listener_spkis)
    dkimkey=$(openssl genrsa 1024 2>/dev/null | openssl rsa -pubout -outform DER 2>/dev/null | base64 -w0)
    [[ -n $dkimkey ]] || fail "synth: could not make the DKIM key"
    awk -v n="$n" -v lame="$lame" -v dir="$SYN" -v lab="$LAB" -v serial="$SERIAL" \
        -v spkis="$spkis" -v provs="$SYNTH_PROVIDERS" -v hns="$HOSTER_NS" -v dkimkey="$dkimkey" '
    function u(i, a,   x) { x = i * a; return x - int(x) }
    function header(f, z) {
        printf "$ORIGIN %s.\n$TTL 300\n@\tIN\tSOA\tns1.example. hostmaster.example. %s 3600 600 864000 300\n@\tIN\tNS\t%s\n@\tIN\tCAA\t0 issue \"ca.lab.example\"\n", z, serial, hns > f
    }
    function tlsa(f, owner, ip, kind) {
        if (kind == "match") {
            if (!(ip in spki)) { print "synth: no key for listener " ip > "/dev/stderr"; exit 2 }
            printf "_25._tcp.%s\tTLSA\t3 1 1 %s\n", owner, spki[ip] > f
        } else if (kind == "wrong")
            printf "_25._tcp.%s\tTLSA\t3 1 1 %s\n", owner, wrong > f
    }
    BEGIN {
        w = length(n ""); if (w < 5) w = 5
        wrong = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        ns = split(spkis, sp, " ")
        for (j = 1; j <= ns; j++) { split(sp[j], kv, "="); spki[kv[1]] = kv[2] }
        a_lame = sqrt(2) - 1; a_sig = sqrt(3) - 1; a_mx = sqrt(5) - 2
        a_prov = sqrt(7) - 2; a_sts = sqrt(11) - 3; a_rpt = sqrt(13) - 3
        a_spf = sqrt(17) - 4; a_dmarc = sqrt(19) - 4; a_dkim = sqrt(23) - 4
        body = dir "/synth.example.body"; printf "" > body
        signed = dir "/signed.list"; unsigned = dir "/unsigned.list"
        printf "" > signed; printf "" > unsigned
        src = dir "/signed.src"; printf "" > src
        lamef = dir "/lame.addrs"; printf "" > lamef
        sts = dir "/sts.names"; printf "" > sts
        tsv = dir "/domains.tsv"
        printf "# domain\tzone\tmx\tprovider\tsts\ttlsrpt\tns-address\tspf\tdmarc\tdkim\n" > tsv
        all = lab "/synth.txt"; healthy = lab "/synth-healthy.txt"; lamel = lab "/synth-lame.txt"
        printf "" > all; printf "" > healthy; printf "" > lamel

        # providers: zones pKK.synth.example, the Zipf table
        np = split(provs, pl, "\n"); P = 0; H = 0
        for (j = 1; j <= np; j++) {
            nf = split(pl[j], fl, /[ \t]+/)
            if (nf < 2 || fl[1] == "") continue
            k = fl[1] + 0; P++
            if (k != P) { print "synth: providers out of order at " k > "/dev/stderr"; exit 2 }
            name = sprintf("p%02d", k); pz = name ".synth.example"
            f = src; printf "; zone %s\n", pz > f; header(f, pz)
            nh[k] = 0; noown[k] = 0
            for (h = 2; h <= nf; h++) {
                if (fl[h] == "no-own") { noown[k] = 1; continue }
                if (fl[h] !~ /=/) { print "synth: bad provider field " fl[h] > "/dev/stderr"; exit 2 }
                nh[k]++
                split(fl[h], hv, /[=\/]/)   # host, address, tlsa
                host = hv[1]
                fq = (host ~ /\.$/) ? host : host "." pz "."
                mxh[k, nh[k]] = fq
                if (nh[k] == 1) { first_ip[k] = hv[2]; first_tlsa[k] = hv[3] }
                if (host !~ /\.$/) {
                    printf "%s\tA\t%s\n", host, hv[2] > f
                    tlsa(f, host, hv[2], hv[3])
                }
            }
            # the SPF record of the provider, which its customers include
            printf "_spf\tTXT\t\"v=spf1 ip4:127.25.0.0/24 -all\"\n" > f
            print pz > signed
            printf "%s\tNS\t%s\n", name, hns > body
            H += 1 / k; cdf[k] = H
        }
        for (k = 1; k <= P; k++) cdf[k] /= H
        cdf[P] = 1

        nl = 0
        for (i = 1; i <= n; i++) {
            d = sprintf("d%0" w "d", i); fq = d ".synth.example"
            print fq > all
            if (u(i, a_lame) < lame / 100) {
                # lame: delegated to an address of its own where nothing answers
                ip = sprintf("127.54.%d.%d", int((nl % 65024) / 254), nl % 254 + 1)
                nl++
                if (nl <= 65024) print ip > lamef
                printf "%s\tNS\tns.%s\nns.%s\tA\t%s\n", d, d, d, ip > body
                print fq > lamel
                printf "%s\tlame\t-\t-\t-\t-\t%s\t-\t-\t-\n", fq, ip > tsv
                continue
            }
            print fq > healthy
            sig = u(i, a_sig) < 0.60
            if (sig) { f = src; printf "; zone %s\n", fq > f }
            else f = dir "/zones/" fq ".zone"
            header(f, fq)
            printf "%s\tNS\t%s\n", d, hns > body
            um = u(i, a_mx)
            up = u(i, a_prov)
            for (k = 1; k < P && up >= cdf[k]; k++) ;
            prov = sprintf("p%02d", k)
            if (um < 0.01) { printf "@\tMX\t0 .\n" > f; mxkind = "nullmx"; prov = "-" }
            else if (um < 0.02) { printf "@\tA\t127.80.0.1\n" > f; mxkind = "nomx"; prov = "-" }
            else if (um < 0.12 && !noown[k]) {
                printf "@\tMX\t10 mail\nmail\tA\t%s\n", first_ip[k] > f
                if (sig) tlsa(f, "mail", first_ip[k], first_tlsa[k])
                mxkind = "own"
            } else {
                for (h = 1; h <= nh[k]; h++) printf "@\tMX\t%d %s\n", 10 * h, mxh[k, h] > f
                mxkind = "provider"
            }
            s = "-"
            if (u(i, a_sts) < 0.05) {
                printf "_mta-sts\tTXT\t\"v=STSv1; id=synth1\"\nmta-sts\tA\t127.80.0.1\n" > f
                print fq > sts; s = "sts"
            }
            r = "-"; ur = u(i, a_rpt)
            if (ur < 0.15) {
                printf "_smtp._tls\tTXT\t\"v=TLSRPTv1; rua=%s\"\n", (ur < 0.14 ? "mailto:tlsrpt@" fq : "foo") > f
                r = (ur < 0.14 ? "tlsrpt" : "tlsrpt-invalid")
            }
            us = u(i, a_spf); spf = "-"
            if (us < 0.93) {
                if (mxkind == "nullmx") spf = "v=spf1 -all"
                else if (prov == "-") spf = "v=spf1 a -all"
                else spf = sprintf("v=spf1 include:_spf.%s.synth.example %sall", prov, (us < 0.09 ? "~" : "-"))
                printf "@\tTXT\t\"%s\"\n", spf > f
            }
            ud = u(i, a_dmarc); dm = "-"
            if (ud < 0.90) {
                dm = (ud < 0.60 ? "reject" : (ud < 0.75 ? "quarantine" : "none"))
                printf "_dmarc\tTXT\t\"v=DMARC1; p=%s; rua=mailto:dmarc@%s\"\n", dm, fq > f
            }
            dk = "-"
            if (u(i, a_dkim) < 0.80) {
                printf "sel1._domainkey\tTXT\t\"v=DKIM1; k=rsa; p=%s\"\n", dkimkey > f
                dk = "sel1"
            }
            if (!sig) close(f)
            print fq > (sig ? signed : unsigned)
            printf "%s\t%s\t%s\t%s\t%s\t%s\t-\t%s\t%s\t%s\n", fq, (sig ? "signed" : "unsigned"), mxkind, prov, s, r, (spf == "-" ? "-" : (spf ~ /~all/ ? "softfail" : "fail")), dm, dk > tsv
        }
    }' </dev/null
}

# Build build/lab-NAME from tests/lab/SRC.c when it is missing or older (the
# Makefile has a rule for it; a plain cc when it has none).
build_lab_tool() { # NAME SRC [LIBS...]
    local name=$1 src=$SRC/$2.c bin=$ROOT/build/lab-$1
    shift 2
    [[ -x $bin && ! $src -nt $bin ]] && return 0
    say "building build/lab-$name"
    make -s -C "$ROOT" "build/lab-$name" 2>/dev/null ||
        ${CC:-cc} -O2 -Wall -Wextra -Werror -std=c11 -D_DEFAULT_SOURCE -o "$bin" "$src" "$@" ||
        fail "could not build build/lab-$name"
}

# Sign the zones of SYN/signed.src with build/lab-signzones (signzones.c) into
# SYN/zones/Z.zone.signed, each with a KSK and a ZSK of its own (-g: as in the
# world, so that a validator's cache of parsed keys gains no more here than
# there), a process per core; their DS records go to SYN/ds.
sign_synth_zones() {
    local np w pids=() p n
    build_lab_tool signzones signzones -lcrypto
    np=$(nproc)
    for ((w = 0; w < np; w++)); do
        "$ROOT/build/lab-signzones" -g \
            -i "$INCEPTION" -e "$EXPIRATION" -d "$SYN/zones" -n "$np" -w "$w" \
            "$SYN/signed.src" >"$SYN/ds.$w" &
        pids+=("$!")
    done
    for p in "${pids[@]}"; do
        wait "$p" || fail "synth: signing the zones failed"
    done
    cat "$SYN"/ds.[0-9]* >"$SYN/ds"
    n=$(grep -c . "$SYN/signed.list")
    [[ $(grep -c . "$SYN/ds") -eq $n ]] || fail "synth: $n zones to sign, $(grep -c . "$SYN/ds") DS records"
}

# nginx servers for mta-sts.D of every domain in SYN/sts.names (one certificate
# of the lab CA per STS_CHUNK names, one policy for all), and a config check.
gen_synth_nginx() {
    local n=$LAB/nginx conf=$LAB/nginx/synth/sts.conf
    local CERTS=$SYN/certs # make_cert (in gen_synth_sts_servers) writes here
    if [[ -s $SYN/sts.names ]]; then
        mkdir -p "$n/synth"
        gen_synth_sts_servers >"$conf"
    fi
    nginx -t -q -e "$n/error.log" -p "$n/" -c "$n/nginx.conf" 2>"$n/check.log" ||
        { cat "$n/check.log" >&2; fail "nginx rejects $conf"; }
}

# One policy for all: the scenario hosts some providers use, and every provider
# zone (*.pKK.synth.example; a domain's own mail.D is not in it).
gen_synth_sts_servers() {
    local policy=$SYN/www/mta-sts.txt k
    mkdir -p "$CERTS" "$SYN/www"
    cp "$LAB/certs/openssl.cnf" "$CERTS/"
    { printf '%s\n' 'version: STSv1' 'mode: enforce' 'mx: mx1.provider.example' \
          'mx: mx2.provider.example' 'mx: a.b.provider.example' 'mx: mx1.good.example' \
          'mx: mx.tls12.example'
      for k in $(seq 1 "$(grep -c '[0-9]' <<<"$SYNTH_PROVIDERS")"); do
          printf 'mx: *.p%02d.synth.example\n' "$k"
      done
      printf 'max_age: 604800\n'; } >"$policy"
    awk -v c="$STS_CHUNK" -v dir="$SYN/certs" '
        { f = dir "/chunk" int((NR - 1) / c); printf "%smta-sts.%s", ((NR - 1) % c == 0 ? "" : ","), $0 > f }' \
        "$SYN/sts.names"
    printf 'server_names_hash_bucket_size 128;\nserver_names_hash_max_size 262144;\n'
    local chunk name sans
    for chunk in "$CERTS"/chunk*; do
        name=synth-sts-${chunk##*/chunk}
        sans=$(<"$chunk")
        make_cert "$name" ca synth-sts "$sans" >&2
        printf 'server {\n\tlisten %s:443 ssl;\n\tserver_name %s;\n' "$WEB_IP" "${sans//,/ }"
        printf '\tssl_certificate %s/%s.chain.pem;\n\tssl_certificate_key %s/synth-sts.key;\n' \
            "$CERTS" "$name" "$CERTS"
        printf '\tlocation = /.well-known/mta-sts.txt {\n\t\talias %s;\n' "$policy"
        printf '\t\ttypes { }\n\t\tdefault_type text/plain;\n\t}\n'
        printf '\tlocation / { return 404; }\n}\n'
    done
}

# The name servers of the lame domains: build/lab-blackhole on every address of
# SYN/lame.addrs (UDP and TCP port 53, never an answer). Counts in
# build/lab/blackhole.stats (and .log on SIGUSR1).
start_blackhole() {
    build_lab_tool blackhole blackhole
    rm -f "$LAB/blackhole.stats"
    "$BLACKHOLE" -d -a "$SYN/lame.addrs" -p "$LAB/blackhole.pid" -l "$LAB/blackhole.log" \
        -s "$LAB/blackhole.stats" 2>"$LAB/blackhole.err" ||
        { cat "$LAB/blackhole.err" >&2; fail "lab-blackhole did not start"; }
    local i
    for i in $(seq 50); do [[ -s $LAB/blackhole.stats ]] && break; sleep 0.1; done
    [[ -s $LAB/blackhole.stats ]] || fail "lab-blackhole wrote no $LAB/blackhole.stats"
}

lab_synth() { # [N] [LAME_PERCENT]
    local n=${1:-10000} lame=${2:-2} t0 t ds first i kdir
    t0=$(now_ms)
    [[ $n =~ ^[1-9][0-9]{0,6}$ && $n -le 1000000 ]] || fail "synth: N must be 1..1000000 (got '$n')"
    if ! [[ $lame =~ ^[0-9]{1,2}(\.[0-9]+)?$ ]] || ! awk -v p="$lame" 'BEGIN { exit !(p <= 50) }'; then
        fail "synth: LAME_PERCENT must be a number 0..50 (got '$lame')"
    fi
    need ldns-keygen ldns-signzone nsd nsd-checkconf nginx openssl dig awk xargs nproc curl
    if ! [[ -s $LAB/nsd/zones.base && -s $LAB/nsd/nsd.pid && -s $LAB/nginx/nginx.pid ]] ||
        ! alive "$(cat "$LAB/nsd/nsd.pid")" || ! alive "$(cat "$LAB/nginx/nginx.pid")"; then
        fail "synth: the lab is not running (tests/lab/lab.sh up)"
    fi
    stop_pidfile blackhole "$LAB/blackhole.pid"
    rm -rf "$SYN" "$LAB"/synth*.txt "$LAB/nginx/synth"
    kdir=$SYN/keys # synth.example's own (sign_zone)
    mkdir -p "$SYN/zones" "$kdir"

    say "synth: $n domains dNNNNN.synth.example, $lame % lame"

    t=$(now_ms)
    gen_synth "$n" "$lame" || fail "synth: writing the zones failed"
    say "synth: zone files in $(($(now_ms) - t)) ms; signing $(grep -c . "$SYN/signed.list") zones"
    t=$(now_ms)
    sign_synth_zones
    say "synth: signed in $(($(now_ms) - t)) ms"
    # synth.example: the delegations (NS, glue) and the DS of the signed zones
    local zf=$SYN/synth.example.zone
    { zone_header synth.example
      cat "$SYN/synth.example.body"
      cat "$SYN/ds"; } >"$zf"
    t=$(now_ms)
    ds=$(KEYS=$kdir sign_zone synth.example "$zf")
    printf 'synth.example.\tIN\tNS\tns1.example.\n%s\n%s\tIN\tA\t%s\n' "$ds" "$HOSTER_NS" "$HOSTER_IP" \
        >"$SYN/example.delegations"
    write_example_zone "$ZONES/example.zone" "$ZONES/src/example.delegations" "$SYN/example.delegations"
    resign_zone example "$ZONES/example.zone"
    say "synth: synth.example and example. signed in $(($(now_ms) - t)) ms"

    # NSD: the zones of `up` and the registry's synth.example; restart (remote
    # control is off, and a SIGHUP does not add zones). The synthetic domains
    # and their providers: the hoster's NSD on HOSTER_IP, so that a resolver
    # gets them the way it gets real ones: a referral from the registry (with
    # the DS, or the NSEC that proves there is none), then the hoster's answer.
    mapfile -t NSD_ZONES <"$LAB/nsd/zones.base"
    NSD_ZONES+=("synth.example:$zf.signed")
    write_nsd_conf "$LAB/nsd" "$DNS_IP $NS2_IP $NS6_IPS"
    awk -v d="$SYN/zones" '{ print $1, d "/" $1 ".zone.signed" }' "$SYN/signed.list" >"$SYN/nsd.zones"
    awk -v d="$SYN/zones" '{ print $1, d "/" $1 ".zone" }' "$SYN/unsigned.list" >>"$SYN/nsd.zones"
    NSD_ZONES=()
    write_nsd_conf "$LAB/nsd-hoster" "$HOSTER_IP" "$SYN/nsd.zones"
    gen_synth_nginx
    local t1 t2 t3 zone1
    t1=$(now_ms)
    stop_pidfile nsd "$LAB/nsd/nsd.pid"
    stop_pidfile "nsd (hoster)" "$LAB/nsd-hoster/nsd.pid"
    t2=$(now_ms)
    start_nsd
    zone1=$(awk '{ print $1; exit }' "$SYN/nsd.zones")
    start_nsd 1200 "$LAB/nsd-hoster" "$HOSTER_IP" "$zone1"
    t3=$(now_ms)
    say "synth: nsd stopped in $((t2 - t1)) ms, started (answering) in $((t3 - t2)) ms;" \
        "the hoster's with $(grep -c . "$SYN/nsd.zones") zones, memory $(nsd_rss "$LAB/nsd-hoster/nsd.pid") MiB (PSS)"
    if [[ -s $SYN/lame.addrs ]]; then
        start_blackhole
    fi
    first=$(awk -F'\t' '$2 == "signed" && $3 == "provider" { print $1; exit }' "$SYN/domains.tsv")
    if [[ -n $first ]]; then
        dig +norec +dnssec @"$HOSTER_IP" "$first" MX | grep -q RRSIG ||
            fail "synth: no signed answer for $first MX (tests/lab/lab.sh up restores the lab)"
    fi
    kill -HUP "$(cat "$LAB/nginx/nginx.pid")" # a reload, also when no servers are left
    if [[ -s $SYN/sts.names ]]; then
        first=$(head -1 "$SYN/sts.names")
        local served=
        for i in $(seq 50); do
            if curl -sf --max-time 2 --cacert "$LAB/ca.pem" --resolve "mta-sts.$first:443:$WEB_IP" \
                -o /dev/null "https://mta-sts.$first/.well-known/mta-sts.txt"; then
                served=1
                break
            fi
            sleep 0.1
        done
        [[ -n $served ]] || fail "synth: nginx does not serve https://mta-sts.$first/.well-known/mta-sts.txt"
    fi
    t=$(( $(now_ms) - t0 ))
    say "synth: $n domains ($(grep -c . "$SYN/signed.list") signed zones incl. providers," \
        "$(grep -c . "$SYN/unsigned.list") unsigned, $(grep -c . "$LAB/synth-lame.txt") lame," \
        "$(grep -c . "$SYN/sts.names") with MTA-STS) in $((t / 1000)).$((t % 1000 / 100)) s"
    say "synth: lists build/lab/synth.txt, synth-healthy.txt, synth-lame.txt; kinds build/lab/synth/domains.tsv"
}

now_ms() { date +%s%3N; }

# memory of the running NSD (main process and its children), MiB: the sum of
# their proportional set sizes (the children share the zone data with the main
# process copy-on-write, so plain RSS would count it twice)
nsd_rss() { # [PIDFILE]
    local pid kb
    pid=$(cat "${1:-$LAB/nsd/nsd.pid}" 2>/dev/null) || { echo 0; return; }
    # the process of the pid file and all its descendants
    kb=$(for p in $(ps -e -o pid=,ppid= | awk -v top="$pid" '
                 { parent[$1] = $2 }
                 END { for (p in parent) { q = p
                           while (q != "" && q != top && q > 1) q = parent[q]
                           if (q == top) print p } }'); do
             awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null
         done | awk '{ s += $1 } END { print s + 0 }')
    echo $((kb / 1024))
}

lab_rearm() {
    local pf=$LAB/smtpd.pid
    if ! [[ -s $pf ]] || ! alive "$(cat "$pf")"; then fail "rearm: lab-smtpd is not running"; fi
    kill -USR1 "$(cat "$pf")"
}

# ------------------------------------------------------------------ start / check

wait_dns() { # [TRIES [IP NAME: whose SOA]]
    local i
    for i in $(seq "${1:-50}"); do
        if dig +norec +time=1 +tries=1 @"${2:-$DNS_IP}" "${3:-.}" SOA 2>/dev/null | grep -q 'status: NOERROR'; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

port_users() { # PORT
    ss -ltnpu "sport = :$1" 2>/dev/null | tail -n +2 >&2 || true
}

lab_up() {
    local t0=$SECONDS
    need nsd nsd-checkconf ldns-keygen ldns-signzone ldns-key2ds nginx openssl dig awk sed ss stayrtr ip
    lab_down
    # wait until the old servers' sockets are really gone
    local _
    for _ in $(seq 50); do
        ss -Hltnu 2>/dev/null | grep -Eq " ($DNS_IP:53|$WEB_IP:443|$RTR_IP:$RTR_PORT|127\.25\.0\.[0-9]+:25|\[::1\]:25) " || break
        sleep 0.1
    done
    rm -rf "$LAB"
    mkdir -p "$LAB"

    if [[ ! -x $SMTPD || $SRC/smtpd.c -nt $SMTPD ]]; then
        say "building build/lab-smtpd"
        make -s -C "$ROOT" build/lab-smtpd || fail "could not build build/lab-smtpd"
    fi

    say "certificates"; gen_certs
    say "RPKI data (rpki.tsv)"; gen_rpki
    say "zones (fresh keys, signing)"; gen_zones
    write_nsd_conf "$LAB/nsd" "$DNS_IP $NS2_IP $NS6_IPS"
    # the zones of `up`, for lab.sh synth (which adds its own)
    printf '%s\n' "${NSD_ZONES[@]}" >"$LAB/nsd/zones.base"
    gen_nginx
    gen_smtpd_conf

    UP_STARTED=1
    lab_ip6_up
    start_nsd
    start_stayrtr

    say "starting lab-smtpd ($(grep -c . "$LAB/smtpd.conf") listeners)"
    : >"$LAB/smtpd-conn.log"
    "$SMTPD" -d -c "$LAB/smtpd.conf" -l "$LAB/smtpd-conn.log" -p "$LAB/smtpd.pid" 2>"$LAB/smtpd.log" ||
        { cat "$LAB/smtpd.log" >&2; port_users 25; fail "lab-smtpd did not start"; }

    say "starting nginx on $WEB_IP:443"
    nginx -e "$LAB/nginx/error.log" -p "$LAB/nginx/" -c "$LAB/nginx/nginx.conf" 2>"$LAB/nginx/start.log" ||
        { cat "$LAB/nginx/start.log" "$LAB/nginx/error.log" >&2 2>/dev/null; port_users 443; fail "nginx did not start"; }
    local i
    for i in $(seq 30); do [[ -s $LAB/nginx/nginx.pid ]] && break; sleep 0.1; done
    [[ -s $LAB/nginx/nginx.pid ]] || fail "nginx wrote no pid file"

    # smoke checks: a secure answer, an SMTP banner, an HTTPS policy
    dig +norec +dnssec @"$DNS_IP" good.example MX | grep -q 'RRSIG' || fail "no signed MX for good.example"
    exec 3<>/dev/tcp/127.25.0.10/25 || fail "lab-smtpd does not accept on 127.25.0.10:25"
    local banner
    read -r -t 3 banner <&3 || true
    exec 3<&- 3>&-
    [[ $banner == 220* ]] || fail "no SMTP banner from 127.25.0.10:25 (got '$banner')"
    : >"$LAB/smtpd-conn.log"
    if command -v curl >/dev/null 2>&1; then
        curl -sf --max-time 3 --cacert "$LAB/ca.pem" --resolve "mta-sts.good.example:443:$WEB_IP" \
            -o /dev/null https://mta-sts.good.example/.well-known/mta-sts.txt ||
            fail "nginx does not serve https://mta-sts.good.example/.well-known/mta-sts.txt"
    fi
    UP_STARTED=
    dig +norec +time=1 +tries=1 @"${NS6_IPS%% *}" ipv6-good.example SOA | grep -q 'status: NOERROR' ||
        fail "nsd does not answer on [${NS6_IPS%% *}]"
    say "up in $((SECONDS - t0)) s: dns $DNS_IP + $NS2_IP + [${NS6_IPS// /], [}], smtp 127.25.0.10-48 + 127.26.0.38 + [::1], https $WEB_IP, rtr $RTR_IP:$RTR_PORT"
    say "scanner flags: --root-hints build/lab/root.hints --trust-anchor build/lab/root.key --ca-file build/lab/ca.pem --rpki-cache $RTR_IP:$RTR_PORT"
}

lab_status() {
    local name pf
    for name in nsd:"$LAB/nsd/nsd.pid" smtpd:"$LAB/smtpd.pid" nginx:"$LAB/nginx/nginx.pid" \
        stayrtr:"$LAB/rpki/stayrtr.pid"; do
        pf=${name#*:}
        if [[ -s $pf ]] && kill -0 "$(cat "$pf")" 2>/dev/null; then
            echo "${name%%:*}: running ($(cat "$pf"))"
        else
            echo "${name%%:*}: stopped"
        fi
    done
    if [[ -s $LAB/synth.txt ]]; then
        echo "synth: $(grep -c . "$LAB/synth.txt") domains (build/lab/synth.txt)," \
            "$(grep -c . "$LAB/synth-lame.txt") lame"
    fi
    pf=$LAB/nsd-hoster/nsd.pid
    if [[ -s $pf ]] && kill -0 "$(cat "$pf")" 2>/dev/null; then
        # (not ": running", as below)
        echo "nsd of the synthetic domains' hoster ($(cat "$pf")): $HOSTER_IP"
    fi
    pf=$LAB/blackhole.pid
    if [[ -s $pf ]] && kill -0 "$(cat "$pf")" 2>/dev/null; then
        # (not ": running": tests count those lines, one per server of `up`)
        echo "blackhole (lame name servers, $(cat "$pf")): $(grep -c . "$SYN/lame.addrs" 2>/dev/null)" \
            "addresses, $(head -1 "$LAB/blackhole.stats" 2>/dev/null) swallowed"
    fi
}

case ${1:-} in
up)     lab_up ;;
down)   lab_down ;;
status) lab_status ;;
rearm)  lab_rearm ;;
ip6)    lab_ip6_up ;;
synth)  [[ $# -le 3 ]] || { echo "usage: $0 synth [N [LAME_PERCENT]]" >&2; exit 2; }
        lab_synth "${2:-10000}" "${3:-2}" ;;
*)      echo "usage: $0 up|down|status|rearm|ip6|synth [N [LAME_PERCENT]]" >&2; exit 2 ;;
esac
