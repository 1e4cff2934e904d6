/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Making untrusted bytes safe to show.  A process can name itself anything
 * (escape sequences, newlines, invalid UTF-8); these helpers produce text
 * that is valid UTF-8 with no control characters, for JSON and terminals.
 */
#ifndef SIZEUP_STRSAFE_H
#define SIZEUP_STRSAFE_H

#include <stddef.h>

/*
 * Copy src into dst (NUL-terminated, at most dstsz bytes incl. NUL) so
 * that the result is valid UTF-8 without C0/C1 control characters or DEL:
 * a control byte becomes "\xNN" spelled out in ASCII, an invalid UTF-8
 * byte becomes U+FFFD.  Never splits a multi-byte sequence.  Returns dst.
 */
char *sz_str_sanitize(char *dst, size_t dstsz, const char *src);

#endif
