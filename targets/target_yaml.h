/*
 * target_yaml.h - what every YAML reader of mailscan shares (the target
 * list, the --config file, the explanations file): a cap on the nesting
 * depth of collections.
 *
 * Why: libyaml 0.2.5 has no depth limit, and its scanner keeps one
 * possible simple key per flow level, checking all of them for every
 * token: a 400 KB file of "{a: {a: ..." 100,000 levels deep under a key
 * that is only skipped took 83 s to read. None of mailscan's files needs
 * more than four levels; stopping at TARGET_YAML_DEPTH_MAX keeps the
 * scanner's stacks short (the scanner runs at most ~1 KB ahead of the
 * events), so such a file now fails in milliseconds.
 */
#ifndef MAILSCAN_TARGET_YAML_H
#define MAILSCAN_TARGET_YAML_H

#include <yaml.h>

#define TARGET_YAML_DEPTH_MAX 64 /* nested mappings and sequences */
#define TARGET_YAML_DEPTH_MSG "YAML nested deeper than 64 levels"

/*
 * Follow the nesting depth through the events of one stream: *depth starts
 * at 0 and is raised by a mapping or sequence start and lowered by its end.
 * Returns 0, or -1 when ev opens a collection deeper than
 * TARGET_YAML_DEPTH_MAX (the caller stops there, naming ev->start_mark).
 */
int target_yaml_nest(unsigned *depth, const yaml_event_t *ev);

#endif
