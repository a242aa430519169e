/* lab-history.h — finished runs kept in an SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "lab-run.h"

G_BEGIN_DECLS

#define LAB_TYPE_HISTORY (lab_history_get_type ())

G_DECLARE_FINAL_TYPE (LabHistory, lab_history, LAB, HISTORY, GObject)

typedef struct {
  gint64  id;
  gint64  created;       /* Unix time, seconds */
  char   *task;
  char   *strategy;
  guint   workers;
  guint   jobs;
  guint   failed;
  gboolean cancelled;
  double  wall_s;
  double  cpu_s;
  char   *json;          /* the run in the --format=json contract */
} LabHistoryEntry;

void        lab_history_entry_free     (LabHistoryEntry  *entry);

char       *lab_history_get_default_path (void);
LabHistory *lab_history_open           (const char       *path,
                                        GError          **error);
const char *lab_history_get_path       (LabHistory       *self);
const char *lab_history_get_notice     (LabHistory       *self);
gint64      lab_history_add_run        (LabHistory       *self,
                                        LabRun           *run,
                                        GError          **error);
GPtrArray  *lab_history_list           (LabHistory       *self,
                                        guint             limit,
                                        GError          **error);
gboolean    lab_history_delete         (LabHistory       *self,
                                        gint64            id,
                                        GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabHistoryEntry, lab_history_entry_free)

G_END_DECLS
