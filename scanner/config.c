/*
 * config.c - the YAML configuration file, read with libyaml's event API.
 * A flat mapping of scalars: nesting stops at the second level (and, like
 * every YAML reader of mailscan, at TARGET_YAML_DEPTH_MAX in any case), and
 * aliases are refused: an alias is no scalar event, so skipping it shifted
 * every later key onto the next value ("json: &t true" / "ehlo: *t" made
 * "--ehlo: 'timeout'").
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "../base/str.h"
#include "../targets/target_yaml.h"

static void config_err(const char *path, const yaml_mark_t *m, const char *what)
{
	(void)fprintf(stderr, "mailscan: %s:%zu:%zu: %s\n", path, m->line + 1, m->column + 1, what);
}

int config_load(const char *path, config_set_fn set, void *arg)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	FILE *f = fopen(path, "r");
	char key[128];
	unsigned nest = 0;
	int depth = 0, ret = -1, have_key = 0, done = 0;

	if (!f) {
		(void)fprintf(stderr, "mailscan: %s: cannot open: %m\n", path);
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		(void)fclose(f);
		(void)fprintf(stderr, "mailscan: out of memory\n");
		return -1;
	}
	yaml_parser_set_input_file(&parser, f);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			char msg[256];

			(void)snprintf(msg, sizeof(msg), "YAML syntax error: %s",
				       parser.problem ? parser.problem : "unknown");
			config_err(path, &parser.problem_mark, msg);
			goto out;
		}
		if (target_yaml_nest(&nest, &ev) < 0) {
			config_err(path, &ev.start_mark, TARGET_YAML_DEPTH_MSG);
			yaml_event_delete(&ev);
			goto out;
		}
		switch (ev.type) {
		case YAML_ALIAS_EVENT:
			config_err(path, &ev.start_mark,
				   "YAML aliases (*name) are not supported in the config file");
			yaml_event_delete(&ev);
			goto out;
		case YAML_MAPPING_START_EVENT:
			if (++depth > 1) {
				config_err(path, &ev.start_mark, "nested mappings are not options");
				yaml_event_delete(&ev);
				goto out;
			}
			break;
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_SEQUENCE_START_EVENT:
			config_err(path, &ev.start_mark, "lists are not options");
			yaml_event_delete(&ev);
			goto out;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;

			if (depth != 1) {
				config_err(path, &ev.start_mark, "expected a mapping of options");
				yaml_event_delete(&ev);
				goto out;
			}
			if (!have_key) {
				if (str_copy(key, sizeof(key), v) < 0) {
					config_err(path, &ev.start_mark, "key too long");
					yaml_event_delete(&ev);
					goto out;
				}
				have_key = 1;
				break;
			}
			have_key = 0;
			if (set(key, v, arg) < 0) {
				char msg[200], shown[84];

				(void)snprintf(msg, sizeof(msg), "bad value for '%s'",
					       str_show(shown, sizeof(shown), key));
				config_err(path, &ev.start_mark, msg);
				yaml_event_delete(&ev);
				goto out;
			}
			break;
		}
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	ret = 0;
out:
	yaml_parser_delete(&parser);
	(void)fclose(f);
	return ret;
}
