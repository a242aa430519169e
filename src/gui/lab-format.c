/* lab-format.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-format"

#include "config.h"

#include <glib/gi18n.h>

#include "lab-format.h"

const char *
lab_format_task_title (const char *task)
{
  static const struct { const char *name, *title; } titles[] = {
    { "sleep", N_("Sleep") }, { "download", N_("Download") }, { "blur", N_("Blur") },
    { "primes", N_("Count Primes") }, { "pipeline", N_("Download and Blur") },
  };

  for (guint i = 0; task != NULL && i < G_N_ELEMENTS (titles); i++)
    if (g_str_equal (titles[i].name, task))
      return _(titles[i].title);
  return task;
}

const char *
lab_format_strategy_title (LabStrategy strategy)
{
  static const char *titles[LAB_N_STRATEGIES] = {
    N_("Sequential"), N_("Threads"), N_("Thread Pool"),
    N_("Processes"), N_("Process Pool"), N_("Async"),
  };

  g_return_val_if_fail (strategy < LAB_N_STRATEGIES, NULL);
  return _(titles[strategy]);
}

char *
lab_format_seconds (gint64 ns)
{
  double s = ns / 1e9;

  if (s < 0.01)
    return g_strdup_printf (_("%.1f ms"), s * 1e3);
  if (s < 100)
    return g_strdup_printf (_("%.2f s"), s);
  return g_strdup_printf (_("%.0f s"), s);
}

char *
lab_format_run_title (LabRun *run)
{
  const LabRunConfig *config = lab_run_get_config (run);

  if (lab_run_config_uses_gil (config))
    /* Translators: task and strategy with the imitation of Python's global
     * interpreter lock, e.g. "Count Primes with Threads and the GIL" */
    return g_strdup_printf (_("%s with %s and the GIL"), lab_format_task_title (config->task),
                            lab_format_strategy_title (config->strategy));
  /* Translators: task and strategy, e.g. "Sleep with Threads" */
  return g_strdup_printf (_("%s with %s"), lab_format_task_title (config->task),
                          lab_format_strategy_title (config->strategy));
}

/* CPU time the jobs themselves used (thread CPU clock or the worker
 * process's), leaving out what the window spent drawing meanwhile. */
gint64
lab_format_jobs_cpu_ns (LabRun *run)
{
  gint64 sum = 0;

  for (guint i = 0; i < lab_run_get_n_jobs (run); i++)
    {
      const LabJobResult *job = lab_run_get_job (run, i);

      if (g_atomic_int_get (&job->state) >= LAB_JOB_OK)
        sum += job->cpu_ns;
    }
  return sum;
}

/* A plain-language reading of the figures: did the jobs wait or compute? */
char *
lab_format_verdict (LabRun *run)
{
  LabRunSummary s;
  g_autofree char *wall = NULL;
  g_autofree char *cpu = NULL;
  gint64 cpu_ns;
  double busy;

  lab_run_get_summary (run, &s);
  if (lab_run_get_state (run) <= LAB_RUN_RUNNING)
    return g_strdup_printf (ngettext ("%u worker, %u of %u jobs done",
                                      "%u workers, %u of %u jobs done", s.workers),
                            s.workers, s.n_done, s.n_jobs);
  if (lab_run_get_state (run) == LAB_RUN_FAILED)
    return g_strdup (lab_run_get_error (run));
  if (lab_run_get_state (run) == LAB_RUN_CANCELLED)
    return g_strdup_printf (_("Cancelled after %.1f s: %u of %u jobs had finished."),
                            s.wall_ns / 1e9, s.n_done - s.n_failed, s.n_jobs);

  cpu_ns = lab_format_jobs_cpu_ns (run);
  wall = lab_format_seconds (s.wall_ns);
  cpu = lab_format_seconds (cpu_ns);
  busy = s.wall_ns > 0 ? (double) cpu_ns / s.wall_ns : 0;

  if (busy < 0.25)
    return g_strdup_printf (ngettext ("%u worker, %s wall, the jobs used %s CPU: they were waiting, not computing — threads are enough.",
                                      "%u workers, %s wall, the jobs used %s CPU: they were waiting, not computing — threads are enough.",
                                      s.workers), s.workers, wall, cpu);
  if (busy >= 1.5)
    return g_strdup_printf (ngettext ("%u worker, %s wall, the jobs used %s CPU: %.1f cores computed at once — CPU-bound work spread over cores.",
                                      "%u workers, %s wall, the jobs used %s CPU: %.1f cores computed at once — CPU-bound work spread over cores.",
                                      s.workers), s.workers, wall, cpu, busy);
  return g_strdup_printf (ngettext ("%u worker, %s wall, the jobs used %s CPU: about one core was busy — CPU-bound work that did not run in parallel.",
                                    "%u workers, %s wall, the jobs used %s CPU: about one core was busy — CPU-bound work that did not run in parallel.",
                                    s.workers), s.workers, wall, cpu);
}
