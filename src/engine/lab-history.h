/* lab-history.h — finished runs kept in an SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "lab-cpu-history.h"
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
  /* Since schema version 3: what lab_history_load_run() can draw. */
  gboolean has_records;  /* jobs, workers, figures, findings */
  gboolean has_samples;  /* CPU samples */
} LabHistoryEntry;

/**
 * LabHistoryQuery:
 * @task: (nullable): only this task's runs
 * @strategy: (nullable): only this strategy's
 * @search: (nullable): only runs whose task, strategy, runtime, machine
 *   name or CPU contain this text (any case)
 * @before_id: only runs older than this one (0: from the newest)
 * @limit: the most runs to list (0: all)
 * @without_json: leave each entry's json %NULL (a list that shows only
 *   the columns)
 */
typedef struct {
  const char *task;
  const char *strategy;
  const char *search;
  gint64      before_id;
  guint       limit;
  gboolean    without_json;
} LabHistoryQuery;

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
gint64      lab_history_add_run_full   (LabHistory       *self,
                                        LabRun           *run,
                                        GVariant         *samples,
                                        GError          **error);
LabRun     *lab_history_load_run       (LabHistory       *self,
                                        gint64            id,
                                        LabCpuHistory   **samples,
                                        GError          **error);
GPtrArray  *lab_history_query          (LabHistory       *self,
                                        const LabHistoryQuery *query,
                                        GError          **error);
gboolean    lab_history_delete_matching (LabHistory      *self,
                                        const LabHistoryQuery *query,
                                        guint            *n_deleted,
                                        GError          **error);
gboolean    lab_history_set_pinned     (LabHistory       *self,
                                        gint64            id,
                                        gboolean          pinned,
                                        GError          **error);
LabHistoryEntry *lab_history_get_baseline (LabHistory    *self,
                                        const char       *task,
                                        GError          **error);
double      lab_history_entry_speedup_against (const LabHistoryEntry *entry,
                                        const LabHistoryEntry *baseline);
gboolean    lab_history_entry_ran_here (const LabHistoryEntry *entry);
gboolean    lab_history_entry_same_machine (const LabHistoryEntry *a,
                                        const LabHistoryEntry *b);
char       *lab_history_entry_dup_machine_summary (const LabHistoryEntry *entry);
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
