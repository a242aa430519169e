/* lab-run-private.h — what the strategies see of a run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lab-cancel.h"
#include "lab-gil.h"
#include "lab-run.h"
#include "lab-task.h"

G_BEGIN_DECLS

struct _LabRun
{
  GObject             parent_instance;

  LabRunConfig       *config;
  const LabTaskClass *klass;
  gpointer            plan;
  GVariant           *worker_params; /* see lab_run_get_resolved_params() */
  guint               n_jobs;
  guint               workers;
  LabJobResult       *jobs;

  LabCancel          *cancel;
  GCancellable       *cancellable;
  LabGil             *gil;          /* the "Python GIL" switch, or NULL */

  gint64              t0_ns;        /* CLOCK_MONOTONIC at start */
  gint64              wall_ns;
  gint64              user_ns;
  gint64              sys_ns;
  gint64              peak_rss_kb;
  gint64              peak_rss_children_kb;

  gint                n_done;       /* atomic */
  gint                n_failed;     /* atomic */
  gint                state;        /* atomic LabRunState */
  char               *error;

  GSource            *progress_source;
  guint               last_progress;

  /* CPU of the threads the run started, added as each one ends, so that
   * the run's CPU leaves out the rest of the app (the window drawing). */
  GMutex              threads_mutex;
  GCond               threads_cond;
  guint               live_threads;
  gint64              threads_user_ns;
  gint64              threads_sys_ns;
};

/* Strategies: lab-strategy-threads.c and lab-strategy-process.c */
gboolean _lab_run_sequential   (LabRun   *self,
                                GError  **error);
gboolean _lab_run_threads      (LabRun   *self,
                                GError  **error);
gboolean _lab_run_thread_pool  (LabRun   *self,
                                GError  **error);
gboolean _lab_run_processes    (LabRun   *self,
                                gboolean  pool,
                                GError  **error);
/* lab-strategy-async.c */
gboolean _lab_run_async        (LabRun   *self,
                                GError  **error);

void     _lab_run_job_here     (LabRun   *self,
                                gpointer  worker_state,
                                guint     index,
                                gint64    worker,
                                gint64   *cpu_mark);
void     _lab_run_job_store    (LabRun   *self,
                                guint     index,
                                gint64    start_ns,
                                gint64    end_ns,
                                gint64    cpu_ns,
                                gint64    worker,
                                guint64   bytes,
                                gint64    value,
                                gint      status,
                                char     *error);
/* CPU a thread had used when it started working for the run. */
typedef struct {
  gint64 user_ns;
  gint64 sys_ns;
} LabThreadMark;

void     _lab_run_thread_enter (LabRun        *self,
                                LabThreadMark *mark);
void     _lab_run_thread_leave (LabRun        *self,
                                LabThreadMark *mark);
void     _lab_run_wait_threads (LabRun   *self);
void     _lab_run_job_started  (LabRun   *self,
                                guint     index,
                                gint64    worker);

G_END_DECLS
