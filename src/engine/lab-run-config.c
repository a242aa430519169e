/* lab-run-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-run-config"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-run-config.h"

G_DEFINE_BOXED_TYPE (LabRunConfig, lab_run_config, lab_run_config_copy, lab_run_config_free)

/**
 * lab_run_config_new:
 * @task: an entry of the task table
 * @strategy: an entry of the strategy table
 * @params: (nullable): a{sv} parameters; a floating reference is sunk
 */
LabRunConfig *
lab_run_config_new (const LabTaskInfo *task,
                    const LabStrategy *strategy,
                    guint              workers,
                    GVariant          *params)
{
  LabRunConfig *self;

  g_return_val_if_fail (task != NULL && strategy != NULL, NULL);

  self = g_new0 (LabRunConfig, 1);
  self->task = task;
  self->strategy = strategy;
  self->workers = workers;
  if (params == NULL)
    params = g_variant_new ("a{sv}", NULL);
  g_return_val_if_fail (g_variant_is_of_type (params, G_VARIANT_TYPE_VARDICT), self);
  self->params = g_variant_ref_sink (params);

  return self;
}

/**
 * lab_run_config_new_by_name:
 *
 * Returns: (nullable): a config, or %NULL with @error naming the unknown
 *   task or strategy (%LAB_ERROR_INVALID_ARGUMENT)
 */
LabRunConfig *
lab_run_config_new_by_name (const char  *task,
                            const char  *strategy,
                            guint        workers,
                            GVariant    *params,
                            GError     **error)
{
  const LabTaskInfo *info = lab_task_info_lookup (task);
  const LabStrategy *s = lab_strategy_lookup (strategy);
  g_autoptr(GVariant) sunk = params ? g_variant_ref_sink (params) : NULL;

  if (info == NULL)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("Unknown task “%s” (see --help for the list)"), task ? task : "");
      return NULL;
    }
  if (s == NULL)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("Unknown strategy “%s” (see --help for the list)"), strategy ? strategy : "");
      return NULL;
    }
  return lab_run_config_new (info, s, workers, sunk);
}

LabRunConfig *
lab_run_config_copy (const LabRunConfig *config)
{
  LabRunConfig *copy = lab_run_config_new (config->task, config->strategy, config->workers, config->params);

  copy->gil = config->gil;
  copy->runtime = config->runtime;
  return copy;
}

/**
 * lab_run_config_uses_gil:
 *
 * Returns: whether the "Python GIL" switch changes this run: it is on and
 *   several threads of this process run the jobs. Each worker process has
 *   its own interpreter lock in Python, and one thread has nobody to take
 *   turns with.
 */
gboolean
lab_run_config_uses_gil (const LabRunConfig *config)
{
  return config->gil && config->strategy->shares_gil && config->runtime == LAB_RUNTIME_C;
}

/**
 * lab_run_config_gil_ignored:
 *
 * Returns: whether the "Python GIL" switch is on for a Python run, which
 *   has CPython's own lock whatever the switch says
 */
gboolean
lab_run_config_gil_ignored (const LabRunConfig *config)
{
  return config->gil && config->runtime != LAB_RUNTIME_C;
}

/**
 * lab_run_config_is_loop_of:
 *
 * Returns: whether @loop is the plain loop @config's speed-up is measured
 *   against: the same jobs, in the same runtime
 */
gboolean
lab_run_config_is_loop_of (const LabRunConfig *loop,
                           const LabRunConfig *config)
{
  return lab_strategy_is_loop (loop->strategy) && loop->runtime == config->runtime &&
         lab_run_config_same_work (loop, config);
}

/**
 * lab_run_config_sweep_workers:
 *
 * The worker counts of a sweep: 1, 2, 4… then the number of cores and
 * twice that, each once, in rising order, at most LAB_MAX_WORKERS.
 *
 * Returns: (transfer full) (element-type guint): the counts
 */
static int
compare_counts (gconstpointer a,
                 gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

GArray *
lab_run_config_sweep_workers (void)
{
  GArray *list = g_array_new (FALSE, FALSE, sizeof (guint));
  guint cores = MIN (lab_usable_cores (), LAB_MAX_WORKERS);
  guint last = MIN (2 * cores, LAB_MAX_WORKERS);

  for (guint n = 1; n < last; n *= 2)
    g_array_append_val (list, n);
  g_array_append_val (list, cores);
  g_array_append_val (list, last);
  g_array_sort (list, compare_counts);

  /* Each count once. */
  for (guint i = list->len - 1; i > 0; i--)
    if (g_array_index (list, guint, i) == g_array_index (list, guint, i - 1))
      g_array_remove_index (list, i);
  return list;
}

/**
 * lab_run_config_equal:
 *
 * Returns: whether @a and @b run the same experiment: same task,
 *   parameters, strategy and workers, with the GIL or without it
 *   (repeats of one another)
 */
gboolean
lab_run_config_equal (const LabRunConfig *a,
                      const LabRunConfig *b)
{
  return lab_run_config_same_work (a, b) && a->strategy == b->strategy && a->runtime == b->runtime &&
         a->workers == b->workers && lab_run_config_uses_gil (a) == lab_run_config_uses_gil (b);
}

/**
 * lab_run_config_same_work:
 *
 * Returns: whether @a and @b do the same jobs (same task and parameters),
 *   whoever runs them: runs of one experiment, comparable with each other
 */
gboolean
lab_run_config_same_work (const LabRunConfig *a,
                          const LabRunConfig *b)
{
  return a->task == b->task && g_variant_equal (a->params, b->params);
}

void
lab_run_config_free (LabRunConfig *config)
{
  if (config == NULL)
    return;

  g_clear_pointer (&config->params, g_variant_unref);
  g_free (config);
}

/**
 * lab_run_config_check:
 *
 * Checks everything a person could get wrong before a run starts, so that
 * bad usage is refused with one message and never reaches a worker.
 */
gboolean
lab_run_config_check (const LabRunConfig  *config,
                      GError             **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  if (config->workers > LAB_MAX_WORKERS)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--workers must be between 1 and %u"), LAB_MAX_WORKERS);
      return FALSE;
    }

  return lab_strategy_can_run (config->strategy, config->task, error) &&
         lab_task_info_is_available (config->task, error) &&
         lab_runtime_check (config->runtime, config->task, error) &&
         lab_task_check_params (config->task, config->params, error);
}

/**
 * lab_run_config_dup_label:
 *
 * Returns: the strategy as the command line's tables name it:
 *   "thread-pool", or "thread-pool+GIL" when the GIL switch changes it
 */
char *
lab_run_config_dup_label (const LabRunConfig *config)
{
  if (config->runtime != LAB_RUNTIME_C)
    return g_strconcat (lab_runtime_get_name (config->runtime), " · ", config->strategy->name, NULL);
  return g_strconcat (config->strategy->name, lab_run_config_uses_gil (config) ? "+GIL" : "", NULL);
}

/**
 * lab_run_config_dup_strategy_title:
 *
 * Returns: who runs the jobs, as the runs list and the charts name it:
 *   "Thread Pool" in C, "Python · Thread Pool" in Python
 */
char *
lab_run_config_dup_strategy_title (const LabRunConfig *config)
{
  if (config->runtime == LAB_RUNTIME_C)
    return g_strdup (lab_strategy_get_title (config->strategy));
  /* Translators: a runtime and a strategy, "Python · Thread Pool" */
  return g_strdup_printf (_("%s · %s"), lab_runtime_get_title (config->runtime),
                          lab_strategy_get_title (config->strategy));
}

/**
 * lab_run_config_dup_title:
 *
 * Returns: the run as the window names it: "Sleep with Threads", "Count
 *   Primes with Threads and the GIL"
 */
char *
lab_run_config_dup_title (const LabRunConfig *config)
{
  if (config->runtime != LAB_RUNTIME_C)
    /* Translators: task, runtime and strategy, e.g. "Count Primes with Python · Threads" */
    return g_strdup_printf (_("%s with %s · %s"), lab_task_info_get_title (config->task),
                            lab_runtime_get_title (config->runtime), lab_strategy_get_title (config->strategy));
  if (lab_run_config_uses_gil (config))
    /* Translators: task and strategy with the imitation of Python's global
     * interpreter lock, e.g. "Count Primes with Threads and the GIL" */
    return g_strdup_printf (_("%s with %s and the GIL"), lab_task_info_get_title (config->task),
                            lab_strategy_get_title (config->strategy));
  /* Translators: task and strategy, e.g. "Sleep with Threads" */
  return g_strdup_printf (_("%s with %s"), lab_task_info_get_title (config->task),
                          lab_strategy_get_title (config->strategy));
}

/* "10 jobs × 1.5 s", "5 jobs: 5, 4, 3, 2, 1 s"; NULL without seconds. */
static char *
describe_seconds (GVariant *params,
                  guint     jobs)
{
  g_autoptr(GVariant) seconds = g_variant_lookup_value (params, LAB_PARAM_SECONDS, G_VARIANT_TYPE ("ad"));
  g_autoptr(GString) list = NULL;
  const double *values;
  gsize n;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (seconds == NULL)
    return NULL;
  values = g_variant_get_fixed_array (seconds, &n, sizeof (double));
  if (n == 1)
    /* Translators: "10 jobs × 1.5 s" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u job × %s s", "%u jobs × %s s", jobs),
                            jobs, g_ascii_formatd (buf, sizeof buf, "%g", values[0]));
  list = g_string_new (NULL);
  for (gsize i = 0; i < MIN (n, 6); i++)
    g_string_append_printf (list, "%s%s", i ? ", " : "", g_ascii_formatd (buf, sizeof buf, "%g", values[i]));
  if (n > 6)
    g_string_append (list, ", …");
  /* Translators: "5 jobs: 5, 4, 3, 2, 1 s" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u job: %s s", "%u jobs: %s s", jobs),
                          jobs, list->str);
}

/* What the jobs are, without saying who runs them. */
static char *
describe_work (const LabRunConfig *config)
{
  GVariant *params = config->params;
  guint jobs = config->task->default_jobs;
  guint64 size;
  const char *path;
  char *seconds;

  g_variant_lookup (params, LAB_PARAM_JOBS, "u", &jobs);
  if ((seconds = describe_seconds (params, jobs)) != NULL)
    return seconds;
  if (g_variant_lookup (params, LAB_PARAM_SIZE, "t", &size))
    /* Translators: "8 jobs × 90000 numbers" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u job × %" PRIu64 " numbers",
                                         "%u jobs × %" PRIu64 " numbers", jobs), jobs, size);
  if (g_variant_lookup (params, LAB_PARAM_URLS_FILE, "^&ay", &path) ||
      g_variant_lookup (params, LAB_PARAM_URLS_FILE, "&s", &path) ||
      g_variant_lookup (params, LAB_PARAM_IMAGES, "^&ay", &path) ||
      g_variant_lookup (params, LAB_PARAM_IMAGES, "&s", &path))
    {
      g_autofree char *name = g_filename_display_basename (path);
      return g_strdup (name);
    }
  if (jobs == 0)
    return NULL;
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u job", "%u jobs", jobs), jobs);
}

/**
 * lab_run_config_dup_work_label:
 *
 * Returns: the experiment the run belongs to, for the window's switcher
 *   and chart labels: the task and its parameters, e.g. "Sleep · 10 jobs
 *   × 1.5 s"
 */
char *
lab_run_config_dup_work_label (const LabRunConfig *config)
{
  g_autofree char *work = describe_work (config);

  if (work == NULL)
    return g_strdup (lab_task_info_get_title (config->task));
  /* Translators: a task and its parameters, "Sleep · 10 jobs × 1.5 s" */
  return g_strdup_printf (_("%s · %s"), lab_task_info_get_title (config->task), work);
}
