/*
 * test_util.c - base/util.c's file reader (util_read_file), the one every
 * file bench reads whole goes through: workloads, claim files, result
 * files for charts, report.html and bench merge.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "util.h"

static char dir[] = "/tmp/bench-test-util-XXXXXX";

static char *put(const char *name, const char *bytes, size_t n)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (f) {
		CHECK_INT(fwrite(bytes, 1, n, f), n);
		fclose(f);
	}
	return path;
}

/* The whole file, binary-safe, NUL-terminated; len may be NULL. */
static void test_whole(void)
{
	char *path = put("bin", "a\0b\nc", 5), *text = NULL, err[256] = "";
	size_t len = 0;

	CHECK_INT(util_read_file(path, 5, "the thing", &text, &len, err, sizeof(err)), 0);
	CHECK_INT(len, 5);
	CHECK(text && memcmp(text, "a\0b\nc", 6) == 0); /* the terminator too */
	CHECK_STR(err, "");
	free(text);
	CHECK_INT(util_read_file(path, 1 << 20, NULL, &text, NULL, NULL, 0), 0);
	CHECK(text && text[0] == 'a');
	free(text);
	free(path);
	/* An empty file is "" (a buffer, not NULL). */
	path = put("empty", "", 0);
	CHECK_INT(util_read_file(path, 0, NULL, &text, &len, err, sizeof(err)), 0);
	CHECK(text && text[0] == '\0');
	CHECK_INT(len, 0);
	free(text);
	free(path);
}

/* max is the caller's bound: a file of max bytes is read, one byte more is
 * refused with EFBIG and a message naming the file and the bound; a big
 * file is never held whole. */
static void test_limit(void)
{
	char *path = put("ten", "0123456789", 10), *text = (char *)"x", err[256];
	char *big = xasprintf("%s/big", dir);
	size_t len = 7;
	FILE *f = fopen(big, "wb");

	CHECK_INT(util_read_file(path, 10, NULL, &text, &len, err, sizeof(err)), 0);
	CHECK_INT(len, 10);
	free(text);
	errno = 0;
	CHECK_INT(util_read_file(path, 9, "the claim file", &text, &len, err, sizeof(err)), -1);
	CHECK_INT(errno, EFBIG);
	CHECK(text == NULL);
	CHECK_INT(len, 0);
	CHECK(strstr(err, "/ten: cannot read the claim file: larger than 9 bytes") != NULL);
	/* 64 MiB of holes: refused after reading a little past the bound. */
	CHECK(f && ftruncate(fileno(f), 64 << 20) == 0);
	if (f)
		fclose(f);
	CHECK_INT(util_read_file(big, 1 << 20, NULL, &text, NULL, err, sizeof(err)), -1);
	CHECK_INT(errno, EFBIG);
	unlink(big);
	free(big);
	free(path);
}

/* A file that is not there, a directory: -1, errno, and the file named. */
static void test_errors(void)
{
	char *missing = xasprintf("%s/nothing", dir), *text = (char *)"x", err[256];

	CHECK_INT(util_read_file(missing, 100, "the workload", &text, NULL, err, sizeof(err)), -1);
	CHECK_INT(errno, ENOENT);
	CHECK(text == NULL);
	CHECK(strstr(err, "/nothing: cannot read the workload: No such file or directory") != NULL);
	CHECK_INT(util_read_file(dir, 100, NULL, &text, NULL, err, sizeof(err)), -1);
	CHECK_INT(errno, EISDIR);
	/* Said in words, not strerror's (EIO where read() does not say EISDIR). */
	CHECK(strstr(err, ": cannot read the file: this is a directory; name a file in it") != NULL);
	/* No buffer for the message: errno alone. */
	CHECK_INT(util_read_file(missing, 100, NULL, &text, NULL, NULL, 0), -1);
	CHECK_INT(errno, ENOENT);
	free(missing);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_whole();
	test_limit();
	test_errors();
	util_remove_tree(dir);
	return check_report("test_util");
}
