#!/bin/sh
# spf-crosscheck.sh - replay every fake-DNS case of tests/unit/spf_cases.h
# (the evaluator cases of test_spf.c) through a peer nobody here wrote:
# Debian's Mail::SPF (libmail-spf-perl), with a resolver object that serves
# the case's map instead of the network (Mail::SPF::Server accepts any
# object with send() and errorstring(); anything not in the map is
# NXDOMAIN, the MX hosts of MX answers have an address).
#
# mailscan evaluates the policy for no client; Mail::SPF evaluates for one
# client. The client here is 198.51.100.99 (TEST-NET-2, in no record), so
# every mechanism fails to match and the result is the record's final say:
#   mailscan none / permerror / temperror -> the same result;
#   mailscan ok with effective all -, ~, ?, + -> fail, softfail, neutral, pass;
#   ok without all -> neutral; spf-include-pass-all -> pass (the include matches);
#   for spf-too-many-lookups, spf-too-many-void-lookups and spf-loop the
#   limit Mail::SPF names must match too (it has no loop detection: a loop
#   runs into its 10-term limit).
# The client's PTR name (client.example.org) is in no domain of the cases,
# so ptr mechanisms cost Mail::SPF a lookup but no void lookup.
# Cases whose terms use macros are compared too, but Mail::SPF expands the
# macros for its client and looks the names up, which mailscan cannot do.
#
# Needs: cc, perl, libmail-spf-perl. Not part of make test.
#   tests/spf-crosscheck.sh          one line per case, then "N agree, M differ"
set -eu
cd "$(dirname "$0")/.."
OUT=build/spf-crosscheck
mkdir -p build
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror -O1 \
	tests/spf-crosscheck.c probes/spf_record.c probes/reason.c probes/txt_record.c base/str.c base/buf.c \
	base/json.c -o "$OUT"
"$OUT" | perl -e '
use strict;
use warnings;
use Mail::SPF;
use Net::DNS;

package MapResolver;
sub new { my ($c, $map) = @_; return bless { map => $map, err => "" }, $c }
sub errorstring { return $_[0]{err} }
sub send {
	my ($self, $name, $type) = @_;
	$name = lc $name;
	$name =~ s/\.$//;
	$self->{err} = "";
	my $p = Net::DNS::Packet->new($name, $type, "IN");
	$p->header->qr(1);
	my $row = $self->{map}{"$name/$type"};
	if ($type eq "A" && $name eq "mx.example.net") {
		$p->push(answer => Net::DNS::RR->new("$name 300 IN A 192.0.2.25"));
		return $p;
	}
	# the client has a PTR name outside every domain here, so ptr
	# mechanisms look it up (no void lookup) and do not match
	if ($type eq "PTR" && $name =~ /\.in-addr\.arpa$/) {
		$p->push(answer => Net::DNS::RR->new("$name 300 IN PTR client.example.org"));
		return $p;
	}
	if ($type eq "A" && $name eq "client.example.org") {
		$p->push(answer => Net::DNS::RR->new("$name 300 IN A 198.51.100.99"));
		return $p;
	}
	if (!$row) {
		$p->header->rcode("NXDOMAIN");
		return $p;
	}
	my ($st, @v) = @$row;
	if ($st eq "timeout") { $self->{err} = "query timed out"; return undef }
	if ($st eq "error") { $p->header->rcode("SERVFAIL"); return $p }
	if ($st eq "nxdomain") { $p->header->rcode("NXDOMAIN"); return $p }
	return $p if $st eq "nodata";
	for my $v (@v) {
		my $rr;
		if ($type eq "TXT") {
			$rr = Net::DNS::RR->new(name => $name, type => "TXT", ttl => 300, txtdata => $v);
		} elsif ($type eq "MX") {
			$rr = Net::DNS::RR->new("$name 300 IN MX 10 mx.example.net");
		} elsif ($type eq "A") {
			$rr = Net::DNS::RR->new("$name 300 IN A $v");
		} else {
			next;
		}
		$p->push(answer => $rr);
	}
	return $p;
}

package main;
my ($agree, $differ) = (0, 0);
my @cases;
my $cur;
while (my $line = <STDIN>) {
	chomp $line;
	my @f = split /\t/, $line, -1;
	if ($f[0] eq "case") {
		$cur = { label => $f[1], domain => $f[2], status => $f[3], code => $f[4],
			 all => $f[5], map => {}, macro => 0 };
	} elsif ($f[0] eq "rr") {
		$cur->{map}{"$f[1]/$f[2]"} = [ @f[3 .. $#f] ];
		$cur->{macro} = 1 if grep { /%\{/ } @f[4 .. $#f];
	} elsif ($f[0] eq "end") {
		push @cases, $cur;
	}
}
for my $c (@cases) {
	my $want;
	if ($c->{status} ne "ok") {
		$want = $c->{status};
	} elsif ($c->{code} eq "spf-include-pass-all") {
		$want = "pass";
	} else {
		$want = { "-" => "fail", "~" => "softfail", "?" => "neutral", "+" => "pass",
			  "0" => "neutral" }->{ $c->{all} };
	}
	my $server = Mail::SPF::Server->new(dns_resolver => MapResolver->new($c->{map}));
	my $request = Mail::SPF::Request->new(scope => "mfrom",
		identity => "postmaster\@$c->{domain}", ip_address => "198.51.100.99");
	my $result = $server->process($request);
	my $got = $result->code;
	my $text = $result->can("local_explanation") ? $result->local_explanation : "$result";
	$text =~ s/\s+/ /g;
	# for the limits, the reason must agree as well; Mail::SPF has no loop
	# detection, so a loop shows there as the 10-term limit
	my %class = ("spf-too-many-lookups" => qr/DNS-interactive terms limit/,
		     "spf-loop" => qr/DNS-interactive terms limit/,
		     "spf-too-many-void-lookups" => qr/void DNS look-ups limit/);
	my $ok = $got eq $want;
	$ok = 0 if $ok && $class{ $c->{code} } && $text !~ $class{ $c->{code} };
	$ok ? $agree++ : $differ++;
	printf "%-6s %-50s mailscan %-9s %-26s -> %-9s Mail::SPF %-9s %s%s\n",
		$ok ? "agree" : "DIFFER", $c->{label}, $c->{status},
		$c->{code}, $want, $got, $c->{macro} ? "[macros] " : "", substr($text, 0, $ENV{SPF_XC_WIDTH} || 90);
}
print "$agree agree, $differ differ\n";
'
