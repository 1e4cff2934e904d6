/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Making untrusted bytes safe to show.  A process can name itself anything
 * (escape sequences, newlines, invalid UTF-8, bidirectional overrides);
 * these helpers produce text that is valid UTF-8 with no control
 * characters, for JSON and terminals.
 */
#ifndef SIZEUP_STRSAFE_H
#define SIZEUP_STRSAFE_H

#include <stddef.h>

/*
 * Copy src into dst (NUL-terminated, at most dstsz bytes incl. NUL) so
 * that the result is valid UTF-8 without C0/C1 control characters, DEL or
 * Unicode bidirectional formatting characters: a control byte becomes
 * "\xNN" spelled out in ASCII, a bidi character (U+061C, U+200E..U+200F,
 * U+202A..U+202E, U+2066..U+2069), which could make the text around it
 * show in a misleading order, becomes "\uNNNN" in ASCII (lowercase hex),
 * and an invalid UTF-8 byte becomes U+FFFD.  The output is at most four
 * times as long as src.  Truncation stops before the first piece that does
 * not fit: it never splits a multi-byte sequence or an escape.  Returns
 * dst.
 */
char *sz_str_sanitize(char *dst, size_t dstsz, const char *src);

#endif
