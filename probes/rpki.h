/*
 * rpki.h - the data the rpki probe judges with (issue 12 §2): the validated
 * ROA payloads (VRPs, RFC 6811 §2) from an RPKI cache over RTR (RFC 8210,
 * through RTRlib's rtr_mgr) or from an rpki-client / routinator JSON file,
 * the announced routes (prefix and origin AS) of an address from a
 * --bgp-table file, and the parser of Team Cymru's origin TXT answers.
 *
 * Route-origin validation itself is RTRlib's (pfx_table_validate_r): both
 * VRP sources end in one struct pfx_table, so a file and a cache are judged
 * by the same code. Nothing here talks DNS; the probe (probes/rpki.c) asks
 * through the engine and hands the TXT answers in.
 *
 * A struct rpki_data is made once per run (scanner/cli.c), shared read-only
 * by every domain through probe_env.rpki, and freed with rpki_data_free.
 */
#ifndef MAILSCAN_RPKI_H
#define MAILSCAN_RPKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RPKI_FILE_MAX (512L * 1024 * 1024) /* bytes of a --rpki-vrps or --bgp-table file */
#define RPKI_LINE_MAX 512                  /* characters of one --bgp-table line */
#define RPKI_ROUTES_MAX 8                  /* routes (prefix, origin) kept per address */
#define RPKI_PREFIX_LEN 64                 /* "2001:db8::/32" with room */

/* RFC 6811 §2: the state of one route; ours adds why an invalid one is. */
enum rpki_state {
	RPKI_VALID = 0,
	RPKI_NOT_FOUND,
	RPKI_INVALID_ORIGIN, /* covered, but no covering VRP names its origin AS */
	RPKI_INVALID_LENGTH, /* a covering VRP names its origin, but the route is
			      * longer than its maxLength (too specific) */
};

/* "valid", "not-found", "invalid" (both invalid kinds): RFC 6811's words. */
const char *rpki_state_name(enum rpki_state s);

/* One announced route: prefix (presentation form with /len) and origin AS. */
struct rpki_route {
	char prefix[RPKI_PREFIX_LEN];
	uint32_t origin;
};

struct rpki_data;

/*
 * Load VRPs from an rpki-client or routinator JSON file ({"roas": [{"prefix":
 * "192.0.2.0/24", "maxLength": 24, "asn": "AS64496" or 64496}, ...]}), read
 * through SQLite's JSON functions. On error returns -1 with "FILE: roa N:
 * why" in err. *out is made or extended (a --bgp-table may be loaded into
 * the same struct, in either order).
 */
int rpki_data_load_vrps(struct rpki_data **out, const char *path, char *err, size_t errlen);

/*
 * Prepare an RTR cache HOST:PORT (RFC 8210 over TCP) as the VRP source; the
 * connection is made by rpki_data_start. Returns -1 with why in err when
 * HOST:PORT is malformed or memory is short.
 */
int rpki_data_set_cache(struct rpki_data **out, const char *hostport, char *err, size_t errlen);

/*
 * Load a prefix-to-origin table: one route a line, "PREFIX ORIGIN" (origin
 * "AS64496" or "64496"; '#' starts a comment), such as bgpdump's output
 * reduced to prefix and origin. On error returns -1 with "FILE:LINE: why".
 */
int rpki_data_load_bgp(struct rpki_data **out, const char *path, char *err, size_t errlen);

/* The same from memory (name for the messages): for the unit tests and the
 * fuzzer. */
int rpki_data_parse_bgp(struct rpki_data *d, const char *buf, size_t len, const char *name,
			char *err, size_t errlen);
int rpki_data_parse_vrps(struct rpki_data *d, const char *json, size_t len, const char *name,
			 char *err, size_t errlen);

/* An empty struct (no source yet), or NULL when memory is short. */
struct rpki_data *rpki_data_new(void);

/*
 * Start the RTR session (when a cache was set) and wait up to wait_ms for
 * its first full synchronisation, so no domain is judged against a partial
 * VRP set. Returns 0 when the VRPs are ready, -1 (why in err) when the cache
 * did not sync in time: the run goes on, and the probe says
 * rpki-cache-unreachable for every domain judged while it is not in sync.
 * Blocks; called once before the scan loop runs.
 */
int rpki_data_start(struct rpki_data *d, unsigned wait_ms, char *err, size_t errlen);

/* A VRP source was given, and it is ready (a file: always; a cache: in
 * sync now). */
bool rpki_data_has_source(const struct rpki_data *d);
bool rpki_data_ready(const struct rpki_data *d);
/* A --bgp-table was given (else origins come from DNS). */
bool rpki_data_has_bgp(const struct rpki_data *d);
/* "rtr HOST:PORT", "file PATH" (borrowed), for the evidence. */
const char *rpki_data_source_name(const struct rpki_data *d);

/* RFC 6811 route-origin validation of r through RTRlib. 0, or -1 when the
 * prefix does not parse. */
int rpki_data_validate(const struct rpki_data *d, const struct rpki_route *r, enum rpki_state *out);

/* The routes of the --bgp-table's most specific prefix covering ip (one per
 * origin), at most max; returns how many. */
size_t rpki_data_bgp_routes(const struct rpki_data *d, const char *ip, struct rpki_route *out,
			    size_t max);

void rpki_data_free(struct rpki_data *d);

/*
 * The Team Cymru origin name of ip ("4.3.2.1.origin.asn.cymru.com", IPv6
 * nibbles under origin6.asn.cymru.com). 0, or -1 when ip is not an address.
 */
int rpki_cymru_name(const char *ip, char *out, size_t outlen);

/*
 * The routes of one Cymru origin TXT answer: "AS [AS ...] | PREFIX | CC |
 * REGISTRY | DATE" (more than one TXT record: one per covering prefix).
 * Keeps the most specific prefix's routes that cover ip, one per origin,
 * at most max; returns how many, 0 when no record parses.
 */
size_t rpki_cymru_parse(const char *ip, const char *const *txt, size_t ntxt, struct rpki_route *out,
			size_t max);

#endif
