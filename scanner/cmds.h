/*
 * cmds.h - the commands besides `check` (SPEC §2): each takes argv with the
 * command name in argv[0] and returns the process exit status.
 */
#ifndef MAILSCAN_CMDS_H
#define MAILSCAN_CMDS_H

int cmd_scan(int argc, char **argv);   /* scan_cmd.c */
int cmd_runs(int argc, char **argv);   /* db_cmds.c */
int cmd_diff(int argc, char **argv);   /* db_cmds.c */
int cmd_merge(int argc, char **argv);  /* db_cmds.c */
int cmd_report(int argc, char **argv); /* report_cmd.c */

struct db;

/* Open a database that must exist already (runs, diff and report never
 * create one), read-only (db_open_readonly): NULL with the message printed
 * and *ret set to EXIT_USAGE (no such file) or EXIT_RUN (it cannot be
 * opened). */
struct db *cmd_open_existing(const char *path, int *ret);

#endif
