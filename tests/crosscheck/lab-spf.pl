#!/usr/bin/perl
# lab-spf.pl - the SPF half of tests/crosscheck-lab.sh: Debian's Mail::SPF
# (libmail-spf-perl, nobody here wrote it) evaluates every domain named on
# standard input, asking the validating resolver at $ARGV[0] (Net::DNS).
#
# The client is 203.0.113.9 (TEST-NET-3, in no lab record), HELO
# crosscheck.invalid, MAIL FROM postmaster@DOMAIN: no mechanism matches, so
# the result is the record's final say and maps to mailscan's policy verdict:
#   fail, softfail (-all, ~all)                    -> pass
#   pass (+all), neutral (?all, no all), none      -> fail
#   permerror (multiple, syntax, limits)           -> fail
#   temperror (DNS failure)                        -> error
# Output, tab separated: domain, Mail::SPF result, mapped verdict, the
# result's text (which names the limit for permerrors).
use strict;
use warnings;
use Mail::SPF;
use Net::DNS;

my $ns = shift // '127.53.0.61';
my $timeout = shift // 8;
my $res = Net::DNS::Resolver->new(
	nameservers => [$ns], port => 53, recurse => 1, dnsrch => 0, defnames => 0,
	udp_timeout => $timeout, tcp_timeout => $timeout, retry => 1, retrans => $timeout,
	persistent_udp => 0);
# RFC 7208 §4.6.4: 10 DNS-querying terms, 2 void lookups (Mail::SPF's
# defaults, named here so that the limits are the ones compared)
my $server = Mail::SPF::Server->new(
	dns_resolver => $res, max_dns_interactive_terms => 10,
	max_void_dns_lookups => 2, hostname => 'crosscheck.invalid');
my %map = (fail => 'pass', softfail => 'pass', pass => 'fail', neutral => 'fail',
	none => 'fail', permerror => 'fail', temperror => 'error');
$| = 1;
while (my $d = <STDIN>) {
	chomp $d;
	next if $d eq '';
	my ($code, $text) = ('temperror', '');
	eval {
		my $req = Mail::SPF::Request->new(
			versions => [1], scope => 'mfrom', identity => "postmaster\@$d",
			ip_address => '203.0.113.9', helo_identity => 'crosscheck.invalid');
		my $r = $server->process($req);
		$code = $r->code;
		$text = $r->can('local_explanation') ? $r->local_explanation : "$r";
		1;
	} or do { ($text = "exception: $@") =~ s/\s+/ /g; };
	$text //= '';
	$text =~ s/[\t\n]+/ /g;
	print join("\t", $d, $code, $map{$code} // 'error', $text), "\n";
}
