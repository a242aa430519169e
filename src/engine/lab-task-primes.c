/* lab-task-primes.c — pure CPU work: count primes by trial division
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-task-primes"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-task-private.h"

/* Every job scans a range of the same length just above one billion, so
 * jobs cost the same (the ranges differ by far less than the base) and the
 * loop touches no memory: the lesson measures cores, not caches. */
#define PRIMES_BASE         G_GUINT64_CONSTANT (1000000000)
#define PRIMES_MAX_SIZE     G_GUINT64_CONSTANT (100000000)

typedef struct {
  guint64 size;
  guint   n_jobs;
} PrimesPlan;

static gpointer
primes_setup (GVariant   *params,
              LabCancel  *cancel,
              GError    **error)
{
  g_autofree PrimesPlan *plan = g_new0 (PrimesPlan, 1);
  guint default_jobs = lab_task_info_lookup ("primes")->default_jobs;

  if (!lab_params_get_uint (params, LAB_PARAM_JOBS, default_jobs, 1, LAB_MAX_JOBS, &plan->n_jobs, error) ||
      !lab_params_get_uint64 (params, LAB_PARAM_SIZE, LAB_PRIMES_DEFAULT_SIZE, 1, PRIMES_MAX_SIZE, &plan->size, error))
    return NULL;

  return g_steal_pointer (&plan);
}

static guint
primes_get_n_jobs (gpointer data)
{
  return ((PrimesPlan *) data)->n_jobs;
}

static gboolean
is_prime (guint64 n)
{
  if (n < 2)
    return FALSE;
  if (n % 2 == 0)
    return n == 2;
  for (guint64 d = 3; d * d <= n; d += 2)
    if (n % d == 0)
      return FALSE;
  return TRUE;
}

static gboolean
primes_run_job (gpointer       data,
                gpointer       worker_state,
                guint          index,
                LabJobResult  *result,
                LabCancel     *cancel,
                GError       **error)
{
  PrimesPlan *plan = data;
  guint64 first = PRIMES_BASE + (guint64) index * plan->size;
  gint64 count = 0;

  for (guint64 n = first; n < first + plan->size; n++)
    {
      /* Every 1024 numbers (about 2 ms here): a cancelled CPU-bound job
       * stops within milliseconds, and with the "Python GIL" switch on
       * the lock can change hands (the runner holds it for the job). */
      if G_UNLIKELY ((n & 1023) == 0 && lab_cancel_checkpoint (cancel))
        {
          g_set_error_literal (error, LAB_ERROR, LAB_ERROR_CANCELLED, _("Cancelled"));
          return FALSE;
        }
      count += is_prime (n);
    }

  result->value = count;
  return TRUE;
}

const LabTaskClass _lab_task_primes = {
  .setup = primes_setup,
  .plan_free = g_free,
  .get_n_jobs = primes_get_n_jobs,
  .run_job = primes_run_job,
};
