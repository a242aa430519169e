/* lab-runner.h — what a strategy sees of the run it executes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The runner sets the task up, starts the clock, calls the strategy
 * (lab-strategy.h), and records what the strategy tells it: when each job
 * was handed over, started, ended and came back, and when each worker
 * began, was ready and was gone. Times are nanoseconds since the run's
 * start (lab_runner_now()); a worker process converts its CLOCK_MONOTONIC
 * readings with lab_runner_get_t0().
 */
#pragma once

#include <gio/gio.h>

#include "lab-cancel.h"
#include "lab-run.h"
#include "lab-strategy.h"
#include "lab-task.h"

G_BEGIN_DECLS

/* CPU a thread had used when it started working for the run. */
typedef struct {
  gint64 user_ns;
  gint64 sys_ns;
} LabThreadMark;

guint               lab_runner_get_n_jobs         (LabRunner      *self);
guint               lab_runner_get_workers        (LabRunner      *self);
const LabTaskInfo  *lab_runner_get_task           (LabRunner      *self);
const LabStrategy  *lab_runner_get_strategy       (LabRunner      *self);
const LabTaskClass *lab_runner_get_class          (LabRunner      *self);
gpointer            lab_runner_get_plan           (LabRunner      *self);
GVariant           *lab_runner_get_worker_params  (LabRunner      *self);
LabCancel          *lab_runner_get_cancel         (LabRunner      *self);
gboolean            lab_runner_is_cancelled       (LabRunner      *self);
gint64              lab_runner_get_t0             (LabRunner      *self);
gint64              lab_runner_now                (LabRunner      *self);

gpointer            lab_runner_worker_init        (LabRunner      *self);
void                lab_runner_worker_free        (LabRunner      *self,
                                                   gpointer        state);

void                lab_runner_thread_enter       (LabRunner      *self,
                                                   LabThreadMark  *mark);
void                lab_runner_thread_leave       (LabRunner      *self,
                                                   LabThreadMark  *mark);

guint               lab_runner_worker_begin       (LabRunner      *self,
                                                   guint           lane);
void                lab_runner_worker_ready       (LabRunner      *self,
                                                   guint           worker,
                                                   gint64          id);
void                lab_runner_worker_ready_at    (LabRunner      *self,
                                                   guint           worker,
                                                   gint64          id,
                                                   gint64          ready_ns);
void                lab_runner_worker_gone        (LabRunner      *self,
                                                   guint           worker);

void                lab_runner_job_started        (LabRunner      *self,
                                                   guint           index,
                                                   const LabJobRecord *record);
void                lab_runner_job_done           (LabRunner      *self,
                                                   guint           index,
                                                   LabJobRecord   *record);
void                lab_runner_job_lost           (LabRunner      *self,
                                                   guint           index,
                                                   const LabJobRecord *started,
                                                   const char     *message);
void                lab_runner_run_job            (LabRunner      *self,
                                                   gpointer        worker_state,
                                                   guint           index,
                                                   guint           lane,
                                                   gint64          worker,
                                                   gint64          dispatch_ns,
                                                   gint64         *cpu_mark,
                                                   LabJobRecord   *record);
void                lab_runner_run_job_here       (LabRunner      *self,
                                                   gpointer        worker_state,
                                                   guint           index,
                                                   guint           lane,
                                                   gint64          worker,
                                                   gint64          dispatch_ns,
                                                   gint64         *cpu_mark);

/* For lab-run.c */
gboolean            _lab_runner_execute           (LabRun              *run,
                                                   const LabRunConfig  *config,
                                                   LabCancel           *cancel,
                                                   GError             **error);

G_END_DECLS
