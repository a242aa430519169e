/* lab-run.h — one run of a task with a strategy: its jobs and figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lab-run-config.h"
#include "lab-types.h"

G_BEGIN_DECLS

#define LAB_TYPE_RUN (lab_run_get_type ())

G_DECLARE_FINAL_TYPE (LabRun, lab_run, LAB, RUN, GObject)

typedef enum {
  LAB_RUN_READY,
  LAB_RUN_RUNNING,
  LAB_RUN_FINISHED,
  LAB_RUN_CANCELLED,
  LAB_RUN_FAILED,      /* the run could not go on, e.g. the worker is missing */
} LabRunState;

/**
 * LabRunSummary:
 *
 * Whole-run figures. CPU times include the worker processes the run
 * waited for. Peak RSS is the high-water mark of the app process and of
 * the largest child it waited for (the kernel keeps no per-run figure).
 */
typedef struct {
  gint64 wall_ns;
  gint64 user_ns;
  gint64 sys_ns;
  gint64 peak_rss_kb;
  gint64 peak_rss_children_kb;
  guint  n_jobs;
  guint  n_done;      /* finished, ok or failed */
  guint  n_failed;
  guint  workers;     /* workers the strategy used */
  guint64 bytes;
} LabRunSummary;

LabRun             *lab_run_new              (const LabRunConfig   *config,
                                              GError              **error);
const LabRunConfig *lab_run_get_config       (LabRun               *self);
GVariant           *lab_run_get_resolved_params (LabRun            *self);
LabTaskKind         lab_run_get_task_kind    (LabRun               *self);
LabRunState         lab_run_get_state        (LabRun               *self);
const char         *lab_run_get_error        (LabRun               *self);
guint               lab_run_get_n_jobs       (LabRun               *self);
guint               lab_run_get_n_done       (LabRun               *self);
guint               lab_run_get_n_failed     (LabRun               *self);
guint               lab_run_get_workers      (LabRun               *self);
const LabJobResult *lab_run_get_job          (LabRun               *self,
                                              guint                 index);
gint64              lab_run_get_start_time   (LabRun               *self);
gint64              lab_run_get_elapsed_ns   (LabRun               *self);
void                lab_run_get_summary      (LabRun               *self,
                                              LabRunSummary        *summary);
char               *lab_run_describe_worker  (LabRun               *self,
                                              gint64                worker);

void                lab_run_start_async      (LabRun               *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean            lab_run_start_finish     (LabRun               *self,
                                              GAsyncResult         *result,
                                              GError              **error);
gboolean            lab_run_execute          (LabRun               *self,
                                              GCancellable         *cancellable,
                                              GError              **error);

const char         *lab_worker_get_path      (void);

G_END_DECLS
