/* lab-history-private.h — decoding a history row without a database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For lab-history.c, its tests and its fuzz target.
 */
#pragma once

#include "lab-history.h"

G_BEGIN_DECLS

void     _lab_history_entry_set_text (char       **field,
                                      const char  *bytes,
                                      gssize       len);
gboolean _lab_history_json_is_plain  (const char  *text,
                                      guint        max_depth);

G_END_DECLS
