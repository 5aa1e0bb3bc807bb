/*
 * driver.c - replay libFuzzer inputs without libFuzzer, so that every
 * ctest run feeds each fuzz target its seed corpus (as libgit2 does).
 * SPDX-License-Identifier: MIT
 *
 * Usage: fuzz_x DIR|FILE...  Every regular file of each directory (not
 * recursive, dot files skipped) and every file named is passed to
 * LLVMFuzzerTestOneInput() once. Exits non-zero when an argument cannot
 * be read or when no input was found: an empty corpus proves nothing.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	struct stat sb;
	uint8_t *buf;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &sb) == -1) {
		fprintf(stderr, "fuzz replay: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	/* +1: never malloc(0), and room for a target that peeks */
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, (size_t)sb.st_size, f);
	fclose(f);
	if (n != (size_t)sb.st_size) {
		fprintf(stderr, "fuzz replay: %s: short read\n", path);
		free(buf);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int
compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file of dir, in name order; returns the count. */
static long
run_dir(const char *dir)
{
	struct dirent *de;
	struct stat sb;
	char **names = NULL, *path;
	size_t n = 0, i, len;
	long count = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "fuzz replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), compare);
	for (i = 0; i < n; i++) {
		len = strlen(dir) + strlen(names[i]) + 2;
		path = malloc(len);
		snprintf(path, len, "%s/%s", dir, names[i]);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			if (run_file(path) == -1)
				count = -1;
			else if (count >= 0)
				count++;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return count;
}

int
main(int argc, char **argv)
{
	struct stat sb;
	long total = 0, n;
	int i, bad = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == -1) {
			fprintf(stderr, "fuzz replay: %s: %s\n", argv[i],
			    strerror(errno));
			bad = 1;
			continue;
		}
		if (S_ISDIR(sb.st_mode))
			n = run_dir(argv[i]);
		else
			n = run_file(argv[i]) == 0 ? 1 : -1;
		if (n < 0)
			bad = 1;
		else
			total += n;
	}
	printf("fuzz replay: %ld inputs\n", total);
	if (total == 0)
		fprintf(stderr, "fuzz replay: no input found\n");
	return bad || total == 0 ? 1 : 0;
}
