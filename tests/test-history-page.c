/* test-history-page.c — the stored runs in the window: list, filter, open, pin, delete
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "lab-comparison-chart.h"
#include "lab-cpu-chart.h"
#include "lab-history.h"
#include "lab-history-page.h"
#include "lab-test-util.h"
#include "lab-timeline.h"
#include "lab-run-row.h"
#include "lab-window.h"

typedef gboolean (*Condition) (gpointer data);

#define wait_for(data, cond) wait_for_named (data, (Condition) cond, #cond)

static void
wait_for_named (gpointer    data,
                Condition   cond,
                const char *name)
{
  gint64 deadline = g_get_monotonic_time () + LAB_TEST_DEADLINE_S * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("%s did not hold within %u s", name, LAB_TEST_DEADLINE_S);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
is_loaded (LabHistoryPage *page)
{
  return !lab_history_model_is_loading (lab_history_page_get_model (page));
}

static guint
n_listed (LabHistoryPage *page)
{
  return g_list_model_get_n_items (G_LIST_MODEL (lab_history_page_get_model (page)));
}

static LabHistoryItem *
item_at (LabHistoryPage *page,
         guint           position)
{
  LabHistoryItem *item = g_list_model_get_item (G_LIST_MODEL (lab_history_page_get_model (page)), position);

  g_object_unref (item);   /* the model keeps it */
  return item;
}

static LabRun *
finished_run (const char *strategy,
              guint       jobs)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autofree char *text = g_strdup_printf ("{'seconds': <[0.01]>, 'jobs': <uint32 %u>}", jobs);
  LabRun *run;

  config = lab_test_config ("sleep", strategy, 0, g_variant_new_parsed (text));
  run = lab_run_new (config, NULL);
  g_assert_true (lab_run_execute (run, NULL, NULL));
  return run;
}

static LabCpuHistory *
some_samples (LabRun *run)
{
  LabCpuHistory *samples = lab_cpu_history_new (2);
  gint64 id = lab_run_get_job (run, 0)->worker;

  for (guint s = 0; s < 4; s++)
    {
      double cores[2] = { 0.2, 0.4 };
      double usage = 0.1 * s;

      lab_cpu_history_append (samples, (gint64) s * 100000000, cores, 0.5, &id, &usage, 1);
    }
  return samples;
}

typedef struct {
  char   *dir;
  char   *path;
  gint64  loop_id;
  gint64  pool_id;
  gint64  threads_id;
} Fixture;

/* Three runs of sleep: a loop, a pool kept with its CPU samples, threads. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(LabRun) loop = finished_run ("sequential", 3);
  g_autoptr(LabRun) pool = finished_run ("thread-pool", 4);
  g_autoptr(LabRun) threads = finished_run ("threads", 2);
  g_autoptr(LabCpuHistory) samples = some_samples (pool);

  f->dir = g_dir_make_tmp ("lab-history-page-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "history.db", NULL);
  history = lab_history_open (f->path, NULL);
  f->loop_id = lab_history_add_run (history, loop, NULL);
  f->pool_id = lab_history_add_run_full (history, pool, lab_cpu_history_to_variant (samples), NULL);
  f->threads_id = lab_history_add_run (history, threads, NULL);
  g_assert_cmpint (f->threads_id, >, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_assert_cmpint (system (cmd), ==, 0);
  g_free (f->dir);
  g_free (f->path);
}

static guint
stored_runs (const char *path)
{
  g_autoptr(LabHistory) history = lab_history_open_full (path, LAB_HISTORY_READ_ONLY, 0, NULL);
  g_autoptr(GPtrArray) entries = lab_history_list (history, 0, NULL);

  return entries->len;
}

static GtkWindow *
show (LabHistoryPage *page)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, 1000, 700);
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);
  return window;
}

static guint n_changes;

static void
changed_cb (LabHistoryPage *page)
{
  n_changes++;
}

static gboolean
change_done (gpointer data)
{
  return n_changes > 0;
}

static gboolean opened;

static void
opened_cb (LabHistoryPage *page,
           LabRun         *run)
{
  opened = TRUE;
}

static gboolean
is_opened (gpointer data)
{
  return opened;
}

static void
test_list_and_filter (Fixture       *f,
                      gconstpointer  data)
{
  LabHistoryPage *page = LAB_HISTORY_PAGE (lab_history_page_new (f->path));
  GtkWindow *window = show (page);

  wait_for (page, is_loaded);
  g_assert_cmpuint (n_listed (page), ==, 3);
  /* Newest first. */
  g_assert_cmpint (lab_history_item_get_id (item_at (page, 0)), ==, f->threads_id);
  g_assert_cmpint (lab_history_item_get_id (item_at (page, 2)), ==, f->loop_id);
  {
    g_autofree char *day = lab_history_item_dup_day (item_at (page, 0));
    g_autofree char *subtitle = lab_history_item_dup_subtitle (item_at (page, 0));
    g_assert_cmpstr (day, ==, "Today");
    g_assert_nonnull (strstr (subtitle, "2 workers"));
  }

  lab_history_page_set_filter (page, "sleep", "thread-pool", NULL);
  wait_for (page, is_loaded);
  g_assert_cmpuint (n_listed (page), ==, 1);
  g_assert_cmpint (lab_history_item_get_id (item_at (page, 0)), ==, f->pool_id);

  lab_history_page_set_filter (page, NULL, NULL, "SEQUENTIAL");
  wait_for (page, is_loaded);
  g_assert_cmpuint (n_listed (page), ==, 1);
  g_assert_cmpint (lab_history_item_get_id (item_at (page, 0)), ==, f->loop_id);

  lab_history_page_set_filter (page, "primes", NULL, NULL);
  wait_for (page, is_loaded);
  g_assert_cmpuint (n_listed (page), ==, 0);

  gtk_window_destroy (window);
}

/* Opening draws the stored run: its jobs in the timeline, its samples in
 * the CPU chart, and its bar. */
static void
test_open (Fixture       *f,
           gconstpointer  data)
{
  LabHistoryPage *page = LAB_HISTORY_PAGE (lab_history_page_new (f->path));
  GtkWindow *window = show (page);
  LabTimeline *timeline = LAB_TIMELINE (lab_history_page_get_timeline (page));
  LabCpuHistory *samples;

  g_signal_connect (page, "run-opened", G_CALLBACK (opened_cb), NULL);
  wait_for (page, is_loaded);
  opened = FALSE;
  lab_history_page_open (page, 1);
  wait_for (NULL, is_opened);
  g_assert_cmpint (lab_history_page_get_opened_id (page), ==, f->pool_id);
  g_assert_cmpuint (lab_run_get_n_jobs (lab_history_page_get_opened_run (page)), ==, 4);
  g_assert_true (lab_timeline_get_run (timeline) == lab_history_page_get_opened_run (page));
  g_assert_cmpuint (lab_timeline_get_n_bars (timeline), ==, 4);
  samples = lab_cpu_chart_get_history (LAB_CPU_CHART (lab_history_page_get_cpu_chart (page)));
  g_assert_nonnull (samples);
  g_assert_cmpuint (lab_cpu_history_get_n_samples (samples), ==, 4);
  g_assert_cmpuint (lab_comparison_chart_get_n_rows (LAB_COMPARISON_CHART (lab_history_page_get_comparison_chart (page))), ==, 1);
  g_assert_true (isnan (lab_comparison_chart_get_reference (LAB_COMPARISON_CHART (lab_history_page_get_comparison_chart (page)))));

  /* A run kept without samples has no CPU chart, but its timeline. */
  opened = FALSE;
  lab_history_page_open (page, 2);
  wait_for (NULL, is_opened);
  g_assert_cmpuint (lab_timeline_get_n_bars (timeline), ==, 3);
  g_assert_null (lab_cpu_chart_get_history (LAB_CPU_CHART (lab_history_page_get_cpu_chart (page))));

  gtk_window_destroy (window);
}

/* A pinned loop: the other runs of its task show their change against
 * it, and an opened run is compared with it. */
static void
test_pin (Fixture       *f,
          gconstpointer  data)
{
  LabHistoryPage *page = LAB_HISTORY_PAGE (lab_history_page_new (f->path));
  GtkWindow *window = show (page);
  g_autoptr(LabHistory) history = lab_history_open_full (f->path, LAB_HISTORY_READ_ONLY, 0, NULL);
  g_autoptr(LabHistoryEntry) loop = lab_history_get_run (history, f->loop_id, NULL);
  g_autoptr(LabHistoryEntry) pool = lab_history_get_run (history, f->pool_id, NULL);

  g_signal_connect (page, "changed", G_CALLBACK (changed_cb), NULL);
  g_signal_connect (page, "run-opened", G_CALLBACK (opened_cb), NULL);
  wait_for (page, is_loaded);
  g_assert_true (isnan (lab_history_item_get_delta (item_at (page, 1))));

  n_changes = 0;
  lab_history_page_set_pinned (page, f->loop_id, TRUE);
  wait_for (NULL, change_done);
  wait_for (page, is_loaded);
  g_assert_cmpuint (n_listed (page), ==, 3);
  g_assert_cmpint (lab_history_item_get_baseline_id (item_at (page, 1)), ==, f->loop_id);
  g_assert_cmpfloat_with_epsilon (lab_history_item_get_delta (item_at (page, 1)), loop->wall_s / pool->wall_s, 1e-9);
  g_assert_false (lab_history_item_is_baseline_elsewhere (item_at (page, 1)));
  {
    g_autofree char *text = lab_history_item_dup_delta_text (item_at (page, 1));
    g_autofree char *base = lab_history_item_dup_delta_text (item_at (page, 2));
    g_assert_nonnull (strstr (text, "×"));
    g_assert_cmpstr (base, ==, "Baseline");
  }

  opened = FALSE;
  lab_history_page_open (page, 1);
  wait_for (NULL, is_opened);
  /* The run's bar, and the baseline's time as a reference line. */
  g_assert_cmpuint (lab_comparison_chart_get_n_rows (LAB_COMPARISON_CHART (lab_history_page_get_comparison_chart (page))), ==, 1);
  g_assert_cmpfloat (lab_comparison_chart_get_reference (LAB_COMPARISON_CHART (lab_history_page_get_comparison_chart (page))),
                     ==, loop->wall_s);

  gtk_window_destroy (window);
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  LabHistoryPage *page = LAB_HISTORY_PAGE (lab_history_page_new (f->path));
  GtkWindow *window = show (page);
  AdwToast *toast;

  g_signal_connect (page, "changed", G_CALLBACK (changed_cb), NULL);
  wait_for (page, is_loaded);

  /* Undone: back in the list, still stored. */
  lab_history_page_delete (page, 0);
  g_assert_cmpuint (n_listed (page), ==, 2);
  toast = lab_history_page_get_toast (page);
  g_assert_nonnull (toast);
  g_signal_emit_by_name (toast, "button-clicked");
  adw_toast_dismiss (toast);
  g_assert_cmpuint (n_listed (page), ==, 3);
  g_assert_cmpint (lab_history_item_get_id (item_at (page, 0)), ==, f->threads_id);
  g_assert_cmpuint (stored_runs (f->path), ==, 3);

  /* Not undone: deleted once the toast goes. */
  n_changes = 0;
  lab_history_page_delete (page, 0);
  adw_toast_dismiss (lab_history_page_get_toast (page));
  wait_for (NULL, change_done);
  g_assert_cmpuint (stored_runs (f->path), ==, 2);
  g_assert_cmpuint (n_listed (page), ==, 2);

  /* Every run the filter lists. */
  lab_history_page_set_filter (page, NULL, "sequential", NULL);
  wait_for (page, is_loaded);
  n_changes = 0;
  lab_history_page_delete_listed (page);
  g_assert_cmpuint (n_listed (page), ==, 0);
  adw_toast_dismiss (lab_history_page_get_toast (page));
  wait_for (NULL, change_done);
  g_assert_cmpuint (stored_runs (f->path), ==, 1);

  gtk_window_destroy (window);
}

/* Random bytes over the file: it is moved aside, the user is told, and
 * the page goes on with a new history. */
static void
test_damaged (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *noise = g_malloc (65536);
  LabHistoryPage *page;
  GtkWindow *window;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint n_aside = 0;

  for (guint i = 0; i < 65536; i++)
    noise[i] = g_random_int ();
  g_assert_true (g_file_set_contents (f->path, noise, 65536, NULL));

  page = LAB_HISTORY_PAGE (lab_history_page_new (f->path));
  window = show (page);
  wait_for (page, is_loaded);
  g_assert_cmpuint (n_listed (page), ==, 0);
  g_assert_nonnull (lab_history_page_get_toast (page));
  g_assert_nonnull (strstr (adw_toast_get_title (lab_history_page_get_toast (page)), "moved"));

  dir = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    n_aside += g_str_has_prefix (name, "history.db.corrupt-");
  g_assert_cmpuint (n_aside, ==, 1);
  g_assert_cmpuint (stored_runs (f->path), ==, 0);
  gtk_window_destroy (window);
}

static guint n_pages;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added)
{
  n_pages += added > 0;
}

/* Many runs come in pages, all of them, newest first. */
static void
test_pages (Fixture       *f,
            gconstpointer  data)
{
  sqlite3 *db = NULL;
  g_autoptr(LabHistoryModel) model = NULL;
  gint64 last = G_MAXINT64;
  guint n;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)"
                                     " INSERT INTO runs (created, task, strategy, workers, jobs, failed, cancelled,"
                                     " wall_s, cpu_s, json) SELECT created, task, strategy, workers, jobs, failed,"
                                     " cancelled, wall_s, cpu_s, json FROM runs, n WHERE runs.id = 1;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  model = lab_history_model_new (f->path);
  n_pages = 0;
  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), NULL);
  while (lab_history_model_is_loading (model))
    g_main_context_iteration (NULL, TRUE);
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  g_assert_cmpuint (n, ==, 1003);
  g_assert_cmpuint (n_pages, >, 1);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LabHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert_cmpint (lab_history_item_get_id (item), <, last);
      last = lab_history_item_get_id (item);
      g_assert_null (lab_history_item_get_entry (item)->json);
    }
}


static gboolean
window_idle (LabWindow *window)
{
  return !lab_window_is_running (window);
}

static LabRunRow *
first_row (LabWindow *window)
{
  GtkWidget *row = gtk_widget_get_first_child (lab_window_get_runs_list (window));

  return LAB_IS_RUN_ROW (row) ? LAB_RUN_ROW (row) : NULL;
}

static gboolean
row_has_baseline (LabWindow *window)
{
  return first_row (window) != NULL && lab_run_row_get_baseline (first_row (window)) != NULL;
}

static gboolean
lists_three (LabHistoryPage *page)
{
  return is_loaded (page) && n_listed (page) == 3;
}

/* Two runs saved from the command line and one from the window show up in
 * the window's History page after a restart; the window's run with its
 * CPU samples, which come back when it is opened. */
static void
test_window_and_cli (void)
{
  g_autofree char *data_home = g_build_filename (g_get_user_data_dir (), NULL);
  g_autofree char *env = g_strconcat ("XDG_DATA_HOME=", data_home, NULL);
  const char * const envv[] = { env, NULL };
  LabWindow *window;
  LabHistoryPage *page;
  LabExperimentPanel *panel;
  LabCpuHistory *drawn;
  g_autoptr(LabCpuHistory) stored = NULL;
  g_autoptr(LabRun) reopened = NULL;
  guint n_drawn;
  gint64 last_drawn;
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  g_assert_cmpint (lab_test_run_cli ((const char * const[]) { "run", "--task=sleep", "--seconds=0.01", "--jobs=2",
                                                              "--strategy=sequential,threads", "--save", NULL },
                                     envv, NULL, NULL), ==, 0);
  /* The command line's loop is the baseline of sleep. */
  {
    g_autoptr(LabHistory) pinning = lab_history_open (NULL, NULL);
    g_assert_true (lab_history_set_pinned (pinning, 1, TRUE, NULL));
  }

  window = g_object_new (LAB_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  panel = lab_window_get_experiment_panel (window);
  g_assert_true (lab_experiment_panel_set_task (panel, "sleep"));
  lab_experiment_panel_set_seconds (panel, "0.3");
  lab_experiment_panel_set_jobs (panel, 3);
  lab_experiment_panel_set_strategy (panel, "thread-pool");
  lab_experiment_panel_set_workers (panel, 3);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, window_idle);
  /* The window keeps the run on a thread, then lists it. */
  wait_for (lab_window_get_history_page (window), lists_three);
  /* The session's run shows its change against the baseline. */
  wait_for (window, row_has_baseline);
  g_assert_nonnull (strstr (lab_run_row_get_baseline (first_row (window)), "than run 1"));
  g_assert_nonnull (strstr (lab_run_row_get_baseline (first_row (window)), "×"));

  /* Kept once its samples were complete: the ones the window drew. */
  drawn = g_object_get_data (G_OBJECT (lab_window_get_run (window, 0)), "lab-cpu-history");
  g_assert_true (lab_cpu_history_is_sealed (drawn));
  n_drawn = lab_cpu_history_get_n_samples (drawn);
  g_assert_cmpuint (n_drawn, >, 0);
  last_drawn = lab_cpu_history_get_time (drawn, n_drawn - 1);
  gtk_window_destroy (GTK_WINDOW (window));

  /* A new window: the three runs, the newest the window's. */
  window = g_object_new (LAB_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  page = lab_window_get_history_page (window);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-history", NULL);
  wait_for (page, lists_three);
  g_assert_cmpstr (lab_history_item_get_entry (item_at (page, 0))->strategy, ==, "thread-pool");
  g_assert_cmpstr (lab_history_item_get_entry (item_at (page, 2))->strategy, ==, "sequential");

  history = lab_history_open_full (NULL, LAB_HISTORY_READ_ONLY, 0, NULL);
  entries = lab_history_list (history, 0, NULL);
  g_assert_cmpuint (entries->len, ==, 3);
  g_assert_true (((LabHistoryEntry *) g_ptr_array_index (entries, 0))->has_samples);
  g_assert_true (((LabHistoryEntry *) g_ptr_array_index (entries, 0))->has_records);
  g_assert_false (((LabHistoryEntry *) g_ptr_array_index (entries, 1))->has_samples);
  reopened = lab_history_load_run (history, ((LabHistoryEntry *) g_ptr_array_index (entries, 0))->id, &stored, NULL);
  g_assert_cmpuint (lab_cpu_history_get_n_samples (stored), ==, n_drawn);
  g_assert_cmpint (lab_cpu_history_get_time (stored, n_drawn - 1), ==, last_drawn);

  opened = FALSE;
  g_signal_connect (page, "run-opened", G_CALLBACK (opened_cb), NULL);
  lab_history_page_open (page, 0);
  wait_for (NULL, is_opened);
  g_assert_cmpuint (lab_timeline_get_n_bars (LAB_TIMELINE (lab_history_page_get_timeline (page))), ==, 3);
  g_assert_nonnull (lab_cpu_chart_get_history (LAB_CPU_CHART (lab_history_page_get_cpu_chart (page))));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = g_dir_make_tmp ("lab-history-page-home-XXXXXX", NULL);

  /* Nothing here touches the user's own history, or cache. */
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("XDG_CACHE_HOME", home, TRUE);
  lab_test_init (&argc, &argv);
  gtk_init ();
  adw_init ();

  g_test_add ("/history-page/list-and-filter", Fixture, NULL, fixture_setup, test_list_and_filter, fixture_teardown);
  g_test_add ("/history-page/open", Fixture, NULL, fixture_setup, test_open, fixture_teardown);
  g_test_add ("/history-page/pin", Fixture, NULL, fixture_setup, test_pin, fixture_teardown);
  g_test_add ("/history-page/delete", Fixture, NULL, fixture_setup, test_delete, fixture_teardown);
  g_test_add ("/history-page/damaged", Fixture, NULL, fixture_setup, test_damaged, fixture_teardown);
  g_test_add ("/history-page/pages", Fixture, NULL, fixture_setup, test_pages, fixture_teardown);
  g_test_add_func ("/history-page/window-and-cli", test_window_and_cli);

  {
    int status = g_test_run ();
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", home);

    g_assert_cmpint (system (cmd), ==, 0);
    return status;
  }
}
