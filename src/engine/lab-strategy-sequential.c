/* lab-strategy-sequential.c — a plain loop on the run's own thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-strategy-sequential"

#include "config.h"

#include "lab-clock.h"
#include "lab-runner.h"
#include "lab-strategy-private.h"

static gpointer
sequential_start (LabRunner  *runner,
                  GError    **error)
{
  return runner;
}

/* The jobs run here, one after another: the run's thread is the worker. */
static gboolean
sequential_collect (gpointer   data,
                    GError   **error)
{
  LabRunner *runner = data;
  guint worker = lab_runner_worker_begin (runner, 0);
  gint64 tid = lab_clock_thread_id ();
  gpointer state = lab_runner_worker_init (runner);
  gint64 cpu_mark = -1;

  lab_runner_worker_ready (runner, worker, tid);
  for (guint i = 0; i < lab_runner_get_n_jobs (runner) && !lab_runner_is_cancelled (runner); i++)
    lab_runner_run_job_here (runner, state, i, 0, tid, -1, &cpu_mark);
  lab_runner_worker_free (runner, state);
  lab_runner_worker_gone (runner, worker);

  return TRUE;
}

static void
sequential_free (gpointer data)
{
}

const LabStrategyClass _lab_strategy_sequential = {
  .start = sequential_start,
  .collect = sequential_collect,
  .free = sequential_free,
};
