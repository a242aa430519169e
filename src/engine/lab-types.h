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
  LAB_JOB_PENDING,
  LAB_JOB_RUNNING,
  LAB_JOB_OK,
  LAB_JOB_FAILED,
} LabJobState;

/**
 * LabJobResult:
 *
 * What one job reports where it ran: in a thread of the app, or in a
 * worker process (lab-protocol.h carries it over the pipe). Times are
 * CLOCK_MONOTONIC nanoseconds, so figures from threads and from worker
 * processes share one time axis. The runner turns it into the run's
 * LabJobRecord.
 */
typedef struct {
  gint64   start_ns;
  gint64   end_ns;
  gint64   phase_ns;    /* CLOCK_MONOTONIC: when a first phase ended (a pipeline's download), or 0 */
  gint64   cpu_ns;
  gint64   worker;      /* thread id (gettid) or process id */
  guint64  bytes;       /* bytes moved (download, blur output) */
  gint64   value;       /* task result, e.g. primes found */
  char    *error;       /* NULL when the job succeeded */
  guint32  index;
  gint32   status;      /* e.g. HTTP status, 0 when not applicable */
  gint     state;       /* LabJobState */
} LabJobResult;

const char  *lab_task_kind_to_string     (LabTaskKind   kind);

void         lab_job_result_clear        (LabJobResult *result);

G_END_DECLS
