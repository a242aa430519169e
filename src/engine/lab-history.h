/* lab-history.h — finished runs kept in an SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "lab-report.h"
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
  /* Since schema version 2; defaults for older rows. */
  gboolean gil;          /* the GIL switch changed the run */
  char   *runtime;       /* "c" */
  char   *params;        /* the parameters as g_variant_print() text, or NULL */
  char   *machine;       /* a JSON description of the machine, or NULL */
  gboolean pinned;
} LabHistoryEntry;

typedef enum {
  LAB_HISTORY_READ_WRITE = 0,
  LAB_HISTORY_READ_ONLY  = 1 << 0,  /* never writes, never creates */
} LabHistoryFlags;

void        lab_history_entry_free     (LabHistoryEntry  *entry);
JsonNode   *lab_history_entry_to_json  (const LabHistoryEntry *entry,
                                        gboolean         *complete);
char       *lab_history_entry_export   (const LabHistoryEntry *entry,
                                        LabReportFormat   format,
                                        GError          **error);
char       *lab_history_format_csv     (GPtrArray        *entries);

char       *lab_history_get_default_path (void);
LabHistory *lab_history_open           (const char       *path,
                                        GError          **error);
LabHistory *lab_history_open_full      (const char       *path,
                                        LabHistoryFlags   flags,
                                        guint             timeout_ms,
                                        GError          **error);
const char *lab_history_get_path       (LabHistory       *self);
const char *lab_history_get_notice     (LabHistory       *self);
guint       lab_history_get_schema_version (LabHistory   *self);
gint64      lab_history_add_run        (LabHistory       *self,
                                        LabRun           *run,
                                        GError          **error);
GPtrArray  *lab_history_list           (LabHistory       *self,
                                        guint             limit,
                                        GError          **error);
LabHistoryEntry *lab_history_get_run   (LabHistory       *self,
                                        gint64            id,
                                        GError          **error);
gboolean    lab_history_delete         (LabHistory       *self,
                                        gint64            id,
                                        GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabHistoryEntry, lab_history_entry_free)

G_END_DECLS
