#!/usr/bin/env bash
# A validating resolver for the lab: Debian's unbound daemon on 127.53.0.53:53,
# recursing from the lab's private root (build/lab/root.hints) and validating
# with the lab's root key (build/lab/root.key). It is what `mailscan
# --resolver 127.53.0.53` asks in stub mode (probes/dns_stub.c), sized the way
# a national run needs it.
#
#   tests/lab/resolver.sh up      start it (the lab must be up); idempotent
#   tests/lab/resolver.sh down    stop it (idempotent)
#   tests/lab/resolver.sh status  say whether it runs
#
# Files: build/lab/unbound/{unbound.conf,unbound.pid,unbound.log,inputs.sum}.
#
# `tests/lab/lab.sh up` makes fresh keys every time (and removes build/lab, this
# directory with it), so a resolver started before it holds a stale trust
# anchor and a stale cache: `up` here restarts it whenever root.key,
# root.hints or the configuration changed, and finds a resolver whose pid file
# went with build/lab by its listening socket (only an unbound started with
# this script's configuration path is stopped).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=$ROOT/build/lab
DIR=$LAB/unbound
CONF=$DIR/unbound.conf
PIDFILE=$DIR/unbound.pid
LOGFILE=$DIR/unbound.log
SUMFILE=$DIR/inputs.sum
IP=127.53.0.53
PORT=53

say()  { printf 'resolver: %s\n' "$*"; }
fail() { printf 'resolver: ERROR: %s\n' "$*" >&2; exit 1; }

# running and not a zombie
alive() { # PID
    kill -0 "$1" 2>/dev/null || return 1
    local st
    st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $st && $st != Z ]]
}

# Is PID an unbound started with our configuration file?
ours() { # PID
    local cmd
    cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
    [[ $cmd == *unbound* && $cmd == *"$CONF"* ]]
}

# pids of the processes that hold UDP IP:PORT
listeners() {
    ss -Hlunp "src $IP:$PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u || true
}

# Does it answer the root SOA, validated (AD)? [TRIES of 0.1 s]; the last
# dig output is left in $LAST.
LAST=
answers() {
    for _ in $(seq "${1:-1}"); do
        LAST=$(dig +time=1 +tries=1 +dnssec @"$IP" -p "$PORT" . SOA 2>&1) || true
        if grep -q 'status: NOERROR' <<<"$LAST" && grep -Eq '^;; flags:[a-z ]* ad[ ;]' <<<"$LAST"; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

stop_pid() { # PID
    local pid=$1
    alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        alive "$pid" || break
        sleep 0.05
    done
    if alive "$pid"; then
        say "unbound ($pid) did not stop, killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped unbound ($pid)"
}

resolver_down() {
    local pid
    if [[ -s $PIDFILE ]]; then
        pid=$(cat "$PIDFILE")
        if [[ $pid =~ ^[0-9]+$ ]] && ours "$pid"; then stop_pid "$pid"; fi
        rm -f "$PIDFILE"
    fi
    # one whose pid file was removed with build/lab (lab.sh up)
    for pid in $(listeners); do
        if ours "$pid"; then stop_pid "$pid"; fi
    done
    rm -f "$SUMFILE"
}

# A running resolver of ours, started from the same inputs?
running_current() {
    local pid
    [[ -s $PIDFILE && -s $SUMFILE ]] || return 1
    pid=$(cat "$PIDFILE")
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" && ours "$pid" || return 1
    [[ $(inputs_sum) == "$(cat "$SUMFILE")" ]] || return 1
    answers 10
}

inputs_sum() {
    cat "$LAB/root.key" "$LAB/root.hints" "$CONF" 2>/dev/null | sha256sum | cut -d' ' -f1
}

write_conf() {
    local tmp=$CONF.tmp
    cat >"$tmp" <<EOF
# Written by tests/lab/resolver.sh; regenerated on every \`up\`.
server:
    verbosity: 1
    use-syslog: no
    logfile: "$LOGFILE"
    log-servfail: yes
    pidfile: "$PIDFILE"
    directory: "$DIR"
    username: ""
    chroot: ""
    do-daemonize: yes

    interface: $IP
    port: $PORT
    access-control: 0.0.0.0/0 refuse
    access-control: 127.0.0.0/8 allow
    # the lab is IPv4 on 127.0.0.0/8: never ask anything else
    do-ip6: no
    do-not-query-localhost: no

    # the lab's private root, validated with the lab's root key (a static
    # anchor: RFC 5011 tracking would need a writable, long-lived key file)
    root-hints: "$LAB/root.hints"
    trust-anchor-file: "$LAB/root.key"
    # no RFC 8145 key-tag queries to the root (noise in the lab's logs)
    trust-anchor-signaling: no
    # why a validation failed: in the log, and as an Extended DNS Error (RFC
    # 8914) in the SERVFAIL the stub client reads
    val-log-level: 2
    ede: yes

    # sizes for a national run (tens of thousands of domains, a few queries
    # each, many one-off zones on few providers' name servers)
    num-threads: 2
    so-reuseport: yes
    msg-cache-slabs: 2
    rrset-cache-slabs: 2
    infra-cache-slabs: 2
    key-cache-slabs: 2
    msg-cache-size: 256m
    rrset-cache-size: 512m
    key-cache-size: 64m
    neg-cache-size: 32m
    infra-cache-numhosts: 200000
    outgoing-range: 8192
    num-queries-per-thread: 4096
    outgoing-num-tcp: 64
    incoming-num-tcp: 256
    # as probes/dns.c does: a query per label buys a scanner nothing
    qname-minimisation: no

remote-control:
    control-enable: no
EOF
    mv "$tmp" "$CONF"
}

# Debian's package starts a system unbound on 127.0.0.1:53 when installed;
# the lab does not want it there.
install_unbound() {
    command -v unbound >/dev/null 2>&1 && return 0
    [[ $(id -u) -eq 0 ]] || fail "unbound is not installed (apt-get install unbound, as root)"
    say "installing unbound"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold unbound >&2 ||
        fail "apt-get install unbound failed"
    if ss -Hlunp 'sport = :53' 2>/dev/null | grep -q 'unbound'; then
        say "stopping the system unbound the package started"
        if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet unbound 2>/dev/null; then
            systemctl stop unbound || true
            systemctl disable unbound 2>/dev/null || true
        elif command -v service >/dev/null 2>&1; then
            service unbound stop >/dev/null 2>&1 || true
        fi
    fi
    command -v unbound >/dev/null 2>&1 || fail "unbound still missing after apt-get install"
}

lab_is_up() {
    local st
    # (captured first: grep -q on the pipe would end lab.sh with SIGPIPE)
    st=$("$ROOT/tests/lab/lab.sh" status 2>/dev/null) || return 1
    grep -q '^nsd: running' <<<"$st" && [[ -s $LAB/root.hints && -s $LAB/root.key ]]
}

resolver_up() {
    local pid
    lab_is_up || fail "the lab is not up (tests/lab/lab.sh up first)"
    install_unbound
    command -v dig >/dev/null 2>&1 || fail "missing tool 'dig' (run tests/setup.sh)"
    mkdir -p "$DIR"
    write_conf
    if running_current; then
        say "up on $IP"
        return 0
    fi
    resolver_down >/dev/null
    # anything else on the address (so-reuseport would let us share it)
    for pid in $(listeners); do
        fail "$IP:$PORT is held by another process ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || echo "pid $pid"))"
    done
    unbound-checkconf "$CONF" >"$DIR/checkconf.log" 2>&1 ||
        { cat "$DIR/checkconf.log" >&2; fail "unbound-checkconf refused $CONF"; }
    : >"$LOGFILE"
    # two threads, 8192 outgoing ports each
    ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    unbound -c "$CONF" 2>"$DIR/start.log" ||
        { cat "$DIR/start.log" "$LOGFILE" >&2 2>/dev/null; fail "unbound did not start"; }
    for _ in $(seq 50); do [[ -s $PIDFILE ]] && break; sleep 0.1; done
    [[ -s $PIDFILE ]] || fail "unbound wrote no pid file ($LOGFILE)"
    if ! answers 50; then
        tail -n 20 "$LOGFILE" >&2 || true
        grep -E '^;; (->>HEADER|flags)|EDE|timed out' <<<"$LAST" >&2 || true
        resolver_down >/dev/null
        fail "unbound on $IP does not answer . SOA validated (NOERROR with AD): see above"
    fi
    inputs_sum >"$SUMFILE"
    say "up on $IP"
}

resolver_status() {
    if [[ -s $PIDFILE ]] && alive "$(cat "$PIDFILE")" && ours "$(cat "$PIDFILE")"; then
        echo "resolver: running ($(cat "$PIDFILE")) on $IP"
    else
        echo "resolver: stopped"
    fi
}

case ${1:-} in
up)     resolver_up ;;
down)   resolver_down ;;
status) resolver_status ;;
*)      echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
