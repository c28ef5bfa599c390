/*
 * labd.h - start-up shared by the lab's own servers (lab-smtpd, lab-blackhole):
 * go to the background (or not) and write the pid file. Header-only, static:
 * each server is one .c file built on its own (Makefile).
 */
#ifndef MAILSCAN_LABD_H
#define MAILSCAN_LABD_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write pid to path (NULL: nothing). Returns 0 or -1. */
static int labd_write_pid(const char *path, long pid)
{
	FILE *pf;
	int rc;

	if (path == NULL)
		return 0;
	pf = fopen(path, "w");
	if (pf == NULL)
		return -1;
	rc = fprintf(pf, "%ld\n", pid) < 0 ? -1 : 0;
	if (fclose(pf) != 0)
		rc = -1;
	return rc;
}

/*
 * With detach, fork: the parent writes the child's pid to pidfile and returns
 * 1 (it should exit 0), the child starts a session with stdin and stdout on
 * /dev/null (stderr stays: the lab's log) and returns 0. Without, write our
 * own pid and return 0. -1 with why set on failure.
 */
static int labd_start(bool detach, const char *pidfile, const char **why)
{
	pid_t pid;
	int devnull;

	if (!detach) {
		if (labd_write_pid(pidfile, (long)getpid()) < 0) {
			*why = "cannot write the pid file";
			return -1;
		}
		return 0;
	}
	pid = fork();
	if (pid < 0) {
		*why = "fork failed";
		return -1;
	}
	if (pid > 0) {
		if (labd_write_pid(pidfile, (long)pid) < 0) {
			*why = "cannot write the pid file";
			return -1;
		}
		return 1;
	}
	(void)setsid();
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		(void)dup2(devnull, 0);
		(void)dup2(devnull, 1);
		(void)close(devnull);
	}
	return 0;
}

/*
 * Go to the background (or not) and write the pid file, dying with a message
 * through die on failure; the parent process exits 0 here. Then TERM and INT
 * go to on_term, USR1 to on_usr1, and SIGPIPE is ignored.
 */
static void labd_daemon(bool detach, const char *pidfile, void (*on_term)(int),
			void (*on_usr1)(int), void (*die)(const char *, ...))
{
	const char *why = NULL;
	int started = labd_start(detach, pidfile, &why);
	struct sigaction sa;

	if (started < 0)
		die("%s (%s): %s", why, pidfile ? pidfile : "-", strerror(errno));
	if (started > 0)
		exit(0); /* the parent: the server runs in the child */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_usr1;
	(void)sigaction(SIGUSR1, &sa, NULL);
	(void)signal(SIGPIPE, SIG_IGN);
}

#endif
