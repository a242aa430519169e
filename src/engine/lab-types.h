/* lab-types.h — values shared by every layer (GLib only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Documented limits: the CLI refuses more, the GUI's controls stop there. */
#define LAB_MAX_WORKERS 256
#define LAB_MAX_JOBS    1000000
/* Repeats of one experiment (run --repeat, the window's Repeats). */
#define LAB_MAX_REPEATS 100

typedef enum {
  LAB_TASK_KIND_WAIT,
  LAB_TASK_KIND_IO,
  LAB_TASK_KIND_CPU,
  LAB_TASK_KIND_MIXED,
} LabTaskKind;

typedef enum {
  LAB_STRATEGY_SEQUENTIAL,
  LAB_STRATEGY_THREADS,
  LAB_STRATEGY_THREAD_POOL,
  LAB_STRATEGY_PROCESSES,
  LAB_STRATEGY_PROCESS_POOL,
  LAB_STRATEGY_ASYNC,
  LAB_N_STRATEGIES
} LabStrategy;

typedef enum {
  LAB_JOB_PENDING,
  LAB_JOB_RUNNING,
  LAB_JOB_OK,
  LAB_JOB_FAILED,
} LabJobState;

/**
 * LabJobResult:
 *
 * What one job reports. Times are CLOCK_MONOTONIC nanoseconds; the runner
 * stores them relative to the start of the run, so figures from threads and
 * from worker processes share one time axis. `state` is written last, with
 * g_atomic_int_set(), so a reader that sees a final state sees the rest.
 */
typedef struct {
  gint64   start_ns;
  gint64   end_ns;
  gint64   cpu_ns;
  gint64   worker;      /* thread id (gettid) or process id */
  guint64  bytes;       /* bytes moved (download, blur output) */
  gint64   value;       /* task result, e.g. primes found */
  char    *error;       /* NULL when the job succeeded */
  guint32  index;
  gint32   status;      /* e.g. HTTP status, 0 when not applicable */
  gint     state;       /* LabJobState */
} LabJobResult;

const char  *lab_strategy_to_string      (LabStrategy   strategy);
gboolean     lab_strategy_from_string    (const char   *name,
                                          LabStrategy  *strategy);
const char  *lab_strategy_get_summary    (LabStrategy   strategy);
gboolean     lab_strategy_uses_processes (LabStrategy   strategy);
const char  *lab_task_kind_to_string     (LabTaskKind   kind);

void         lab_job_result_clear        (LabJobResult *result);

G_END_DECLS
