/*
 * fuzz_file.h - for harnesses whose parser reads a file by name (the target
 * list, --config, the explanations file): each input is written to one
 * temporary file, made once (in /dev/shm when there is one: no disk I/O)
 * and removed at exit.
 */
#ifndef MAILSCAN_FUZZ_FILE_H
#define MAILSCAN_FUZZ_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char fuzz_path[64];
static int fuzz_fd = -1;

static void fuzz_file_remove(void)
{
	if (fuzz_path[0])
		(void)unlink(fuzz_path);
}

/* The path of a file holding exactly data[0..size); NULL on failure. */
static const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix)
{
	if (fuzz_fd < 0) {
		int len = (int)strlen(suffix);

		(void)snprintf(fuzz_path, sizeof(fuzz_path), "%s/mailscan-fuzz-XXXXXX%s",
			       access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", suffix);
		fuzz_fd = mkstemps(fuzz_path, len);
		if (fuzz_fd < 0) {
			fuzz_path[0] = '\0';
			return NULL;
		}
		(void)atexit(fuzz_file_remove);
	}
	if (ftruncate(fuzz_fd, 0) < 0 || (size && pwrite(fuzz_fd, data, size, 0) != (ssize_t)size))
		return NULL;
	return fuzz_path;
}

#endif
