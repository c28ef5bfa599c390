#!/usr/bin/perl
# lab-dmarc.pl - the DMARC half of tests/crosscheck-lab.sh: Debian's
# Mail::DMARC (libmail-dmarc-perl, nobody here wrote it) discovers the
# policy of every domain named on standard input (PurePerl::discover_policy:
# _dmarc.DOMAIN, else _dmarc.ORGDOMAIN by its public suffix list, RFC 7489
# §6.6.3), asking the validating resolver at $ARGV[0] (Net::DNS).
# The public suffix list is the one of its configuration
# (MAIL_DMARC_CONFIG_FILE, set by the caller).
#
# Mapped to mailscan's verdict (RFC 7489 and mailscan's rule):
#   From domain not in the DNS (exists_in_dns, validate()'s first step) -> error
#   no record, several records, a record Mail::DMARC rejects    -> fail
#   p (sp when the record came from the organisational domain)
#     none, or pct < 100, or a rua destination the §7.1
#     check (verify_external_reporting) does not authorise      -> warn
#   reject or quarantine, pct 100, every rua authorised         -> pass
# Output, tab separated: domain, what Mail::DMARC found (none, multiple,
# invalid, or the policy as p/sp/pct/where), mapped verdict, detail.
use strict;
use warnings;
use Mail::DMARC::PurePerl;
use Net::DNS;

my $ns = shift // '127.53.0.61';
my $timeout = shift // 8;
my $res = Net::DNS::Resolver->new(
	nameservers => [$ns], port => 53, recurse => 1, dnsrch => 0, defnames => 0,
	udp_timeout => $timeout, tcp_timeout => $timeout, retry => 1, retrans => $timeout);
$SIG{__WARN__} = sub {};    # Policy::parse warns on bad tags
$| = 1;
while (my $d = <STDIN>) {
	chomp $d;
	next if $d eq '';
	my ($found, $verdict, $detail) = ('error', 'error', '');
	eval {
		my $dm = Mail::DMARC::PurePerl->new;
		$dm->set_resolver($res);
		$dm->header_from($d);
		my $org = $dm->get_organizational_domain($d);
		# validate()'s first step: is the From domain (or its
		# organisational domain) in the DNS at all (MX, NS, A, AAAA)
		if (!$dm->exists_in_dns) {
			my $e = $res->errorstring // '';
			($found, $verdict, $detail) = ('not-in-dns', 'error', "orgdomain $org; resolver: $e");
			return 1;
		}
		$res->errorstring('');
		my $pol = $dm->discover_policy;
		my $perr = $@ // '';
		my $dnserr = $res->errorstring // '';
		$dnserr = '' if $dnserr =~ /^(NOERROR|NXDOMAIN|unknown error or no error)$/;
		my $comment = '';
		if (my $r = $dm->result->reason) {
			$comment = join ' ', map { $_->comment // '' } @$r;
		}
		$detail = "orgdomain $org";
		$detail .= "; resolver: $dnserr" if $dnserr;
		if (!$pol) {
			if (($dm->result->result // '') eq 'none' && $comment =~ /no policy/) {
				($found, $verdict) = ('none', 'fail');
			} elsif ($comment =~ /too many/) {
				($found, $verdict) = ('multiple', 'fail');
			} else {
				($found, $verdict) = ('invalid', 'fail');
				(my $e = $comment || $perr) =~ s/\s+/ /g;
				$detail .= "; $e";
			}
			return 1;
		}
		my $at = $pol->domain // $d;
		my $from_org = lc($at) ne lc($d);
		my $p = lc($pol->p // '');
		my $sp = defined $pol->sp ? lc $pol->sp : undef;
		my $eff = $from_org && defined $sp ? $sp : $p;
		my $pct = defined $pol->pct ? $pol->pct : 100;
		my ($nrua, $nok) = (0, 0);
		if ($pol->rua) {
			$nrua = scalar @{ $dm->report->uri->parse($pol->rua) };
			$nok = scalar($dm->get_valid_reporting_uri($pol->rua));
		}
		$found = "p=$p" . (defined $sp ? " sp=$sp" : '') . " pct=$pct" .
			($from_org ? " (from $at)" : '');
		$detail .= "; rua $nok/$nrua authorised" if $nrua;
		if ($eff eq 'none' || $pct < 100 || $nok < $nrua) {
			$verdict = 'warn';
		} elsif ($eff eq 'reject' || $eff eq 'quarantine') {
			$verdict = 'pass';
		} else {
			$verdict = 'fail';
		}
		1;
	} or do { ($detail = "exception: $@") =~ s/\s+/ /g; };
	$detail =~ s/[\t\n]+/ /g;
	print join("\t", $d, $found, $verdict, $detail), "\n";
}
