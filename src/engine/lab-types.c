/* lab-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-types"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-types.h"

G_DEFINE_QUARK (lab-error-quark, lab_error)

static const struct {
  const char *name;
  const char *summary;
} strategies[LAB_N_STRATEGIES] = {
  [LAB_STRATEGY_SEQUENTIAL]   = { "sequential",   N_("One job after another on one thread — a plain loop") },
  [LAB_STRATEGY_THREADS]      = { "threads",      N_("One thread per job, all started at once — like threading.Thread") },
  [LAB_STRATEGY_THREAD_POOL]  = { "thread-pool",  N_("GThreadPool with N threads — like ThreadPoolExecutor") },
  [LAB_STRATEGY_PROCESSES]    = { "processes",    N_("One worker process per job — like multiprocessing.Process") },
  [LAB_STRATEGY_PROCESS_POOL] = { "process-pool", N_("N long-lived worker processes fed over pipes — like ProcessPoolExecutor") },
  [LAB_STRATEGY_ASYNC]        = { "async",        N_("One thread with an event loop, I/O tasks only — like asyncio") },
};

const char *
lab_strategy_to_string (LabStrategy strategy)
{
  g_return_val_if_fail (strategy < LAB_N_STRATEGIES, NULL);
  return strategies[strategy].name;
}

gboolean
lab_strategy_from_string (const char  *name,
                          LabStrategy *strategy)
{
  g_return_val_if_fail (strategy != NULL, FALSE);

  if (name == NULL)
    return FALSE;

  for (guint i = 0; i < LAB_N_STRATEGIES; i++)
    {
      if (g_str_equal (name, strategies[i].name))
        {
          *strategy = i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
lab_strategy_get_summary (LabStrategy strategy)
{
  g_return_val_if_fail (strategy < LAB_N_STRATEGIES, NULL);
  return _(strategies[strategy].summary);
}

gboolean
lab_strategy_uses_processes (LabStrategy strategy)
{
  return strategy == LAB_STRATEGY_PROCESSES || strategy == LAB_STRATEGY_PROCESS_POOL;
}

const char *
lab_task_kind_to_string (LabTaskKind kind)
{
  switch (kind)
    {
    case LAB_TASK_KIND_WAIT:  return _("waits");
    case LAB_TASK_KIND_IO:    return _("I/O-bound");
    case LAB_TASK_KIND_CPU:   return _("CPU-bound");
    case LAB_TASK_KIND_MIXED: return _("mixed I/O and CPU");
    default:                  g_return_val_if_reached (NULL);
    }
}

void
lab_job_result_clear (LabJobResult *result)
{
  g_clear_pointer (&result->error, g_free);
}
