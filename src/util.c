// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fputs("earlybind: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (!p) {
		fputs("earlybind: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("earlybind: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xmemdup(const void *p, size_t n)
{
	return memcpy(xmalloc(n), p, n);
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

void grow(void **v, size_t *cap, size_t need, size_t sz)
{
	size_t c = *cap;

	if (need < c)
		return;
	c = c ? c : 8;
	while (c <= need)
		c *= 2;
	*v = xrealloc(*v, c * sz);
	*cap = c;
}

void sb_init(struct strbuf *sb)
{
	sb->s = NULL;
	sb->len = sb->cap = 0;
}

void sb_free(struct strbuf *sb)
{
	free(sb->s);
	sb_init(sb);
}

void sb_addn(struct strbuf *sb, const char *s, size_t n)
{
	grow((void **)&sb->s, &sb->cap, sb->len + n + 1, 1);
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void sb_add(struct strbuf *sb, const char *s)
{
	sb_addn(sb, s, strlen(s));
}

void sb_addc(struct strbuf *sb, char c)
{
	sb_addn(sb, &c, 1);
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	grow((void **)&sb->s, &sb->cap, sb->len + (size_t)n + 1, 1);
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sb_add_json_str(struct strbuf *sb, const char *s)
{
	if (!s) {
		sb_add(sb, "null");
		return;
	}
	sb_addc(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':
			sb_add(sb, "\\\"");
			break;
		case '\\':
			sb_add(sb, "\\\\");
			break;
		case '\n':
			sb_add(sb, "\\n");
			break;
		case '\t':
			sb_add(sb, "\\t");
			break;
		default:
			/* Control bytes and non-UTF-8 junk from the command line stay valid JSON.
			 */
			if (c < 0x20 || c >= 0x7f)
				sb_addf(sb, "\\u%04x", c);
			else
				sb_addc(sb, (char)c);
		}
	}
	sb_addc(sb, '"');
}

void sb_add_json_strv(struct strbuf *sb, char *const *v, size_t n)
{
	sb_addc(sb, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addc(sb, ',');
		sb_add_json_str(sb, v[i]);
	}
	sb_addc(sb, ']');
}

char *xvasprintf(const char *fmt, va_list ap)
{
	struct strbuf sb;

	sb_init(&sb);
	sb_vaddf(&sb, fmt, ap);
	if (!sb.s)
		sb_add(&sb, "");
	return sb.s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int path_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	return n;
}

int read_attr_at(int dirfd, const char *name, char *buf, size_t size)
{
	_cleanup_close_ int fd = -1;
	ssize_t n;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	buf[n] = '\0';
	return (int)n;
}

int read_file(const char *path, char **out, size_t *len)
{
	return read_file_at(AT_FDCWD, path, out, len);
}

int read_file_at(int dirfd, const char *name, char **out, size_t *len)
{
	_cleanup_close_ int fd = -1;
	struct strbuf sb;
	char chunk[4096];
	ssize_t n;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	sb_init(&sb);
	sb_add(&sb, "");
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			int r = -errno;

			sb_free(&sb);
			return r;
		}
		sb_addn(&sb, chunk, (size_t)n);
	}
	*out = sb.s;
	if (len)
		*len = sb.len;
	return 0;
}

int readlink_at(int dirfd, const char *name, char *buf, size_t size)
{
	ssize_t n = readlinkat(dirfd, name, buf, size - 1);

	if (n < 0)
		return -errno;
	if ((size_t)n >= size - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return (int)n;
}

const char *path_basename(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

const char *fmt_uint(unsigned v, char *buf)
{
	char *p = buf + UINT_STR_MAX;

	*--p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10));
	return p;
}

const unsigned char hex_digit[256] = {
    ['0'] = 0x10, ['1'] = 0x11, ['2'] = 0x12, ['3'] = 0x13, ['4'] = 0x14, ['5'] = 0x15,
    ['6'] = 0x16, ['7'] = 0x17, ['8'] = 0x18, ['9'] = 0x19, ['a'] = 0x1a, ['b'] = 0x1b,
    ['c'] = 0x1c, ['d'] = 0x1d, ['e'] = 0x1e, ['f'] = 0x1f, ['A'] = 0x1a, ['B'] = 0x1b,
    ['C'] = 0x1c, ['D'] = 0x1d, ['E'] = 0x1e, ['F'] = 0x1f,
};

int hex_digits(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (n == 0)
		return -EINVAL;
	for (const char *e = s + n; s < e; s++) {
		unsigned d = hex_digit[(unsigned char)*s];

		if (!d)
			return -EINVAL;
		if (v > 0x0fffffffu)
			return -ERANGE;
		v = v << 4 | (d & 0xf);
	}
	*out = v;
	return 0;
}

int parse_hex_n(const char *s, size_t n, uint32_t *out)
{
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return hex_digits(s + 2, n - 2, out);
	return hex_digits(s, n, out);
}

char *hex_put(char *p, uint32_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = digits - 1; i >= 0; i--)
		p[digits - 1 - i] = hex[(v >> (4 * i)) & 0xf];
	return p + digits;
}

int parse_hex_u32(const char *s, uint32_t *out)
{
	return parse_hex_n(s, strlen(s), out);
}

/* Interned strings: an open-addressing table of pointers into chunks that live as long as the
 * process. Few distinct names (drivers) are asked for, each many times. */
static struct {
	const char **slot;
	size_t cap, n;
	char *chunk;
	size_t chunk_left;
} interned;

static uint32_t str_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static const char *intern_store(const char *s, size_t n)
{
	char *p;

	if (n + 1 > interned.chunk_left) {
		size_t sz = n + 1 > 4096 ? n + 1 : 4096;

		interned.chunk = xmalloc(sz);
		interned.chunk_left = sz;
	}
	p = interned.chunk;
	memcpy(p, s, n);
	p[n] = '\0';
	interned.chunk += n + 1;
	interned.chunk_left -= n + 1;
	return p;
}

const char *str_intern(const char *s, size_t n)
{
	static const char *last;
	size_t i;

	/* functions in address order often share a driver: the last answer first */
	if (last && strncmp(last, s, n) == 0 && last[n] == '\0')
		return last;
	if ((interned.n + 1) * 2 > interned.cap) {
		size_t cap = interned.cap ? interned.cap * 2 : 64;
		const char **slot = xcalloc(cap, sizeof(*slot));

		for (size_t k = 0; k < interned.cap; k++) {
			const char *o = interned.slot[k];

			if (!o)
				continue;
			for (i = str_hash(o, strlen(o)) & (cap - 1); slot[i];
			     i = (i + 1) & (cap - 1))
				;
			slot[i] = o;
		}
		free(interned.slot);
		interned.slot = slot;
		interned.cap = cap;
	}
	for (i = str_hash(s, n) & (interned.cap - 1); interned.slot[i];
	     i = (i + 1) & (interned.cap - 1))
		if (strncmp(interned.slot[i], s, n) == 0 && interned.slot[i][n] == '\0')
			return last = interned.slot[i];
	interned.n++;
	return last = interned.slot[i] = intern_store(s, n);
}

bool word_in(const char *words, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = words; *p;) {
		size_t len = strcspn(p, " \t\n");

		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
		p += strspn(p, " \t\n");
	}
	return false;
}

bool str_in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* Writes text to dir/name through dir/.name.tmp and rename(). */
int write_atomic(const char *dir, const char *name, const char *text)
{
	struct strbuf tmp, dst;
	_cleanup_close_ int fd = -1;
	size_t len = strlen(text);
	int r = 0;

	sb_init(&tmp);
	sb_init(&dst);
	sb_addf(&tmp, "%s/.%s.%d.tmp", dir, name, (int)getpid());
	sb_addf(&dst, "%s/%s", dir, name);
	fd = open(tmp.s, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0)
		r = -errno ? -errno : -EIO;
	if (r == 0 && rename(tmp.s, dst.s) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp.s);
	sb_free(&tmp);
	sb_free(&dst);
	return r;
}
