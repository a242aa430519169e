/* lab-window.c — the main window: pick an experiment, run it, watch, compare
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-window"

#include "config.h"

#include <glib/gi18n.h>

#include "lab-chart-image.h"
#include "lab-chart-util.h"
#include "lab-comparison-chart.h"
#include "lab-cpu-chart.h"
#include "lab-cpu-sampler.h"
#include "lab-error.h"
#include "lab-format.h"
#include "lab-history.h"
#include "lab-report.h"
#include "lab-run-row.h"
#include "lab-scaling-chart.h"
#include "lab-timeline.h"
#include "lab-window.h"

/* Below this content width the charts stack instead of sitting side by side. */
#define WIDE_CONTENT_WIDTH 860
/* Failed jobs listed one by one; the rest are counted. */
#define MAX_FAILED_ROWS 100
/* Charts are saved as PNG at twice their size on screen, crisp on HiDPI. */
#define CHART_PNG_SCALE 2

/* Per chart card: the save-chart action's target and the name suggested. */
static const struct {
  const char *id;
  const char *file_name;
} chart_files[LAB_N_CHARTS] = {
  [LAB_CHART_TIMELINE] = { "timeline", "timeline.png" },
  [LAB_CHART_CPU] = { "cpu", "cpu-use.png" },
  [LAB_CHART_COMPARISON] = { "comparison", "elapsed-and-cpu-time.png" },
  [LAB_CHART_SCALING] = { "scaling", "speedup-by-workers.png" },
};

struct _LabWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkWidget            *run_button;
  GtkWidget            *cancel_button;
  GtkWidget            *progress_box;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;
  AdwFlap              *flap;
  LabExperimentPanel   *panel;
  GtkStack             *main_stack;
  GtkLabel             *run_title;
  GtkLabel             *run_verdict;
  GtkBox               *charts_box;
  GtkBox               *runs_box;
  LabTimeline          *timeline;
  LabCpuChart          *cpu_chart;
  AdwPreferencesGroup  *failed_group;
  GtkListBox           *failed_list;
  GtkListBox           *runs_list;
  LabComparisonChart   *comparison_chart;
  LabScalingChart      *scaling_chart;
  GtkWidget            *chart_cards[LAB_N_CHARTS];
  GtkWidget            *save_buttons[LAB_N_CHARTS];

  GListStore           *runs;
  LabCpuSampler        *sampler;
  LabRun               *current;        /* the run going on, if any */
  GCancellable         *cancellable;
  GSettings            *settings;
  AdwToast             *toast;          /* the outcome on screen, until dismissed */
  guint                 tick_id;
  guint                 layout_id;
  gboolean              preparing;      /* the run is being set up */
  GPtrArray            *queue;          /* LabRunConfig: what one Run runs, in order */
  guint                 queued;         /* 1-based number of the run going on */
  gboolean              sweeping;       /* the queue sweeps worker counts */
  gboolean              wide;
  gboolean              disposed;
};

G_DEFINE_FINAL_TYPE (LabWindow, lab_window, ADW_TYPE_APPLICATION_WINDOW)

static void
toast_dismissed_cb (LabWindow *self)
{
  g_clear_object (&self->toast);
}

/* One toast at a time: a newer outcome replaces the text of the one on
 * screen. (Dismissing a toast while it still slides in crashes
 * libadwaita 1.2, and a queue would show stale outcomes.) */
static void
toast (LabWindow  *self,
       const char *text)
{
  /* Toast titles are markup; messages may quote URLs with & in them. */
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  if (self->toast != NULL)
    {
      adw_toast_set_title (self->toast, escaped);
      return;
    }

  self->toast = adw_toast_new (escaped);
  adw_toast_set_timeout (self->toast, 5);
  g_signal_connect_object (self->toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self, G_CONNECT_SWAPPED);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->toast));
}

static void
update_actions (LabWindow *self)
{
  gboolean running = self->current != NULL || self->preparing;
  GAction *action;

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "run");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                               !running && lab_experiment_panel_get_can_run (self->panel));
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "cancel");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), running);
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "export");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                               !running && g_list_model_get_n_items (G_LIST_MODEL (self->runs)) > 0);
  /* A chart can be saved as soon as there is a run to draw, even a live one. */
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "save-chart");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                               g_list_model_get_n_items (G_LIST_MODEL (self->runs)) > 0);
}

static void
update_progress (LabWindow *self)
{
  g_autofree char *elapsed = NULL;
  g_autofree char *text = NULL;
  guint done, total;

  if (self->current == NULL)
    {
      if (self->preparing)
        gtk_label_set_text (self->progress_label, _("Preparing…"));
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      return;
    }

  done = lab_run_get_n_done (self->current);
  total = lab_run_get_n_jobs (self->current);
  elapsed = g_strdup_printf (_("%.1f s"), lab_run_get_elapsed_ns (self->current) / 1e9);
  if (self->queue != NULL && self->queue->len > 1)
    /* Translators: run number / runs of this Run · jobs done / jobs in the run · elapsed time */
    text = g_strdup_printf (_("Run %u of %u · %u / %u jobs · %s"), self->queued, self->queue->len,
                            done, total, elapsed);
  else
    /* Translators: jobs done / jobs in the run · elapsed time */
    text = g_strdup_printf (_("%u / %u jobs · %s"), done, total, elapsed);
  gtk_label_set_text (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, total ? (double) done / total : 0);
}

static gboolean
tick_cb (gpointer data)
{
  update_progress (data);
  return G_SOURCE_CONTINUE;
}

static LabRun *
selected_run (LabWindow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->runs_list);

  return row ? lab_run_row_get_run (LAB_RUN_ROW (row)) : NULL;
}

static GtkWidget *
failed_row_new (const char *title,
                const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

static void
fill_failed (LabWindow *self,
             LabRun    *run)
{
  GtkWidget *child;
  guint shown = 0, failed = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->failed_list))))
    gtk_list_box_remove (self->failed_list, child);

  for (guint i = 0; run != NULL && i < lab_run_get_n_jobs (run); i++)
    {
      const LabJobResult *job = lab_run_get_job (run, i);
      g_autofree char *title = NULL;

      if (g_atomic_int_get (&job->state) != LAB_JOB_FAILED)
        continue;
      if (failed++ >= MAX_FAILED_ROWS)
        continue;
      title = g_strdup_printf (_("Job %u"), job->index + 1);
      gtk_list_box_append (self->failed_list, failed_row_new (title, job->error ? job->error : _("The job failed")));
      shown++;
    }

  if (failed > shown)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("And %u more failed job", "And %u more failed jobs",
                                                         failed - shown), failed - shown);
      gtk_list_box_append (self->failed_list, failed_row_new (more, _("Export the runs to read every message")));
    }

  adw_preferences_group_set_title (self->failed_group,
                                   run && lab_run_get_state (run) == LAB_RUN_CANCELLED
                                   ? _("Failed and Cancelled Jobs") : _("Failed Jobs"));
  gtk_widget_set_visible (GTK_WIDGET (self->failed_group), failed > 0);
}

static void
update_header (LabWindow *self,
               LabRun    *run)
{
  g_autofree char *title = lab_format_run_title (run);
  g_autofree char *verdict = lab_format_verdict (run);

  gtk_label_set_text (self->run_title, title);
  gtk_label_set_text (self->run_verdict, verdict);
}

static void
show_run (LabWindow *self,
          LabRun    *run,
          guint      position)
{
  lab_timeline_set_run (self->timeline, run);
  if (run != NULL && run == self->current)
    lab_cpu_chart_set_sampler (self->cpu_chart, self->sampler);
  else
    lab_cpu_chart_set_history (self->cpu_chart, run ? g_object_get_data (G_OBJECT (run), "lab-cpu-history") : NULL);
  lab_comparison_chart_set_selected (self->comparison_chart, position);

  if (run != NULL)
    update_header (self, run);
  fill_failed (self, run);
}

static void
row_selected_cb (LabWindow     *self,
                 GtkListBoxRow *row)
{
  if (row == NULL)
    return;
  show_run (self, lab_run_row_get_run (LAB_RUN_ROW (row)), gtk_list_box_row_get_index (row));
}

static void
update_speedups (LabWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->runs));
  g_autofree LabRun **runs = g_new0 (LabRun *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      runs[i] = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      g_object_unref (runs[i]);   /* the store keeps it */
    }

  for (guint i = 0; i < n; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->runs_list, i);
      if (row != NULL)
        lab_run_row_set_speedup (LAB_RUN_ROW (row), lab_report_speedup (runs, n, i));
    }
}

static void
set_running (LabWindow *self,
             LabRun    *run)
{
  gboolean running = run != NULL || self->preparing;
  g_autofree char *title = run ? lab_format_run_title (run) : NULL;

  g_set_object (&self->current, run);
  gtk_widget_set_visible (self->run_button, !running);
  gtk_widget_set_visible (self->cancel_button, running);
  gtk_widget_set_visible (self->progress_box, running);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->panel), !running);
  adw_window_title_set_subtitle (self->window_title, title ? title : "");
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (running)
    self->tick_id = g_timeout_add (100, tick_cb, self);
  update_actions (self);
  update_progress (self);

  if (running)
    gtk_widget_grab_focus (self->cancel_button);
  else if (gtk_widget_get_visible (GTK_WIDGET (self)))
    gtk_widget_grab_focus (self->run_button);
}

static char *
outcome_text (LabWindow *self,
              LabRun    *run)
{
  g_autofree char *title = lab_format_run_title (run);
  g_autofree char *wall = lab_format_seconds (lab_run_get_elapsed_ns (run));
  guint failed = lab_run_get_n_failed (run);

  switch (lab_run_get_state (run))
    {
    case LAB_RUN_CANCELLED:
      return g_strdup_printf (ngettext ("Run cancelled; %u finished job kept",
                                        "Run cancelled; %u finished jobs kept",
                                        lab_run_get_n_done (run) - failed), lab_run_get_n_done (run) - failed);
    case LAB_RUN_FAILED:
      return g_strdup (lab_run_get_error (run));
    default:
      if (failed > 0)
        return g_strdup_printf (_("%s finished in %s; %u of %u jobs failed"),
                                title, wall, failed, lab_run_get_n_jobs (run));
      return g_strdup_printf (_("%s finished in %s"), title, wall);
    }
}

/* Keeps a finished run in the history database, on a thread: SQLite
 * writes and syncs. Each write opens its own connection, one at a time (a
 * second opening while the first creates the file could take it for a
 * damaged one). Returns what the user must be told, if anything. */
static void
keep_run_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  static GMutex lock;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(GError) error = NULL;

  if (!(history = lab_history_open (NULL, &error)) ||
      lab_history_add_run (history, task_data, &error) == 0)
    {
      g_task_return_pointer (task, g_strdup_printf (_("The run was not kept in the history: %s"),
                                                    error->message), g_free);
      return;
    }

  g_task_return_pointer (task, g_strdup (lab_history_get_notice (history)), g_free);
}

static void
run_kept_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LabWindow) self = user_data;
  g_autofree char *notice = g_task_propagate_pointer (G_TASK (result), NULL);

  if (notice != NULL && !self->disposed)
    toast (self, notice);
}

static void
keep_run (LabWindow *self,
          LabRun    *run)
{
  /* The window rides in user_data, not as the source object: the task may
   * be freed on its thread, and the window must be let go on this one. */
  g_autoptr(GTask) task = g_task_new (NULL, NULL, run_kept_cb, g_object_ref (self));

  g_task_set_source_tag (task, keep_run);
  g_task_set_task_data (task, g_object_ref (run), g_object_unref);
  g_task_run_in_thread (task, keep_run_thread);
}

/* After the last of several repeats: their median, which the comparison
 * chart also shows. */
static char *
repeats_outcome (LabWindow *self,
                 LabRun    *run)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->runs));
  guint n_repeats = self->queue->len;
  g_autofree double *wall = g_new0 (double, n_repeats);
  g_autofree char *title = lab_format_run_title (run);
  g_autofree char *median = NULL;
  LabReportStats stats;
  guint n = 0;

  for (guint i = n_items - MIN (n_items, n_repeats); i < n_items; i++)
    {
      g_autoptr(LabRun) repeat = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      wall[n++] = lab_run_get_elapsed_ns (repeat) / 1e9;
    }
  lab_report_stats (wall, n, &stats);
  median = lab_format_seconds (stats.median * 1e9);
  /* Translators: "Sleep with Threads: 5 runs, median 1.00 s" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %u run, median %s", "%s: %u runs, median %s", n),
                          title, n, median);
}

static char *
queue_outcome (LabWindow *self,
               LabRun    *run)
{
  g_autofree char *title = NULL;

  if (!self->sweeping)
    return repeats_outcome (self, run);

  title = lab_format_run_title (run);
  /* Translators: "Count Primes with Thread Pool: 4 runs; the speedup by workers is below" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %u run; the speedup by workers is below",
                                       "%s: %u runs; the speedup by workers is below", self->queue->len),
                          title, self->queue->len);
}

static void prepare_run (LabWindow *self);

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LabWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *outcome = NULL;
  LabRun *run = LAB_RUN (source);
  LabRunState state;

  /* Failures are in the run's state; the outcome says which. */
  lab_run_start_finish (run, result, &error);
  g_debug ("Run ended: %s", error ? error->message : "ok");

  if (self->disposed)
    return;

  state = lab_run_get_state (run);
  if (state != LAB_RUN_FAILED)
    keep_run (self, run);
  update_speedups (self);
  if (selected_run (self) == run)
    {
      update_header (self, run);
      fill_failed (self, run);
    }

  /* The next run of the queue, unless this one was cancelled or could
   * not run. */
  if (state == LAB_RUN_FINISHED && self->queued < self->queue->len &&
      !g_cancellable_is_cancelled (self->cancellable))
    {
      self->queued++;
      prepare_run (self);
      return;
    }

  g_clear_object (&self->cancellable);
  set_running (self, NULL);
  if (state == LAB_RUN_FINISHED && self->queue->len > 1 && lab_run_get_n_failed (run) == 0)
    outcome = queue_outcome (self, run);
  else
    outcome = outcome_text (self, run);
  toast (self, outcome);
}

static void
run_progress_cb (LabWindow *self,
                 LabRun    *run)
{
  if (run != self->current)
    return;
  update_progress (self);
  if (selected_run (self) == run)
    update_header (self, run);
}

static void
add_run (LabWindow *self,
         LabRun    *run)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->runs));
  GtkWidget *row = lab_run_row_new (run, n + 1);

  g_list_store_append (self->runs, run);
  gtk_list_box_append (self->runs_list, row);
  gtk_stack_set_visible_child_name (self->main_stack, "results");
  gtk_list_box_select_row (self->runs_list, GTK_LIST_BOX_ROW (row));
  update_actions (self);
}

static void
begin_run (LabWindow *self,
           LabRun    *run)
{
  LabCpuHistory *history;

  g_signal_connect_object (run, "progress", G_CALLBACK (run_progress_cb), self, G_CONNECT_SWAPPED);
  lab_cpu_sampler_set_run (self->sampler, run);
  if ((history = lab_cpu_sampler_get_history (self->sampler)) != NULL)
    g_object_set_data_full (G_OBJECT (run), "lab-cpu-history",
                            lab_cpu_history_ref (history), (GDestroyNotify) lab_cpu_history_unref);

  set_running (self, run);
  add_run (self, run);
  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);

  lab_run_start_async (run, self->cancellable, run_done_cb, g_object_ref (self));
}

/* Setting a task up may read files, list folders, generate sample photos
 * or start the image server: not on the main thread. */
static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  LabRun *run = lab_run_new (task_data, &error);

  if (run != NULL)
    g_task_return_pointer (task, run, g_object_unref);
  else
    g_task_return_error (task, error);
}

static void
prepared_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LabWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LabRun) run = g_task_propagate_pointer (G_TASK (result), &error);

  self->preparing = FALSE;
  if (self->disposed)
    return;

  if (run == NULL || g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_object (&self->cancellable);
      set_running (self, NULL);
      toast (self, error ? error->message : _("Run cancelled before it started"));
      return;
    }

  begin_run (self, run);
}

/* What one Run runs: @config @repeats times, or for a sweep a plain loop
 * and then @config on each worker count, @repeats times over. The runs
 * take turns, so that a machine growing busier weighs on all alike. */
static GPtrArray *
queue_new (const LabRunConfig *config,
           gboolean            sweep,
           guint               repeats)
{
  GPtrArray *queue = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_run_config_free);
  g_autoptr(GArray) counts = sweep ? lab_run_config_sweep_workers () : NULL;

  for (guint r = 0; r < repeats; r++)
    {
      if (!sweep)
        {
          g_ptr_array_add (queue, lab_run_config_copy (config));
          continue;
        }
      for (guint i = 0; i <= counts->len; i++)
        {
          /* First the loop, then the strategy on each count; all keep the GIL switch. */
          LabRunConfig *run = lab_run_config_copy (config);

          run->strategy = i == 0 ? LAB_STRATEGY_SEQUENTIAL : config->strategy;
          run->workers = i == 0 ? 0 : g_array_index (counts, guint, i - 1);
          g_ptr_array_add (queue, run);
        }
    }
  return queue;
}

/* Sets the next run of the queue up on a thread; the window stays in its
 * running state from one run to the next. */
static void
prepare_run (LabWindow *self)
{
  g_autoptr(GTask) task = NULL;

  self->preparing = TRUE;
  set_running (self, NULL);

  task = g_task_new (NULL, self->cancellable, prepared_cb, g_object_ref (self));
  g_task_set_source_tag (task, prepare_run);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, lab_run_config_copy (g_ptr_array_index (self->queue, self->queued - 1)),
                        (GDestroyNotify) lab_run_config_free);
  g_task_run_in_thread (task, prepare_thread);
}

static void
start_run (LabWindow *self)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  if (self->current != NULL || self->preparing)
    return;

  if (!(config = lab_experiment_panel_dup_config (self->panel, &error)))
    {
      toast (self, error->message);
      return;
    }

  g_clear_pointer (&self->queue, g_ptr_array_unref);
  self->sweeping = lab_experiment_panel_get_sweep (self->panel);
  self->queue = queue_new (config, self->sweeping, lab_experiment_panel_get_repeats (self->panel));
  self->queued = 1;
  self->cancellable = g_cancellable_new ();
  prepare_run (self);
}

static void
run_action (GSimpleAction *action,
            GVariant      *param,
            gpointer       user_data)
{
  start_run (user_data);
}

static void
cancel_action (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  LabWindow *self = user_data;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
toggle_sidebar_action (GSimpleAction *action,
                       GVariant      *param,
                       gpointer       user_data)
{
  LabWindow *self = user_data;

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

static char *
format_runs (LabWindow       *self,
             LabReportFormat  format)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->runs));
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (runs, g_list_model_get_item (G_LIST_MODEL (self->runs), i));
  return lab_report_format ((LabRun **) runs->pdata, runs->len, format);
}

static LabReportFormat
format_for_file (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);

  return name && g_str_has_suffix (name, ".csv") ? LAB_REPORT_CSV : LAB_REPORT_JSON;
}

typedef enum {
  WRITE_RUNS,
  WRITE_CHART,
} WriteWhat;

typedef struct {
  LabWindow *self;
  WriteWhat  what;
} WriteData;

/* What the user is told once the runs or a chart are written, or not. */
static char *
written_text (WriteWhat     what,
              GFile        *file,
              const GError *error)
{
  g_autofree char *name = g_file_get_basename (file);

  if (error != NULL)
    return what == WRITE_CHART ? g_strdup_printf (_("Could not save the chart: %s"), error->message)
                               : g_strdup_printf (_("Could not export the runs: %s"), error->message);
  return what == WRITE_CHART ? g_strdup_printf (_("Chart saved to %s"), name)
                             : g_strdup_printf (_("Runs exported to %s"), name);
}

static void
file_written_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree WriteData *data = user_data;
  g_autoptr(LabWindow) self = data->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_file_replace_contents_finish (G_FILE (source), result, NULL, &error);
  text = written_text (data->what, G_FILE (source), error);
  if (!self->disposed)
    toast (self, text);
}

/* Atomic: the file is replaced whole or not at all. */
static void
write_file_async (LabWindow *self,
                  GFile     *file,
                  GBytes    *bytes,
                  WriteWhat  what)
{
  WriteData *data = g_new0 (WriteData, 1);

  data->self = g_object_ref (self);
  data->what = what;
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, file_written_cb, data);
}

/* The file the user accepted in @native, if the window is still there. */
static GFile *
chosen_file (LabWindow       *self,
             GtkNativeDialog *native,
             int              response)
{
  if (response != GTK_RESPONSE_ACCEPT || self->disposed)
    return NULL;
  return gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
}

static void
export_response_cb (GtkNativeDialog *native,
                    int              response,
                    gpointer         user_data)
{
  g_autoptr(LabWindow) self = user_data;
  g_autoptr(GFile) file = chosen_file (self, native, response);
  g_autoptr(GBytes) bytes = NULL;
  char *text;

  if (file != NULL)
    {
      text = format_runs (self, format_for_file (file));
      bytes = g_bytes_new_take (text, strlen (text));
      write_file_async (self, file, bytes, WRITE_RUNS);
    }

  g_object_unref (native);
}

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *pattern)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_chooser_add_filter (chooser, filter);
}

/* A portal in a sandbox: the app has no other way to the user's files. */
static GtkFileChooser *
save_chooser_new (LabWindow  *self,
                  const char *title,
                  const char *accept,
                  const char *name)
{
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        accept, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  return GTK_FILE_CHOOSER (native);
}

static void
export_action (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  LabWindow *self = user_data;
  GtkFileChooser *chooser;

  chooser = save_chooser_new (self, _("Export Runs"), _("_Export"), "concurrency-lab-runs.json");
  add_filter (chooser, _("JSON (runs and jobs)"), "*.json");
  add_filter (chooser, _("CSV (one line per run)"), "*.csv");
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
is_svg_file (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *lower = name ? g_ascii_strdown (name, -1) : NULL;

  return lower && g_str_has_suffix (lower, ".svg");
}

/* The card as last drawn, on the window's background, its save button
 * painted over with the card's own: the image is of the chart, not of
 * the app. @bounds receives the card's size, padding and border included. */
static GskRenderNode *
chart_node (LabWindow        *self,
            LabChartKind      kind,
            graphene_rect_t  *bounds,
            GError          **error)
{
  GtkWidget *card = self->chart_cards[kind];
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot;
  graphene_rect_t box, button;
  GdkRGBA window_bg, card_bg;

  /* The widget's origin is its content's corner; the box starts before. */
  if (!gtk_widget_get_mapped (card) || !gtk_widget_compute_bounds (card, card, &box) ||
      box.size.width < 1 || box.size.height < 1)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED,
                   _("The chart is not on screen; run an experiment and try again"));
      return NULL;
    }

  *bounds = GRAPHENE_RECT_INIT (0, 0, box.size.width, box.size.height);
  lab_chart_lookup_color (card, "window_bg_color", NULL, 0, &window_bg);
  lab_chart_lookup_color (card, "card_bg_color", NULL, 0, &card_bg);
  paintable = gtk_widget_paintable_new (card);
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &window_bg, bounds);
  gdk_paintable_snapshot (paintable, snapshot, box.size.width, box.size.height);
  if (gtk_widget_compute_bounds (self->save_buttons[kind], card, &button))
    {
      graphene_rect_offset (&button, -box.origin.x, -box.origin.y);
      gtk_snapshot_append_color (snapshot, &window_bg, &button);
      gtk_snapshot_append_color (snapshot, &card_bg, &button);
    }
  return gtk_snapshot_free_to_node (snapshot);
}

/* SVG when @file ends in .svg, PNG otherwise. */
static GBytes *
render_chart (LabWindow     *self,
              LabChartKind   kind,
              GFile         *file,
              GError       **error)
{
  g_autoptr(GskRenderNode) node = NULL;
  graphene_rect_t bounds;

  if (!(node = chart_node (self, kind, &bounds, error)))
    return NULL;
  if (is_svg_file (file))
    return lab_chart_image_svg (node, &bounds, error);
  return lab_chart_image_png (gtk_native_get_renderer (GTK_NATIVE (self)), node, &bounds, CHART_PNG_SCALE);
}

/* A name without an extension gets ".png" — not in a sandbox, where the
 * portal lets the app write the very file chosen and no other. */
static GFile *
with_png_extension (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autofree char *png = NULL;
  const char *dot = name ? strrchr (name, '.') : NULL;

  if ((dot != NULL && dot != name) || parent == NULL || g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return g_object_ref (file);
  png = g_strconcat (name, ".png", NULL);
  return g_file_get_child (parent, png);
}

static void
save_chart_response_cb (GtkNativeDialog *native,
                        int              response,
                        gpointer         user_data)
{
  g_autoptr(LabWindow) self = user_data;
  g_autoptr(GFile) chosen = chosen_file (self, native, response);
  LabChartKind kind = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (native), "lab-chart-kind"));
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (chosen != NULL)
    {
      file = with_png_extension (chosen);
      if ((bytes = render_chart (self, kind, file, &error)) != NULL)
        write_file_async (self, file, bytes, WRITE_CHART);
      else
        {
          text = written_text (WRITE_CHART, file, error);
          toast (self, text);
        }
    }

  g_object_unref (native);
}

static void
save_chart_action (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  LabWindow *self = user_data;
  const char *id = g_variant_get_string (param, NULL);
  GtkFileChooser *chooser;
  guint kind = 0;

  while (kind < LAB_N_CHARTS && !g_str_equal (chart_files[kind].id, id))
    kind++;
  g_return_if_fail (kind < LAB_N_CHARTS);

  chooser = save_chooser_new (self, _("Save Chart as Image"), _("_Save"), chart_files[kind].file_name);
  add_filter (chooser, _("PNG image"), "*.png");
  add_filter (chooser, _("SVG image"), "*.svg");
  g_object_set_data (G_OBJECT (chooser), "lab-chart-kind", GUINT_TO_POINTER (kind));
  g_signal_connect (chooser, "response", G_CALLBACK (save_chart_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static const GActionEntry win_actions[] = {
  { "run", run_action },
  { "cancel", cancel_action },
  { "export", export_action },
  { "save-chart", save_chart_action, "s" },
  { "toggle-sidebar", toggle_sidebar_action },
};

static gboolean
relayout_cb (gpointer data)
{
  LabWindow *self = data;
  GtkOrientation orientation = self->wide ? GTK_ORIENTATION_HORIZONTAL : GTK_ORIENTATION_VERTICAL;

  self->layout_id = 0;
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->charts_box), orientation);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->runs_box), orientation);
  return G_SOURCE_REMOVE;
}

/* Side by side on a wide screen, stacked on a small one. Changing the
 * layout while allocating would be too late for this frame: do it next. */
static void
lab_window_size_allocate (GtkWidget *widget,
                          int        width,
                          int        height,
                          int        baseline)
{
  LabWindow *self = LAB_WINDOW (widget);
  gboolean wide;

  GTK_WIDGET_CLASS (lab_window_parent_class)->size_allocate (widget, width, height, baseline);

  wide = gtk_widget_get_width (GTK_WIDGET (self->main_stack)) >= WIDE_CONTENT_WIDTH;
  if (wide != self->wide)
    {
      self->wide = wide;
      if (self->layout_id == 0)
        self->layout_id = g_idle_add (relayout_cb, self);
    }
}

static void
load_settings (LabWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    {
      /* e.g. run from the build tree without GSETTINGS_SCHEMA_DIR */
      g_debug ("No GSettings schema %s: settings are not remembered", APPLICATION_ID);
      return;
    }

  self->settings = g_settings_new_full (schema, NULL, NULL);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  lab_experiment_panel_set_settings (self->panel, self->settings);
}

static gboolean
lab_window_close_request (GtkWindow *window)
{
  LabWindow *self = LAB_WINDOW (window);
  int width, height;

  if (self->settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (lab_window_parent_class)->close_request (window);
}

static void
lab_window_dispose (GObject *object)
{
  LabWindow *self = (LabWindow *) object;

  self->disposed = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->layout_id, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (object), LAB_TYPE_WINDOW);

  g_clear_object (&self->toast);
  g_clear_object (&self->sampler);
  g_clear_object (&self->current);
  g_clear_pointer (&self->queue, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->runs);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lab_window_parent_class)->dispose (object);
}

/* Binds "<id>_card" and "save_<id>_button" of the template. */
static void
bind_chart_card (GtkWidgetClass *widget_class,
                 LabChartKind    kind,
                 const char     *id)
{
  g_autofree char *card = g_strconcat (id, "_card", NULL);
  g_autofree char *button = g_strconcat ("save_", id, "_button", NULL);

  gtk_widget_class_bind_template_child_full (widget_class, card, FALSE,
                                             G_STRUCT_OFFSET (LabWindow, chart_cards) + kind * sizeof (GtkWidget *));
  gtk_widget_class_bind_template_child_full (widget_class, button, FALSE,
                                             G_STRUCT_OFFSET (LabWindow, save_buttons) + kind * sizeof (GtkWidget *));
}

static void
lab_window_class_init (LabWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = lab_window_dispose;
  widget_class->size_allocate = lab_window_size_allocate;
  window_class->close_request = lab_window_close_request;

  g_type_ensure (LAB_TYPE_EXPERIMENT_PANEL);
  g_type_ensure (LAB_TYPE_TIMELINE);
  g_type_ensure (LAB_TYPE_CPU_CHART);
  g_type_ensure (LAB_TYPE_COMPARISON_CHART);
  g_type_ensure (LAB_TYPE_SCALING_CHART);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lab-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LabWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, progress_box);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, panel);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, run_title);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, run_verdict);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, charts_box);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, runs_box);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, cpu_chart);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, failed_group);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, failed_list);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, runs_list);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, comparison_chart);
  bind_chart_card (widget_class, LAB_CHART_TIMELINE, "timeline");
  bind_chart_card (widget_class, LAB_CHART_CPU, "cpu");
  bind_chart_card (widget_class, LAB_CHART_COMPARISON, "comparison");
  bind_chart_card (widget_class, LAB_CHART_SCALING, "scaling");
  gtk_widget_class_bind_template_child (widget_class, LabWindow, scaling_chart);
}

static void
lab_window_init (LabWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->runs = g_list_store_new (LAB_TYPE_RUN);
  self->sampler = lab_cpu_sampler_new ();
  self->wide = TRUE;
  lab_comparison_chart_set_runs (self->comparison_chart, G_LIST_MODEL (self->runs));
  lab_scaling_chart_set_runs (self->scaling_chart, G_LIST_MODEL (self->runs));
  /* The speedup by workers is shown once a sweep gives it something to draw. */
  g_object_bind_property (self->scaling_chart, "n-series", self->chart_cards[LAB_CHART_SCALING], "visible",
                          G_BINDING_SYNC_CREATE);
  lab_cpu_chart_set_sampler (self->cpu_chart, self->sampler);

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions), self);
  g_signal_connect_object (self->panel, "notify::can-run", G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->runs_list, "row-selected", G_CALLBACK (row_selected_cb), self, G_CONNECT_SWAPPED);

  load_settings (self);
  set_running (self, NULL);
}

LabWindow *
lab_window_new (LabApplication *application)
{
  return g_object_new (LAB_TYPE_WINDOW, "application", application, NULL);
}

LabExperimentPanel *
lab_window_get_experiment_panel (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return self->panel;
}

GtkWidget *
lab_window_get_timeline (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->timeline);
}

GtkWidget *
lab_window_get_cpu_chart (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->cpu_chart);
}

GtkWidget *
lab_window_get_comparison_chart (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->comparison_chart);
}

guint
lab_window_get_n_runs (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->runs));
}

/**
 * lab_window_get_run:
 *
 * Returns: (transfer none): run @index of the session
 */
LabRun *
lab_window_get_run (LabWindow *self,
                    guint      index)
{
  g_autoptr(LabRun) run = NULL;

  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);

  run = g_list_model_get_item (G_LIST_MODEL (self->runs), index);
  return run;   /* the store keeps a reference */
}

void
lab_window_select_run (LabWindow *self,
                       guint      index)
{
  GtkListBoxRow *row;

  g_return_if_fail (LAB_IS_WINDOW (self));

  if ((row = gtk_list_box_get_row_at_index (self->runs_list, index)) != NULL)
    gtk_list_box_select_row (self->runs_list, row);
}

gboolean
lab_window_is_running (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), FALSE);
  return self->current != NULL || self->preparing;
}

guint
lab_window_get_n_failed_rows (LabWindow *self)
{
  guint n = 0;

  g_return_val_if_fail (LAB_IS_WINDOW (self), 0);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->failed_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    n++;
  return gtk_widget_get_visible (GTK_WIDGET (self->failed_group)) ? n : 0;
}

/* For screenshots: only once the toast has finished sliding in. */
void
lab_window_dismiss_toast (LabWindow *self)
{
  g_return_if_fail (LAB_IS_WINDOW (self));

  if (self->toast != NULL)
    adw_toast_dismiss (self->toast);
}

/* The same as Export…, without the file chooser. */
gboolean
lab_window_export_to_file (LabWindow  *self,
                           GFile      *file,
                           GError    **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (LAB_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  text = format_runs (self, format_for_file (file));
  return g_file_replace_contents (file, text, strlen (text), NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}

GtkWidget *
lab_window_get_chart_card (LabWindow    *self,
                           LabChartKind  kind)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  g_return_val_if_fail (kind < LAB_N_CHARTS, NULL);
  return self->chart_cards[kind];
}

GtkWidget *
lab_window_get_chart_button (LabWindow    *self,
                             LabChartKind  kind)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  g_return_val_if_fail (kind < LAB_N_CHARTS, NULL);
  return self->save_buttons[kind];
}

/* The same as a chart's Save as Image… button, without the file chooser:
 * SVG when @file ends in .svg, PNG at twice the size on screen otherwise. */
gboolean
lab_window_save_chart (LabWindow     *self,
                       LabChartKind   kind,
                       GFile         *file,
                       GError       **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (LAB_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (kind < LAB_N_CHARTS, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(bytes = render_chart (self, kind, file, error)))
    return FALSE;
  return g_file_replace_contents (file, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL, FALSE,
                                  G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, error);
}
