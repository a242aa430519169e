/* lab-strategy.h — who runs the jobs: the table of strategies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lab-task.h"

G_BEGIN_DECLS

typedef struct _LabRunner LabRunner;

/**
 * LabStrategyClass:
 * @start: starts the workers and begins handing them jobs, on the run's
 *   own thread; returns the strategy's state, or %NULL with @error when
 *   nothing can run (e.g. the worker executable is missing)
 * @cancel: (optional): asks it to stop at once, from any thread; the
 *   runner has already cancelled the jobs' LabCancel token
 * @collect: waits, on the run's thread, until every job has been recorded
 *   with the runner and every worker is gone. Returns %FALSE with @error
 *   when the run could not go on.
 * @free: frees the state, once the runner no longer cancels it
 *
 * The runner calls a strategy through these only; a strategy sees the
 * run through the runner's functions (lab-runner.h).
 */
typedef struct {
  gpointer (*start)   (LabRunner  *runner,
                       GError    **error);
  void     (*cancel)  (gpointer    state);
  gboolean (*collect) (gpointer    state,
                       GError    **error);
  void     (*free)    (gpointer    state);
} LabStrategyClass;

/* How many workers a strategy takes when the user does not say. */
typedef enum {
  LAB_WORKERS_ONE,       /* a plain loop */
  LAB_WORKERS_PER_CORE,  /* a pool: one per usable core */
  LAB_WORKERS_PER_JOB,   /* every job at once, up to LAB_MAX_WORKERS */
} LabWorkersRule;

/**
 * LabStrategy:
 * @name: the name on the command line, in JSON and in the settings
 * @title: the name in the window, translatable
 * @summary: one translatable line for --help and the window
 * @python: the seed's Python equivalent
 * @workers: the default number of workers
 * @processes: jobs run in worker processes: each has its own memory and,
 *   in Python, its own interpreter and GIL
 * @worker_per_job: each job gets a thread or process of its own, so
 *   starting and stopping workers is paid per job
 * @shares_gil: several threads of this process run jobs: the "Python
 *   GIL" switch changes this strategy
 * @event_loop: one thread runs every job on an event loop (the task's
 *   start_job()): it can overlap waiting, not computing
 * @klass: its functions
 *
 * One entry per strategy in the engine's table (lab-strategy.c).
 */
typedef struct {
  const char             *name;
  const char             *title;
  const char             *summary;
  const char             *python;
  LabWorkersRule          workers;
  gboolean                processes;
  gboolean                worker_per_job;
  gboolean                shares_gil;
  gboolean                event_loop;
  const LabStrategyClass *klass;
} LabStrategy;

const LabStrategy         *lab_strategy_lookup       (const char         *name);
const LabStrategy * const *lab_strategy_list         (guint              *n_strategies);
const LabStrategy         *lab_strategy_get_loop     (void);
gboolean                   lab_strategy_is_loop      (const LabStrategy  *strategy);
const char                *lab_strategy_get_title    (const LabStrategy  *strategy);
const char                *lab_strategy_get_summary  (const LabStrategy  *strategy);
guint                      lab_strategy_default_workers (const LabStrategy *strategy,
                                                         guint              n_jobs);
gboolean                   lab_strategy_can_run      (const LabStrategy  *strategy,
                                                      const LabTaskInfo  *task,
                                                      GError            **error);
guint                      lab_usable_cores          (void);

G_END_DECLS
