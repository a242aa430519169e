/* lab-run-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-run-config"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-run-config.h"

G_DEFINE_BOXED_TYPE (LabRunConfig, lab_run_config, lab_run_config_copy, lab_run_config_free)

/**
 * lab_run_config_new:
 * @params: (nullable): a{sv} parameters; a floating reference is sunk
 */
LabRunConfig *
lab_run_config_new (const char  *task,
                    LabStrategy  strategy,
                    guint        workers,
                    GVariant    *params)
{
  LabRunConfig *self = g_new0 (LabRunConfig, 1);

  self->task = g_strdup (task);
  self->strategy = strategy;
  self->workers = workers;
  if (params == NULL)
    params = g_variant_new ("a{sv}", NULL);
  g_return_val_if_fail (g_variant_is_of_type (params, G_VARIANT_TYPE_VARDICT), self);
  self->params = g_variant_ref_sink (params);

  return self;
}

LabRunConfig *
lab_run_config_copy (const LabRunConfig *config)
{
  LabRunConfig *copy = lab_run_config_new (config->task, config->strategy, config->workers, config->params);

  copy->gil = config->gil;
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
  return config->gil &&
         (config->strategy == LAB_STRATEGY_THREADS || config->strategy == LAB_STRATEGY_THREAD_POOL);
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
  guint cores = MIN (g_get_num_processors (), LAB_MAX_WORKERS);
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
  return g_str_equal (a->task, b->task) && a->strategy == b->strategy &&
         a->workers == b->workers && g_variant_equal (a->params, b->params) &&
         lab_run_config_uses_gil (a) == lab_run_config_uses_gil (b);
}

void
lab_run_config_free (LabRunConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->task);
  g_clear_pointer (&config->params, g_variant_unref);
  g_free (config);
}

guint
lab_run_config_default_workers (LabStrategy strategy,
                                guint       n_jobs)
{
  switch (strategy)
    {
    case LAB_STRATEGY_SEQUENTIAL:
      return 1;
    case LAB_STRATEGY_THREAD_POOL:
    case LAB_STRATEGY_PROCESS_POOL:
      return MIN (g_get_num_processors (), LAB_MAX_WORKERS);
    case LAB_STRATEGY_THREADS:
    case LAB_STRATEGY_PROCESSES:
    case LAB_STRATEGY_ASYNC:
    default:
      /* Like the seed: every job starts at once, up to the limit. */
      return CLAMP (n_jobs, 1, LAB_MAX_WORKERS);
    }
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
  const LabTaskClass *klass;

  g_return_val_if_fail (config != NULL, FALSE);

  if (!(klass = lab_task_lookup (config->task, error)))
    return FALSE;

  if (config->strategy >= LAB_N_STRATEGIES)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("Unknown strategy"));
      return FALSE;
    }

  if (config->workers > LAB_MAX_WORKERS)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--workers must be between 1 and %u"), LAB_MAX_WORKERS);
      return FALSE;
    }

  if (config->strategy == LAB_STRATEGY_ASYNC &&
      (klass->kind == LAB_TASK_KIND_CPU || klass->kind == LAB_TASK_KIND_MIXED))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED,
                   _("The async strategy runs one thread with an event loop: it cannot run the CPU-bound %s task"),
                   klass->name);
      return FALSE;
    }

  return lab_task_check_params (klass, config->params, error);
}
