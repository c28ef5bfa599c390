/*
 * fuzz_rpki.c - libFuzzer harness for probes/rpki_data.c, the parsers of
 * the rpki probe's untrusted input: Team Cymru origin TXT answers (from any
 * name server), the --bgp-table reader and the --rpki-vrps JSON reader (files
 * from elsewhere), and RTRlib validation of whatever they accepted.
 *
 * The first byte picks the parser (mod 3): 0 Cymru (then an address line and
 * TXT records, one a line), 1 --bgp-table, 2 --rpki-vrps; the rest is its
 * input, NULs included.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/rpki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every route a parser hands out must validate (it parsed its prefix). */
static void check_routes(const struct rpki_data *d, const struct rpki_route *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		enum rpki_state st;

		if (!strchr(r[i].prefix, '/') || rpki_data_validate(d, &r[i], &st) < 0)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char vrps[] = "{\"roas\":[{\"asn\":64496,\"prefix\":\"192.0.2.0/24\","
				   "\"maxLength\":24},{\"asn\":\"AS64497\",\"prefix\":"
				   "\"2001:db8::/32\"}]}";
	struct rpki_route r[RPKI_ROUTES_MAX];
	struct rpki_data *d;
	char *s, err[512], name[128];
	size_t n;

	if (size < 1)
		return 0;
	s = malloc(size);
	d = rpki_data_new();
	if (!s || !d) {
		free(s);
		rpki_data_free(d);
		return 0;
	}
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	err[0] = '\0';
	switch (data[0] % 3) {
	case 0: {
		const char *txt[8];
		size_t ntxt = 0;
		char *line = s, *nl, *ip;

		if (rpki_data_parse_vrps(d, vrps, strlen(vrps), "v", err, sizeof(err)) < 0)
			__builtin_trap();
		ip = line;
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		line = nl + 1;
		while (ntxt < 8 && line) {
			txt[ntxt++] = line;
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			line = nl ? nl + 1 : NULL;
		}
		(void)rpki_cymru_name(ip, name, sizeof(name));
		n = rpki_cymru_parse(ip, txt, ntxt, r, RPKI_ROUTES_MAX);
		if (n > RPKI_ROUTES_MAX)
			__builtin_trap();
		check_routes(d, r, n);
		break;
	}
	case 1:
		if (rpki_data_parse_bgp(d, (const char *)data + 1, size - 1, "t", err,
					sizeof(err)) < 0) {
			if (strncmp(err, "t:", 2) != 0)
				__builtin_trap();
			break;
		}
		if (rpki_data_parse_vrps(d, vrps, strlen(vrps), "v", err, sizeof(err)) < 0)
			__builtin_trap();
		n = rpki_data_bgp_routes(d, "192.0.2.1", r, RPKI_ROUTES_MAX);
		check_routes(d, r, n);
		n = rpki_data_bgp_routes(d, "2001:db8::1", r, RPKI_ROUTES_MAX);
		check_routes(d, r, n);
		break;
	default:
		if (rpki_data_parse_vrps(d, (const char *)data + 1, size - 1, "v", err,
					 sizeof(err)) < 0) {
			if (strncmp(err, "v: ", 3) != 0)
				__builtin_trap();
			break;
		}
		{
			struct rpki_route one = {"192.0.2.0/24", 64496};
			enum rpki_state st;

			if (rpki_data_validate(d, &one, &st) < 0)
				__builtin_trap();
		}
		break;
	}
	rpki_data_free(d);
	free(s);
	return 0;
}
