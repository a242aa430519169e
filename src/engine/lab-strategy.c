/* lab-strategy.c — the table of strategies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-strategy"

#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-strategy-private.h"

/* The strategies, in the order the window and --help list them. The
 * first is the plain loop every speed-up is measured against.
 *
 * Adding a strategy: its file (lab-strategy-<name>.c, exporting a
 * LabStrategyClass) and one entry below. */
static const LabStrategy strategies[] = {
  {
    .name = "sequential", .title = N_("Sequential"),
    .summary = N_("One job after another on one thread — a plain loop"),
    .python = "for job in jobs: run(job)",
    .workers = LAB_WORKERS_ONE,
    .klass = &_lab_strategy_sequential,
  },
  {
    .name = "threads", .title = N_("Threads"),
    .summary = N_("One thread per job, all started at once — like threading.Thread"),
    .python = "threading.Thread(target=run, args=(job,))",
    .workers = LAB_WORKERS_PER_JOB, .worker_per_job = TRUE, .shares_gil = TRUE,
    .klass = &_lab_strategy_threads,
  },
  {
    .name = "thread-pool", .title = N_("Thread Pool"),
    .summary = N_("GThreadPool with N threads — like ThreadPoolExecutor"),
    .python = "ThreadPoolExecutor(max_workers=N).map(run, jobs)",
    .workers = LAB_WORKERS_PER_CORE, .shares_gil = TRUE,
    .klass = &_lab_strategy_thread_pool,
  },
  {
    .name = "processes", .title = N_("Processes"),
    .summary = N_("One worker process per job — like multiprocessing.Process"),
    .python = "multiprocessing.Process(target=run, args=(job,))",
    .workers = LAB_WORKERS_PER_JOB, .processes = TRUE, .worker_per_job = TRUE,
    .klass = &_lab_strategy_processes,
  },
  {
    .name = "process-pool", .title = N_("Process Pool"),
    .summary = N_("N long-lived worker processes fed over pipes — like ProcessPoolExecutor"),
    .python = "ProcessPoolExecutor(max_workers=N).map(run, jobs)",
    .workers = LAB_WORKERS_PER_CORE, .processes = TRUE,
    .klass = &_lab_strategy_process_pool,
  },
  {
    .name = "async", .title = N_("Async"),
    .summary = N_("One thread with an event loop, I/O tasks only — like asyncio"),
    .python = "asyncio.gather(*(run(job) for job in jobs))",
    .workers = LAB_WORKERS_PER_JOB, .event_loop = TRUE,
    .klass = &_lab_strategy_async,
  },
};

const LabStrategy *
lab_strategy_lookup (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (strategies); i++)
    if (g_str_equal (strategies[i].name, name))
      return &strategies[i];
  return NULL;
}

/**
 * lab_strategy_list:
 * @n_strategies: (out) (optional): how many
 *
 * Returns: (transfer none): every strategy, %NULL-terminated
 */
const LabStrategy * const *
lab_strategy_list (guint *n_strategies)
{
  static const LabStrategy *list[G_N_ELEMENTS (strategies) + 1];
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < G_N_ELEMENTS (strategies); i++)
        list[i] = &strategies[i];
      g_once_init_leave (&initialized, 1);
    }
  if (n_strategies != NULL)
    *n_strategies = G_N_ELEMENTS (strategies);
  return list;
}

/* The plain loop: the reference of every speed-up. */
const LabStrategy *
lab_strategy_get_loop (void)
{
  return &strategies[0];
}

gboolean
lab_strategy_is_loop (const LabStrategy *strategy)
{
  return strategy != NULL && strategy->workers == LAB_WORKERS_ONE;
}

const char *
lab_strategy_get_title (const LabStrategy *strategy)
{
  g_return_val_if_fail (strategy != NULL, NULL);
  return _(strategy->title);
}

const char *
lab_strategy_get_summary (const LabStrategy *strategy)
{
  g_return_val_if_fail (strategy != NULL, NULL);
  return _(strategy->summary);
}

/* The number the cgroup's CPU quota allows (a container, a Flatpak with
 * a limit), or 0 when there is none. cgroup v2 first, then v1. */
static guint
cgroup_cpu_limit (void)
{
  g_autofree char *max = NULL;
  g_autofree char *quota = NULL;
  g_autofree char *period = NULL;
  double q = 0, p = 0;

  if (g_file_get_contents ("/sys/fs/cgroup/cpu.max", &max, NULL, NULL))
    {
      g_auto(GStrv) parts = g_strsplit (g_strstrip (max), " ", 2);

      if (parts[0] == NULL || parts[1] == NULL || g_str_equal (parts[0], "max"))
        return 0;
      q = g_ascii_strtod (parts[0], NULL);
      p = g_ascii_strtod (parts[1], NULL);
    }
  else if (g_file_get_contents ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", &quota, NULL, NULL) &&
           g_file_get_contents ("/sys/fs/cgroup/cpu/cpu.cfs_period_us", &period, NULL, NULL))
    {
      q = g_ascii_strtod (quota, NULL);
      p = g_ascii_strtod (period, NULL);
    }

  if (q <= 0 || p <= 0)
    return 0;
  return (guint) MAX (1, ceil (q / p));
}

/**
 * lab_usable_cores:
 *
 * The cores this process may use: those its CPU affinity allows
 * (g_get_num_processors() reads it), fewer when a cgroup quota caps it.
 * Every default worker count comes from here.
 *
 * Returns: at least 1
 */
guint
lab_usable_cores (void)
{
  static gsize cores;

  if (g_once_init_enter (&cores))
    {
      guint n = g_get_num_processors ();
      guint limit = cgroup_cpu_limit ();

      g_once_init_leave (&cores, limit > 0 ? MIN (n, limit) : n);
    }
  return cores;
}

guint
lab_strategy_default_workers (const LabStrategy *strategy,
                              guint              n_jobs)
{
  g_return_val_if_fail (strategy != NULL, 1);

  switch (strategy->workers)
    {
    case LAB_WORKERS_ONE:
      return 1;
    case LAB_WORKERS_PER_CORE:
      return MIN (lab_usable_cores (), LAB_MAX_WORKERS);
    case LAB_WORKERS_PER_JOB:
    default:
      /* Like the seed: every job starts at once, up to the limit. */
      return CLAMP (n_jobs, 1, LAB_MAX_WORKERS);
    }
}

/**
 * lab_strategy_can_run:
 *
 * Whether @strategy can run @task. An event loop overlaps waiting, not
 * computing: async is for tasks that wait or do I/O.
 *
 * Returns: %FALSE with @error (%LAB_ERROR_UNSUPPORTED) saying why
 */
gboolean
lab_strategy_can_run (const LabStrategy  *strategy,
                      const LabTaskInfo  *task,
                      GError            **error)
{
  g_return_val_if_fail (strategy != NULL && task != NULL, FALSE);

  if (strategy->event_loop && task->kind != LAB_TASK_KIND_WAIT && task->kind != LAB_TASK_KIND_IO)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED,
                   _("%s runs every job on one thread with an event loop: it can overlap waiting, "
                     "not computing, so it cannot run the CPU-bound %s task"),
                   lab_strategy_get_title (strategy), lab_task_info_get_title (task));
      return FALSE;
    }
  return TRUE;
}
