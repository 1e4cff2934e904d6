/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Untrusted bytes to safe UTF-8: see strsafe.h.  The UTF-8 decoder accepts
 * only shortest-form sequences of scalar values (no surrogates, nothing
 * above U+10FFFF), as RFC 3629 requires.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sizeup/strsafe.h"

/* Length of the valid UTF-8 sequence at s, or 0 if it is not valid. */
static size_t
utf8_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the NUL */
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 controls U+0080..U+009F are as dangerous as C0 on a terminal. */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	return n;
}

char *
sz_str_sanitize(char *dst, size_t dstsz, const char *src)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, n;
	char esc[5];

	if (dstsz == 0)
		return dst;
	while (*s != '\0') {
		const char *piece;
		size_t plen;

		n = utf8_len(s);
		if (n == 1 && (*s < 0x20 || *s == 0x7f)) {
			snprintf(esc, sizeof(esc), "\\x%02x", *s);
			piece = esc, plen = 4;
		} else if (n == 0) {
			piece = replacement, plen = 3;
			n = 1;
		} else {
			piece = (const char *)s, plen = n;
		}
		if (o + plen >= dstsz)
			break;
		memcpy(dst + o, piece, plen);
		o += plen;
		s += n;
	}
	dst[o] = '\0';
	return dst;
}
