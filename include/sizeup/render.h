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

/* The sizeup.diagnose.v1 JSON document, with a trailing newline.
 * RETURNS SZ_OK, SZ_ENOMEM or SZ_EIO. */
enum sz_err sz_render_json(FILE *out, const struct sz_report *rep);

#endif
