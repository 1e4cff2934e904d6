/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renderers: a report (and the rates it borrows) in, text out.  They take
 * const input and never open /proc, call a probe or compute a figure the
 * analyzer or rates did not produce.
 */
#ifndef SIZEUP_RENDER_H
#define SIZEUP_RENDER_H

#include <stdio.h>

#include "sizeup/analyzer.h"
#include "sizeup/err.h"

/* Human report for an 80-column terminal: verdict first, then evidence,
 * then the per-resource figures.  RETURNS SZ_OK or SZ_EIO. */
enum sz_err sz_render_text(FILE *out, const struct sz_report *rep);

/* Text (sanitized UTF-8) wrapped at word boundaries to 80 columns, each
 * line indented by indent columns, the first led by lead (ASCII, at most
 * indent wide), as the text report does; for other text reports. */
void sz_render_wrapped(FILE *out, const char *lead, int indent,
    const char *text);

/* The sizeup.diagnose.v1 JSON document, with a trailing newline.
 * RETURNS SZ_OK, SZ_ENOMEM or SZ_EIO. */
enum sz_err sz_render_json(FILE *out, const struct sz_report *rep);

struct json_t;

/* Write a jansson document as the JSON renderers do (indented, keys in
 * order, a trailing newline) and free it; NULL (it could not be built)
 * is SZ_ENOMEM.  RETURNS SZ_OK, SZ_ENOMEM or SZ_EIO. */
enum sz_err sz_render_json_doc(FILE *out, struct json_t *doc);

#endif
