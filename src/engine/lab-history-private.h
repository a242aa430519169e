/* lab-history-private.h — decoding a history row without a database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For lab-history.c, its tests and its fuzz target.
 */
#pragma once

#include "lab-history.h"

#include "lab-runtime.h"

G_BEGIN_DECLS

void     _lab_history_entry_set_text (char       **field,
                                      const char  *bytes,
                                      gssize       len);
gboolean _lab_history_json_is_plain  (const char  *text,
                                      guint        max_depth);

#define _LAB_HISTORY_RECORDS_TYPE "(u(ssuvb)u(xxxxxxuuuutd)a(xxxxxtiiqnyqms)a(xxxiq)a(sdus))"

GVariant *_lab_history_run_to_variant   (LabRun      *run);
LabRun   *_lab_history_run_from_variant (GVariant    *value,
                                         LabRuntime   runtime,
                                         GError     **error);
LabRun   *_lab_history_run_from_json    (JsonObject  *run,
                                         GVariant    *params,
                                         LabRuntime   runtime,
                                         GError     **error);

G_END_DECLS
