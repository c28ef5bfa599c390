/*
 * advice.c - the advice table: per reason code, what is wrong and what to
 * change, in Dutch and English (see advice.h).
 *
 * Written for the administrator of the domain's DNS and mail servers. The
 * advice follows the RFCs the checks implement (DNSSEC RFC 4033-4035,
 * STARTTLS RFC 3207, DANE for SMTP RFC 7672 with RFC 7671, MTA-STS RFC 8461,
 * TLS-RPT RFC 8460, null MX RFC 7505, TLS 1.0/1.1 deprecation RFC 8996), the
 * NCSC "ICT-beveiligingsrichtlijnen voor TLS" and Forum Standaardisatie's
 * "pas toe of leg uit" list, and names them where that helps the reader.
 *
 * The rows are sorted by code (strcmp order) so advice_find can bsearch;
 * test_advice.c checks the order. Codes that are both a reason code and a
 * per-address status (starttls-rejected, tls-version-old) have one row.
 */
#include <stdlib.h>
#include <string.h>

#include "advice.h"

static const struct advice advice_rows[] = {
    {
	.code = "bad-greeting",
	.what = {"Een adres van een mailserver begroette niet met 220 (maar bijvoorbeeld met 554 "
		 "of 4xx), zodat STARTTLS daar niet getest kon worden.",
		 "An MX address did not greet with 220 (but, for example, with 554 or 4xx), so "
		 "STARTTLS could not be tested there."},
	.fix = {"Zorg dat de mailserver op poort 25 met 220 begroet; een 554- of 4xx-begroeting "
		"wijst meestal op overbelasting, onderhoud of een filter dat de scanner (en "
		"mogelijk ook echte verzenders) weigert. De serverlog noemt de oorzaak.",
		"Make sure the mail server greets with 220 on port 25; a 554 or 4xx greeting "
		"usually means overload, maintenance or a filter that refuses the scanner (and "
		"possibly real senders too). The server log names the cause."},
    },
    {
	.code = "dane-bogus",
	.what = {"De DNSSEC-validatie van de TLSA-records of de adresrecords van een MX-host "
		 "mislukt (bogus), zodat verzenders ze niet kunnen vertrouwen.",
		 "The TLSA records or the address records of an MX host fail DNSSEC validation "
		 "(bogus), so senders cannot trust them."},
	.fix = {"Herstel DNSSEC in de zone van de MX-host: vernieuw verlopen handtekeningen en "
		"laat het DS-record bij de registrar overeenkomen met de DNSKEY; controleer met "
		"DNSViz of internet.nl. Beheert een provider de mailserver, meld het dan direct: "
		"verzenders die DNSSEC valideren kunnen nu niet afleveren.",
		"Repair DNSSEC in the MX host's zone: refresh expired signatures and make the DS "
		"record at the registrar match the DNSKEY; check with DNSViz or internet.nl. If a "
		"provider runs the mail server, report it at once: senders that validate DNSSEC "
		"cannot deliver now."},
    },
    {
	.code = "dane-insecure",
	.what = {"Een MX-host, of de MX-records van het domein zelf, staat in een zone zonder "
		 "DNSSEC, waardoor DANE niet mogelijk is.",
		 "An MX host, or the domain's own MX records, is in a zone without DNSSEC, which "
		 "makes DANE impossible."},
	.fix = {"Onderteken de zone met DNSSEC (ook de zone van het domein zelf, RFC 7672 "
		"§2.2.1) en laat het DS-record via de registrar publiceren. Staat de MX-host bij "
		"een mailprovider, vraag dan om DNSSEC en DANE of kies een provider die dat "
		"biedt.",
		"Sign the zone with DNSSEC (the domain's own zone too, RFC 7672 §2.2.1) and have "
		"the registrar publish the DS record. If the MX host belongs to a mail provider, "
		"ask for DNSSEC and DANE or choose a provider that offers them."},
    },
    {
	.code = "dane-mismatch",
	.what = {"Het certificaat van een mailserver past bij geen enkel TLSA-record, meestal "
		 "omdat het certificaat of de sleutel is vervangen zonder de TLSA-records bij te "
		 "werken.",
		 "A mail server's certificate matches none of its TLSA records, usually because "
		 "the certificate or key was replaced without updating the TLSA records."},
	.fix = {"Publiceer een TLSA-record dat bij de huidige sleutel past (bijvoorbeeld 3 1 1 "
		"met de SHA-256 van de publieke sleutel) en verwijder verouderde records. Zet bij "
		"een volgende vervanging het record van de nieuwe sleutel minstens twee TTL's "
		"vóór de wissel naast het oude (RFC 7671 §8.1).",
		"Publish a TLSA record that matches the current key (for example 3 1 1 with the "
		"SHA-256 of the public key) and remove stale records. Next time, add the new "
		"key's record next to the old one at least two TTLs before the switch (RFC 7671 "
		"§8.1)."},
    },
    {
	.code = "dane-missing",
	.what = {"Een MX-host in een ondertekende zone heeft geen TLSA-records, zodat verzenders "
		 "zijn certificaat niet met DANE kunnen controleren.",
		 "An MX host in a signed zone has no TLSA records, so senders cannot authenticate "
		 "its certificate with DANE."},
	.fix = {"Publiceer op _25._tcp.<mx-host> een TLSA-record 3 1 1 met de SHA-256 van de "
		"publieke sleutel van het servercertificaat (RFC 7672), liefst met een tweede "
		"record voor de volgende sleutel. Beheert een provider de mailserver, vraag dan "
		"om DANE.",
		"Publish a TLSA record 3 1 1 with the SHA-256 of the server certificate's public "
		"key at _25._tcp.<mx-host> (RFC 7672), preferably with a second record for the "
		"next key. If a provider runs the mail server, ask them for DANE."},
    },
    {
	.code = "dane-no-tls",
	.what = {"Een mailserver met TLSA-records biedt geen STARTTLS aan of de TLS-handshake "
		 "mislukt, waardoor verzenders die DANE gebruiken er helemaal geen mail kunnen "
		 "afleveren.",
		 "A mail server with TLSA records does not offer STARTTLS or its TLS handshake "
		 "fails, so senders that use DANE cannot deliver mail to it at all."},
	.fix = {"Herstel met spoed STARTTLS met een werkend certificaat op deze server; lukt dat "
		"niet snel, verwijder dan tijdelijk de TLSA-records zodat mail niet blijft "
		"hangen.",
		"Fix STARTTLS with a working certificate on this server urgently; if that cannot "
		"be done quickly, remove the TLSA records for now so that mail is not held up."},
    },
    {
	.code = "dane-unreachable",
	.what = {"De MX-host heeft TLSA-records, maar geen van zijn adressen gaf antwoord, zodat "
		 "DANE niet getest kon worden.",
		 "The MX host has TLSA records, but none of its addresses answered, so DANE could "
		 "not be tested."},
	.fix = {"Zorg dat de mailserver vanaf internet op poort 25 bereikbaar is op elk adres in "
		"DNS (IPv4 en IPv6), of verwijder adressen en MX-records die niet meer in gebruik "
		"zijn.",
		"Make sure the mail server is reachable from the internet on port 25 at every "
		"address in DNS (IPv4 and IPv6), or remove addresses and MX records that are no "
		"longer in use."},
    },
    {
	.code = "dane-unusable",
	.what = {"De MX-host heeft alleen TLSA-records die SMTP niet kan gebruiken (usage 0 of 1, "
		 "of onbekende parameters).",
		 "The MX host has only TLSA records that SMTP cannot use (usage 0 or 1, or unknown "
		 "parameters)."},
	.fix = {"Vervang ze door records met usage 3 (DANE-EE, bijvoorbeeld 3 1 1) of usage 2 "
		"(DANE-TA, bijvoorbeeld 2 1 1 voor de uitgevende CA); usage 0 en 1 gelden niet "
		"voor SMTP (RFC 7672 §3.1).",
		"Replace them with records of usage 3 (DANE-EE, for example 3 1 1) or usage 2 "
		"(DANE-TA, for example 2 1 1 for the issuing CA); usages 0 and 1 do not apply to "
		"SMTP (RFC 7672 §3.1)."},
    },
    {
	.code = "dkim-dns-error",
	.what = {"De DNS-opvraging van _domainkey mislukte of bleef onbeantwoord; DKIM is niet "
		 "beoordeeld.",
		 "The DNS lookup of _domainkey failed or got no answer; DKIM was not judged."},
	.fix = {"Controleer of de nameservers van het domein antwoorden; een tijdelijke storing "
		"verdwijnt bij een volgende meting.",
		"Check that the domain's name servers answer; a passing outage clears at the "
		"next measurement."},
    },
    {
	.code = "dkim-key-missing",
	.what = {"Op een opgegeven DKIM-selector staat geen sleutelrecord.",
		 "A given DKIM selector has no key record."},
	.fix = {"Publiceer de sleutel van die selector, of haal de selector uit de lijst als "
		"hij niet meer gebruikt wordt.",
		"Publish that selector's key, or remove the selector from the list if it is no "
		"longer used."},
    },
    {
	.code = "dkim-key-revoked",
	.what = {"Een opgegeven DKIM-selector heeft een ingetrokken sleutel (p= leeg); "
		 "handtekeningen met die selector worden afgewezen.",
		 "A given DKIM selector has a revoked key (empty p=); signatures with that "
		 "selector are refused."},
	.fix = {"Geen actie als de selector niet meer gebruikt wordt; onderteken anders met een "
		"selector die een geldige sleutel heeft.",
		"No action if the selector is no longer used; otherwise sign with a selector "
		"that has a valid key."},
    },
    {
	.code = "dkim-key-syntax",
	.what = {"Het sleutelrecord van een DKIM-selector klopt niet (het bewijs noemt de tag), "
		 "zodat ontvangers de handtekeningen niet kunnen controleren.",
		 "A DKIM selector's key record is malformed (the evidence names the tag), so "
		 "receivers cannot check the signatures."},
	.fix = {"Herstel het record volgens RFC 6376 §3.6.1: v=DKIM1 vooraan, k=rsa of ed25519, "
		"en de sleutel als base64 in p=.",
		"Fix the record by RFC 6376 §3.6.1: v=DKIM1 first, k=rsa or ed25519, and the "
		"key as base64 in p=."},
    },
    {
	.code = "dkim-key-testing",
	.what = {"Een DKIM-sleutel staat in testmodus (t=y); ontvangers mogen mislukte "
		 "handtekeningen dan negeren.",
		 "A DKIM key is in testing mode (t=y); receivers may then ignore failing "
		 "signatures."},
	.fix = {"Haal t=y weg zodra de ondertekening goed werkt.",
		"Remove t=y once signing works."},
    },
    {
	.code = "dkim-key-unknown-type",
	.what = {"Een DKIM-sleutel heeft een sleuteltype (k=) dat ontvangers niet kennen; alleen "
		 "rsa en ed25519 zijn gestandaardiseerd.",
		 "A DKIM key has a key type (k=) receivers do not know; only rsa and ed25519 are "
		 "standardised."},
	.fix = {"Gebruik k=rsa (minstens 2048 bits) of k=ed25519.",
		"Use k=rsa (at least 2048 bits) or k=ed25519."},
    },
    {
	.code = "dkim-key-unverified",
	.what = {"De DNS-opvraging van een opgegeven DKIM-selector mislukte; die sleutel is niet "
		 "beoordeeld.",
		 "The DNS lookup of a given DKIM selector failed; that key was not judged."},
	.fix = {"Niets te doen als het bij een volgende meting wel lukt; blijft het mislukken, "
		"controleer dan de nameservers.",
		"Nothing to do if it works at the next measurement; if it keeps failing, check "
		"the name servers."},
    },
    {
	.code = "dkim-key-weak",
	.what = {"Een DKIM-sleutel is een RSA-sleutel van minder dan 1024 bits; RFC 8301 "
		 "verbiedt die, en ontvangers negeren de handtekening.",
		 "A DKIM key is an RSA key of fewer than 1024 bits; RFC 8301 forbids those, and "
		 "receivers ignore the signature."},
	.fix = {"Maak een nieuw sleutelpaar van minstens 2048 bits (of Ed25519), publiceer het "
		"onder een nieuwe selector, schakel de ondertekening om en trek de oude sleutel "
		"in (p= leeg).",
		"Create a new key pair of at least 2048 bits (or Ed25519), publish it under a "
		"new selector, switch the signing over and revoke the old key (empty p=)."},
    },
    {
	.code = "dkim-none",
	.what = {"Het domein heeft geen _domainkey-naam, dus er is geen DKIM-sleutel "
		 "gepubliceerd en ontvangers kunnen handtekeningen van het domein niet "
		 "controleren.",
		 "The domain has no _domainkey name, so no DKIM key is published and receivers "
		 "cannot check signatures of the domain."},
	.fix = {"Laat de mailserver of provider uitgaande mail met DKIM ondertekenen en "
		"publiceer de publieke sleutel op <selector>._domainkey.<domein> (RFC 6376); "
		"gebruik RSA van minstens 2048 bits of Ed25519.",
		"Have the mail server or provider sign outgoing mail with DKIM and publish the "
		"public key at <selector>._domainkey.<domain> (RFC 6376); use RSA of at least "
		"2048 bits or Ed25519."},
    },
    {
	.code = "dmarc-dns-error",
	.what = {"De DNS-opvraging van het DMARC-record mislukte of bleef onbeantwoord; DMARC is "
		 "niet beoordeeld.",
		 "The DNS lookup of the DMARC record failed or got no answer; DMARC was not "
		 "judged."},
	.fix = {"Controleer of de nameservers van het domein antwoorden op _dmarc.<domein>; een "
		"tijdelijke storing verdwijnt bij een volgende meting.",
		"Check that the domain's name servers answer for _dmarc.<domain>; a passing "
		"outage clears at the next measurement."},
    },
    {
	.code = "dmarc-external-unauthorised",
	.what = {"Een rapportadres (rua of ruf) ligt in een ander organisatiedomein dat niet "
		 "heeft verklaard de rapporten te willen ontvangen, zodat ontvangers geen "
		 "rapporten sturen (RFC 7489 §7.1).",
		 "A report address (rua or ruf) is in another organisational domain that has not "
		 "declared it accepts the reports, so receivers send none (RFC 7489 §7.1)."},
	.fix = {"Laat de ontvanger een TXT-record \"v=DMARC1\" publiceren op "
		"<domein>._report._dmarc.<ontvangend domein>, of gebruik een rapportadres "
		"binnen het eigen domein.",
		"Have the receiving domain publish a TXT record \"v=DMARC1\" at "
		"<domain>._report._dmarc.<receiving domain>, or use a report address within the "
		"domain itself."},
    },
    {
	.code = "dmarc-external-unverified",
	.what = {"Of een extern rapportadres de rapporten accepteert kon niet worden "
		 "vastgesteld: de DNS-opvraging mislukte.",
		 "Whether an external report address accepts the reports could not be "
		 "established: the DNS lookup failed."},
	.fix = {"Niets te doen als het bij een volgende meting wel lukt; blijft het mislukken, "
		"controleer dan de nameservers van het ontvangende domein.",
		"Nothing to do if it works at the next measurement; if it keeps failing, check "
		"the receiving domain's name servers."},
    },
    {
	.code = "dmarc-from-org-domain",
	.what = {"Het domein heeft geen eigen DMARC-record; het beleid van het organisatiedomein "
		 "(sp, anders p) is van toepassing.",
		 "The domain has no DMARC record of its own; the organisational domain's policy "
		 "(sp, else p) applies."},
	.fix = {"Geen actie nodig als dat beleid gewenst is; publiceer anders een eigen record "
		"op _dmarc.<domein>.",
		"No action needed if that policy is intended; otherwise publish a record of its "
		"own at _dmarc.<domain>."},
    },
    {
	.code = "dmarc-multiple-records",
	.what = {"Op _dmarc staan meerdere DMARC-records; dan geldt volgens RFC 7489 §6.6.3 geen "
		 "enkel beleid.",
		 "There are several DMARC records at _dmarc; RFC 7489 §6.6.3 then applies no "
		 "policy at all."},
	.fix = {"Laat precies één \"v=DMARC1\"-record staan en verwijder de andere.",
		"Keep exactly one \"v=DMARC1\" record and remove the others."},
    },
    {
	.code = "dmarc-none",
	.what = {"Het domein (en zijn organisatiedomein) publiceert geen DMARC-record op _dmarc, "
		 "zodat ontvangers niet weten wat ze met vervalste mail moeten doen.",
		 "The domain (and its organisational domain) publishes no DMARC record at "
		 "_dmarc, so receivers do not know what to do with forged mail."},
	.fix = {"Publiceer een TXT-record op _dmarc.<domein>, begin met \"v=DMARC1; p=none; "
		"rua=mailto:<adres>\" om rapporten te verzamelen en ga daarna naar p=quarantine "
		"of p=reject (RFC 7489).",
		"Publish a TXT record at _dmarc.<domain>, start with \"v=DMARC1; p=none; "
		"rua=mailto:<address>\" to collect reports, then move to p=quarantine or "
		"p=reject (RFC 7489)."},
    },
    {
	.code = "dmarc-p-missing",
	.what = {"Het DMARC-record heeft geen p-tag; omdat er een rua staat geldt p=none (RFC "
		 "7489 §6.6.3), dus vervalste mail wordt niet geweerd.",
		 "The DMARC record has no p tag; because it has a rua, p=none applies (RFC 7489 "
		 "§6.6.3), so forged mail is not stopped."},
	.fix = {"Voeg een beleid toe, bij voorkeur p=quarantine of p=reject, direct na "
		"v=DMARC1.",
		"Add a policy, preferably p=quarantine or p=reject, right after v=DMARC1."},
    },
    {
	.code = "dmarc-pct-partial",
	.what = {"Het DMARC-beleid geldt maar voor een deel van de mail (pct onder 100); de rest "
		 "van de vervalste mail wordt niet geweerd.",
		 "The DMARC policy applies to only part of the mail (pct below 100); the rest of "
		 "the forged mail is not stopped."},
	.fix = {"Verhoog pct naar 100 of laat de tag weg (dan geldt 100).",
		"Raise pct to 100 or drop the tag (100 is the default)."},
    },
    {
	.code = "dmarc-policy-none",
	.what = {"Het DMARC-beleid is p=none: ontvangers sturen rapporten maar weren vervalste "
		 "mail niet.",
		 "The DMARC policy is p=none: receivers send reports but do not stop forged "
		 "mail."},
	.fix = {"Ga na analyse van de rapporten naar p=quarantine en daarna p=reject; Forum "
		"Standaardisatie en internet.nl vragen een van die twee.",
		"After studying the reports, move to p=quarantine and then p=reject; Forum "
		"Standaardisatie and internet.nl ask for one of those."},
    },
    {
	.code = "dmarc-syntax",
	.what = {"Het DMARC-record bevat een fout (het bewijs noemt de tag), zodat ontvangers "
		 "het niet kunnen toepassen.",
		 "The DMARC record has an error (the evidence names the tag), so receivers "
		 "cannot apply it."},
	.fix = {"Herstel de genoemde tag volgens RFC 7489 §6.3 (bijvoorbeeld p=none, quarantine "
		"of reject; pct 0 tot 100; rua als mailto:-adres) en laat v=DMARC1 vooraan "
		"staan.",
		"Fix the named tag by RFC 7489 §6.3 (for example p=none, quarantine or reject; "
		"pct 0 to 100; rua as a mailto: address) and keep v=DMARC1 first."},
    },
    {
	.code = "dmarc-uri-not-mailto",
	.what = {"Een rapportadres in het DMARC-record is geen mailto:-adres; de meeste "
		 "ontvangers sturen daar geen rapporten heen.",
		 "A report address in the DMARC record is not a mailto: address; most receivers "
		 "send no reports there."},
	.fix = {"Gebruik mailto:-adressen voor rua en ruf.",
		"Use mailto: addresses for rua and ruf."},
    },
    {
	.code = "dns-error",
	.what = {"Een DNS-opvraging mislukte (SERVFAIL, REFUSED of een onbruikbaar antwoord), "
		 "zodat deze standaard niet getest kon worden.",
		 "A DNS lookup failed (SERVFAIL, REFUSED or an unusable reply), so this standard "
		 "could not be tested."},
	.fix = {"Controleer of alle nameservers van het domein en van de MX-hosts bereikbaar zijn "
		"en juist antwoorden, ook op TXT- en TLSA-vragen (sommige DNS-servers en firewalls "
		"verwerken minder gangbare recordtypes verkeerd); de volgende scan probeert het "
		"opnieuw.",
		"Check that every name server of the domain and of the MX hosts is reachable and "
		"answers correctly, also for TXT and TLSA queries (some DNS servers and firewalls "
		"mishandle less common record types); the next scan tries again."},
    },
    {
	.code = "dns-timeout",
	.what = {"De nameservers gaven binnen de wachttijd geen antwoord (bijvoorbeeld een "
		 "'lame delegation': het domein is gedelegeerd naar servers die niet antwoorden), "
		 "zodat deze standaard niet getest kon worden.",
		 "The name servers did not answer within the timeout (for example a lame "
		 "delegation: the domain is delegated to servers that do not answer), so this "
		 "standard could not be tested."},
	.fix = {"Controleer de NS-records van het domein bij de registrar en in de bovenliggende "
		"zone: elke genoemde nameserver moet bereikbaar zijn en gezaghebbend antwoorden "
		"voor het domein; verwijder servers die dat niet doen. Een domein dat niet meer "
		"gebruikt wordt, kan beter opgeheven worden.",
		"Check the domain's NS records at the registrar and in the parent zone: every "
		"name server listed must be reachable and answer authoritatively for the domain; "
		"remove the ones that do not. A domain no longer in use is better deleted."},
    },
    {
	.code = "dnssec-bogus",
	.what = {"DNSSEC-validatie mislukt voor het domein of een MX-host (bogus), zodat "
		 "validerende resolvers die namen niet meer kunnen opzoeken.",
		 "DNSSEC validation fails for the domain or an MX host (bogus), so validating "
		 "resolvers can no longer look those names up."},
	.fix = {"Herstel de ondertekening: vernieuw verlopen handtekeningen en zorg dat het "
		"DS-record bij de registrar bij de actuele DNSKEY past (vaak mis na een "
		"sleutelwissel of een overstap naar een andere DNS-provider); controleer met "
		"DNSViz of internet.nl.",
		"Repair the signing: refresh expired signatures and make sure the DS record at the "
		"registrar matches the current DNSKEY (often wrong after a key rollover or a move "
		"to another DNS provider); check with DNSViz or internet.nl."},
    },
    {
	.code = "dnssec-indeterminate",
	.what = {"De resolver kon de DNSSEC-status van het domein of een MX-host niet vaststellen.",
		 "The resolver could not determine the DNSSEC status of the domain or an MX "
		 "host."},
	.fix = {"Controleer de delegatie en de nameservers (bereikbaar, onderling gelijk, DNSKEY "
		"en DS op te vragen), bijvoorbeeld met DNSViz; de volgende scan probeert het "
		"opnieuw.",
		"Check the delegation and the name servers (reachable, consistent, DNSKEY and DS "
		"retrievable), for example with DNSViz; the next scan tries again."},
    },
    {
	.code = "dnssec-insecure",
	.what = {"Het domein of een MX-host is niet met DNSSEC ondertekend, terwijl DNSSEC op de "
		 "'pas toe of leg uit'-lijst van Forum Standaardisatie staat.",
		 "The domain or an MX host is not signed with DNSSEC, although DNSSEC is on Forum "
		 "Standaardisatie's 'comply or explain' list."},
	.fix = {"Zet DNSSEC aan bij de DNS-provider en laat de registrar het DS-record in de "
		"bovenliggende zone (voor .nl bij SIDN) publiceren. Staat een MX-host in de zone "
		"van een mailprovider, vraag die provider dan om DNSSEC.",
		"Enable DNSSEC at the DNS provider and have the registrar publish the DS record in "
		"the parent zone (for .nl at SIDN). If an MX host is in a mail provider's zone, "
		"ask that provider for DNSSEC."},
    },
    {
	.code = "domain-timeout",
	.what = {"Het domein was niet binnen de totale tijdslimiet van de scan klaar; wat niet "
		 "getest is, telt niet als 'voldoet'.",
		 "The domain did not finish within the scan's total time limit; what was not "
		 "tested does not count as a pass."},
	.fix = {"Controleer of de nameservers en mailservers van het domein vlot antwoorden "
		"(trage of wegvallende nameservers, een lange wachttijd voor de SMTP-begroeting); "
		"de volgende scan probeert het opnieuw.",
		"Check that the domain's name servers and mail servers answer promptly (slow or "
		"unresponsive name servers, a long wait before the SMTP greeting); the next scan "
		"tries again."},
    },
    {
	.code = "family-unreachable",
	.what = {"Dit adres (IPv6 of IPv4) is niet getest omdat de scanner zelf geen route naar "
		 "die adresfamilie heeft; het telt niet mee voor het domein.",
		 "This address (IPv6 or IPv4) was not tested because the scanner itself has no "
		 "route to that address family; it does not count against the domain."},
	.fix = {"Voor de domeineigenaar is geen actie nodig; test dit adres desgewenst zelf, "
		"bijvoorbeeld met internet.nl.",
		"No action is needed from the domain owner; test this address yourself if you "
		"like, for example with internet.nl."},
    },
    {
	.code = "handshake-failed",
	.what = {"Op dit adres mislukte de TLS-handshake na STARTTLS.",
		 "At this address the TLS handshake after STARTTLS failed."},
	.fix = {"Controleer certificaat, sleutel en TLS-instellingen van deze server: sta TLS 1.2 "
		"en 1.3 toe met cipher suites volgens de NCSC-richtlijnen voor TLS, en test met "
		"openssl s_client -starttls smtp -connect <mx-host>:25.",
		"Check this server's certificate, key and TLS settings: allow TLS 1.2 and 1.3 with "
		"cipher suites per the NCSC TLS guidelines, and test with openssl s_client "
		"-starttls smtp -connect <mx-host>:25."},
    },
    {
	.code = "local-error",
	.what = {"Een fout in de scanner zelf (bijvoorbeeld geheugen of OpenSSL) verhinderde de "
		 "test van dit adres; dit zegt niets over het domein.",
		 "A fault in the scanner itself (for example memory or OpenSSL) prevented testing "
		 "this address; it says nothing about the domain."},
	.fix = {"Voor de domeineigenaar is geen actie nodig; de beheerder van de scan herhaalt de "
		"scan.",
		"No action is needed from the domain owner; the scan operator should run the scan "
		"again."},
    },
    {
	.code = "mx-cap-reached",
	.what = {"Het domein heeft meer MX-hosts dan de scan per domein test; alleen de hosts met "
		 "de hoogste voorkeur (laagste preference) zijn getest.",
		 "The domain has more MX hosts than the scan tests per domain; only the most "
		 "preferred ones (lowest preference) were tested."},
	.fix = {"Zorg dat ook de niet-geteste MX-hosts aan alle eisen voldoen, of beperk de "
		"MX-records tot de servers die echt mail ontvangen.",
		"Make sure the untested MX hosts meet every requirement as well, or limit the MX "
		"records to the servers that really receive mail."},
    },
    {
	.code = "mx-cert-invalid",
	.what = {"De MTA-STS-policy staat op enforce, maar een MX-server toont geen publiek "
		 "vertrouwd certificaat voor zijn hostnaam (of heeft geen werkende STARTTLS), "
		 "waardoor MTA-STS-verzenders er geen mail afleveren.",
		 "The MTA-STS policy is in enforce mode, but an MX server does not present a "
		 "publicly trusted certificate for its host name (or has no working STARTTLS), so "
		 "MTA-STS senders will not deliver to it."},
	.fix = {"Installeer op elke MX-server een certificaat van een publiek vertrouwde CA met "
		"de MX-hostnaam in subjectAltName, lever de volledige keten mee en vernieuw het "
		"certificaat op tijd; zet de policy terug op testing tot dat op orde is.",
		"Install on every MX server a certificate from a publicly trusted CA with the MX "
		"host name in subjectAltName, serve the full chain and renew the certificate in "
		"time; set the policy back to testing until that is in order."},
    },
    {
	.code = "mx-not-in-policy",
	.what = {"Een MX-host past bij geen enkele mx:-regel van de MTA-STS-policy; in "
		 "enforce-modus leveren verzenders daar geen mail af.",
		 "An MX host matches none of the mx: lines of the MTA-STS policy; in enforce mode, "
		 "senders will not deliver to it."},
	.fix = {"Neem elke MX-host op met een regel mx: (de exacte naam, of *.<domein> voor "
		"precies één label extra) en verander daarna de id in het _mta-sts TXT-record, "
		"zodat verzenders de nieuwe policy ophalen.",
		"List every MX host in an mx: line (the exact name, or *.<domain> for exactly one "
		"extra label), then change the id in the _mta-sts TXT record so that senders fetch "
		"the new policy."},
    },
    {
	.code = "mx-unreachable",
	.what = {"Geen enkel MX-adres antwoordde op poort 25 (geweigerd, time-out of geen geldige "
		 "SMTP-begroeting), zodat STARTTLS en de certificaten voor MTA-STS niet getest "
		 "konden worden.",
		 "No MX address answered on port 25 (refused, timed out or no valid SMTP "
		 "greeting), so STARTTLS and the certificates for MTA-STS could not be tested."},
	.fix = {"Zorg dat de MX-records naar mailservers wijzen die vanaf internet op poort 25 "
		"bereikbaar zijn (controleer firewall en de adressen in DNS); de volgende scan "
		"probeert het opnieuw.",
		"Make sure the MX records point to mail servers that are reachable from the "
		"internet on port 25 (check the firewall and the addresses in DNS); the next scan "
		"tries again."},
    },
    {
	.code = "ncsc-cert-key-insufficient",
	.what = {"Een certificaat in de keten van een mailserver heeft een te zwakke sleutel "
		 "(RSA korter dan 2048 bits, DSA of een afgekeurde curve); volgens de "
		 "NCSC-richtlijnen voor TLS is dat onvoldoende.",
		 "A certificate in a mail server's chain has a key that is too weak (RSA below "
		 "2048 bits, DSA or a rejected curve); the NCSC TLS guidelines call that "
		 "insufficient."},
	.fix = {"Vervang het certificaat door een met een RSA-sleutel van minstens 3072 bits of "
		"een ECDSA-sleutel op P-256 of P-384, en vraag de leverancier om een "
		"tussencertificaat "
		"met een sterke sleutel als dat het probleem is.",
		"Replace the certificate with one that has an RSA key of at least 3072 bits or an "
		"ECDSA key on P-256 or P-384, and ask the supplier for a strong intermediate "
		"certificate if that is the weak one."},
    },
    {
	.code = "ncsc-cert-key-phase-out",
	.what = {"Een certificaat in de keten van een mailserver heeft een RSA-sleutel van 2048 "
		 "tot 3072 bits (of een P-224-sleutel): volgens de NCSC-richtlijnen 'uit te "
		 "faseren'.",
		 "A certificate in a mail server's chain has an RSA key of 2048 to 3071 bits (or a "
		 "P-224 key): 'phase out' in the NCSC guidelines."},
	.fix =
	    {"Kies bij de volgende vernieuwing van het certificaat een RSA-sleutel van 3072 "
	     "bits of meer, of ECDSA op P-256/P-384. Gebruik je DANE met een 3 1 1-record, "
	     "publiceer dan eerst het TLSA-record van de nieuwe sleutel.",
	     "At the next renewal of the certificate, choose an RSA key of 3072 bits or more, or "
	     "ECDSA on P-256/P-384. If you use DANE with a 3 1 1 record, publish the new key's "
	     "TLSA record first."},
    },
    {
	.code = "ncsc-cert-signature-insufficient",
	.what = {"Een certificaat in de keten van een mailserver is ondertekend met SHA-1 of MD5; "
		 "volgens de NCSC-richtlijnen is dat onvoldoende.",
		 "A certificate in a mail server's chain is signed with SHA-1 or MD5; the NCSC "
		 "guidelines call that insufficient."},
	.fix = {"Laat het certificaat opnieuw uitgeven met een SHA-256-handtekening (of sterker) "
		"en installeer de actuele tussencertificaten van de uitgever.",
		"Have the certificate reissued with a SHA-256 (or stronger) signature and install "
		"the issuer's current intermediate certificates."},
    },
    {
	.code = "ncsc-cert-signature-phase-out",
	.what = {"Een certificaat in de keten van een mailserver is ondertekend met SHA-224: "
		 "volgens de NCSC-richtlijnen 'uit te faseren'.",
		 "A certificate in a mail server's chain is signed with SHA-224: 'phase out' in "
		 "the NCSC guidelines."},
	.fix = {"Laat het certificaat bij de volgende vernieuwing uitgeven met een SHA-256-, "
		"SHA-384- of SHA-512-handtekening.",
		"At the next renewal, have the certificate issued with a SHA-256, SHA-384 or "
		"SHA-512 signature."},
    },
    {
	.code = "ncsc-cipher-insufficient",
	.what = {"Een mailserver accepteert een cipher suite die de NCSC-richtlijnen onvoldoende "
		 "noemen (bijvoorbeeld RSA-sleuteluitwisseling zonder forward secrecy, CBC met "
		 "SHA-1, 3DES, RC4, NULL of anoniem).",
		 "A mail server accepts a cipher suite the NCSC guidelines call insufficient (for "
		 "example RSA key exchange without forward secrecy, CBC with SHA-1, 3DES, RC4, "
		 "NULL or anonymous)."},
	.fix = {"Beperk de cipher suites tot ECDHE met AES-GCM of ChaCha20-Poly1305 (en TLS 1.3). "
		"In Postfix bijvoorbeeld: smtpd_tls_mandatory_ciphers = high, "
		"smtpd_tls_exclude_ciphers = aNULL, eNULL, RC4, 3DES, MD5, SHA1, kRSA; in Exchange "
		"via de TLS-cipher-volgorde van Windows. De bevinding noemt de suite.",
		"Limit the cipher suites to ECDHE with AES-GCM or ChaCha20-Poly1305 (and TLS 1.3). "
		"In Postfix, for example: smtpd_tls_mandatory_ciphers = high, "
		"smtpd_tls_exclude_ciphers = aNULL, eNULL, RC4, 3DES, MD5, SHA1, kRSA; in Exchange "
		"through Windows' TLS cipher suite order. The finding names the suite."},
    },
    {
	.code = "ncsc-cipher-order",
	.what = {"Een mailserver kiest een zwakkere cipher suite terwijl de verzender ook een "
		 "betere aanbiedt: hij volgt de voorkeur van de client of heeft een verkeerde "
		 "eigen volgorde.",
		 "A mail server picks a weaker cipher suite although the sender also offers a "
		 "better one: it follows the client's preference or has a wrong order of its own."},
	.fix =
	    {"Laat de server zijn eigen volgorde afdwingen, met de goede en voldoende suites "
	     "vooraan (Postfix: tls_preempt_cipherlist = yes; OpenSSL: SSL_OP_CIPHER_SERVER_"
	     "PREFERENCE), of schakel de uit te faseren suites uit.",
	     "Make the server enforce its own order with the good and sufficient suites first "
	     "(Postfix: tls_preempt_cipherlist = yes; OpenSSL: SSL_OP_CIPHER_SERVER_PREFERENCE), "
	     "or disable the phase-out suites."},
    },
    {
	.code = "ncsc-cipher-phase-out",
	.what = {"Een mailserver accepteert een cipher suite die de NCSC-richtlijnen 'uit te "
		 "faseren' noemen (AES-CBC, CAMELLIA of ARIA, of DHE met eindig-veld-"
		 "sleuteluitwisseling).",
		 "A mail server accepts a cipher suite the NCSC guidelines call 'phase out' "
		 "(AES-CBC, CAMELLIA or ARIA, or finite-field DHE key exchange)."},
	.fix = {"Schakel deze suites uit zodra de verzenders waarmee je mailt ECDHE met AES-GCM "
		"of ChaCha20-Poly1305 spreken (vrijwel alle); laat ze in elk geval pas na de "
		"goede en voldoende suites kiezen.",
		"Disable these suites once the senders you exchange mail with speak ECDHE with "
		"AES-GCM or ChaCha20-Poly1305 (nearly all do); at the least, have them chosen only "
		"after the good and sufficient suites."},
    },
    {
	.code = "ncsc-compression",
	.what =
	    {"Een mailserver gebruikt TLS-compressie, die aanvallen als CRIME mogelijk maakt; "
	     "volgens de NCSC-richtlijnen onvoldoende.",
	     "A mail server uses TLS compression, which enables attacks such as CRIME; the NCSC "
	     "guidelines call it insufficient."},
	.fix = {"Schakel TLS-compressie uit (OpenSSL: SSL_OP_NO_COMPRESSION, standaard sinds "
		"1.1.0); een actuele versie van de mailserversoftware doet dat vanzelf.",
		"Disable TLS compression (OpenSSL: SSL_OP_NO_COMPRESSION, the default since "
		"1.1.0); a current version of the mail server software does so by itself."},
    },
    {
	.code = "ncsc-ems-missing",
	.what = {"Een mailserver rondt TLS 1.2-verbindingen af zonder 'extended master secret' "
		 "(RFC 7627), waardoor sessies kwetsbaar zijn voor de triple-handshake-aanval.",
		 "A mail server completes TLS 1.2 connections without the extended master secret "
		 "(RFC 7627), which leaves sessions open to the triple handshake attack."},
	.fix = {"Werk de TLS-bibliotheek of mailserversoftware bij; elke actuele versie "
		"ondersteunt RFC 7627. Beter nog: bied TLS 1.3 aan, dat het probleem niet kent.",
		"Update the TLS library or mail server software; every current version supports "
		"RFC 7627. Better still: offer TLS 1.3, which does not have the problem."},
    },
    {
	.code = "ncsc-incomplete",
	.what = {"De TLS-configuratie van een mailserver kon niet volledig volgens de "
		 "NCSC-richtlijnen worden beoordeeld: de extra handshakes werden afgebroken (tijd, "
		 "aantal of de server stopte met antwoorden).",
		 "A mail server's TLS configuration could not be judged completely by the NCSC "
		 "guidelines: the extra handshakes were cut short (time, count, or the server "
		 "stopped answering)."},
	.fix = {"Wat wel gevonden is staat in de bevindingen. Zorg dat de server veel korte "
		"verbindingen achter elkaar aankan (geen te strenge limiet per afzender, geen "
		"trage begroeting); de volgende scan probeert het opnieuw.",
		"What was found is in the findings. Make sure the server can take many short "
		"connections in a row (no too strict per-sender limit, no slow greeting); the next "
		"scan tries again."},
    },
    {
	.code = "ncsc-kex-insufficient",
	.what = {"Een mailserver gebruikt een te zwakke sleuteluitwisseling: eindig-veld-DH met "
		 "een zelfgekozen of te kleine groep (zoals 1024 of 2048 bits), of een afgekeurde "
		 "elliptische curve.",
		 "A mail server uses a key exchange that is too weak: finite-field DH with a "
		 "self-chosen or too small group (such as 1024 or 2048 bits), or a rejected "
		 "elliptic curve."},
	.fix = {"Gebruik ECDHE met X25519, P-256 of P-384. Is DHE echt nodig, gebruik dan "
		"alleen ffdhe3072 of groter uit RFC 7919 (Postfix: smtpd_tls_dh1024_param_file "
		"met een ffdhe3072- of ffdhe4096-bestand), of schakel DHE uit.",
		"Use ECDHE with X25519, P-256 or P-384. If DHE is really needed, use only "
		"ffdhe3072 or larger from RFC 7919 (Postfix: smtpd_tls_dh1024_param_file with an "
		"ffdhe3072 or ffdhe4096 file), or disable DHE."},
    },
    {
	.code = "ncsc-kex-phase-out",
	.what = {"Een mailserver gebruikt een sleuteluitwisseling die de NCSC-richtlijnen 'uit "
		 "te faseren' noemen: eindig-veld-DHE (ffdhe3072 of groter) of de curve P-224.",
		 "A mail server uses a key exchange the NCSC guidelines call 'phase out': "
		 "finite-field DHE (ffdhe3072 or larger) or the curve P-224."},
	.fix = {"Geef ECDHE met X25519, P-256 of P-384 de voorkeur en schakel DHE uit zodra de "
		"verzenders waarmee je mailt ECDHE spreken.",
		"Prefer ECDHE with X25519, P-256 or P-384 and disable DHE once the senders you "
		"exchange mail with speak ECDHE."},
    },
    {
	.code = "ncsc-no-tls",
	.what = {"Een mailserver antwoordde wel, maar er kwam geen TLS-verbinding tot stand (geen "
		 "of geweigerde STARTTLS, of een handshake die mislukt, ook als alles wordt "
		 "aangeboden); zonder bruikbare TLS voldoet hij niet aan de NCSC-richtlijnen.",
		 "A mail server answered, but no TLS connection was made (no or refused STARTTLS, "
		 "or a handshake that fails even when everything is offered); without usable TLS "
		 "it does not meet the NCSC guidelines."},
	.fix = {"Los eerst het STARTTLS-probleem op (zie de STARTTLS-bevinding); daarna wordt de "
		"configuratie volgens de NCSC-richtlijnen beoordeeld.",
		"Fix the STARTTLS problem first (see the STARTTLS finding); then the configuration "
		"is judged by the NCSC guidelines."},
    },
    {
	.code = "ncsc-renegotiation-insecure",
	.what = {"Een mailserver ondersteunt geen veilige heronderhandeling (RFC 5746) bij TLS "
		 "1.2 of ouder; volgens de NCSC-richtlijnen onvoldoende.",
		 "A mail server does not support secure renegotiation (RFC 5746) at TLS 1.2 or "
		 "older; the NCSC guidelines call that insufficient."},
	.fix = {"Werk de TLS-bibliotheek of mailserversoftware bij (elke versie van na 2010 kent "
		"RFC 5746) en schakel door de client gestarte heronderhandeling uit.",
		"Update the TLS library or mail server software (every version since 2010 knows "
		"RFC 5746) and disable client-initiated renegotiation."},
    },
    {
	.code = "ncsc-skipped",
	.what = {"De scan is gedraaid met --skip-tls-ncsc: de TLS-configuratie van de mailservers "
		 "is niet volgens de NCSC-richtlijnen getest (alleen de certificaten en het "
		 "ontbreken van TLS zijn beoordeeld).",
		 "The scan ran with --skip-tls-ncsc: the mail servers' TLS configuration was not "
		 "tested by the NCSC guidelines (only the certificates and missing TLS were "
		 "judged)."},
	.fix =
	    {"Niets aan de kant van het domein. Draai de scan zonder --skip-tls-ncsc (bijvoorbeeld "
	     "wekelijks) voor een oordeel.",
	     "Nothing on the domain's side. Run the scan without --skip-tls-ncsc (weekly, say) "
	     "for a verdict."},
    },
    {
	.code = "ncsc-tls-version-insufficient",
	.what = {"Een mailserver accepteert TLS 1.1, TLS 1.0 of SSL 3.0; sinds de editie van "
		 "2025 noemen de NCSC-richtlijnen die onvoldoende (RFC 8996 schrapt ze).",
		 "A mail server accepts TLS 1.1, TLS 1.0 or SSL 3.0; since the 2025 edition the "
		 "NCSC guidelines call them insufficient (RFC 8996 deprecates them)."},
	.fix = {"Sta alleen TLS 1.2 en 1.3 toe (Postfix: smtpd_tls_protocols = >=TLSv1.2 en "
		"smtpd_tls_mandatory_protocols = >=TLSv1.2; Exchange: schakel TLS 1.0/1.1 uit in "
		"Windows). Verzenders die alleen oude versies kennen, vallen terug op "
		"onversleutelde aflevering, niet op weigering.",
		"Allow only TLS 1.2 and 1.3 (Postfix: smtpd_tls_protocols = >=TLSv1.2 and "
		"smtpd_tls_mandatory_protocols = >=TLSv1.2; Exchange: disable TLS 1.0/1.1 in "
		"Windows). Senders that know only old versions fall back to unencrypted delivery, "
		"not to a refusal."},
    },
    {
	.code = "no-mx",
	.what = {"Het domein heeft geen MX-records; de scan gaat dan uit van geen mailontvangst "
		 "(geen terugval op A/AAAA) en de mailstandaarden zijn niet van toepassing.",
		 "The domain has no MX records; the scan then assumes it receives no mail (no "
		 "fallback to A/AAAA) and the mail standards do not apply."},
	.fix = {"Ontvangt het domein mail, publiceer dan MX-records. Zo niet, publiceer dan een "
		"null MX (MX 0 ., RFC 7505) met SPF v=spf1 -all en DMARC p=reject, zoals Forum "
		"Standaardisatie aanraadt voor niet-mailende domeinen.",
		"If the domain receives mail, publish MX records. If not, publish a null MX (MX 0 "
		"., RFC 7505) with SPF v=spf1 -all and DMARC p=reject, as Forum Standaardisatie "
		"recommends for domains that do not use mail."},
    },
    {
	.code = "no-policy",
	.what = {"Er is geen MTA-STS-record (een v=STSv1 TXT-record op _mta-sts.<domein>), dus "
		 "verzenders kunnen geen versleutelde aflevering afdwingen.",
		 "There is no MTA-STS record (a v=STSv1 TXT record at _mta-sts.<domain>), so "
		 "senders cannot enforce encrypted delivery."},
	.fix = {"Zet een policy op https://mta-sts.<domein>/.well-known/mta-sts.txt, eerst met "
		"mode: testing en, als de TLS-RPT-rapporten een tijd geen fouten tonen, met mode: "
		"enforce; publiceer daarna _mta-sts.<domein> TXT \"v=STSv1; id=20250101\" (RFC "
		"8461).",
		"Put a policy at https://mta-sts.<domain>/.well-known/mta-sts.txt, first with "
		"mode: testing and, once the TLS-RPT reports have shown no failures for a while, "
		"with mode: enforce; then publish _mta-sts.<domain> TXT \"v=STSv1; id=20250101\" "
		"(RFC 8461)."},
    },
    {
	.code = "no-record",
	.what = {"Er is geen TLS-RPT-record (een v=TLSRPTv1 TXT-record op _smtp._tls.<domein>), "
		 "dus het domein krijgt geen rapporten over mislukte versleutelde aflevering.",
		 "There is no TLS-RPT record (a v=TLSRPTv1 TXT record at _smtp._tls.<domain>), so "
		 "the domain receives no reports about failed encrypted delivery."},
	.fix = {"Publiceer _smtp._tls.<domein> TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@<domein>\" "
		"met een mailbox die gelezen of automatisch verwerkt wordt (RFC 8460).",
		"Publish _smtp._tls.<domain> TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@<domain>\" with a "
		"mailbox that is read or processed automatically (RFC 8460)."},
    },
    {
	.code = "no-starttls",
	.what = {"Dit adres biedt geen STARTTLS aan in zijn EHLO-antwoord, dus mail ernaartoe gaat "
		 "onversleuteld over het internet.",
		 "This address does not offer STARTTLS in its EHLO reply, so mail to it crosses "
		 "the internet unencrypted."},
	.fix =
	    {"Schakel STARTTLS in op deze mailserver met een geldig certificaat (RFC 3207), en "
	     "controleer dat geen firewall met SMTP-inspectie STARTTLS uit het EHLO-antwoord "
	     "haalt.",
	     "Enable STARTTLS on this mail server with a valid certificate (RFC 3207), and check "
	     "that no firewall with SMTP inspection strips STARTTLS from the EHLO reply."},
    },
    {
	.code = "non-sending",
	.what = {"Het domein verstuurt geen mail: SPF is \"v=spf1 -all\" en DMARC p=reject. Daarom "
		 "is DKIM niet van toepassing.",
		 "The domain sends no mail: SPF is \"v=spf1 -all\" and DMARC p=reject. DKIM "
		 "therefore does not apply."},
	.fix = {"Niets te doen zolang het domein geen mail verstuurt; gaat het dat wel doen, "
		"pas dan SPF en DMARC aan en publiceer DKIM-sleutels.",
		"Nothing to do while the domain sends no mail; if it starts to, update SPF and "
		"DMARC and publish DKIM keys."},
    },
    {
	.code = "null-mx",
	.what = {"Het domein publiceert een null MX (RFC 7505): het ontvangt geen mail, dus de "
		 "mailstandaarden zijn niet van toepassing.",
		 "The domain publishes a null MX (RFC 7505): it receives no mail, so the mail "
		 "standards do not apply."},
	.fix = {"Geen actie nodig als dit klopt; publiceer voor een niet-mailend domein ook SPF "
		"v=spf1 -all en DMARC p=reject, zodat niemand mail uit naam van het domein kan "
		"versturen.",
		"No action is needed if this is intended; for a domain that sends no mail, also "
		"publish SPF v=spf1 -all and DMARC p=reject so that nobody can send mail in its "
		"name."},
    },
    {
	.code = "null-mx-mixed",
	.what = {"Het domein publiceert een null MX (0 .) naast gewone MX-records, wat RFC 7505 "
		 "verbiedt en verzenders in verwarring brengt.",
		 "The domain publishes a null MX (0 .) next to ordinary MX records, which RFC 7505 "
		 "forbids and which confuses senders."},
	.fix = {"Verwijder de null MX als het domein mail ontvangt, of de andere MX-records als "
		"het geen mail ontvangt.",
		"Remove the null MX if the domain receives mail, or the other MX records if it "
		"does not."},
    },
    {
	.code = "nxdomain",
	.what = {"Het domein bestaat niet in DNS (NXDOMAIN).",
		 "The domain does not exist in DNS (NXDOMAIN)."},
	.fix = {"Controleer spelling en registratie van het domein; is het opgeheven, laat het "
		"dan van de scanlijst halen, en bedenk dat anderen een vrijgekomen overheidsnaam "
		"kunnen registreren.",
		"Check the spelling and the registration of the domain; if it was given up, have "
		"it removed from the scan list, and bear in mind that others can register a lapsed "
		"government name."},
    },
    {
	.code = "policy-content-type",
	.what = {"De MTA-STS-policy wordt niet als text/plain geserveerd, dus verzenders negeren "
		 "hem.",
		 "The MTA-STS policy is not served as text/plain, so senders ignore it."},
	.fix = {"Stel de webserver zo in dat /.well-known/mta-sts.txt wordt geserveerd met "
		"Content-Type: text/plain (RFC 8461 §3.3).",
		"Configure the web server to serve /.well-known/mta-sts.txt with Content-Type: "
		"text/plain (RFC 8461 §3.3)."},
    },
    {
	.code = "policy-fetch-failed",
	.what = {"De MTA-STS-policy kon niet worden opgehaald: mta-sts.<domein> heeft geen adres, "
		 "weigert de verbinding of antwoordt niet op tijd.",
		 "The MTA-STS policy could not be fetched: mta-sts.<domain> has no address, "
		 "refuses the connection or does not answer in time."},
	.fix = {"Publiceer A- en/of AAAA-records voor mta-sts.<domein> en zorg dat een webserver "
		"daar over HTTPS (poort 443) "
		"https://mta-sts.<domein>/.well-known/mta-sts.txt serveert.",
		"Publish A and/or AAAA records for mta-sts.<domain> and make sure a web server "
		"there serves https://mta-sts.<domain>/.well-known/mta-sts.txt over HTTPS (port "
		"443)."},
    },
    {
	.code = "policy-http-status",
	.what = {"De webserver gaf voor de MTA-STS-policy een andere HTTP-status dan 200 "
		 "(bijvoorbeeld 404 of 500).",
		 "The web server returned an HTTP status other than 200 for the MTA-STS policy "
		 "(for example 404 or 500)."},
	.fix = {"Zet het bestand precies op https://mta-sts.<domein>/.well-known/mta-sts.txt en "
		"zorg dat de server het met status 200 teruggeeft.",
		"Put the file exactly at https://mta-sts.<domain>/.well-known/mta-sts.txt and make "
		"sure the server returns it with status 200."},
    },
    {
	.code = "policy-mode-none",
	.what = {"De MTA-STS-policy staat op mode: none, waarmee het domein MTA-STS intrekt.",
		 "The MTA-STS policy says mode: none, which withdraws MTA-STS for the domain."},
	.fix = {"Zet de policy op mode: testing en, zodra de TLS-RPT-rapporten geen fouten meer "
		"tonen, op mode: enforce; verander bij elke wijziging de id in het _mta-sts "
		"TXT-record.",
		"Set the policy to mode: testing and, once the TLS-RPT reports show no more "
		"failures, to mode: enforce; change the id in the _mta-sts TXT record with every "
		"change."},
    },
    {
	.code = "policy-mode-testing",
	.what = {"De MTA-STS-policy staat op mode: testing: verzenders melden problemen, maar "
		 "leveren ook zonder geldige TLS af.",
		 "The MTA-STS policy is in mode: testing: senders report problems but still "
		 "deliver without valid TLS."},
	.fix = {"Zet de policy op mode: enforce zodra de TLS-RPT-rapporten een tijd geen fouten "
		"tonen, en verander dan de id in het _mta-sts TXT-record.",
		"Switch the policy to mode: enforce once the TLS-RPT reports have shown no "
		"failures for a while, and then change the id in the _mta-sts TXT record."},
    },
    {
	.code = "policy-redirect",
	.what = {"De webserver stuurt de aanvraag van de MTA-STS-policy door (HTTP 3xx), en "
		 "verzenders volgen geen doorverwijzingen (RFC 8461 §3.3).",
		 "The web server redirects the request for the MTA-STS policy (HTTP 3xx), and "
		 "senders do not follow redirects (RFC 8461 §3.3)."},
	.fix = {"Serveer het bestand rechtstreeks op "
		"https://mta-sts.<domein>/.well-known/mta-sts.txt, zonder doorverwijzing naar www "
		"of een andere host.",
		"Serve the file directly at https://mta-sts.<domain>/.well-known/mta-sts.txt, "
		"without a redirect to www or another host."},
    },
    {
	.code = "policy-syntax",
	.what = {"De MTA-STS-policy volgt de syntaxis van RFC 8461 §3.2 niet (de foutmelding "
		 "noemt de regel).",
		 "The MTA-STS policy does not follow the syntax of RFC 8461 §3.2 (the error "
		 "message names the line)."},
	.fix = {"Zet één veld per regel: version: STSv1, mode: enforce (of testing), een of meer "
		"regels mx: <mx-host> en max_age: in seconden (hoogstens 31557600); sleutels en "
		"waarden zijn hoofdlettergevoelig.",
		"Put one field per line: version: STSv1, mode: enforce (or testing), one or more "
		"lines mx: <mx-host> and max_age: in seconds (at most 31557600); keys and values "
		"are case-sensitive."},
    },
    {
	.code = "policy-tls-invalid",
	.what = {"Het HTTPS-certificaat van mta-sts.<domein> is niet publiek vertrouwd of niet "
		 "geldig voor die naam, dus verzenders negeren de policy.",
		 "The HTTPS certificate of mta-sts.<domain> is not publicly trusted or not valid "
		 "for that name, so senders ignore the policy."},
	.fix = {"Installeer op mta-sts.<domein> een certificaat van een publiek vertrouwde CA met "
		"die naam in subjectAltName, lever de volledige keten mee en vernieuw het op tijd "
		"(bijvoorbeeld automatisch met ACME).",
		"Install on mta-sts.<domain> a certificate from a publicly trusted CA with that "
		"name in subjectAltName, serve the full chain and renew it in time (for example "
		"automatically with ACME)."},
    },
    {
	.code = "policy-too-large",
	.what = {"De MTA-STS-policy is groter dan 64 KiB.",
		 "The MTA-STS policy is larger than 64 KiB."},
	.fix = {"Controleer of het juiste bestand wordt geserveerd (geen HTML-pagina); een policy "
		"is maar een paar regels lang.",
		"Check that the right file is served (not an HTML page); a policy is only a few "
		"lines long."},
    },
    {
	.code = "protocol-error",
	.what = {"De SMTP-sessie met dit adres brak af of gaf een onleesbaar of te lang antwoord.",
		 "The SMTP session with this address broke off or returned an unreadable or "
		 "overlong reply."},
	.fix = {"Controleer de serverlog en apparatuur onderweg (firewalls met SMTP-inspectie, "
		"load balancers) die de verbinding na EHLO of STARTTLS verbreken.",
		"Check the server log and equipment on the path (firewalls with SMTP inspection, "
		"load balancers) that drops the connection after EHLO or STARTTLS."},
    },
    {
	.code = "refused",
	.what = {"Dit adres weigerde de verbinding op poort 25.",
		 "This address refused the connection on port 25."},
	.fix = {"Zorg dat de mailserver op dit adres luistert op poort 25 en dat de firewall die "
		"poort vanaf internet openzet, of verwijder het adres uit DNS als de server niet "
		"meer in gebruik is.",
		"Make sure the mail server listens on port 25 at this address and the firewall "
		"opens that port to the internet, or remove the address from DNS if the server is "
		"no longer in use."},
    },
    {
	.code = "skipped",
	.what = {"De scan is gedraaid met --skip voor deze standaard: die is niet getest.",
		 "The scan ran with --skip for this standard: it was not tested."},
	.fix = {"Niets aan de kant van het domein. Draai de scan zonder --skip voor een oordeel.",
		"Nothing on the domain's side. Run the scan without --skip for a verdict."},
    },
    {
	.code = "spf-all-missing",
	.what = {"Het SPF-record eindigt niet met een all-mechanisme en heeft geen redirect, "
		 "zodat mail van andere servers niet wordt afgewezen (de standaard is ?all, "
		 "neutraal).",
		 "The SPF record has no all mechanism and no redirect, so mail from other "
		 "servers is not refused (the default is ?all, neutral)."},
	.fix = {"Sluit het record af met -all (weigeren) of ~all (markeren), zoals Forum "
		"Standaardisatie en internet.nl vragen.",
		"End the record with -all (refuse) or ~all (mark), as Forum Standaardisatie and "
		"internet.nl ask."},
    },
    {
	.code = "spf-all-neutral",
	.what = {"Het SPF-record eindigt met ?all: over mail van andere servers zegt het niets, "
		 "dus het beschermt niet tegen misbruik van het domein.",
		 "The SPF record ends in ?all: it says nothing about mail from other servers, so "
		 "it gives no protection against abuse of the domain."},
	.fix = {"Vervang ?all door -all of ~all zodra alle legitieme verzenders in het record "
		"staan.",
		"Replace ?all with -all or ~all once every legitimate sender is listed in the "
		"record."},
    },
    {
	.code = "spf-all-pass",
	.what = {"Het SPF-record eindigt met +all (of all zonder teken): iedere server ter "
		 "wereld mag namens het domein mailen.",
		 "The SPF record ends in +all (or a bare all): every server in the world may "
		 "send mail for the domain."},
	.fix = {"Vervang +all door -all of ~all en noem alleen de servers die werkelijk namens "
		"het domein mailen.",
		"Replace +all with -all or ~all and list only the servers that really send mail "
		"for the domain."},
    },
    {
	.code = "spf-include-no-record",
	.what = {"Een include in het SPF-record wijst naar een domein zonder SPF-record; volgens "
		 "RFC 7208 §5.2 is dat een permanente fout.",
		 "An include in the SPF record points to a domain without an SPF record; RFC "
		 "7208 §5.2 makes that a permanent error."},
	.fix = {"Controleer de naam van de include (vaak een tikfout of een dienst die gestopt "
		"is) en verwijder of corrigeer hem.",
		"Check the include's name (often a typo or a discontinued service) and remove "
		"or correct it."},
    },
    {
	.code = "spf-include-pass-all",
	.what = {"Een record dat het SPF-record via include opneemt eindigt met +all, waardoor "
		 "elke server slaagt voor het domein.",
		 "A record the SPF record includes ends in +all, which lets every server pass "
		 "for the domain."},
	.fix = {"Verwijder die include of vraag de beheerder ervan om +all te vervangen door "
		"-all of ~all.",
		"Remove that include, or ask its owner to replace +all with -all or ~all."},
    },
    {
	.code = "spf-loop",
	.what = {"Het SPF-record verwijst via include of redirect (indirect) naar zichzelf; "
		 "ontvangers kunnen het niet uitwerken.",
		 "The SPF record refers (indirectly) to itself through include or redirect; "
		 "receivers cannot resolve it."},
	.fix = {"Haal de kringverwijzing weg: een include of redirect mag niet terugwijzen naar "
		"een domein dat al in de keten zit.",
		"Remove the circular reference: an include or redirect must not point back to a "
		"domain already in the chain."},
    },
    {
	.code = "spf-multiple-records",
	.what = {"Het domein heeft meer dan één SPF-record; volgens RFC 7208 is dat een "
		 "permanente fout en negeren ontvangers SPF dan helemaal.",
		 "The domain has more than one SPF record; RFC 7208 makes that a permanent "
		 "error, and receivers then ignore SPF altogether."},
	.fix = {"Voeg de records samen tot één \"v=spf1\"-record (alle mechanismen in één record, "
		"één keer -all of ~all aan het eind) en verwijder de andere.",
		"Merge them into one \"v=spf1\" record (all mechanisms in one record, a single "
		"-all or ~all at the end) and remove the others."},
    },
    {
	.code = "spf-none",
	.what = {"Het domein publiceert geen SPF-record (TXT \"v=spf1 ...\"), zodat ontvangers "
		 "niet kunnen nagaan welke servers namens het domein mogen mailen.",
		 "The domain publishes no SPF record (TXT \"v=spf1 ...\"), so receivers cannot "
		 "tell which servers may send mail for it."},
	.fix = {"Publiceer één TXT-record op het domein met de servers die namens het domein "
		"mailen en sluit af met -all of ~all, bijvoorbeeld \"v=spf1 include:<provider> "
		"-all\". Verstuurt het domein geen mail, publiceer dan \"v=spf1 -all\" (RFC 7208).",
		"Publish one TXT record at the domain listing the servers that send its mail "
		"and ending in -all or ~all, for example \"v=spf1 include:<provider> -all\". If "
		"the domain sends no mail, publish \"v=spf1 -all\" (RFC 7208)."},
    },
    {
	.code = "spf-redirect-macro",
	.what = {"De redirect van het SPF-record gebruikt macro's die pas bij een echte afzender "
		 "uit te werken zijn, zodat het beleid niet te beoordelen is.",
		 "The SPF record's redirect uses macros that can only be expanded for a real "
		 "sender, so its policy cannot be judged."},
	.fix = {"Gebruik een redirect zonder macro's, of zet de mechanismen met -all of ~all in "
		"het record zelf.",
		"Use a redirect without macros, or put the mechanisms with -all or ~all in the "
		"record itself."},
    },
    {
	.code = "spf-redirect-no-record",
	.what = {"De redirect van het SPF-record wijst naar een domein zonder SPF-record; dat is "
		 "een permanente fout (RFC 7208 §6.1).",
		 "The SPF record's redirect points to a domain without an SPF record; that is a "
		 "permanent error (RFC 7208 §6.1)."},
	.fix = {"Laat de redirect naar een domein met een geldig SPF-record wijzen, of vervang "
		"hem door de mechanismen zelf met -all of ~all.",
		"Point the redirect at a domain with a valid SPF record, or replace it with the "
		"mechanisms themselves and -all or ~all."},
    },
    {
	.code = "spf-syntax",
	.what = {"Een SPF-record in de keten (van het domein zelf of een include) klopt niet met "
		 "de grammatica van RFC 7208; ontvangers behandelen dat als permanente fout.",
		 "An SPF record in the chain (the domain's own or an include) breaks the grammar "
		 "of RFC 7208; receivers treat that as a permanent error."},
	.fix = {"Herstel het record dat het bewijs noemt (bijvoorbeeld een IP-adres of "
		"prefixlengte die niet bestaat, een tikfout in een mechanisme of een dubbele "
		"redirect) en controleer het met een SPF-validator.",
		"Fix the record the evidence names (for example an address or prefix length "
		"that does not exist, a typo in a mechanism, or a repeated redirect) and check "
		"it with an SPF validator."},
    },
    {
	.code = "spf-temperror",
	.what = {"Een DNS-opvraging die nodig is om het SPF-record uit te werken (het record "
		 "zelf of een include) mislukte of bleef onbeantwoord; SPF is niet beoordeeld.",
		 "A DNS lookup needed to evaluate the SPF record (the record itself or an "
		 "include) failed or got no answer; SPF was not judged."},
	.fix = {"Controleer of de nameservers van het domein en van de includes antwoorden; een "
		"tijdelijke storing verdwijnt bij een volgende meting vanzelf.",
		"Check that the name servers of the domain and of the includes answer; a "
		"passing outage clears at the next measurement."},
    },
    {
	.code = "spf-too-many-lookups",
	.what = {"Het SPF-record heeft, met alle includes meegeteld, meer dan 10 mechanismen die "
		 "een DNS-opvraging kosten (include, a, mx, ptr, exists, redirect); ontvangers "
		 "geven dan een permanente fout.",
		 "Counting every include, the SPF record has more than 10 terms that cost a DNS "
		 "lookup (include, a, mx, ptr, exists, redirect); receivers then return a "
		 "permanent error."},
	.fix = {"Verminder het aantal opvragingen: vervang a en mx door ip4/ip6 waar de "
		"adressen vastliggen, verwijder includes van diensten die niet meer gebruikt "
		"worden en vraag providers om een compacter include-record (RFC 7208 §4.6.4).",
		"Reduce the lookups: replace a and mx with ip4/ip6 where the addresses are "
		"fixed, drop includes of services no longer in use, and ask providers for a "
		"leaner include record (RFC 7208 §4.6.4)."},
    },
    {
	.code = "spf-too-many-void-lookups",
	.what = {"Meer dan twee namen in het SPF-record (of zijn includes) bestaan niet of "
		 "hebben geen adres; RFC 7208 maakt dat een permanente fout.",
		 "More than two names in the SPF record (or its includes) do not exist or have "
		 "no address; RFC 7208 makes that a permanent error."},
	.fix = {"Verwijder of herstel de mechanismen die naar niet-bestaande namen wijzen; het "
		"bewijs noemt ze.",
		"Remove or repair the mechanisms that point to names that do not exist; the "
		"evidence names them."},
    },
    {
	.code = "starttls-missing",
	.what = {"Een MX-adres biedt geen STARTTLS aan, dus mail ernaartoe gaat onversleuteld, "
		 "terwijl STARTTLS op de 'pas toe of leg uit'-lijst staat.",
		 "An MX address does not offer STARTTLS, so mail to it travels unencrypted, "
		 "although STARTTLS is on the 'comply or explain' list."},
	.fix = {"Schakel STARTTLS in op elke mailserver met een geldig certificaat (RFC 3207), en "
		"controleer dat geen firewall met SMTP-inspectie STARTTLS uit het EHLO-antwoord "
		"haalt.",
		"Enable STARTTLS on every mail server with a valid certificate (RFC 3207), and "
		"check that no firewall with SMTP inspection strips STARTTLS from the EHLO "
		"reply."},
    },
    {
	.code = "starttls-rejected",
	.what = {"Een MX-adres biedt STARTTLS aan, maar weigert het STARTTLS-commando "
		 "(bijvoorbeeld met 454 TLS not available).",
		 "An MX address offers STARTTLS but refuses the STARTTLS command (for example with "
		 "454 TLS not available)."},
	.fix = {"Controleer of de mailserver zijn certificaat en privésleutel kan lezen en of TLS "
		"goed is ingesteld; de serverlog noemt meestal de oorzaak.",
		"Check that the mail server can read its certificate and private key and that TLS "
		"is set up correctly; the server log usually names the cause."},
    },
    {
	.code = "sts-txt-invalid",
	.what = {"Het _mta-sts TXT-record is ongeldig (bijvoorbeeld een ontbrekende of foute id), "
		 "dus verzenders negeren MTA-STS.",
		 "The _mta-sts TXT record is invalid (for example a missing or malformed id), so "
		 "senders ignore MTA-STS."},
	.fix = {"Publiceer precies \"v=STSv1; id=...\" met een id van 1 tot 32 letters en cijfers "
		"(bijvoorbeeld de datum, 20250101), zie RFC 8461 §3.1; verander de id bij elke "
		"wijziging van de policy.",
		"Publish exactly \"v=STSv1; id=...\" with an id of 1 to 32 letters and digits (for "
		"example the date, 20250101), see RFC 8461 §3.1; change the id whenever the policy "
		"changes."},
    },
    {
	.code = "sts-txt-multiple",
	.what = {"Er staat meer dan één v=STSv1-record op _mta-sts.<domein>; verzenders behandelen "
		 "dat alsof er geen MTA-STS is (RFC 8461 §3.1).",
		 "There is more than one v=STSv1 record at _mta-sts.<domain>; senders treat that "
		 "as no MTA-STS at all (RFC 8461 §3.1)."},
	.fix = {"Laat precies één v=STSv1-record staan en verwijder de andere.",
		"Keep exactly one v=STSv1 record and remove the others."},
    },
    {
	.code = "timeout",
	.what = {"Dit adres antwoordde niet op tijd (bij het verbinden, de begroeting of een "
		 "latere SMTP-stap), ook niet bij een tweede poging.",
		 "This address did not answer in time (when connecting, at the greeting or at a "
		 "later SMTP step), not even on a second attempt."},
	.fix = {"Controleer of een firewall verkeer naar poort 25 stilletjes laat vallen, of de "
		"server overbelast is en of de begroeting niet kunstmatig wordt vertraagd "
		"(tarpitting).",
		"Check whether a firewall silently drops traffic to port 25, whether the server is "
		"overloaded and whether the greeting is delayed on purpose (tarpitting)."},
    },
    {
	.code = "tls-handshake-failed",
	.what = {"Bij een MX-adres mislukte de TLS-handshake na STARTTLS, zodat mail er niet "
		 "versleuteld kan worden afgeleverd.",
		 "At an MX address the TLS handshake after STARTTLS failed, so mail cannot be "
		 "delivered to it encrypted."},
	.fix = {"Controleer certificaat, sleutel en TLS-instellingen: sta TLS 1.2 en 1.3 toe met "
		"cipher suites volgens de NCSC-richtlijnen voor TLS, en test met openssl s_client "
		"-starttls smtp -connect <mx-host>:25.",
		"Check the certificate, key and TLS settings: allow TLS 1.2 and 1.3 with cipher "
		"suites per the NCSC TLS guidelines, and test with openssl s_client -starttls smtp "
		"-connect <mx-host>:25."},
    },
    {
	.code = "tls-version-old",
	.what = {"Een MX-adres spreekt alleen TLS 1.1 of ouder, versies die zijn afgeschaft (RFC "
		 "8996) en die het NCSC als 'uit te faseren' aanmerkt.",
		 "An MX address only speaks TLS 1.1 or older, versions that are deprecated (RFC "
		 "8996) and that the NCSC rates as 'phase out'."},
	.fix = {"Schakel TLS 1.2 en TLS 1.3 in op de mailserver en TLS 1.0 en 1.1 uit, volgens de "
		"ICT-beveiligingsrichtlijnen voor TLS van het NCSC.",
		"Enable TLS 1.2 and TLS 1.3 on the mail server and disable TLS 1.0 and 1.1, "
		"following the NCSC's TLS guidelines (ICT-beveiligingsrichtlijnen voor TLS)."},
    },
    {
	.code = "tlsrpt-invalid",
	.what = {"Het TLS-RPT-record is ongeldig (de foutmelding zegt waarom), dus verzenders "
		 "sturen geen rapporten.",
		 "The TLS-RPT record is invalid (the error message says why), so senders send no "
		 "reports."},
	.fix = {"Gebruik de vorm \"v=TLSRPTv1; rua=mailto:tlsrpt@<domein>\": eerst v=TLSRPTv1, "
		"dan rua= met een of meer mailto:- of https:-adressen, gescheiden door komma's "
		"(RFC 8460 §3).",
		"Use the form \"v=TLSRPTv1; rua=mailto:tlsrpt@<domain>\": v=TLSRPTv1 first, then "
		"rua= with one or more mailto: or https: addresses, separated by commas (RFC 8460 "
		"§3)."},
    },
    {
	.code = "tlsrpt-multiple",
	.what = {"Er staat meer dan één v=TLSRPTv1-record op _smtp._tls.<domein>; verzenders "
		 "negeren ze dan allemaal (RFC 8460 §3).",
		 "There is more than one v=TLSRPTv1 record at _smtp._tls.<domain>; senders then "
		 "ignore all of them (RFC 8460 §3)."},
	.fix = {"Voeg ze samen tot één record; zet meerdere adressen in één rua=, gescheiden door "
		"komma's.",
		"Merge them into one record; put several addresses in one rua=, separated by "
		"commas."},
    },
};

static int advice_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const struct advice *)row)->code);
}

const struct advice *advice_find(const char *code)
{
	if (!code)
		return NULL;
	return bsearch(code, advice_rows, sizeof(advice_rows) / sizeof(advice_rows[0]),
		       sizeof(advice_rows[0]), advice_cmp);
}

const struct advice *advice_all(size_t *n)
{
	*n = sizeof(advice_rows) / sizeof(advice_rows[0]);
	return advice_rows;
}
