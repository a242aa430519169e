/* lab-run.h — one run of a task with a strategy: its jobs and figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lab-cancel.h"

#include "lab-run-config.h"
#include "lab-types.h"

G_BEGIN_DECLS

#define LAB_TYPE_RUN (lab_run_get_type ())

G_DECLARE_FINAL_TYPE (LabRun, lab_run, LAB, RUN, GObject)

typedef enum {
  LAB_RUN_READY,
  LAB_RUN_PREPARING,   /* the task is being set up (server, sample photos) */
  LAB_RUN_RUNNING,
  LAB_RUN_FINISHED,
  LAB_RUN_CANCELLED,
  LAB_RUN_FAILED,      /* the run could not go on, e.g. the worker is missing */
} LabRunState;

/**
 * LabJobRecord:
 * @dispatch_ns: when the job was handed to its worker: pushed to a
 *   thread, written to a worker's pipe, a thread or process started for it
 * @start_ns: when its code started on the worker
 * @end_ns: when its code ended on the worker
 * @back_ns: when its result was back in the runner (thread joined,
 *   result frame read)
 * @cpu_ns: CPU time of the job (its thread, or its process)
 * @bytes: bytes moved (download, blur output)
 * @error: what went wrong, or %NULL
 * @value: the task's small result, e.g. primes found (a plan's job never
 *   has more than 10⁸ numbers to check)
 * @worker: the thread id or process id that ran it
 * @lane: the worker's lane, 0 to workers - 1: the timeline's row
 * @status: e.g. the HTTP status, 0 when not applicable
 * @state: a #LabJobState
 *
 * One job as the run recorded it. Times are nanoseconds on
 * CLOCK_MONOTONIC since the start of the run, so jobs that ran in threads
 * and in worker processes share one axis. Every job was ready at 0: the
 * jobs of a plan do not wait for one another. 72 bytes: a run of a
 * million jobs keeps them in 72 MB.
 */
typedef struct {
  gint64   dispatch_ns;
  gint64   start_ns;
  gint64   end_ns;
  gint64   back_ns;
  gint64   cpu_ns;
  guint64  bytes;
  char    *error;
  gint32   value;
  gint32   worker;
  guint16  lane;
  gint16   status;
  guint8   state;
  guint16  phase;       /* where a first phase ended, in 65535ths of start to end; 0: one phase */
} LabJobRecord;

G_STATIC_ASSERT (sizeof (LabJobRecord) <= 72);

void     lab_job_record_set_phase (LabJobRecord       *record,
                                   gint64              phase_ns);
gint64   lab_job_record_get_phase (const LabJobRecord *record);

/**
 * LabWorkerRecord:
 * @begin_ns: when starting it began (thread created, process spawned)
 * @ready_ns: when it could take jobs (READY received), or -1
 * @gone_ns: when it was gone (joined or reaped), or -1
 * @id: its thread id or process id, 0 until known
 * @lane: the lane it works on
 *
 * A long-lived worker of a pool, a fork server, the event loop's thread or
 * the loop's own thread. Workers started for one job (threads, processes)
 * are in their job's record: dispatch to start, and end to back.
 */
typedef struct {
  gint64   begin_ns;
  gint64   ready_ns;
  gint64   gone_ns;
  gint32   id;
  guint16  lane;
} LabWorkerRecord;

/**
 * LabBreakdown:
 *
 * Where the run's capacity went: each of its workers' lanes over the
 * wall time (which starts once the task is set up), in seconds. The five
 * parts from @start_s to @stop_s add up to @capacity_s.
 */
typedef struct {
  double capacity_s;   /* lanes × wall */
  double setup_s;      /* task set-up before the run's clock started */
  double start_s;      /* workers starting: thread or process start, fork per job */
  double work_s;       /* job code running */
  double transfer_s;   /* hand-over: in a queue or a pipe, results coming back */
  double idle_s;       /* a worker ready with nothing to do */
  double stop_s;       /* joining threads, reaping processes */
} LabBreakdown;

typedef enum {
  LAB_SEVERITY_INFO,
  LAB_SEVERITY_NOTICE,
  LAB_SEVERITY_WARNING,
} LabSeverity;

/**
 * LabFinding:
 * @code: stable, for scripts and tests ("waiting", "scaled"…)
 * @severity: how much it matters
 * @weight: the order among findings: the verdict is the heaviest
 * @text: a sentence with the figures that support it, translated
 */
typedef struct {
  const char  *code;
  LabSeverity  severity;
  double       weight;
  char        *text;
} LabFinding;

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
  gint64 setup_ns;
  gint64 peak_rss_kb;
  gint64 peak_rss_children_kb;
  guint  n_jobs;
  guint  n_done;      /* finished, ok or failed */
  guint  n_failed;
  guint  workers;     /* workers the strategy used */
  guint64 bytes;
  double machine_busy;  /* share of the machine's CPU other programs used, 0–1 */
} LabRunSummary;

LabRun             *lab_run_new              (const LabRunConfig   *config,
                                              GError              **error);
LabRun             *lab_run_new_from_records (const LabRunConfig   *config,
                                              LabRunState           state,
                                              const LabRunSummary  *summary,
                                              const LabJobRecord   *jobs,
                                              guint                 n_jobs,
                                              const LabWorkerRecord *workers,
                                              guint                 n_workers);
const LabRunConfig *lab_run_get_config       (LabRun               *self);
GVariant           *lab_run_get_resolved_params (LabRun            *self);
LabRunState         lab_run_get_state        (LabRun               *self);
const char         *lab_run_get_error        (LabRun               *self);
guint               lab_run_get_n_jobs       (LabRun               *self);
guint               lab_run_get_n_done       (LabRun               *self);
guint               lab_run_get_n_failed     (LabRun               *self);
guint               lab_run_get_workers      (LabRun               *self);
gboolean            lab_run_has_jobs         (LabRun               *self);
const LabJobRecord *lab_run_get_job          (LabRun               *self,
                                              guint                 index);
guint               lab_run_get_n_worker_records (LabRun           *self);
const LabWorkerRecord *lab_run_get_worker_record (LabRun           *self,
                                              guint                 index);
gint64              lab_run_get_start_time   (LabRun               *self);
gint64              lab_run_get_elapsed_ns   (LabRun               *self);
void                lab_run_get_summary      (LabRun               *self,
                                              LabRunSummary        *summary);
gint64              lab_run_get_jobs_cpu_ns  (LabRun               *self);
const LabBreakdown *lab_run_get_breakdown    (LabRun               *self);
const LabFinding   *lab_run_get_findings     (LabRun               *self,
                                              guint                *n_findings);
const char         *lab_run_get_verdict      (LabRun               *self);
void                lab_run_set_findings     (LabRun               *self,
                                              GArray               *findings);
char               *lab_run_describe_worker  (LabRun               *self,
                                              gint64                worker);
char               *lab_run_dup_title        (LabRun               *self);
void                lab_run_drop_jobs        (LabRun               *self);
guint               lab_run_get_worker_ids   (LabRun               *self,
                                              guint                 from,
                                              GArray               *ids);


/**
 * LabRunDoneFunc:
 * @ok: whether the run could go on (see lab_run_run())
 * @error: (transfer full) (nullable): why not
 */
typedef void (*LabRunDoneFunc) (LabRun   *run,
                                gboolean  ok,
                                GError   *error,
                                gpointer  user_data);

void                lab_run_start            (LabRun               *self,
                                              LabCancel            *cancel,
                                              LabRunDoneFunc        done,
                                              gpointer              user_data);
gboolean            lab_run_run              (LabRun               *self,
                                              LabCancel            *cancel,
                                              GError              **error);

/* The same for GIO, in the engine's other half (lab-async.c). */
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

void                lab_finding_clear        (LabFinding           *finding);

G_END_DECLS
