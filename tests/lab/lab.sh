#!/usr/bin/env bash
# mailscan test lab: a private mini-internet on loopback addresses.
#
#   tests/lab/lab.sh up      (re)generate keys, zones, certificates and configs in
#                            build/lab/ and start NSD, lab-smtpd and nginx
#   tests/lab/lab.sh down    stop them (idempotent)
#   tests/lab/lab.sh status  show what runs
#   tests/lab/lab.sh rearm   make every tempfail listener refuse its next connection again
#   tests/lab/lab.sh synth [N]  add N synthetic domains (default 10000) to the running
#                            lab: zone synth.example, target list build/lab/synth.txt
#
# See tests/lab/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SRC=$ROOT/tests/lab
LAB=$ROOT/build/lab
SMTPD=$ROOT/build/lab-smtpd

DNS_IP=127.53.0.1
WEB_IP=127.80.0.1

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

lab_down() {
    stop_pidfile nginx "$LAB/nginx/nginx.pid"
    stop_pidfile smtpd "$LAB/smtpd.pid" group
    stop_pidfile nsd "$LAB/nsd/nsd.pid"
    # synthetic domains (lab.sh synth) live only as long as the servers
    rm -rf "$LAB/synth" "$LAB/synth.txt" "$LAB/nginx/synth"
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

zone_header() { # ZONE
    local z=$1
    printf '$ORIGIN %s\n$TTL 300\n' "${z%.}."
    printf '@ IN SOA ns1.example. hostmaster.example. %s 3600 600 864000 300\n' "$SERIAL"
    printf '@ IN NS ns1.example.\n'
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

    local delegations=$ZONES/src/example.delegations z flags f zf ds
    : >"$delegations"
    while read -r z flags; do
        zf=$ZONES/$z.zone
        { zone_header "$z"; cat "$ZONES/src/$z.body"; } >"$zf"
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
            unsigned) ;;
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
      printf '%s\n' "$ds"; } >"$zf"
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

write_nsd_conf() {
    local conf=$LAB/nsd/nsd.conf entry z f
    mkdir -p "$LAB/nsd"
    {
        printf 'server:\n'
        printf '\tip-address: %s\n\tport: 53\n' "$DNS_IP"
        printf '\tusername: ""\n\tchroot: ""\n'
        printf '\tzonesdir: "%s"\n' "$ZONES"
        printf '\tdatabase: ""\n'
        printf '\tpidfile: "%s"\n' "$LAB/nsd/nsd.pid"
        printf '\tlogfile: "%s"\n' "$LAB/nsd/nsd.log"
        printf '\tzonelistfile: "%s"\n' "$LAB/nsd/zone.list"
        printf '\txfrdfile: "%s"\n' "$LAB/nsd/xfrd.state"
        printf '\txfrdir: "%s"\n' "$LAB/nsd"
        printf '\tserver-count: 1\n\tverbosity: 1\n\thide-version: yes\n'
        printf '\tzonefiles-check: no\n\tzonefiles-write: 0\n'
        # no response rate limiting: one resolver asks a lot (benchmarks, synth)
        printf '\trrl-ratelimit: 0\n\trrl-whitelist-ratelimit: 0\n'
        printf 'remote-control:\n\tcontrol-enable: no\n'
        for entry in "${NSD_ZONES[@]}"; do
            z=${entry%%:*}; f=${entry#*:}
            [[ $z == . ]] || z=$z.
            printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "$z" "$f"
        done
    } >"$conf"
    nsd-checkconf "$conf" || fail "nsd-checkconf rejects $conf"
}

start_nsd() {
    say "starting nsd on $DNS_IP:53"
    nsd -c "$LAB/nsd/nsd.conf" 2>"$LAB/nsd/start.log" ||
        { cat "$LAB/nsd/start.log" "$LAB/nsd/nsd.log" 2>/dev/null >&2; port_users 53; fail "nsd did not start"; }
    wait_dns || { cat "$LAB/nsd/nsd.log" >&2 2>/dev/null; port_users 53; fail "nsd does not answer on $DNS_IP"; }
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

# ------------------------------------------------------------------ synthetic domains

SYN=$LAB/synth
STS_CHUNK=250 # names per certificate of the synthetic MTA-STS hosts

# Write the records of N domains dNNNNN.synth.example, spread over the lab's
# MX hosts by the bucket (37 * i) % 100 (the table is in tests/lab/README.md):
#   SYN/synth.example.body       records relative to synth.example. (with the NS
#                                of the domains that are zones of their own)
#   SYN/children/D.zone          the zone of such a domain D (SOA, NS, records)
#   SYN/children.{signed,unsigned}  their names
#   SYN/sts.names                the domains with an MTA-STS policy
#   LAB/synth.txt                all domains, one a line
gen_synth() { # N
    local n=$1 good prov rnd
    good=$(spki_sha256 "$CERTS/mx1.good.example.key")
    prov=$(spki_sha256 "$CERTS/mx1.provider.example.key")
    rnd=$(openssl rand -hex 32)
    awk -v n="$n" -v dir="$SYN" -v list="$LAB/synth.txt" -v serial="$SERIAL" \
        -v good="$good" -v prov="$prov" -v rnd="$rnd" '
    function mx(o, f, h1, h2) {
        printf "%s\tMX\t10 %s\n", o, h1 > f
        if (h2 != "") printf "%s\tMX\t20 %s\n", o, h2 > f
    }
    BEGIN {
        w = length(n ""); if (w < 5) w = 5
        body = dir "/synth.example.body"
        printf "" > body
        # 24 "own" mail servers in the zone, on listeners that exist:
        # k%4 0: 127.25.0.10 + TLSA of its key, 1: 127.25.0.26 + TLSA of its key,
        # 2: 127.25.0.27, 3: 127.25.0.28 (k%8 3: + a TLSA that matches nothing)
        for (k = 1; k <= 24; k++) {
            h = sprintf("mail%02d", k)
            if (k % 4 == 0)
                printf "%s\tA\t127.25.0.10\n_25._tcp.%s\tTLSA\t3 1 1 %s\n", h, h, good > body
            else if (k % 4 == 1)
                printf "%s\tA\t127.25.0.26\n_25._tcp.%s\tTLSA\t3 1 1 %s\n", h, h, prov > body
            else if (k % 4 == 2)
                printf "%s\tA\t127.25.0.27\n", h > body
            else {
                printf "%s\tA\t127.25.0.28\n", h > body
                if (k % 8 == 3) printf "_25._tcp.%s\tTLSA\t3 1 1 %s\n", h, rnd > body
            }
        }
        for (i = 1; i <= n; i++) {
            d = sprintf("d%0" w "d", i)
            fq = d ".synth.example"
            print fq > list
            # the bucket: every block of 100 consecutive domains holds each
            # bucket once, shuffled (37 is prime to 100), so any slice is mixed
            b = (i * 37) % 100
            mail = sprintf("mail%02d.synth.example.", i % 24 + 1)
            if (b >= 93) {
                # a zone of its own (93-95 signed, 96-99 unsigned)
                f = dir "/children/" fq ".zone"
                printf "$ORIGIN %s.\n$TTL 300\n", fq > f
                printf "@\tIN\tSOA\tns1.example. hostmaster.example. %s 3600 600 864000 300\n", serial > f
                printf "@\tIN\tNS\tns1.example.\n" > f
                printf "%s\tNS\tns1.example.\n", d > body
                print fq > (dir "/children." (b <= 95 ? "signed" : "unsigned"))
                o = "@"; sfx = ""
            } else {
                f = body; o = d; sfx = "." d
            }
            if (b <= 1)       printf "%s\tMX\t0 .\n", o > f
            else if (b <= 3)  printf "%s\tA\t127.25.0.10\n", o > f
            else if (b <= 23) mx(o, f, "mx1.provider.example.", "mx2.provider.example.")
            else if (b <= 33) mx(o, f, "mx1.provider.example.")
            else if (b <= 38) mx(o, f, "a.b.provider.example.")
            else if (b <= 48) mx(o, f, "mx1.good.example.")
            else if (b <= 50) mx(o, f, "mx.dane-ta.example.")
            else if (b <= 52) mx(o, f, "mail.cname-mx.example.")
            else if (b <= 72) mx(o, f, mail)
            else if (b <= 75) mx(o, f, "mx.tls12.example.")
            else if (b <= 77) mx(o, f, "mx01.manymx.example.", "mx02.manymx.example.")
            else if (b <= 79) mx(o, f, "mx.dane-mismatch.example.")
            else if (b == 80) mx(o, f, "mx.stale.example.")
            else if (b == 81) mx(o, f, "mx.dane-ee-expired.example.")
            else if (b <= 83) mx(o, f, "mx.unsigned-zone.example.")
            else if (b == 84) mx(o, f, "mx.unsigned.example.")
            else if (b <= 86) mx(o, f, "mx.nostarttls.example.")
            else if (b == 87) mx(o, f, "mx.tls10.example.")
            else if (b == 88) mx(o, f, "mx.starttls-reject.example.")
            else if (b == 89) mx(o, f, "mx.brokentls.example.")
            else if (b == 90) mx(o, f, "mx.unreachable.example.")
            else if (b <= 92) mx(o, f, "mx.sts-certfail.example.")
            else if (b == 93) mx(o, f, "mx1.provider.example.", "mx2.provider.example.")
            else if (b == 94) mx(o, f, "mx1.good.example.")
            else if (b == 95) mx(o, f, mail)
            else if (b <= 97) mx(o, f, "mx1.provider.example.")
            else if (b == 98) mx(o, f, "mx1.good.example.")
            else              mx(o, f, "mx.tls12.example.")
            # MTA-STS: b 5 25 45 65 85; TLS-RPT: b % 5 == 1 (b 61: a broken one)
            if (b % 20 == 5) {
                printf "_mta-sts%s\tTXT\t\"v=STSv1; id=synth1\"\nmta-sts%s\tA\t127.80.0.1\n", sfx, sfx > f
                print fq > (dir "/sts.names")
            }
            if (b % 5 == 1)
                printf "_smtp._tls%s\tTXT\t\"v=TLSRPTv1; rua=%s\"\n", sfx,
                    (b == 61 ? "foo" : "mailto:tlsrpt@" fq) > f
            if (f != body) close(f)
        }
    }'
}

# Sign the domains of SYN/children.signed with one shared KSK + ZSK (a key pair
# per zone would cost two ldns-keygen runs each; validation does not care),
# in parallel; every zone's DS goes to SYN/children/D.ds.
sign_synth_children() {
    local kdir=$SYN/keys kb zb ksfx zsfx
    [[ -s $SYN/children.signed ]] || return 0
    mkdir -p "$kdir"
    kb=$(cd "$kdir" && ldns-keygen -a ECDSAP256SHA256 -k child.synth.example.)
    zb=$(cd "$kdir" && ldns-keygen -a ECDSAP256SHA256 child.synth.example.)
    ksfx=${kb#Kchild.synth.example.}
    zsfx=${zb#Kchild.synth.example.}
    # per zone: KZONE.+013+TAG.key (the DNSKEY with the zone as owner, which
    # ldns-signzone insists on) and .private (owner-free, the same for all)
    awk -v kdir="$kdir" -v kb="$kb" -v zb="$zb" -v ksfx="$ksfx" -v zsfx="$zsfx" '
        function slurp(f,   l, t) { t = ""; while ((getline l < f) > 0) t = t l "\n"; close(f); return t }
        function pub(f,   t) { t = slurp(f); sub(/;.*/, "", t); sub(/^[^ \t]+/, "", t); sub(/[ \t\n]+$/, "", t); return t }
        function put(f, t) { printf "%s", t > f; close(f) }
        BEGIN { kpub = pub(kdir "/" kb ".key"); zpub = pub(kdir "/" zb ".key")
                kpriv = slurp(kdir "/" kb ".private"); zpriv = slurp(kdir "/" zb ".private") }
        { put(kdir "/K" $1 "." ksfx ".key", $1 "." kpub "\n")
          put(kdir "/K" $1 "." ksfx ".private", kpriv)
          put(kdir "/K" $1 "." zsfx ".key", $1 "." zpub "\n")
          put(kdir "/K" $1 "." zsfx ".private", zpriv) }' "$SYN/children.signed"
    # shellcheck disable=SC2016 # the script is for the inner bash
    xargs -P "$(nproc)" -n 64 bash -c '
        set -euo pipefail
        cdir=$1 kdir=$2 inc=$3 exp=$4 ksfx=$5 zsfx=$6
        shift 6
        for z; do
            ldns-signzone -o "$z." -i "$inc" -e "$exp" -f "$cdir/$z.zone.signed" \
                "$cdir/$z.zone" "$kdir/K$z.$ksfx" "$kdir/K$z.$zsfx"
            ldns-key2ds -n -2 "$kdir/K$z.$ksfx.key" >"$cdir/$z.ds"
        done' _ "$SYN/children" "$kdir" "$INCEPTION" "$EXPIRATION" "$ksfx" "$zsfx" \
        <"$SYN/children.signed" || fail "synth: signing the child zones failed"
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

gen_synth_sts_servers() {
    local policy=$SYN/www/mta-sts.txt
    mkdir -p "$CERTS" "$SYN/www"
    cp "$LAB/certs/openssl.cnf" "$CERTS/"
    printf '%s\n' 'version: STSv1' 'mode: enforce' 'mx: mx1.provider.example' \
        'mx: mx2.provider.example' 'mx: mx1.good.example' 'mx: *.synth.example' \
        'mx: mx.nostarttls.example' 'max_age: 604800' >"$policy"
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

lab_synth() { # [N]
    local n=${1:-10000} t0=$SECONDS ds z first i
    [[ $n =~ ^[1-9][0-9]{0,6}$ && $n -le 1000000 ]] || fail "synth: N must be 1..1000000 (got '$n')"
    need ldns-keygen ldns-signzone ldns-key2ds nsd nsd-checkconf nginx openssl dig awk xargs nproc curl
    if ! [[ -s $LAB/nsd/zones.base && -s $LAB/nsd/nsd.pid && -s $LAB/nginx/nginx.pid ]] ||
        ! alive "$(cat "$LAB/nsd/nsd.pid")" || ! alive "$(cat "$LAB/nginx/nginx.pid")"; then
        fail "synth: the lab is not running (tests/lab/lab.sh up)"
    fi
    rm -rf "$SYN" "$LAB/synth.txt" "$LAB/nginx/synth"
    mkdir -p "$SYN/children" "$SYN/keys"
    : >"$SYN/children.signed"
    : >"$SYN/children.unsigned"
    : >"$SYN/sts.names"

    say "synth: $n domains dNNNNN.synth.example"
    gen_synth "$n"
    sign_synth_children
    # synth.example: its records, the delegations of its children (NS is in the
    # body) and their DS
    local zf=$SYN/synth.example.zone
    { zone_header synth.example
      cat "$SYN/synth.example.body"
      find "$SYN/children" -name '*.ds' -exec cat {} +; } >"$zf"
    ds=$(KEYS=$SYN/keys sign_zone synth.example "$zf")
    printf 'synth.example.\tIN\tNS\tns1.example.\n%s\n' "$ds" >"$SYN/example.delegations"
    write_example_zone "$ZONES/example.zone" "$ZONES/src/example.delegations" "$SYN/example.delegations"
    resign_zone example "$ZONES/example.zone"

    # NSD: the zones of `up` and ours; restart (remote control is off, and a
    # SIGHUP does not add zones)
    mapfile -t NSD_ZONES <"$LAB/nsd/zones.base"
    NSD_ZONES+=("synth.example:$zf.signed")
    while read -r z; do NSD_ZONES+=("$z:$SYN/children/$z.zone.signed"); done <"$SYN/children.signed"
    while read -r z; do NSD_ZONES+=("$z:$SYN/children/$z.zone"); done <"$SYN/children.unsigned"
    write_nsd_conf
    gen_synth_nginx
    stop_pidfile nsd "$LAB/nsd/nsd.pid"
    start_nsd
    first=$(head -1 "$LAB/synth.txt")
    dig +norec +dnssec @"$DNS_IP" "$first" MX | grep -q RRSIG ||
        fail "synth: no signed answer for $first MX (tests/lab/lab.sh up restores the lab)"
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
    say "synth: $n domains ($(grep -c . "$SYN/children.signed") + $(grep -c . "$SYN/children.unsigned") zones of their own," \
        "$(grep -c . "$SYN/sts.names") with MTA-STS) in $((SECONDS - t0)) s; list: build/lab/synth.txt"
}

lab_rearm() {
    local pf=$LAB/smtpd.pid
    if ! [[ -s $pf ]] || ! alive "$(cat "$pf")"; then fail "rearm: lab-smtpd is not running"; fi
    kill -USR1 "$(cat "$pf")"
}

# ------------------------------------------------------------------ start / check

wait_dns() {
    local i
    for i in $(seq 50); do
        if dig +norec +time=1 +tries=1 @"$DNS_IP" . SOA 2>/dev/null | grep -q 'status: NOERROR'; then
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
    need nsd nsd-checkconf ldns-keygen ldns-signzone ldns-key2ds nginx openssl dig awk sed ss
    lab_down
    # wait until the old servers' sockets are really gone
    local _
    for _ in $(seq 50); do
        ss -Hltnu 2>/dev/null | grep -Eq " ($DNS_IP:53|$WEB_IP:443|127\.25\.0\.[0-9]+:25|\[::1\]:25) " || break
        sleep 0.1
    done
    rm -rf "$LAB"
    mkdir -p "$LAB"

    if [[ ! -x $SMTPD || $SRC/smtpd.c -nt $SMTPD ]]; then
        say "building build/lab-smtpd"
        make -s -C "$ROOT" build/lab-smtpd || fail "could not build build/lab-smtpd"
    fi

    say "certificates"; gen_certs
    say "zones (fresh keys, signing)"; gen_zones
    write_nsd_conf
    # the zones of `up`, for lab.sh synth (which adds its own)
    printf '%s\n' "${NSD_ZONES[@]}" >"$LAB/nsd/zones.base"
    gen_nginx
    gen_smtpd_conf

    UP_STARTED=1
    start_nsd

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
    say "up in $((SECONDS - t0)) s: dns $DNS_IP, smtp 127.25.0.10-35 + [::1], https $WEB_IP"
    say "scanner flags: --root-hints build/lab/root.hints --trust-anchor build/lab/root.key --ca-file build/lab/ca.pem"
}

lab_status() {
    local name pf
    for name in nsd:"$LAB/nsd/nsd.pid" smtpd:"$LAB/smtpd.pid" nginx:"$LAB/nginx/nginx.pid"; do
        pf=${name#*:}
        if [[ -s $pf ]] && kill -0 "$(cat "$pf")" 2>/dev/null; then
            echo "${name%%:*}: running ($(cat "$pf"))"
        else
            echo "${name%%:*}: stopped"
        fi
    done
    if [[ -s $LAB/synth.txt ]]; then
        echo "synth: $(grep -c . "$LAB/synth.txt") domains (build/lab/synth.txt)"
    fi
}

case ${1:-} in
up)     lab_up ;;
down)   lab_down ;;
status) lab_status ;;
rearm)  lab_rearm ;;
synth)  [[ $# -le 2 ]] || { echo "usage: $0 synth [N]" >&2; exit 2; }
        lab_synth "${2:-10000}" ;;
*)      echo "usage: $0 up|down|status|rearm|synth [N]" >&2; exit 2 ;;
esac
