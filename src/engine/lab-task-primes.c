/* lab-task-primes.c — pure CPU work: count primes by trial division
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-task-primes"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-gil.h"
#include "lab-task-private.h"

/* Every job scans a range of the same length just above one billion, so
 * jobs cost the same (the ranges differ by far less than the base) and the
 * loop touches no memory: the lesson measures cores, not caches. */
#define PRIMES_BASE         G_GUINT64_CONSTANT (1000000000)
#define PRIMES_DEFAULT_SIZE G_GUINT64_CONSTANT (90000)
#define PRIMES_MAX_SIZE     G_GUINT64_CONSTANT (100000000)
#define PRIMES_DEFAULT_JOBS 8

typedef struct {
  guint64 size;
  guint   n_jobs;
} PrimesPlan;

static gpointer
primes_setup (GVariant  *params,
              GError   **error)
{
  g_autofree PrimesPlan *plan = g_new0 (PrimesPlan, 1);

  if (!lab_params_get_uint (params, LAB_PARAM_JOBS, PRIMES_DEFAULT_JOBS, 1, LAB_MAX_JOBS, &plan->n_jobs, error) ||
      !lab_params_get_uint64 (params, LAB_PARAM_SIZE, PRIMES_DEFAULT_SIZE, 1, PRIMES_MAX_SIZE, &plan->size, error))
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
  /* Pure computation: with the "Python GIL" switch on, it is done holding
   * the lock, as interpreted Python code is. */
  LabGil *gil = lab_gil_get_current ();
  gint64 count = 0;

  if (gil != NULL)
    lab_gil_acquire (gil);

  for (guint64 n = first; n < first + plan->size; n++)
    {
      /* Every 1024 numbers (about 2 ms here): a cancelled CPU-bound job
       * stops within milliseconds, and the lock can change hands. */
      if G_UNLIKELY ((n & 1023) == 0)
        {
          if (lab_cancel_is_cancelled (cancel))
            {
              if (gil != NULL)
                lab_gil_release (gil);
              g_set_error_literal (error, LAB_ERROR, LAB_ERROR_CANCELLED, _("Cancelled"));
              return FALSE;
            }
          if (gil != NULL)
            lab_gil_switch_point (gil);
        }
      count += is_prime (n);
    }

  if (gil != NULL)
    lab_gil_release (gil);
  result->value = count;
  return TRUE;
}

static const char * const primes_params[] = { LAB_PARAM_JOBS, LAB_PARAM_SIZE, NULL };

const LabTaskClass _lab_task_primes = {
  .name = "primes",
  .kind = LAB_TASK_KIND_CPU,
  .summary = N_("Each job counts primes in a range by trial division (pure CPU)"),
  .params = primes_params,
  .setup = primes_setup,
  .plan_free = g_free,
  .get_n_jobs = primes_get_n_jobs,
  .run_job = primes_run_job,
};
