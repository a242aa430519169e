/* test-machine-window.c — This Computer: opens from the menu, measures, sweeps, cancels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With $LAB_SCREENSHOT_DIR set, the page after its sweep is saved there
 * as this-computer.png.
 */
#include "config.h"

#include <adwaita.h>

#include "lab-experiment-panel.h"
#include "lab-machine-window.h"
#include "lab-test-png.h"
#include "lab-test-util.h"
#include "lab-window.h"

typedef gboolean (*Condition) (gpointer data);

#define wait_for(data, cond) wait_for_named (data, (Condition) cond, #cond, LAB_TEST_DEADLINE_S)

/* Iterates until @cond holds; the deadline is a hang guard, not a measure. */
static void
wait_for_named (gpointer    data,
                Condition   cond,
                const char *name,
                guint       deadline_s)
{
  gint64 deadline = g_get_monotonic_time () + deadline_s * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("%s did not hold within %u s", name, deadline_s);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
is_idle (LabMachineWindow *window)
{
  return !lab_machine_window_is_busy (window);
}

static gboolean
is_mapped (GtkWidget *widget)
{
  return gtk_widget_get_mapped (widget);
}

static LabMachineWindow *
find_machine_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (LAB_IS_MACHINE_WINDOW (window))
        return LAB_MACHINE_WINDOW (window);
    }
  return NULL;
}

static gboolean
has_machine_window (gpointer data)
{
  return find_machine_window () != NULL;
}

static void
close_window (LabMachineWindow *window)
{
  GWeakRef ref;

  g_weak_ref_init (&ref, window);
  gtk_window_close (GTK_WINDOW (window));
  /* What it started stops; the window goes once its callbacks ran. */
  while (TRUE)
    {
      g_autoptr(GObject) still = g_weak_ref_get (&ref);

      if (still == NULL)
        break;
      g_clear_object (&still);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_weak_ref_clear (&ref);
}

/* The primary menu's "This Computer" opens the page, which measures,
 * then shows every cost, a break-even per strategy and the predicted
 * curves; no sweep has run yet. */
static void
test_open_and_measure (void)
{
  LabWindow *main_window = g_object_new (LAB_TYPE_WINDOW, NULL);
  LabMachineWindow *window;
  const LabMachineCosts *costs;

  gtk_window_present (GTK_WINDOW (main_window));
  wait_for (main_window, is_mapped);
  g_assert_null (find_machine_window ());
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.machine", NULL));
  wait_for (NULL, has_machine_window);
  window = find_machine_window ();
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (window)) == GTK_WINDOW (main_window));
  g_assert_true (lab_machine_window_is_busy (window));

  wait_for (window, is_idle);
  costs = lab_machine_window_get_costs (window);
  g_assert_nonnull (costs);
  g_assert_cmpfloat (costs->costs[LAB_COST_THREAD_CREATE].median_s, <, costs->costs[LAB_COST_FORK_WAIT].median_s);
  g_assert_cmpuint (lab_cost_chart_get_n_bars (lab_machine_window_get_cost_chart (window)), ==, LAB_N_COSTS);
  g_assert_cmpuint (lab_machine_window_get_n_break_even_rows (window), ==, 4);
  g_assert_cmpuint (lab_job_size_chart_get_n_series (lab_machine_window_get_job_size_chart (window)), ==, 0);

  /* Measuring again replaces the rows, it does not add to them. */
  lab_machine_window_measure (window);
  wait_for (window, is_idle);
  g_assert_cmpuint (lab_machine_window_get_n_break_even_rows (window), ==, 4);

  close_window (window);
  gtk_window_destroy (GTK_WINDOW (main_window));
}

/* Cancel while measuring: no figures, the page is ready again. */
static void
test_cancel_measure (void)
{
  LabMachineWindow *window = lab_machine_window_new (NULL);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (lab_machine_window_is_busy (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.cancel", NULL));
  wait_for (window, is_idle);
  g_assert_null (lab_machine_window_get_costs (window));
  g_assert_cmpuint (lab_cost_chart_get_n_bars (lab_machine_window_get_cost_chart (window)), ==, 0);
  close_window (window);
}

/* Closing the page while it measures stops the measurement. */
static void
test_close_while_measuring (void)
{
  LabMachineWindow *window = lab_machine_window_new (NULL);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (lab_machine_window_is_busy (window));
  close_window (window);
}

static gboolean
has_series (LabMachineWindow *window)
{
  return lab_job_size_chart_get_n_series (lab_machine_window_get_job_size_chart (window)) > 0;
}

/* The lesson's sweep, asked for while the page measures: it runs once
 * the costs are in, and draws a line per strategy. */
static void
test_sweep (void)
{
  LabMachineWindow *window = lab_machine_window_new (NULL);
  const char *dir = g_getenv ("LAB_SCREENSHOT_DIR");

  gtk_window_present (GTK_WINDOW (window));
  lab_machine_window_run_sweep (window);
  wait_for_named (window, (Condition) has_series, "has_series", 240);
  g_assert_true (is_idle (window));
  g_assert_nonnull (lab_machine_window_get_costs (window));
  g_assert_cmpuint (lab_job_size_chart_get_n_series (lab_machine_window_get_job_size_chart (window)), ==, 3);

  if (dir != NULL)
    {
      gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

      while (!lab_test_save_png (GTK_WIDGET (window), dir, "this-computer.png") && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      while (!lab_test_save_png (GTK_WIDGET (lab_machine_window_get_job_size_chart (window)), dir, "job-size-chart.png") &&
             g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
    }
  close_window (window);
}

/* Cancel during the sweep: the runs that ended are drawn. */
static void
test_cancel_sweep (void)
{
  LabMachineWindow *window = lab_machine_window_new (NULL);

  gtk_window_present (GTK_WINDOW (window));
  wait_for (window, is_idle);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.sweep", NULL));
  g_assert_true (lab_machine_window_is_busy (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.cancel", NULL));
  wait_for (window, is_idle);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (window)));
  close_window (window);
}

/* The lesson "When Do Processes Pay Off?": Run opens This Computer,
 * which measures, then runs the sweep; the main window runs nothing. */
static void
test_lesson (void)
{
  LabWindow *main_window = g_object_new (LAB_TYPE_WINDOW, NULL);
  LabExperimentPanel *panel = lab_window_get_experiment_panel (main_window);
  LabMachineWindow *window;

  gtk_window_present (GTK_WINDOW (main_window));
  wait_for (main_window, is_mapped);
  g_assert_true (lab_experiment_panel_apply_lesson (panel, "granularity"));
  g_assert_true (lab_experiment_panel_lesson_matches (panel));
  g_assert_cmpstr (lab_experiment_panel_get_task (panel), ==, "primes");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.run", NULL));
  wait_for (NULL, has_machine_window);
  window = find_machine_window ();
  g_assert_false (lab_window_is_running (main_window));
  g_assert_cmpuint (lab_window_get_n_runs (main_window), ==, 0);

  /* It measures first, then sweeps: cancel the sweep once it started. */
  while (lab_machine_window_get_costs (window) == NULL || !lab_machine_window_is_busy (window))
    {
      g_assert_true (lab_machine_window_is_busy (window));
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "machine.cancel", NULL));
  wait_for (window, is_idle);

  close_window (window);
  gtk_window_destroy (GTK_WINDOW (main_window));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_home = NULL;

  lab_test_init (&argc, &argv);
  data_home = g_dir_make_tmp ("lab-machine-data-XXXXXX", NULL);
  g_assert_nonnull (data_home);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CACHE_HOME", data_home, TRUE);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/machine-window/open-and-measure", test_open_and_measure);
  g_test_add_func ("/machine-window/cancel-measure", test_cancel_measure);
  g_test_add_func ("/machine-window/close-while-measuring", test_close_while_measuring);
  g_test_add_func ("/machine-window/sweep", test_sweep);
  g_test_add_func ("/machine-window/cancel-sweep", test_cancel_sweep);
  g_test_add_func ("/machine-window/lesson", test_lesson);

  return g_test_run ();
}
