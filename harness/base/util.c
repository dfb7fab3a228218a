/* util.c - clocks, allocation, strings, units and the file reader for the harness. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

uint64_t util_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *oom(size_t n)
{
	fprintf(stderr, "bench: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	return p ? p : oom(n);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	return p ? p : oom(n * size);
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	return q ? q : oom(n);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct sbuf sb = {0};
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return sbuf_take(&sb);
}

static void sbuf_reserve(struct sbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	sb->cap = sb->cap ? sb->cap : 64;
	while (sb->cap < need)
		sb->cap *= 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

void sbuf_add(struct sbuf *sb, const char *s, size_t n)
{
	sbuf_reserve(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	sbuf_reserve(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

char *sbuf_take(struct sbuf *sb)
{
	char *s = sb->buf ? sb->buf : xstrdup("");

	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return s;
}

/* Splits "12.5ms" into 12.5 and "ms". Returns -1 on a malformed number. */
static int split_number(const char *s, double *num, const char **unit)
{
	char *end;

	if (!s || !*s || !(s[0] == '.' || (s[0] >= '0' && s[0] <= '9')))
		return -1;
	errno = 0;
	*num = strtod(s, &end);
	if (errno || end == s || !isfinite(*num) || *num < 0)
		return -1;
	while (*end == ' ')
		end++;
	*unit = end;
	return 0;
}

struct unit {
	const char *name;
	double scale;
};

static int scale_by_unit(const char *s, const struct unit *units, double *out)
{
	double num;
	const char *unit;

	if (split_number(s, &num, &unit) < 0)
		return -1;
	for (; units->name; units++) {
		if (strcmp(unit, units->name) == 0) {
			*out = num * units->scale;
			return 0;
		}
	}
	return -1;
}

int util_parse_duration(const char *s, uint64_t *out_ns)
{
	static const struct unit units[] = {
		{"", 1e9}, {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}, {NULL, 0},
	};
	double v;

	if (scale_by_unit(s, units, &v) < 0 || v > 1e18)
		return -1;
	*out_ns = (uint64_t)llround(v);
	return 0;
}

int util_parse_size(const char *s, uint64_t *out)
{
	static const struct unit units[] = {
		{"", 1}, {"B", 1}, {"KB", 1e3}, {"KiB", 1024}, {"MB", 1e6}, {"MiB", 1048576},
		{"GB", 1e9}, {"GiB", 1073741824.0}, {NULL, 0},
	};
	double v;

	if (scale_by_unit(s, units, &v) < 0 || v > 1e18 || v != floor(v))
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int util_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !(*s >= '0' && *s <= '9'))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int util_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

unsigned util_edit_distance(const char *a, const char *b)
{
	/* Optimal string alignment: insert, delete, substitute, and swap of two
	 * neighbours ("rnu" -> "run") each cost 1. Three rolling rows. */
	size_t la = strlen(a), lb = strlen(b);
	unsigned rows[3][65], *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

	if (la > 64 || lb > 64)
		return 255;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned *t;

		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned best = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb] > 255 ? 255 : prev[lb];
}

const char *util_suggest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	unsigned best_d = 255;
	/* A third of the word's length, at least 1 and at most 3 edits. */
	unsigned limit = (unsigned)strlen(word) / 3;

	limit = limit < 1 ? 1 : limit > 3 ? 3 : limit;
	for (; *candidates; candidates++) {
		unsigned d = util_edit_distance(word, *candidates);

		if (d < best_d) {
			best_d = d;
			best = *candidates;
		}
	}
	return best_d <= limit ? best : NULL;
}

int util_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int util_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666); /* less the umask */
	int err = 0;

	if (fd < 0)
		return -1;
	if (util_write_all(fd, text, strlen(text)) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	errno = err;
	return err ? -1 : 0;
}

int util_read_file(const char *path, size_t max, const char *what, char **out, size_t *len, char *err,
		   size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct sbuf sb = {0};
	char buf[65536];
	size_t n;
	int e = 0;
	struct stat st;

	*out = NULL;
	if (len)
		*len = 0;
	if (!f) {
		e = errno;
	} else if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		/* Said outright: reading a directory fails with EISDIR on
		 * Linux, but a bare EIO elsewhere ("Input/output error"). */
		e = EISDIR;
		fclose(f);
	} else {
		errno = 0;
		/* Reads stop one chunk past max at most: a larger file is never
		 * held whole. */
		while (sb.len <= max && (n = fread(buf, 1, sizeof(buf), f)) > 0)
			sbuf_add(&sb, buf, n);
		if (ferror(f))
			e = errno ? errno : EIO;
		else if (sb.len > max)
			e = EFBIG;
		fclose(f);
	}
	if (e) {
		free(sb.buf);
		if (err && errlen) {
			if (e == EFBIG)
				snprintf(err, errlen, "%s: cannot read %s: larger than %zu bytes", path,
					 what ? what : "the file", max);
			else if (e == EISDIR)
				snprintf(err, errlen, "%s: cannot read %s: this is a directory; name a file in it",
					 path, what ? what : "the file");
			else
				snprintf(err, errlen, "%s: cannot read %s: %s", path, what ? what : "the file", strerror(e));
		}
		errno = e;
		return -1;
	}
	if (len)
		*len = sb.len;
	*out = sbuf_take(&sb);
	return 0;
}

int util_remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return unlink(path);
	while ((e = readdir(d)) != NULL) {
		char *child;
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		child = xasprintf("%s/%s", path, e->d_name);
		if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
			rc |= util_remove_tree(child);
		else
			rc |= unlink(child);
		free(child);
	}
	closedir(d);
	return rmdir(path) | rc;
}

char *util_utc_stamp(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
	return buf;
}

void util_sleep_until_ns(uint64_t t)
{
	struct timespec ts = {(time_t)(t / 1000000000u), (long)(t % 1000000000u)};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}
