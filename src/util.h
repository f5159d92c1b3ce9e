/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers shared by every stage: growable strings, bounded paths, attribute reads. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define ARRAY_SIZE(a)  (sizeof(a) / sizeof((a)[0]))
#define _cleanup_(f)   __attribute__((cleanup(f)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

void closep(int *fd);
#define _cleanup_close_ _cleanup_(closep)

/* A growable, always NUL-terminated string. */
struct strbuf {
	char *s;
	size_t len, cap;
};
void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
void sb_add(struct strbuf *sb, const char *s);
void sb_addn(struct strbuf *sb, const char *s, size_t n);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) _printf_(2, 3);
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap) _printf_(2, 0);
/* Appends s as a JSON string literal (with quotes), or null for NULL. */
void sb_add_json_str(struct strbuf *sb, const char *s);
/* Appends ["a","b",...]. */
void sb_add_json_strv(struct strbuf *sb, char *const *v, size_t n);
/* A new string, formatted. */
char *xasprintf(const char *fmt, ...) _printf_(1, 2);
char *xvasprintf(const char *fmt, va_list ap) _printf_(1, 0);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
void *xmemdup(const void *p, size_t n);
char *xstrndup(const char *s, size_t n);
/* Grows *v (elements of size sz) so that index `need` fits. */
void grow(void **v, size_t *cap, size_t need, size_t sz);

/* snprintf into buf; -ENAMETOOLONG when it does not fit. */
int path_fmt(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);

/*
 * Reads a small attribute at dirfd/name into buf (NUL-terminated, trailing newlines stripped).
 * Returns the length or -errno.
 */
int read_attr_at(int dirfd, const char *name, char *buf, size_t size);
/* Reads a whole file (any size). Returns 0, a malloc'd string and its byte length, or -errno. */
int read_file(const char *path, char **out, size_t *len);
/* The same for name under the open directory dirfd. */
int read_file_at(int dirfd, const char *name, char **out, size_t *len);
/* readlinkat into buf, NUL-terminated. Returns the length or -errno. */
int readlink_at(int dirfd, const char *name, char *buf, size_t size);
/* The last path component of a link target ("../../x/nvme" -> "nvme"). */
const char *path_basename(const char *p);

/* v in decimal, without printf (hot paths print many numbers): written at the end of buf, which
 * holds UINT_STR_MAX bytes; returns where it starts. */
#define UINT_STR_MAX 11
const char *fmt_uint(unsigned v, char *buf);
/* Hex, the one parser and printer. 0x10 | a hex digit's value, 0 for any other character. */
extern const unsigned char hex_digit[256];
/* A hex digit's value, or -1. */
static inline int hex_value(char c)
{
	unsigned v = hex_digit[(unsigned char)c];

	return v ? (int)(v & 0xf) : -1;
}
/* Exactly the n characters at s, all hex digits (no "0x"): 0, -EINVAL, or -ERANGE past 32 bits. */
int hex_digits(const char *s, size_t n, uint32_t *out);
/* A hex number that fills the first n characters of s, "0x" allowed (sysfs attributes). */
int parse_hex_n(const char *s, size_t n, uint32_t *out);
/* The same for the whole string. */
int parse_hex_u32(const char *s, uint32_t *out);
/* v as `digits` lower-case hex digits at p, no NUL; returns the end. */
char *hex_put(char *p, uint32_t v, int digits);

/* The kernel's isspace() (lib/ctype.c): Latin-1, so NBSP (0xa0) is a space too. */
static inline bool k_isspace(char c)
{
	unsigned char u = (unsigned char)c;

	return u == ' ' || (u >= '\t' && u <= '\r') || u == 0xa0;
}
/* A shared copy of s[0..n) that lives as long as the process: equal strings, one pointer. */
const char *str_intern(const char *s, size_t n);
bool str_in(const char *s, const char *const *list);
/* Whether `word` is one of the blank-separated words of `words`. */
bool word_in(const char *words, const char *word);
/* Writes text to dir/name through a temporary file in dir, fsync() and rename(). 0 or -errno. */
int write_atomic(const char *dir, const char *name, const char *text);
