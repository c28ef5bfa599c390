#!/bin/sh
# run.sh - build the libFuzzer harnesses into build/fuzz/ and run each one
# for a fixed number of runs (bounded: FUZZ_RUNS, default 2000000, -1 for no
# cap, and at most FUZZ_SECONDS, default 20, each). Prints per harness the
# executions, coverage (edges "cov", features "ft"), the corpus size and the
# findings. Exits non-zero when a harness fails to build or finds a crash
# (the input is saved in build/fuzz/artifacts/).
#
#   tests/fuzz/run.sh                 all harnesses
#   tests/fuzz/run.sh fuzz_mtasts     one of them
#
# Corpus: each harness reads the seeds in tests/fuzz/corpus/NAME (small
# files, kept in git) and the built-in ones below, and writes what it finds
# to build/fuzz/corpus/NAME; with FUZZ_CORPUS=DIR (make fuzz: the long runs)
# new inputs go to DIR/NAME instead, so tests/fuzz/corpus grows with them.
# The harnesses that need more than one parser link the instrumented
# library, build/fuzz/libmailscan.a (make fuzz-lib).
set -eu

cd "$(dirname "$0")/../.."
CLANG=${CLANG:-clang}
RUNS=${FUZZ_RUNS:-2000000}
SECONDS_MAX=${FUZZ_SECONDS:-20}
OUT=build/fuzz
FLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -Wall -Wextra -Werror
	-fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
BASE="base/buf.c base/str.c"
PKGS="libunbound openssl libcurl sqlite3 yaml-0.1 libevent libidn2 libpsl rtrlib"

mkdir -p "$OUT/artifacts"

# name, then the probe sources it needs
build() {
	name=$1
	shift
	# shellcheck disable=SC2086
	"$CLANG" $FLAGS "tests/fuzz/$name.c" "$@" $BASE -o "$OUT/$name"
}

# name: a harness against the whole instrumented library
build_lib() {
	# shellcheck disable=SC2046,SC2086
	"$CLANG" $FLAGS $(pkg-config --cflags $PKGS) "tests/fuzz/$1.c" "$OUT/libmailscan.a" \
		$(pkg-config --libs $PKGS) -o "$OUT/$1"
}

# A few valid inputs to start from, one file each.
seed() {
	dir=$OUT/seeds/$1
	shift
	mkdir -p "$dir"
	i=0
	for s in "$@"; do
		printf '%b' "$s" >"$dir/seed$i"
		i=$((i + 1))
	done
}

seed fuzz_smtp_reply \
	'\001220 mx.example.com ESMTP\r\n' \
	'\005250-mx.example.com\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 SIZE 1000\r\n' \
	'\000250-a\n250 b\n220 next\r\n'
seed fuzz_mtasts \
	'version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 86400\n' \
	'version: STSv1\r\nmode: none\r\nmax_age: 0' \
	'v=STSv1; id=20160831085700Z; ext=1;'
seed fuzz_ncsc_hello \
	'\026\003\003\000\065\002\000\000\061\003\003AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\000\300\057\000\000\011\377\001\000\001\000\000\027\000\000' \
	'\025\003\003\000\002\002\050' \
	'454 4.7.0 TLS not available\r\n'
# dns: type byte (0 = MX, secure in the high bits) + a reply to a.example MX
seed fuzz_dns_reply \
	'\040\022\064\201\200\000\001\000\001\000\000\000\000\001a\007example\000\000\017\000\001\001a\007example\000\000\017\000\001\000\000\001\054\000\011\000\012\002mx\001a\000' \
	'\001\022\064\201\203\000\001\000\000\000\000\000\000\001a\007example\000\000\001\000\001'
# dns stub: type byte (1 = A, 0 = MX), the ID asked (0x1234), a reply to a.example:
# an answer and a SERVFAIL with an Extended DNS Error 6 in the OPT record, a bare SERVFAIL
seed fuzz_dns_stub \
	'\001\022\064\022\064\201\240\000\001\000\001\000\000\000\001\001a\007example\000\000\001\000\001\300\014\000\001\000\001\000\000\001\054\000\004\300\000\002\001\000\000\051\004\320\000\000\200\000\000\027\000\017\000\023\000\006signature expired' \
	'\001\022\064\022\064\201\202\000\001\000\000\000\000\000\001\001a\007example\000\000\001\000\001\000\000\051\004\320\000\000\200\000\000\027\000\017\000\023\000\006signature expired' \
	'\000\022\064\022\064\201\202\000\001\000\000\000\000\000\000\001a\007example\000\000\017\000\001'
seed fuzz_tlsrpt \
	'v=TLSRPTv1; rua=mailto:reports@example.com' \
	'v=TLSRPTv1;rua=mailto:a@example.com,https://r.example.com:8443/x; ext=v;'
# spf: the whole input is parsed; then each line answers the evaluator's next
# question (first byte: status mod 5, 0 = ok; TXT records split at \001)
seed fuzz_spf \
	'\000v=spf1 include:a.example redirect=r.example\n\000v=spf1 a mx:m.example ?all\n\010\n\002\n\000v=spf1 -all' \
	'\000v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a:x.example/24//64 exists:%{i}.%{d2r}.e.example ~all\n\001' \
	'\000v=spf1 include:f.example -all\001v=spf1 +all' \
	'\000v=spf1 -all exp=%{d}.x.example foo=%{c}'

# dmarc: a domain, then up to three TXT records, one a line
seed fuzz_dmarc \
	'example.nl\nv=DMARC1; p=reject; rua=mailto:d@example.nl' \
	'mail.example.nl\nv=spf1 -all\nv=DMARC1; p=none; sp=quarantine; pct=50; fo=1:d; rf=afrf; ri=3600' \
	'example.nl\nv=DMARC1; p=quarantine; rua=mailto:a@dmarc.example.com!10m,https://r.example.net/; ruf=mailto:f@b%C3%BCcher.de' \
	'sub.example.co.uk\nv=DMARC1; rua=mailto:x@example.org\nv=DMARC1; p=reject'
# dkim: a key record (also read as a --dkim-selectors file)
seed fuzz_dkim \
	'v=DKIM1; k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAN+zdryjl8d6im+BstiSa2ZQLe3x3Zw8xJs828zlo/sieshZjxNpGnnD6namBkTTVmJ6aWQLfAJVAVPcFVxz3YkCAwEAAQ==' \
	'v=DKIM1; k=ed25519; t=y:s; h=sha256; s=email; p=xWqNU/gKt/OAx3LEf+g9oryfTgF3U6tMe7smjBPg6ts=' \
	'v=DKIM1; p=' \
	'# selectors\nexample.nl s1,s2\nother.nl k1 # x\nexample.nl s3\n'
# rpki: first byte mod 3 = the parser: \000 Cymru (address line, TXT lines),
# \001 --bgp-table, \002 --rpki-vrps JSON
seed fuzz_rpki \
	'\000192.0.2.1\n64496 64497 | 192.0.2.0/24 | NL | ripencc | 2001-01-01\n64500 | 192.0.0.0/16 | NL | ripencc |' \
	'\0002001:db8::1\n64498 | 2001:db8::/32 | NL | ripencc |' \
	'\001# routes\n192.0.2.0/24 AS64496\n192.0.0.0/16 64500\n2001:db8::/32 AS64497\n' \
	'\002{"roas":[{"asn":"AS64496","prefix":"192.0.2.0/24","maxLength":24,"ta":"ripe"},{"asn":1,"prefix":"2001:db8::/32"}]}'

targets=${*:-fuzz_smtp_reply fuzz_mtasts fuzz_tlsrpt fuzz_spf fuzz_dmarc fuzz_dkim fuzz_ncsc_hello fuzz_dns_reply fuzz_dns_stub
	fuzz_rpki fuzz_targets fuzz_config fuzz_explain fuzz_cert fuzz_report}
case " $targets " in
*" fuzz_targets "* | *" fuzz_config "* | *" fuzz_explain "* | *" fuzz_cert "* | *" fuzz_report "*)
	make -s fuzz-lib FUZZ_CC="$CLANG" >/dev/null
	;;
esac
status=0
passed=0
failed=0
for t in $targets; do
	case $t in
	fuzz_smtp_reply) build "$t" probes/smtp_reply.c ;;
	fuzz_mtasts) build "$t" probes/mtasts_policy.c probes/txt_record.c ;;
	fuzz_tlsrpt) build "$t" probes/tlsrpt_record.c probes/txt_record.c ;;
	fuzz_spf) build "$t" probes/spf_record.c probes/reason.c probes/txt_record.c base/json.c ;;
	fuzz_dmarc) build "$t" probes/dmarc_record.c probes/taglist.c probes/txt_record.c base/json.c -lpsl -lidn2 ;;
	fuzz_dkim) build "$t" probes/dkim_record.c probes/taglist.c probes/txt_record.c base/json.c -lcrypto ;;
	fuzz_ncsc_hello) build "$t" probes/ncsc_hello.c ;;
	fuzz_dns_reply) build "$t" probes/dns_wire.c ;;
	fuzz_dns_stub) build "$t" probes/dns_stub.c probes/dns_wire.c base/log.c -levent ;;
	fuzz_rpki) build "$t" probes/rpki_data.c -lrtr -lsqlite3 ;;
	fuzz_targets | fuzz_config | fuzz_explain | fuzz_cert | fuzz_report) build_lib "$t" ;;
	*)
		echo "run.sh: unknown harness $t" >&2
		exit 2
		;;
	esac
	corpus=${FUZZ_CORPUS:-$OUT/corpus}/$t
	mkdir -p "$corpus" "$OUT/seeds/$t" "tests/fuzz/corpus/$t"
	echo "== $t: $RUNS runs, at most ${SECONDS_MAX}s"
	before=$(find "$OUT/artifacts" -name "$t-*" | wc -l)
	# -close_fd_mask=2: the readers print every invalid entry on stderr;
	# libFuzzer and the sanitizers still report on the original one.
	if ! "$OUT/$t" -runs="$RUNS" -max_total_time="$SECONDS_MAX" -max_len=4096 \
		-close_fd_mask=2 -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$t-" \
		"$corpus" "$OUT/seeds/$t" "tests/fuzz/corpus/$t" 2>"$OUT/$t.log"; then
		tail -n 40 "$OUT/$t.log" >&2
		echo "== $t: FAILED (log: $OUT/$t.log)" >&2
		status=1
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
	# the figures: the last status line, the final stats
	last=$(grep -E '^#[0-9]+' "$OUT/$t.log" | tail -n 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/$t.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$OUT/$t.log")
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$OUT/$t.log")
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')
	found=$(($(find "$OUT/artifacts" -name "$t-*" | wc -l) - before))
	echo "== $t: ${execs:-?} executions (${rate:-?}/s), cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, peak RSS ${rss:-?} MB, findings $found"
done
echo "$passed passed, $failed failed"
exit $status
