/* test-experiment.c — an experiment's runs, from the core and from GIO
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lab-error.h"
#include "lab-experiment.h"
#include "lab-strategy.h"
#include "lab-task.h"
#include "lab-test-util.h"

/* sleep, 0 s, 2 jobs: the loop and threads, twice each after a warm-up. */
static LabExperiment *
new_experiment (void)
{
  GVariant *params = g_variant_parse (G_VARIANT_TYPE_VARDICT, "{'jobs': <uint32 2>, 'seconds': <[0.0]>}",
                                      NULL, NULL, NULL);
  LabExperiment *experiment = lab_experiment_new (lab_task_info_lookup ("sleep"), params);

  lab_experiment_add_strategy (experiment, lab_strategy_lookup ("sequential"));
  lab_experiment_add_strategy (experiment, lab_strategy_lookup ("threads"));
  lab_experiment_set_repeat (experiment, 2, 1);
  return experiment;
}

typedef struct {
  GMainLoop *loop;
  LabCancel *cancel;
  GError    *error;
  guint      done;
  guint      started;
  guint      ended;
  guint      warmups;
  guint      cancel_at;   /* cancel when this run starts (1-based), or 0 */
  LabRunState last_state;
} Watch;

static void
run_started_cb (LabExperiment *experiment,
                LabRun        *run,
                gboolean       warmup,
                Watch         *w)
{
  if (++w->started == w->cancel_at)
    lab_cancel_cancel (w->cancel);
}

/* The list of runs already has a measured run when it is said to end,
 * though this handler was connected before the list was first asked for. */
static void
run_ended_cb (LabExperiment *experiment,
              LabRun        *run,
              gboolean       warmup,
              Watch         *w)
{
  GListModel *runs = lab_experiment_get_runs (experiment);
  guint n = g_list_model_get_n_items (runs);

  w->ended++;
  w->warmups += warmup;
  w->last_state = lab_run_get_state (run);
  g_assert_cmpuint (n, ==, lab_experiment_get_n_runs (experiment));
  if (!warmup)
    {
      g_autoptr(LabRun) last = g_list_model_get_item (runs, n - 1);

      g_assert_true (last == run);
      g_assert_true (lab_experiment_get_run (experiment, n - 1) == run);
    }
}

static void
core_done_cb (LabExperiment *experiment,
              GError        *error,
              gpointer       data)
{
  Watch *w = data;

  w->done++;
  w->error = error;
  g_main_loop_quit (w->loop);
}

static void
gio_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Watch *w = data;

  w->done++;
  lab_experiment_run_finish (LAB_EXPERIMENT (source), result, &w->error);
  g_main_loop_quit (w->loop);
}

static void
watch (LabExperiment *experiment,
       Watch         *w)
{
  w->loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (experiment, "run-started", G_CALLBACK (run_started_cb), w);
  g_signal_connect (experiment, "run-ended", G_CALLBACK (run_ended_cb), w);
}

static void
watch_clear (Watch *w)
{
  g_main_loop_unref (w->loop);
  g_clear_error (&w->error);
}

static void
test_core (void)
{
  g_autoptr(LabExperiment) experiment = new_experiment ();
  g_autoptr(LabCancel) cancel = lab_cancel_new ();
  Watch w = { .cancel = cancel };

  watch (experiment, &w);
  g_assert_cmpuint (lab_experiment_get_n_planned (experiment), ==, 6);
  lab_experiment_start (experiment, cancel, core_done_cb, &w);
  /* It answers from the main loop, never before it returns. */
  g_assert_cmpuint (w.started + w.done, ==, 0);
  g_main_loop_run (w.loop);

  g_assert_no_error (w.error);
  g_assert_cmpuint (w.done, ==, 1);
  g_assert_cmpuint (w.ended, ==, 6);
  g_assert_cmpuint (w.warmups, ==, 2);
  g_assert_cmpuint (lab_experiment_get_n_runs (experiment), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (lab_experiment_get_runs (experiment)), ==, 4);
  g_assert_true (lab_experiment_all_succeeded (experiment));
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (lab_run_get_state (lab_experiment_get_run (experiment, i)), ==, LAB_RUN_FINISHED);
  g_assert_null (lab_experiment_get_current (experiment));
  watch_clear (&w);
}

/* A cancel as the fourth run starts stops the experiment there. */
static void
test_core_cancel (void)
{
  g_autoptr(LabExperiment) experiment = new_experiment ();
  g_autoptr(LabCancel) cancel = lab_cancel_new ();
  Watch w = { .cancel = cancel, .cancel_at = 4 };

  watch (experiment, &w);
  lab_experiment_start (experiment, cancel, core_done_cb, &w);
  g_main_loop_run (w.loop);

  g_assert_no_error (w.error);
  g_assert_cmpuint (w.done, ==, 1);
  g_assert_cmpuint (w.started, ==, 4);
  g_assert_cmpuint (w.ended, ==, 4);
  g_assert_cmpint (w.last_state, ==, LAB_RUN_CANCELLED);
  /* The measured runs that ended, the cancelled one with them. */
  g_assert_cmpuint (lab_experiment_get_n_runs (experiment), ==, w.ended - w.warmups);
  g_assert_cmpuint (lab_experiment_get_n_runs (experiment), <, 4);
  g_assert_false (lab_experiment_all_succeeded (experiment));
  watch_clear (&w);
}

/* The GIO form: a GCancellable cancelled before the start stops it at the
 * first run, and what it could not do at all is its error. */
static void
test_gio (void)
{
  g_autoptr(LabExperiment) experiment = new_experiment ();
  g_autoptr(LabExperiment) cancelled = new_experiment ();
  g_autoptr(LabExperiment) empty = lab_experiment_new (lab_task_info_lookup ("sleep"), NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Watch w = { 0 }, c = { 0 }, e = { 0 };

  watch (experiment, &w);
  lab_experiment_run_async (experiment, NULL, gio_done_cb, &w);
  g_main_loop_run (w.loop);
  g_assert_no_error (w.error);
  g_assert_cmpuint (w.ended, ==, 6);
  g_assert_cmpuint (g_list_model_get_n_items (lab_experiment_get_runs (experiment)), ==, 4);
  watch_clear (&w);

  watch (cancelled, &c);
  g_cancellable_cancel (cancellable);
  lab_experiment_run_async (cancelled, cancellable, gio_done_cb, &c);
  g_main_loop_run (c.loop);
  g_assert_no_error (c.error);
  g_assert_cmpuint (c.ended, ==, 1);
  g_assert_cmpint (c.last_state, ==, LAB_RUN_CANCELLED);
  watch_clear (&c);

  watch (empty, &e);
  lab_experiment_run_async (empty, NULL, gio_done_cb, &e);
  g_assert_cmpuint (e.done, ==, 0);
  g_main_loop_run (e.loop);
  g_assert_error (e.error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (e.started, ==, 0);
  watch_clear (&e);
}

int
main (int    argc,
      char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/experiment/core", test_core);
  g_test_add_func ("/experiment/core-cancel", test_core_cancel);
  g_test_add_func ("/experiment/gio", test_gio);

  return g_test_run ();
}
