-- tests/data/report/fixture.sql - the fixed database of the report tests
-- (tests/report-tests.sh): `sqlite3 fixture.db < fixture.sql` makes a mailscan
-- database at schema version 8 (the schema below is `sqlite3 DB .schema` of
-- a database made by `mailscan scan`; a newer mailscan migrates it on open).
-- Run 3 says how it was made (runs.provenance, with a hostile host name)
-- and keeps three invalid entries of its list (one hostile; five were
-- invalid in all, so two are only counted) and a repeat of a domain; the
-- older runs have no provenance (made by an older mailscan).
--
-- Three finished runs (1 januari, 2 februari, 3 maart: trend and the changes
-- since the previous run) and one still running (4: never reported by
-- default, never in the trend). Run 3 has thirteen domains of nine
-- organisations in five categories plus one hostile category:
--
--   belastingproef.nl     GR + Gemeente Voorbeeld (two organisations);
--                         dnssec and starttls_dane improved since run 2
--   calc.nl               hostile organisation "=cmd|' /C calc'!A0" in the
--                         hostile category "@samen|werking `x` *y*";
--                         mta_sts regressed; only at oudhost.nl (fixable)
--   geenmail.nl           null MX: n/a
--   los.nl                no organisation lists it; new in run 3
--   proefdelta.nl         starttls_dane fail, explanation expired
--   proefland.nl          starttls_dane fail, explained (valid)
--   proefryslan.nl        passes dnssec: its explanation is not needed
--   xn--proefrysln-c5a.nl the A-label of proefryslân.nl; dnssec regressed,
--                         explained by an organisation-level explanation;
--                         TLS 1.1
--   script-gemeente.nl    hostile organisation <script>..., hostile banner
--                         (HTML, CR LF, char(1)), certificate, TLSA, policy,
--                         TLS-RPT record and a hostile reason code
--   __proef__.nl          underscores (Markdown emphasis if unescaped)
--   storing.nl            errors: niet getest (untested), not a change
--   voorbeeld.nl          passes everything; tlsrpt improved
--   voorbeeldzaken.nl     two rijk organisations, one named with LF and
--                         char(1)
--
-- Providers: mailprovider.nl (mx1, mx2; DANE ok) and oudhost.nl (no TLSA)
-- are shared.
--
-- tls_ncsc evidence (schema 4) on three hosts' addresses: mx1.mailprovider.nl
-- (done, no findings), mx.oudhost.nl (done: insufficient TLS 1.0 and a CBC
-- suite, phase-out suite and certificate keys) and mx.script-gemeente.nl
-- (incomplete; certificate findings, one with a hostile detail). The runs
-- have no tls_ncsc verdicts, so the standards and counts the other checks
-- pin down stay as they were; the appendix shows the evidence all the same. tests/data/report/explanations.yaml goes with this file.
--
-- Tags (schema 7, report --group-by): run 3's organisations carry
-- "provincie" (Utrecht: Gemeente Voorbeeld, Waterschap Proefdelta and the
-- GR; Fryslân; Proefland; a hostile value with markup on the <script>
-- organisation and one with LF and char(1) on the Dienst) and "bestuurslaag";
-- the calc organisation has none (it and los.nl form "(zonder provincie)").
-- Run 2 has other values (tags are per run; the report takes its run's).
-- Changing it means regenerating the golden files (UPDATE_GOLDEN=1 with
-- tests/report-tests.sh and tests/report-html-tests.sh) and reading the diff.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE runs ( id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, label TEXT, options TEXT, status TEXT NOT NULL DEFAULT 'running', n_domains INTEGER NOT NULL DEFAULT 0, n_pass INTEGER NOT NULL DEFAULT 0, n_warn INTEGER NOT NULL DEFAULT 0, n_fail INTEGER NOT NULL DEFAULT 0, n_na INTEGER NOT NULL DEFAULT 0, n_error INTEGER NOT NULL DEFAULT 0, notes TEXT, targets TEXT, shard TEXT, loaded INTEGER NOT NULL DEFAULT 0, n_targets INTEGER NOT NULL DEFAULT 0, n_entries INTEGER NOT NULL DEFAULT 0, n_invalid INTEGER NOT NULL DEFAULT 0, n_retried INTEGER NOT NULL DEFAULT 0);
CREATE TABLE organisations ( id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, category TEXT NOT NULL DEFAULT '');
CREATE TABLE domains ( id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, name TEXT NOT NULL, organisation_id INTEGER REFERENCES organisations(id), checked_at TEXT NOT NULL, evidence TEXT, dnssec_soa TEXT, dnssec_mx TEXT, mx_error TEXT, mta_sts_txt TEXT, mta_sts_policy TEXT, tlsrpt_txt TEXT, UNIQUE (run_id, name));
CREATE TABLE mx_hosts ( id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE, host TEXT NOT NULL, preference INTEGER NOT NULL, dnssec TEXT NOT NULL, tlsa_state TEXT NOT NULL, tlsa TEXT, error TEXT);
CREATE TABLE addresses ( id INTEGER PRIMARY KEY, mx_host_id INTEGER NOT NULL REFERENCES mx_hosts(id) ON DELETE CASCADE, ip TEXT NOT NULL, starttls TEXT NOT NULL, tls_version TEXT, cipher TEXT, cert_sha256 TEXT, pkix_valid INTEGER, name_match INTEGER, dane TEXT NOT NULL, banner TEXT, ehlo TEXT, error TEXT, cert_subject TEXT, cert_issuer TEXT, cert_not_after TEXT, key_type TEXT, key_bits INTEGER, signature TEXT, retried INTEGER NOT NULL DEFAULT 0, first_attempt TEXT, ncsc_state TEXT, ncsc_handshakes INTEGER, ncsc_versions TEXT, ncsc_findings TEXT);
CREATE TABLE verdicts ( domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE, standard TEXT NOT NULL, verdict TEXT NOT NULL, reasons TEXT NOT NULL DEFAULT '', PRIMARY KEY (domain_id, standard));
CREATE INDEX verdicts_standard_verdict ON verdicts(standard, verdict);
CREATE INDEX domains_run ON domains(run_id);
CREATE INDEX domains_name ON domains(name);
CREATE INDEX domains_organisation ON domains(organisation_id);
CREATE INDEX mx_hosts_domain ON mx_hosts(domain_id);
CREATE INDEX addresses_mx_host ON addresses(mx_host_id);
CREATE INDEX mx_hosts_run_host ON mx_hosts(run_id, host);
CREATE TABLE run_targets ( id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, name TEXT NOT NULL, UNIQUE (run_id, name));
CREATE TABLE run_target_orgs ( target_id INTEGER NOT NULL REFERENCES run_targets(id) ON DELETE CASCADE, organisation_id INTEGER NOT NULL REFERENCES organisations(id), line INTEGER NOT NULL, PRIMARY KEY (target_id, organisation_id)) WITHOUT ROWID;
CREATE TABLE domain_organisations ( domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE, organisation_id INTEGER NOT NULL REFERENCES organisations(id), PRIMARY KEY (domain_id, organisation_id)) WITHOUT ROWID;
CREATE INDEX domain_organisations_org ON domain_organisations(organisation_id);
CREATE UNIQUE INDEX mx_hosts_domain_host ON mx_hosts(domain_id, host);
CREATE INDEX runs_status ON runs(status);
CREATE TABLE probe_evidence ( domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE, probe TEXT NOT NULL, evidence TEXT NOT NULL CHECK (json_valid(evidence)), PRIMARY KEY (domain_id, probe)) WITHOUT ROWID;
ALTER TABLE runs ADD COLUMN provenance TEXT CHECK (provenance IS NULL OR json_valid(provenance));
CREATE TABLE run_invalid ( run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, line INTEGER NOT NULL, entry TEXT NOT NULL, reason TEXT NOT NULL);
CREATE INDEX run_invalid_run ON run_invalid(run_id, line);
CREATE TABLE run_org_tags ( run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, organisation_id INTEGER NOT NULL REFERENCES organisations(id), key TEXT NOT NULL, value TEXT NOT NULL, line INTEGER NOT NULL, PRIMARY KEY (run_id, organisation_id, key)) WITHOUT ROWID;
PRAGMA user_version = 8;

-- ---- runs ----
INSERT INTO runs (id, started, finished, label, options, status, targets, loaded) VALUES
 (1, '2026-01-05T07:00:00Z', '2026-01-05T07:04:10Z', 'januari',
  '--timeout 10 --concurrency 500 --per-ip 2 --rate 0 --max-mx 10 --ehlo mailscan.invalid',
  'done', 'targets/nl-fixture.yaml', 1),
 (2, '2026-02-02T07:00:00Z', '2026-02-02T07:05:01Z', 'februari',
  '--timeout 10 --concurrency 500 --per-ip 2 --rate 0 --max-mx 10 --ehlo mailscan.invalid',
  'done', 'targets/nl-fixture.yaml', 1),
 (3, '2026-03-02T07:00:00Z', '2026-03-02T07:05:30Z', 'maart | *meting* <i>3</i>',
  '--timeout 10 --concurrency 500 --per-ip 2 --rate 0 --max-mx 10 --ehlo mailscan.invalid',
  'done', 'targets/nl-fixture.yaml', 1),
 (4, '2026-03-09T07:00:00Z', NULL, 'loopt nog',
  '--timeout 10 --concurrency 500 --per-ip 2 --rate 0 --max-mx 10 --ehlo mailscan.invalid',
  'running', 'targets/nl-fixture.yaml', 1);

-- ---- organisations ----
INSERT INTO organisations (id, name, category) VALUES
 (1, 'Ministerie van Voorbeeldzaken', 'rijk'),
 (2, 'Gemeente Voorbeeld', 'gemeente'),
 (3, 'Gemeente Súdwest-Proefryslân', 'gemeente'),
 (4, 'Provincie Proefland', 'provincie'),
 (5, 'Waterschap Proefdelta', 'waterschap'),
 (6, 'GR Belastingsamenwerking Proef', 'gemeenschappelijke regeling'),
 (7, '<script>alert("x")</script> & "Gemeente" ''O''''Brien''', 'gemeente'),
 (8, '=cmd|'' /C calc''!A0', '@samen|werking `x` *y*'),
 (9, 'Dienst' || char(10) || 'Regel' || char(1) || 'Twee', 'rijk');

-- ---- run 1: verdicts only (the trend) ----
INSERT INTO domains (id, run_id, name, organisation_id, checked_at) VALUES
 (101, 1, 'belastingproef.nl', 6, '2026-01-05T07:01:00Z'),
 (102, 1, 'proefdelta.nl', 5, '2026-01-05T07:01:00Z'),
 (103, 1, 'proefland.nl', 4, '2026-01-05T07:01:00Z'),
 (104, 1, 'voorbeeld.nl', 2, '2026-01-05T07:01:00Z'),
 (105, 1, 'voorbeeldzaken.nl', 1, '2026-01-05T07:01:00Z'),
 (106, 1, 'xn--proefrysln-c5a.nl', 3, '2026-01-05T07:01:00Z');
INSERT INTO domain_organisations VALUES (101, 6), (101, 2), (102, 5), (103, 4), (104, 2),
 (105, 1), (105, 9), (106, 3);
INSERT INTO verdicts VALUES
 (101, 'dnssec', 'fail', 'dnssec-insecure'), (101, 'starttls', 'pass', ''),
 (101, 'dane', 'fail', 'dane-insecure'), (101, 'mta_sts', 'fail', 'no-policy'),
 (101, 'tlsrpt', 'fail', 'no-record'),
 (102, 'dnssec', 'pass', ''), (102, 'starttls', 'pass', ''),
 (102, 'dane', 'fail', 'dane-missing'), (102, 'mta_sts', 'fail', 'no-policy'),
 (102, 'tlsrpt', 'fail', 'no-record'),
 (103, 'dnssec', 'pass', ''), (103, 'starttls', 'pass', ''),
 (103, 'dane', 'fail', 'dane-missing'), (103, 'mta_sts', 'fail', 'no-policy'),
 (103, 'tlsrpt', 'fail', 'no-record'),
 (104, 'dnssec', 'pass', ''), (104, 'starttls', 'pass', ''),
 (104, 'dane', 'fail', 'dane-missing'), (104, 'mta_sts', 'fail', 'no-policy'),
 (104, 'tlsrpt', 'fail', 'no-record'),
 (105, 'dnssec', 'pass', ''), (105, 'starttls', 'pass', ''),
 (105, 'dane', 'pass', ''), (105, 'mta_sts', 'fail', 'sts-txt-invalid'),
 (105, 'tlsrpt', 'pass', ''),
 (106, 'dnssec', 'pass', ''), (106, 'starttls', 'pass', ''),
 (106, 'dane', 'fail', 'dane-missing'), (106, 'mta_sts', 'fail', 'no-policy'),
 (106, 'tlsrpt', 'fail', 'no-record');

-- ---- run 2: every domain of run 3 but los.nl (verdicts: the changes) ----
INSERT INTO domains (id, run_id, name, organisation_id, checked_at) VALUES
 (201, 2, 'belastingproef.nl', 6, '2026-02-02T07:01:00Z'),
 (202, 2, 'calc.nl', 8, '2026-02-02T07:01:00Z'),
 (203, 2, 'geenmail.nl', 4, '2026-02-02T07:01:00Z'),
 (205, 2, 'proefdelta.nl', 5, '2026-02-02T07:01:00Z'),
 (206, 2, 'proefland.nl', 4, '2026-02-02T07:01:00Z'),
 (207, 2, 'proefryslan.nl', 3, '2026-02-02T07:01:00Z'),
 (208, 2, 'script-gemeente.nl', 7, '2026-02-02T07:01:00Z'),
 (209, 2, 'storing.nl', 5, '2026-02-02T07:01:00Z'),
 (210, 2, 'voorbeeld.nl', 2, '2026-02-02T07:01:00Z'),
 (211, 2, 'voorbeeldzaken.nl', 1, '2026-02-02T07:01:00Z'),
 (212, 2, 'xn--proefrysln-c5a.nl', 3, '2026-02-02T07:01:00Z'),
 (213, 2, '__proef__.nl', 7, '2026-02-02T07:01:00Z');
INSERT INTO domain_organisations VALUES (201, 6), (201, 2), (202, 8), (203, 4), (205, 5),
 (206, 4), (207, 3), (208, 7), (209, 5), (210, 2), (211, 1), (211, 9), (212, 3), (213, 7);
INSERT INTO verdicts VALUES
 (201, 'dnssec', 'fail', 'dnssec-insecure'), (201, 'starttls', 'pass', ''),
 (201, 'dane', 'fail', 'dane-insecure'), (201, 'mta_sts', 'fail', 'no-policy'),
 (201, 'tlsrpt', 'fail', 'no-record'),
 (202, 'dnssec', 'pass', ''), (202, 'starttls', 'pass', ''),
 (202, 'dane', 'fail', 'dane-missing'), (202, 'mta_sts', 'pass', ''),
 (202, 'tlsrpt', 'fail', 'no-record'),
 (203, 'dnssec', 'pass', ''), (203, 'starttls', 'n/a', 'null-mx'),
 (203, 'dane', 'n/a', 'null-mx'), (203, 'mta_sts', 'n/a', 'null-mx'),
 (203, 'tlsrpt', 'n/a', 'null-mx'),
 (205, 'dnssec', 'pass', ''), (205, 'starttls', 'pass', ''),
 (205, 'dane', 'fail', 'dane-missing'), (205, 'mta_sts', 'warn', 'policy-mode-testing'),
 (205, 'tlsrpt', 'pass', ''),
 (206, 'dnssec', 'pass', ''), (206, 'starttls', 'pass', ''),
 (206, 'dane', 'fail', 'dane-missing'), (206, 'mta_sts', 'fail', 'no-policy'),
 (206, 'tlsrpt', 'fail', 'no-record'),
 (207, 'dnssec', 'pass', ''), (207, 'starttls', 'pass', ''),
 (207, 'dane', 'pass', ''), (207, 'mta_sts', 'fail', 'no-policy'),
 (207, 'tlsrpt', 'fail', 'no-record'),
 (208, 'dnssec', 'pass', ''), (208, 'starttls', 'pass', ''),
 (208, 'dane', 'fail', 'dane-mismatch'), (208, 'mta_sts', 'fail', 'mx-not-in-policy'),
 (208, 'tlsrpt', 'fail', 'tlsrpt-invalid'),
 (209, 'dnssec', 'pass', ''), (209, 'starttls', 'pass', ''),
 (209, 'dane', 'pass', ''), (209, 'mta_sts', 'fail', 'no-policy'),
 (209, 'tlsrpt', 'fail', 'no-record'),
 (210, 'dnssec', 'pass', ''), (210, 'starttls', 'pass', ''),
 (210, 'dane', 'pass', ''), (210, 'mta_sts', 'pass', ''),
 (210, 'tlsrpt', 'fail', 'no-record'),
 (211, 'dnssec', 'pass', ''), (211, 'starttls', 'pass', ''),
 (211, 'dane', 'pass', ''), (211, 'mta_sts', 'fail', 'sts-txt-invalid'),
 (211, 'tlsrpt', 'pass', ''),
 (212, 'dnssec', 'pass', ''), (212, 'starttls', 'pass', ''),
 (212, 'dane', 'fail', 'dane-missing'), (212, 'mta_sts', 'fail', 'no-policy'),
 (212, 'tlsrpt', 'fail', 'no-record'),
 (213, 'dnssec', 'pass', ''), (213, 'starttls', 'pass', ''),
 (213, 'dane', 'pass', ''), (213, 'mta_sts', 'fail', 'no-policy'),
 (213, 'tlsrpt', 'fail', 'no-record');

-- ---- run 3: the one reported on ----
INSERT INTO domains (id, run_id, name, organisation_id, checked_at, dnssec_soa, dnssec_mx,
                     mx_error, mta_sts_txt, mta_sts_policy, tlsrpt_txt) VALUES
 (301, 3, 'belastingproef.nl', 6, '2026-03-02T07:01:10Z', 'secure', 'secure', NULL,
  NULL, NULL, NULL),
 (302, 3, 'calc.nl', 8, '2026-03-02T07:01:11Z', 'secure', 'secure', NULL, NULL, NULL, NULL),
 (303, 3, 'geenmail.nl', 4, '2026-03-02T07:01:12Z', 'secure', 'secure', NULL, NULL, NULL, NULL),
 (304, 3, 'los.nl', NULL, '2026-03-02T07:01:13Z', 'secure', 'secure', NULL,
  'v=STSv1; id=20260301T000000',
  'version: STSv1' || char(10) || 'mode: enforce' || char(10) || 'mx: *.mailprovider.nl'
  || char(10) || 'max_age: 604800' || char(10),
  'v=TLSRPTv1; rua=mailto:tls-rpt@los.nl'),
 (305, 3, 'proefdelta.nl', 5, '2026-03-02T07:01:14Z', 'secure', 'secure', NULL,
  'v=STSv1; id=2026testing',
  'version: STSv1' || char(13) || char(10) || 'mode: testing' || char(13) || char(10)
  || 'mx: mx.oudhost.nl' || char(13) || char(10) || 'max_age: 86400' || char(13) || char(10),
  'v=TLSRPTv1; rua=mailto:tls-rpt@proefdelta.nl'),
 (306, 3, 'proefland.nl', 4, '2026-03-02T07:01:15Z', 'secure', 'secure', NULL, NULL, NULL,
  'v=TLSRPTv1; rua=mailto:tls-rpt@proefland.nl'),
 (307, 3, 'proefryslan.nl', 3, '2026-03-02T07:01:16Z', 'secure', 'secure', NULL, NULL, NULL,
  NULL),
 (308, 3, 'script-gemeente.nl', 7, '2026-03-02T07:01:17Z', 'secure', 'secure', NULL,
  'v=STSv1; id=<x>|y',
  'version: STSv1' || char(10) || 'mode: enforce' || char(10) || 'mx: *.evil|host'
  || char(10) || 'mx: <script>alert(2)</script>' || char(10) || 'max_age: 86400',
  'v=TLSRPTv1; rua=javascript:alert(1)|*x*'),
 (309, 3, 'storing.nl', 5, '2026-03-02T07:04:59Z', 'indeterminate', 'indeterminate', NULL,
  NULL, NULL, NULL),
 (310, 3, 'voorbeeld.nl', 2, '2026-03-02T07:01:18Z', 'secure', 'secure', NULL,
  'v=STSv1; id=20260301T000000',
  'version: STSv1' || char(10) || 'mode: enforce' || char(10) || 'mx: *.mailprovider.nl'
  || char(10) || 'max_age: 604800' || char(10),
  'v=TLSRPTv1; rua=mailto:tls-rpt@voorbeeld.nl'),
 (311, 3, 'voorbeeldzaken.nl', 1, '2026-03-02T07:01:19Z', 'secure', 'secure', NULL,
  'v=STSv1; id=bad id!', NULL, 'v=TLSRPTv1; rua=mailto:tls-rpt@voorbeeldzaken.nl'),
 (312, 3, 'xn--proefrysln-c5a.nl', 3, '2026-03-02T07:01:20Z', 'insecure', 'insecure', NULL,
  NULL, NULL, NULL),
 (313, 3, '__proef__.nl', 7, '2026-03-02T07:01:21Z', 'secure', 'secure', NULL, NULL, NULL,
  NULL);
INSERT INTO domain_organisations VALUES (301, 6), (301, 2), (302, 8), (303, 4), (305, 5),
 (306, 4), (307, 3), (308, 7), (309, 5), (310, 2), (311, 1), (311, 9), (312, 3), (313, 7);
INSERT INTO verdicts VALUES
 (301, 'dnssec', 'pass', ''), (301, 'starttls', 'pass', ''),
 (301, 'dane', 'pass', ''), (301, 'mta_sts', 'fail', 'no-policy'),
 (301, 'tlsrpt', 'fail', 'no-record'),
 (302, 'dnssec', 'pass', ''), (302, 'starttls', 'pass', ''),
 (302, 'dane', 'fail', 'dane-missing'), (302, 'mta_sts', 'fail', 'no-policy'),
 (302, 'tlsrpt', 'fail', 'no-record'),
 (303, 'dnssec', 'pass', ''), (303, 'starttls', 'n/a', 'null-mx'),
 (303, 'dane', 'n/a', 'null-mx'), (303, 'mta_sts', 'n/a', 'null-mx'),
 (303, 'tlsrpt', 'n/a', 'null-mx'),
 (304, 'dnssec', 'pass', ''), (304, 'starttls', 'pass', ''),
 (304, 'dane', 'pass', ''), (304, 'mta_sts', 'pass', ''),
 (304, 'tlsrpt', 'pass', ''),
 (305, 'dnssec', 'pass', ''), (305, 'starttls', 'pass', ''),
 (305, 'dane', 'fail', 'dane-missing'), (305, 'mta_sts', 'warn', 'policy-mode-testing'),
 (305, 'tlsrpt', 'pass', ''),
 (306, 'dnssec', 'pass', ''), (306, 'starttls', 'pass', ''),
 (306, 'dane', 'fail', 'dane-missing'), (306, 'mta_sts', 'fail', 'no-policy'),
 (306, 'tlsrpt', 'pass', ''),
 (307, 'dnssec', 'pass', ''), (307, 'starttls', 'pass', ''),
 (307, 'dane', 'pass', ''), (307, 'mta_sts', 'fail', 'no-policy'),
 (307, 'tlsrpt', 'fail', 'no-record'),
 (308, 'dnssec', 'pass', ''), (308, 'starttls', 'pass', ''),
 (308, 'dane', 'fail', 'dane-mismatch'), (308, 'mta_sts', 'fail', 'mx-not-in-policy'),
 (308, 'tlsrpt', 'fail', 'tlsrpt-invalid <i>x</i>|*y*'),
 (309, 'dnssec', 'error', 'dnssec-indeterminate'), (309, 'starttls', 'error', 'mx-unreachable'),
 (309, 'dane', 'error', 'dane-unreachable'), (309, 'mta_sts', 'fail', 'no-policy'),
 (309, 'tlsrpt', 'fail', 'no-record'),
 (310, 'dnssec', 'pass', ''), (310, 'starttls', 'pass', ''),
 (310, 'dane', 'pass', ''), (310, 'mta_sts', 'pass', ''),
 (310, 'tlsrpt', 'pass', ''),
 (311, 'dnssec', 'pass', ''), (311, 'starttls', 'pass', ''),
 (311, 'dane', 'pass', ''), (311, 'mta_sts', 'fail', 'sts-txt-invalid'),
 (311, 'tlsrpt', 'pass', ''),
 (312, 'dnssec', 'fail', 'dnssec-insecure'), (312, 'starttls', 'fail', 'tls-version-old'),
 (312, 'dane', 'fail', 'dane-insecure'), (312, 'mta_sts', 'fail', 'no-policy'),
 (312, 'tlsrpt', 'fail', 'no-record'),
 (313, 'dnssec', 'pass', ''), (313, 'starttls', 'pass', ''),
 (313, 'dane', 'pass', ''), (313, 'mta_sts', 'fail', 'no-policy'),
 (313, 'tlsrpt', 'fail', 'no-record');

-- MX hosts (one row per domain and host, as scan stores them)
INSERT INTO mx_hosts (id, run_id, domain_id, host, preference, dnssec, tlsa_state, tlsa, error)
VALUES
 (3011, 3, 301, 'mx1.mailprovider.nl', 10, 'secure', 'present',
  '3 1 1 5f0d0e5e3c8a4b1f9e2d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5b4a39281', NULL),
 (3012, 3, 301, 'mx2.mailprovider.nl', 20, 'secure', 'present',
  '3 1 1 8a4b1f9e2d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5b4a392815f0d0e5e3c', NULL),
 (3021, 3, 302, 'mx.oudhost.nl', 10, 'secure', 'none', NULL, NULL),
 (3041, 3, 304, 'mx1.mailprovider.nl', 10, 'secure', 'present',
  '3 1 1 5f0d0e5e3c8a4b1f9e2d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5b4a39281', NULL),
 (3051, 3, 305, 'mx.oudhost.nl', 10, 'secure', 'none', NULL, NULL),
 (3061, 3, 306, 'mx.oudhost.nl', 10, 'secure', 'none', NULL, NULL),
 (3071, 3, 307, 'mx1.mailprovider.nl', 10, 'secure', 'present',
  '3 1 1 5f0d0e5e3c8a4b1f9e2d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5b4a39281', NULL),
 (3072, 3, 307, 'mx2.mailprovider.nl', 20, 'secure', 'present',
  '3 1 1 8a4b1f9e2d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5b4a392815f0d0e5e3c', NULL),
 (3081, 3, 308, 'mx.script-gemeente.nl', 10, 'secure', 'present',
  '3 1 1 ab|cd; 3 0 1 *ef* `x` <b>', NULL),
 (3091, 3, 309, 'mx.storing.nl', 10, 'indeterminate', 'present',
  '3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  'SERVFAIL for mx.storing.nl/AAAA'),
 (3101, 3, 310, 'mx1.mailprovider.nl', 10, 'secure', 'present',
  '3 1 1 5f0d0e5e3c8a4b1f9e2d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5b4a39281', NULL),
 (3102, 3, 310, 'mx2.mailprovider.nl', 20, 'secure', 'present',
  '3 1 1 8a4b1f9e2d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5b4a392815f0d0e5e3c', NULL),
 (3111, 3, 311, 'mx1.mailprovider.nl', 10, 'secure', 'present',
  '3 1 1 5f0d0e5e3c8a4b1f9e2d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5b4a39281', NULL),
 (3121, 3, 312, 'mail.xn--proefrysln-c5a.nl', 10, 'insecure', 'not-looked-up', NULL, NULL),
 (3131, 3, 313, 'mx1.mailprovider.nl', 10, 'secure', 'present',
  '3 1 1 5f0d0e5e3c8a4b1f9e2d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5b4a39281', NULL);

-- addresses: the shared hosts once per domain, like scan stores them
INSERT INTO addresses (mx_host_id, ip, starttls, tls_version, cipher, cert_sha256, pkix_valid,
                       name_match, dane, banner, ehlo, error, cert_subject, cert_issuer,
                       cert_not_after, key_type, key_bits, signature, retried, first_attempt)
SELECT id, '192.0.2.10', 'ok', 'TLSv1.3', 'TLS_AES_256_GCM_SHA384',
       'c2a1b0e9f8d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5b4a392815f0d0e5e3', 1, 1, 'match',
       '220 mx1.mailprovider.nl ESMTP Postfix', '250-mx1.mailprovider.nl' || char(10)
       || '250 STARTTLS', NULL, 'CN=mx1.mailprovider.nl', 'CN=R11,O=Let''s Encrypt,C=US',
       '2026-05-20T12:00:00Z', 'EC', 256, 'ecdsa-with-SHA384', 0, NULL
FROM mx_hosts WHERE host = 'mx1.mailprovider.nl' AND run_id = 3 ORDER BY id;
INSERT INTO addresses (mx_host_id, ip, starttls, tls_version, cipher, cert_sha256, pkix_valid,
                       name_match, dane, banner, error, cert_subject, cert_issuer,
                       cert_not_after, key_type, key_bits, signature, retried)
SELECT id, '2001:db8::10', 'ok', 'TLSv1.3', 'TLS_AES_256_GCM_SHA384',
       'c2a1b0e9f8d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5b4a392815f0d0e5e3', 1, 1, 'match',
       '220 mx1.mailprovider.nl ESMTP Postfix', NULL, 'CN=mx1.mailprovider.nl',
       'CN=R11,O=Let''s Encrypt,C=US', '2026-05-20T12:00:00Z', 'EC', 256,
       'ecdsa-with-SHA384', 0
FROM mx_hosts WHERE host = 'mx1.mailprovider.nl' AND run_id = 3 ORDER BY id;
INSERT INTO addresses (mx_host_id, ip, starttls, tls_version, cipher, cert_sha256, pkix_valid,
                       name_match, dane, banner, error, cert_subject, cert_issuer,
                       cert_not_after, key_type, key_bits, signature, retried)
SELECT id, '192.0.2.11', 'ok', 'TLSv1.3', 'TLS_AES_256_GCM_SHA384',
       'd3b2c1f0e9d8c7b6a5948372615f4e3d2c1b0a9f8e7d6c5b4a392815f0d0e5e4', 1, 1, 'match',
       '220 mx2.mailprovider.nl ESMTP Postfix', NULL, 'CN=mx2.mailprovider.nl',
       'CN=R11,O=Let''s Encrypt,C=US', '2026-05-20T12:00:00Z', 'EC', 256,
       'ecdsa-with-SHA384', 0
FROM mx_hosts WHERE host = 'mx2.mailprovider.nl' AND run_id = 3 ORDER BY id;
INSERT INTO addresses (mx_host_id, ip, starttls, tls_version, cipher, cert_sha256, pkix_valid,
                       name_match, dane, banner, error, cert_subject, cert_issuer,
                       cert_not_after, key_type, key_bits, signature, retried)
SELECT id, '198.51.100.25', 'ok', 'TLSv1.2', 'ECDHE-RSA-AES256-GCM-SHA384',
       '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0', 1, 1,
       'not-checked', '220-mx.oudhost.nl ESMTP Exim 4.96' || char(13) || char(10)
       || '220 Geen ongevraagde reclame', NULL, 'CN=mx.oudhost.nl',
       'CN=Sectigo RSA Domain Validation Secure Server CA,O=Sectigo Limited,C=GB',
       '2026-09-01T23:59:59Z', 'RSA', 2048, 'sha256WithRSAEncryption', 0
FROM mx_hosts WHERE host = 'mx.oudhost.nl' AND run_id = 3 ORDER BY id;
INSERT INTO addresses (mx_host_id, ip, starttls, tls_version, cipher, cert_sha256, pkix_valid,
                       name_match, dane, banner, error, cert_subject, cert_issuer,
                       cert_not_after, key_type, key_bits, signature, retried) VALUES
 (3081, '203.0.113.5', 'ok', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256',
  'e4c3b2a1f0e9d8c7b6a5948372615f4e3d2c1b0a9f8e7d6c5b4a392815f0d0e5', 0, 0, 'mismatch',
  '220 <img src=x onerror=alert(1)> ESMTP' || char(13) || char(10)
  || '220-| *bold* `code` [a](javascript:b) # x' || char(1) || ' end \ ~~s~~ $x$',
  NULL, 'CN=<b>mx</b>|evil,O=Evil & Co', 'CN=<script>ca</script>', '2027-01-01T00:00:00Z',
  'RSA', 1024, 'sha1WithRSAEncryption', 0),
 (3121, '203.0.113.80', 'tls-version-old', 'TLSv1.1', 'ECDHE-RSA-AES128-SHA',
  NULL, NULL, NULL, 'not-checked',
  '220 mail.proefryslan.nl Microsoft ESMTP MAIL Service ready', 'only TLSv1.1 offered',
  NULL, NULL, NULL, NULL, NULL, NULL, 0);
INSERT INTO addresses (mx_host_id, ip, starttls, dane, banner, error, retried, first_attempt)
VALUES
 (3091, '192.0.2.99', 'timeout', 'not-checked', NULL, 'no greeting within 10 s', 1,
  'timeout: no greeting within 10 s');

-- tls_ncsc evidence: one probe per IP, so every row of the IP gets the same;
-- findings one per line, class TAB aspect TAB item TAB version ("-": none)
-- TAB detail, the certificate's last ('' : the probe found nothing)
UPDATE addresses SET ncsc_state = 'done', ncsc_handshakes = 13,
 ncsc_versions = 'TLSv1.3 accepted, TLSv1.2 accepted, TLSv1.1 refused, TLSv1.0 refused, SSLv3 refused',
 ncsc_findings = ''
WHERE mx_host_id IN (SELECT id FROM mx_hosts WHERE host = 'mx1.mailprovider.nl' AND run_id = 3);
UPDATE addresses SET ncsc_state = 'done', ncsc_handshakes = 14,
 ncsc_versions = 'TLSv1.3 refused, TLSv1.2 accepted, TLSv1.1 refused, TLSv1.0 accepted, SSLv3 refused',
 ncsc_findings =
  'insufficient' || char(9) || 'cipher' || char(9) || 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA'
  || char(9) || 'TLSv1.0' || char(9) || 'ECDHE-RSA-AES256-SHA (ECDHE, CBC)' || char(10)
  || 'phase-out' || char(9) || 'cipher' || char(9) || 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384'
  || char(9) || 'TLSv1.2' || char(9) || 'ECDHE-RSA-AES256-SHA384 (ECDHE, CBC)' || char(10)
  || 'insufficient' || char(9) || 'version' || char(9) || 'TLSv1.0' || char(9) || 'TLSv1.0'
  || char(9) || 'accepted' || char(10)
  || 'phase-out' || char(9) || 'cert-key' || char(9) || 'RSA-2048' || char(9) || '-' || char(9)
  || 'depth 0: CN=mx.oudhost.nl' || char(10)
  || 'phase-out' || char(9) || 'cert-key' || char(9) || 'RSA-2048' || char(9) || '-' || char(9)
  || 'depth 1: CN=Sectigo RSA Domain Validation Secure Server CA,O=Sectigo Limited,C=GB'
WHERE mx_host_id IN (SELECT id FROM mx_hosts WHERE host = 'mx.oudhost.nl' AND run_id = 3);
UPDATE addresses SET ncsc_state = 'incomplete', ncsc_handshakes = 3,
 ncsc_versions = 'TLSv1.3 accepted, TLSv1.2 unknown, TLSv1.1 unknown, TLSv1.0 unknown, SSLv3 unknown',
 ncsc_findings =
  'insufficient' || char(9) || 'cert-key' || char(9) || 'RSA-1024' || char(9) || '-' || char(9)
  || 'depth 0: CN=<b>mx</b>|evil,O=Evil & Co' || char(10)
  || 'insufficient' || char(9) || 'cert-signature' || char(9) || 'sha1WithRSAEncryption'
  || char(9) || '-' || char(9) || 'depth 0: CN=<b>mx</b>|evil,O=Evil & Co' || char(10)
  || 'phase-out' || char(9) || 'cert-key' || char(9) || 'RSA-2048' || char(9) || '-' || char(9)
  || 'depth 1: CN=<script>alert("ncsc")</script>,O=''Evil & Co'' `x` *y*|z'
WHERE ip = '203.0.113.5';

-- ---- run 4: still running (ignored by default and by the trend) ----
INSERT INTO domains (id, run_id, name, organisation_id, checked_at) VALUES
 (401, 4, 'voorbeeld.nl', 2, '2026-03-09T07:01:00Z');
INSERT INTO domain_organisations VALUES (401, 2);
INSERT INTO verdicts VALUES
 (401, 'dnssec', 'fail', 'dnssec-bogus'), (401, 'starttls', 'fail', 'starttls-missing'),
 (401, 'dane', 'fail', 'dane-no-tls'), (401, 'mta_sts', 'fail', 'no-policy'),
 (401, 'tlsrpt', 'fail', 'no-record');

-- the counts `mailscan runs` shows
UPDATE runs SET
 n_domains = (SELECT count(*) FROM domains d WHERE d.run_id = runs.id),
 n_targets = (SELECT count(*) FROM domains d WHERE d.run_id = runs.id),
 n_entries = (SELECT count(*) FROM domains d WHERE d.run_id = runs.id),
 n_pass = (SELECT count(*) FROM verdicts v JOIN domains d ON d.id = v.domain_id
           WHERE d.run_id = runs.id AND v.verdict = 'pass'),
 n_warn = (SELECT count(*) FROM verdicts v JOIN domains d ON d.id = v.domain_id
           WHERE d.run_id = runs.id AND v.verdict = 'warn'),
 n_fail = (SELECT count(*) FROM verdicts v JOIN domains d ON d.id = v.domain_id
           WHERE d.run_id = runs.id AND v.verdict = 'fail'),
 n_na = (SELECT count(*) FROM verdicts v JOIN domains d ON d.id = v.domain_id
         WHERE d.run_id = runs.id AND v.verdict = 'n/a'),
 n_error = (SELECT count(*) FROM verdicts v JOIN domains d ON d.id = v.domain_id
            WHERE d.run_id = runs.id AND v.verdict = 'error'),
 n_retried = (SELECT count(*) FROM addresses a JOIN mx_hosts m ON m.id = a.mx_host_id
              WHERE m.run_id = runs.id AND a.retried);

-- ---- run 3: how it was made, and what became of its list ----
UPDATE runs SET n_entries = n_entries + 1, n_invalid = 5,
 provenance = json_object('mailscan', '0.1.0',
  'libraries', 'OpenSSL 3.0.19 27 Jan 2026; libunbound 1.17.1',
  'host', 'meet<b>1</b>|*x*',
  'dns_mode', 'recursive', 'root_hints', 'built-in',
  'trust_anchor', 'built-in', 'trust_anchor_keys', '20326 38696',
  'ca_file', 'system',
  'targets', '/srv/lijsten/nl-fixture.yaml',
  'targets_sha256', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  'targets_bytes', '2048',
  'skipped', 'tls_ncsc',
  'a_future_key', 'shown as stored')
 WHERE id = 3;
INSERT INTO run_org_tags (run_id, organisation_id, key, value, line) VALUES
 (3, 1, 'bestuurslaag', 'Rijk', 3),
 (3, 1, 'provincie', 'Zuid-Holland', 3),
 (3, 2, 'bestuurslaag', 'Gemeente', 8),
 (3, 2, 'provincie', 'Utrecht', 8),
 (3, 3, 'provincie', 'Fryslân', 13),
 (3, 4, 'provincie', 'Proefland', 18),
 (3, 5, 'provincie', 'Utrecht', 23),
 (3, 6, 'provincie', 'Utrecht', 28),
 (3, 7, 'provincie', '<b>Noord</b> & "Zuid" | *x* _y_ =1+1', 33),
 (3, 9, 'provincie', 'Zuid' || char(13) || char(10) || '<i>x</i>' || char(1) || '/../..', 43),
 (2, 2, 'provincie', 'Oud-Utrecht', 8);
INSERT INTO run_invalid (run_id, line, entry, reason) VALUES
 (3, 12, 'bad..example', 'empty label'),
 (3, 17, '<img src=x onerror=alert(1)>.nl', 'label has a character that is not allowed'),
 (3, 40, '-proef-.nl', 'label starts with a hyphen');
-- ---- the DNSSEC, MTA-STS and TLS-RPT evidence as migration 7 makes it
-- from the columns above (a schema-8 file keeps it in probe_evidence) ----
INSERT OR IGNORE INTO probe_evidence (domain_id, probe, evidence)
 SELECT id, 'dnssec', json_object('domain', dnssec_soa, 'mx_rrset', dnssec_mx)
 FROM domains WHERE dnssec_soa IS NOT NULL OR dnssec_mx IS NOT NULL;
INSERT OR IGNORE INTO probe_evidence (domain_id, probe, evidence)
 SELECT id, 'mta_sts', json_object('txt', mta_sts_txt, 'policy_text', mta_sts_policy)
 FROM domains WHERE mta_sts_txt IS NOT NULL OR mta_sts_policy IS NOT NULL;
INSERT OR IGNORE INTO probe_evidence (domain_id, probe, evidence)
 SELECT id, 'tlsrpt', json_object('txt', tlsrpt_txt) FROM domains WHERE tlsrpt_txt IS NOT NULL;
COMMIT;
