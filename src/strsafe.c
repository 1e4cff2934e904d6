/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Untrusted bytes to safe UTF-8: see strsafe.h.  The UTF-8 decoder accepts
 * only shortest-form sequences of scalar values (no surrogates, nothing
 * above U+10FFFF), as RFC 3629 requires.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sizeup/strsafe.h"

/*
 * Length of the valid UTF-8 sequence at s, or 0 if it is not valid; *cpp
 * gets the scalar value it encodes.
 */
static size_t
utf8_len(const unsigned char *s, uint32_t *cpp)
{
	uint32_t cp;
	size_t n, i;

	*cpp = s[0];
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
	*cpp = cp;
	return n;
}

/*
 * Unicode's Bidi_Control characters (UAX #9): ALM U+061C, LRM and RLM
 * U+200E..U+200F, LRE RLE PDF LRO RLO U+202A..U+202E, LRI RLI FSI PDI
 * U+2066..U+2069.  They are invisible but reorder the text around them, so
 * a name holding them can show on a terminal or in a report as something
 * it is not ("Trojan Source", CVE-2021-42574).
 */
static bool
is_bidi_control(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

char *
sz_str_sanitize(char *dst, size_t dstsz, const char *src)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, n;
	uint32_t cp;
	char esc[sizeof("\\u0000")];

	if (dstsz == 0)
		return dst;
	while (*s != '\0') {
		const char *piece;
		size_t plen;

		n = utf8_len(s, &cp);
		if (n == 1 && (*s < 0x20 || *s == 0x7f)) {
			snprintf(esc, sizeof(esc), "\\x%02x", *s);
			piece = esc, plen = 4;
		} else if (n > 1 && is_bidi_control(cp)) {
			/* all of them are below U+10000: four digits */
			snprintf(esc, sizeof(esc), "\\u%04x",
			    (unsigned int)(cp & 0xffff));
			piece = esc, plen = 6;
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
