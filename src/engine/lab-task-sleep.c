/* lab-task-sleep.c — the seed's do_something(seconds): a job that waits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-task-sleep"

#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-task-private.h"

#define MAX_SECONDS 3600.0

typedef struct {
  gint64 *ns;      /* one entry per value of --seconds; jobs cycle through it */
  guint   n_ns;
  guint   n_jobs;
} SleepPlan;

static void
sleep_plan_free (gpointer data)
{
  SleepPlan *plan = data;

  g_free (plan->ns);
  g_free (plan);
}

static gpointer
sleep_setup (GVariant   *params,
             LabCancel  *cancel,
             GError    **error)
{
  g_autoptr(GVariant) seconds = NULL;
  const double *values;
  static const double default_seconds[] = { LAB_SLEEP_DEFAULT_SECONDS };
  gsize n_values;
  guint default_jobs;
  SleepPlan *plan;

  seconds = params ? g_variant_lookup_value (params, LAB_PARAM_SECONDS, G_VARIANT_TYPE ("ad")) : NULL;
  if (seconds != NULL)
    values = g_variant_get_fixed_array (seconds, &n_values, sizeof (double));
  else
    values = default_seconds, n_values = 1;

  if (n_values == 0 || n_values > LAB_MAX_JOBS)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--seconds needs between 1 and %u values"), LAB_MAX_JOBS);
      return NULL;
    }

  for (gsize i = 0; i < n_values; i++)
    {
      if (!isfinite (values[i]) || values[i] < 0 || values[i] > MAX_SECONDS)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("--seconds values must be between 0 and %.0f"), MAX_SECONDS);
          return NULL;
        }
    }

  /* A list like 5,4,3,2,1 means one job per value, as in the seed; a
   * single value is repeated --jobs times. */
  default_jobs = n_values > 1 ? n_values : lab_task_info_lookup ("sleep")->default_jobs;

  plan = g_new0 (SleepPlan, 1);
  if (!lab_params_get_uint (params, LAB_PARAM_JOBS, default_jobs, 1, LAB_MAX_JOBS, &plan->n_jobs, error))
    {
      sleep_plan_free (plan);
      return NULL;
    }

  plan->n_ns = n_values;
  plan->ns = g_new (gint64, n_values);
  for (gsize i = 0; i < n_values; i++)
    plan->ns[i] = (gint64) llround (values[i] * 1e9);

  return plan;
}

static guint
sleep_get_n_jobs (gpointer data)
{
  return ((SleepPlan *) data)->n_jobs;
}

static gboolean
sleep_run_job (gpointer       data,
               gpointer       worker_state,
               guint          index,
               LabJobResult  *result,
               LabCancel     *cancel,
               GError       **error)
{
  SleepPlan *plan = data;

  if (!lab_cancel_sleep (cancel, plan->ns[index % plan->n_ns]))
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_CANCELLED, _("Cancelled"));
      return FALSE;
    }

  return TRUE;
}

/* The async strategy's sleep: a timer on the loop, and a watch that ends
 * it at once on cancel. */
typedef struct {
  GSource        *timer;
  GSource        *watch;
  LabJobDoneFunc  done;
  gpointer        user_data;
} SleepJob;

static void
sleep_job_finish (SleepJob *job,
                  GError   *error)
{
  LabJobDoneFunc done = job->done;
  gpointer user_data = job->user_data;

  g_source_destroy (job->timer);
  g_source_unref (job->timer);
  if (job->watch != NULL)
    {
      g_source_destroy (job->watch);
      g_source_unref (job->watch);
    }
  g_free (job);
  done (error, user_data);
}

static gboolean
sleep_elapsed_cb (gpointer data)
{
  sleep_job_finish (data, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
sleep_cancelled_cb (gpointer data)
{
  sleep_job_finish (data, g_error_new_literal (LAB_ERROR, LAB_ERROR_CANCELLED, _("Cancelled")));
  return G_SOURCE_REMOVE;
}

static void
sleep_start_job (gpointer        data,
                 gpointer        worker_state,
                 guint           index,
                 LabJobResult   *result,
                 LabCancel      *cancel,
                 GMainContext   *context,
                 LabJobDoneFunc  done,
                 gpointer        user_data)
{
  SleepPlan *plan = data;
  gint64 ns = plan->ns[index % plan->n_ns];
  SleepJob *job = g_new0 (SleepJob, 1);

  job->done = done;
  job->user_data = user_data;
  job->timer = g_timeout_source_new ((guint) MIN ((ns + 999999) / 1000000, G_MAXUINT));
  g_source_set_callback (job->timer, sleep_elapsed_cb, job, NULL);
  g_source_set_static_name (job->timer, "[lab-sleep]");
  g_source_attach (job->timer, context);
  if (cancel != NULL)
    job->watch = lab_cancel_watch (cancel, context, sleep_cancelled_cb, job);
}

const LabTaskClass _lab_task_sleep = {
  .setup = sleep_setup,
  .plan_free = sleep_plan_free,
  .get_n_jobs = sleep_get_n_jobs,
  .run_job = sleep_run_job,
  .start_job = sleep_start_job,
};
