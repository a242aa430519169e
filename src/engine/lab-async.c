/* lab-async.c — runs and experiments for GIO callers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine's core runs with a LabCancel and a callback, so that the
 * command line need not load GIO; the window and the tests use these
 * GTask and GListModel forms of the same calls. A GCancellable's cancel
 * is forwarded to a LabCancel that lives as long as the call.
 */
#define G_LOG_DOMAIN "lab-async"

#include "config.h"

#include "lab-experiment.h"
#include "lab-run.h"

typedef struct {
  LabCancel    *cancel;
  GCancellable *cancellable;
  gulong        handler;
} Forward;

static void
forward_cancel_cb (GCancellable *cancellable,
                   LabCancel    *cancel)
{
  lab_cancel_cancel (cancel);
}

/* A LabCancel cancelled with @cancellable (which may be %NULL). */
static Forward *
forward_new (GCancellable *cancellable)
{
  Forward *forward = g_new0 (Forward, 1);

  forward->cancel = lab_cancel_new ();
  if (cancellable != NULL)
    {
      forward->cancellable = g_object_ref (cancellable);
      forward->handler = g_cancellable_connect (cancellable, G_CALLBACK (forward_cancel_cb),
                                                forward->cancel, NULL);
    }
  return forward;
}

/* Once the call has ended: no cancel reaches the token any more. */
static void
forward_free (Forward *forward)
{
  if (forward->cancellable != NULL)
    {
      g_cancellable_disconnect (forward->cancellable, forward->handler);
      g_object_unref (forward->cancellable);
    }
  lab_cancel_free (forward->cancel);
  g_free (forward);
}

/* The task's data: its token, forwarded from the task's cancellable. */
static LabCancel *
task_cancel (GTask *task)
{
  Forward *forward = forward_new (g_task_get_cancellable (task));

  g_task_set_task_data (task, forward, (GDestroyNotify) forward_free);
  return forward->cancel;
}

/* Once the call has ended, before it returns. */
static void
task_cancel_free (GTask *task)
{
  g_task_set_task_data (task, NULL, NULL);
}

static void
run_done_cb (LabRun   *run,
             gboolean  ok,
             GError   *error,
             gpointer  user_data)
{
  g_autoptr(GTask) task = user_data;

  task_cancel_free (task);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, FALSE);
}

/**
 * lab_run_start_async:
 *
 * lab_run_start() with a GCancellable; @callback comes on the caller's
 * thread-default main context.
 */
void
lab_run_start_async (LabRun              *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (LAB_IS_RUN (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lab_run_start_async);
  g_task_set_check_cancellable (task, FALSE);
  lab_run_start (self, task_cancel (task), run_done_cb, task);
}

gboolean
lab_run_start_finish (LabRun        *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * lab_run_execute:
 *
 * lab_run_run() with a GCancellable.
 */
gboolean
lab_run_execute (LabRun        *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  Forward *forward = forward_new (cancellable);
  gboolean ok = lab_run_run (self, forward->cancel, error);

  forward_free (forward);
  return ok;
}

static void
experiment_done_cb (LabExperiment *experiment,
                    GError        *error,
                    gpointer       user_data)
{
  g_autoptr(GTask) task = user_data;

  task_cancel_free (task);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * lab_experiment_run_async:
 *
 * lab_experiment_start() with a GCancellable.
 */
void
lab_experiment_run_async (LabExperiment       *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (LAB_IS_EXPERIMENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lab_experiment_run_async);
  g_task_set_check_cancellable (task, FALSE);
  lab_experiment_start (self, task_cancel (task), experiment_done_cb, task);
}

/**
 * lab_experiment_run_finish:
 *
 * Returns: %FALSE with @error when the experiment could not run at all
 *   (bad usage); see lab_experiment_all_succeeded() for the runs
 */
gboolean
lab_experiment_run_finish (LabExperiment  *self,
                           GAsyncResult   *result,
                           GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
run_added_cb (LabExperiment *self,
              LabRun        *run,
              GListStore    *runs)
{
  g_list_store_append (runs, run);
}

/**
 * lab_experiment_get_runs:
 *
 * The measured runs that ran (warm-ups left out), as they are added.
 *
 * Returns: (transfer none): a GListModel of LabRun
 */
GListModel *
lab_experiment_get_runs (LabExperiment *self)
{
  GListStore *runs;

  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), NULL);

  if ((runs = g_object_get_data (G_OBJECT (self), "lab-runs")) == NULL)
    {
      runs = g_list_store_new (LAB_TYPE_RUN);
      for (guint i = 0; i < lab_experiment_get_n_runs (self); i++)
        g_list_store_append (runs, lab_experiment_get_run (self, i));
      g_signal_connect_object (self, "run-added", G_CALLBACK (run_added_cb), runs, 0);
      g_object_set_data_full (G_OBJECT (self), "lab-runs", runs, g_object_unref);
    }
  return G_LIST_MODEL (runs);
}
