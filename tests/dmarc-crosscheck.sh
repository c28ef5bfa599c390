#!/bin/sh
# dmarc-crosscheck.sh - compare probes/dmarc_record.c with Mail::DMARC
# (Debian's libmail-dmarc-perl, a DMARC implementation nobody here wrote)
# on the unit tests' record strings and on a list of organisational
# domains. Not part of "make test": it needs the Perl module
# (apt-get install libmail-dmarc-perl) and prints an agreement count;
# every disagreement is listed with both answers, to be explained.
#
#   tests/dmarc-crosscheck.sh          exit 0 when it ran (disagreements
#                                      are reported, not failures)
set -eu

cd "$(dirname "$0")/.."
OUT=build/crosscheck
mkdir -p "$OUT"
perl -MMail::DMARC::PurePerl -e 1 2>/dev/null || {
	echo "dmarc-crosscheck: Mail::DMARC missing (apt-get install libmail-dmarc-perl)" >&2
	exit 2
}
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra -Werror \
	-o "$OUT/dmarc_dump" tests/crosscheck/dmarc_dump.c probes/dmarc_record.c \
	probes/taglist.c probes/txt_record.c base/json.c base/buf.c base/str.c \
	$(pkg-config --cflags --libs libpsl libidn2)

"$OUT/dmarc_dump" records | sort -u >"$OUT/records.tsv"

# Names whose organisational domain is compared: the unit tests' and some
# that exercise wildcard, exception and private rules of the list.
cat >"$OUT/names.txt" <<'NAMES'
example.nl
www.rijksoverheid.nl
a.b.c.minbzk.nl
mail.example.co.uk
x.y.example.gov.uk
co.uk
sub.xn--bcher-kva.de
mail.example.nl
dmarc.example.com
rep.example.co.uk
www.belastingdienst.nl
post.gemeente.amsterdam
foo.blogspot.com
a.b.kawasaki.jp
www.city.kawasaki.jp
x.s3.amazonaws.com
example.nl.eu.org
a.b.c.d.e.politie.nl
mx.overheid.nl
www.example.com.au
NAMES
"$OUT/dmarc_dump" org <"$OUT/names.txt" >"$OUT/org.tsv"

perl -MMail::DMARC::Policy -MMail::DMARC::PurePerl -e '
use strict; use warnings;
my ($recs, $orgs) = @ARGV;
my ($n, $agree) = (0, 0);
my @diff;
$SIG{__WARN__} = sub {};    # Policy::parse warns on every bad tag
open my $fh, "<", $recs or die;
while (<$fh>) {
	chomp;
	my ($hex, $sel, $valid, $p, $sp, $pct) = split /\t/;
	my $txt = $hex eq "-" ? "" : pack("H*", $hex);
	# Mail::DMARC: discovery keeps records starting "v=dmarc1" (any case,
	# PurePerl::fetch_dmarc_record); Policy->new validates v and p; the
	# other tags are validated by their setters (Policy.pm), run here.
	my $tsel = lc(substr($txt, 0, 8)) eq "v=dmarc1" ? 1 : 0;
	my ($tvalid, $tp, $tsp, $tpct) = (0, "-", "-", "-");
	my $pol = eval { Mail::DMARC::Policy->new($txt) };
	if ($pol && $tsel) {
		my $ok = eval {
			for my $t (qw(sp adkim aspf fo rua ruf rf ri pct)) {
				$pol->$t($pol->{$t}) if defined $pol->{$t};
			}
			1;
		};
		if ($ok) {
			$tvalid = 1;
			$tp = lc $pol->{p};
			$tsp = defined $pol->{sp} ? lc $pol->{sp} : "-";
			$tpct = defined $pol->{pct} ? $pol->{pct} + 0 : 100;
		}
	}
	my $ours = "sel=$sel valid=$valid p=$p sp=$sp pct=$pct";
	my $them = "sel=$tsel valid=$tvalid p=$tp sp=$tsp pct=$tpct";
	$n++;
	if ($ours eq $them) { $agree++ } else { push @diff, "  record \"$txt\"\n    mailscan:    $ours\n    Mail::DMARC: $them\n" }
}
close $fh;
print "records: $agree of $n agree (selection, valid/invalid, p, sp, pct)\n";
print @diff;
my $md = Mail::DMARC::PurePerl->new;
my ($on, $oagree) = (0, 0);
my @odiff;
open $fh, "<", $orgs or die;
while (<$fh>) {
	chomp;
	my ($name, $ours) = split /\t/;
	my $them = eval { $md->get_organizational_domain($name) } // "-";
	$on++;
	if ($ours eq $them) { $oagree++ } else { push @odiff, "  $name: mailscan $ours, Mail::DMARC $them\n" }
}
print "organisational domains: $oagree of $on agree\n";
print @odiff;
' "$OUT/records.tsv" "$OUT/org.tsv"
