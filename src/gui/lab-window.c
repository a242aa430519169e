/* lab-window.c — the main window: pick an experiment, run it, watch, compare
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window shows what the engine decides. One press of Run is one
 * LabExperiment (the panel builds it, a lesson's whole experiment
 * included); the session's runs are split into experiments by the
 * engine (the same jobs: task and parameters), and the comparison, the
 * breakdown and the scaling chart show one experiment at a time: the one
 * of the run selected. Choosing a run anywhere (the runs list, a bar of
 * a chart, the experiment switcher) selects it everywhere.
 */
#define G_LOG_DOMAIN "lab-window"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "lab-breakdown-chart.h"
#include "lab-chart-image.h"
#include "lab-chart-util.h"
#include "lab-comparison-chart.h"
#include "lab-cpu-chart.h"
#include "lab-cpu-sampler.h"
#include "lab-error.h"
#include "lab-format.h"
#include "lab-history-page.h"
#include "lab-history.h"
#include "lab-report.h"
#include "lab-machine-window.h"
#include "lab-preferences-window.h"
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
  [LAB_CHART_BREAKDOWN] = { "breakdown", "where-the-time-went.png" },
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
  GtkLabel             *run_findings;
  GtkWidget            *outcome_box;
  GtkLabel             *outcome_title;
  GtkLabel             *outcome_label;
  GtkBox               *charts_box;
  GtkBox               *runs_box;
  LabTimeline          *timeline;
  LabBreakdownChart    *breakdown_chart;
  LabCpuChart          *cpu_chart;
  AdwPreferencesGroup  *failed_group;
  GtkListBox           *failed_list;
  GtkListBox           *runs_list;
  GtkDropDown          *experiment_dropdown;
  LabComparisonChart   *comparison_chart;
  LabScalingChart      *scaling_chart;
  LabHistoryPage       *history_page;
  GtkToggleButton      *history_button;
  GtkWidget            *chart_cards[LAB_N_CHARTS];
  GtkWidget            *save_buttons[LAB_N_CHARTS];

  GListStore           *runs;           /* every run of the session */
  GPtrArray            *unsaved;        /* ended runs whose CPU samples are still coming */
  GPtrArray            *experiments;    /* LabAnalysis, one per experiment */
  GtkStringList        *experiment_names;
  LabRun               *selected;
  LabCpuSampler        *sampler;
  LabExperiment        *experiment;     /* the one going on, if any */
  const LabLesson      *lesson;         /* the lesson it runs, if any */
  LabExperiment        *lesson_experiment; /* the last lesson run, for its outcome */
  GCancellable         *cancellable;
  GSettings            *settings;
  AdwToast             *toast;          /* the outcome on screen, until dismissed */
  guint                 tick_id;
  guint                 layout_id;
  gboolean              updating_dropdown;
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

static gboolean
is_running (LabWindow *self)
{
  return self->experiment != NULL;
}

static void
set_action_enabled (LabWindow  *self,
                    const char *name,
                    gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* Run says why it cannot run, in its tooltip. */
static void
update_actions (LabWindow *self)
{
  gboolean running = is_running (self);
  gboolean have_runs = g_list_model_get_n_items (G_LIST_MODEL (self->runs)) > 0;
  const char *problem = lab_experiment_panel_get_problem (self->panel);

  set_action_enabled (self, "run", !running && problem == NULL);
  set_action_enabled (self, "cancel", running);
  set_action_enabled (self, "export", !running && have_runs);
  set_action_enabled (self, "clear", !running && have_runs);
  /* A chart can be saved as soon as there is a run to draw, even a live one. */
  set_action_enabled (self, "save-chart", have_runs);
  gtk_widget_set_tooltip_text (self->run_button, problem ? problem : _("Run the Experiment (Ctrl+Return)"));
}

static void
update_progress (LabWindow *self)
{
  LabRun *run = self->experiment ? lab_experiment_get_current (self->experiment) : NULL;
  g_autofree char *elapsed = NULL;
  g_autofree char *text = NULL;
  guint done, total, n_planned;

  if (run == NULL)
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      return;
    }
  if (lab_run_get_state (run) == LAB_RUN_PREPARING)
    {
      gtk_label_set_text (self->progress_label, _("Setting up…"));
      return;
    }

  done = lab_run_get_n_done (run);
  total = lab_run_get_n_jobs (run);
  n_planned = lab_experiment_get_n_planned (self->experiment);
  elapsed = g_strdup_printf (_("%.1f s"), lab_run_get_elapsed_ns (run) / 1e9);
  if (n_planned > 1)
    /* Translators: run number / runs of this Run · jobs done / jobs in the run · elapsed time */
    text = g_strdup_printf (_("Run %u of %u · %u / %u jobs · %s"), lab_experiment_get_n_started (self->experiment),
                            n_planned, done, total, elapsed);
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

  for (guint i = 0; run != NULL && lab_run_has_jobs (run) && i < lab_run_get_n_jobs (run); i++)
    {
      const LabJobRecord *job = lab_run_get_job (run, i);
      g_autofree char *title = NULL;
      g_autofree char *error = NULL;

      if (job->state != LAB_JOB_FAILED)
        continue;
      if (failed++ >= MAX_FAILED_ROWS)
        continue;
      title = g_strdup_printf (_("Job %u"), i + 1);
      error = g_utf8_make_valid (job->error ? job->error : _("The job failed"), -1);
      gtk_list_box_append (self->failed_list, failed_row_new (title, error));
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

/* The engine's reading of the run: the verdict, then the other findings. */
static void
update_header (LabWindow *self,
               LabRun    *run)
{
  g_autofree char *title = lab_run_dup_title (run);
  g_autoptr(GString) others = g_string_new (NULL);
  const LabFinding *findings;
  guint n;

  gtk_label_set_text (self->run_title, title);
  findings = lab_run_get_findings (run, &n);
  if (lab_run_get_state (run) < LAB_RUN_FINISHED)
    {
      LabRunSummary sum;
      g_autofree char *text = NULL;

      lab_run_get_summary (run, &sum);
      text = lab_run_get_state (run) == LAB_RUN_PREPARING
             ? g_strdup (_("Setting the task up…"))
             : g_strdup_printf (ngettext ("%u worker, %u of %u jobs done", "%u workers, %u of %u jobs done",
                                          sum.workers), sum.workers, sum.n_done, sum.n_jobs);
      gtk_label_set_text (self->run_verdict, text);
      n = 0;
    }
  else
    gtk_label_set_text (self->run_verdict, lab_run_get_verdict (run) ? lab_run_get_verdict (run) : "");

  for (guint i = 1; i < n; i++)
    g_string_append_printf (others, "%s• %s", others->len ? "\n" : "", findings[i].text);
  gtk_label_set_text (self->run_findings, others->str);
  gtk_widget_set_visible (GTK_WIDGET (self->run_findings), others->len > 0);
}

static LabRunRow *
row_of (LabWindow *self,
        LabRun    *run)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->runs)); i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->runs_list, i);

      if (row != NULL && lab_run_row_get_run (LAB_RUN_ROW (row)) == run)
        return LAB_RUN_ROW (row);
    }
  return NULL;
}

/* The analysis of @run's experiment. */
static LabAnalysis *
experiment_of (LabWindow *self,
               LabRun    *run,
               guint     *position)
{
  for (guint e = 0; run != NULL && self->experiments != NULL && e < self->experiments->len; e++)
    {
      LabAnalysis *analysis = g_ptr_array_index (self->experiments, e);

      for (guint i = 0; i < lab_analysis_get_n_runs (analysis); i++)
        if (lab_analysis_get_run (analysis, i) == run)
          {
            if (position != NULL)
              *position = e;
            return analysis;
          }
    }
  return NULL;
}

/* What the last lesson expected beside what it measured, while one of
 * its runs is shown. */
static void
update_outcome (LabWindow *self,
                LabRun    *run)
{
  GListModel *runs = self->lesson_experiment ? lab_experiment_get_runs (self->lesson_experiment) : NULL;
  g_autoptr(LabAnalysis) analysis = NULL;
  g_autofree char *outcome = NULL;
  const LabLesson *lesson = lab_experiment_panel_get_lesson (self->panel);
  gboolean shown = FALSE;

  for (guint i = 0; runs != NULL && i < g_list_model_get_n_items (runs) && !shown; i++)
    {
      g_autoptr(LabRun) item = g_list_model_get_item (runs, i);
      shown = item == run;
    }
  if (shown && lesson != NULL)
    {
      analysis = lab_experiment_dup_analysis (self->lesson_experiment);
      outcome = lab_lesson_describe_outcome (lesson, analysis);
      gtk_label_set_text (self->outcome_title, lab_lesson_get_title (lesson));
      gtk_label_set_text (self->outcome_label, outcome);
    }
  gtk_widget_set_visible (self->outcome_box, shown && outcome != NULL && outcome[0] != '\0');
}

/* The charts of the selected run's experiment. */
static void
show_experiment (LabWindow *self,
                 LabRun    *run)
{
  guint position = GTK_INVALID_LIST_POSITION;
  LabAnalysis *analysis = experiment_of (self, run, &position);

  lab_comparison_chart_set_analysis (self->comparison_chart, analysis);
  lab_comparison_chart_set_selected (self->comparison_chart, run);
  lab_breakdown_chart_set_analysis (self->breakdown_chart, analysis);
  lab_breakdown_chart_set_selected (self->breakdown_chart, run);
  /* The speed-up by workers only for a sweep, of this experiment. */
  lab_scaling_chart_set_analysis (self->scaling_chart, analysis && lab_analysis_is_sweep (analysis) ? analysis : NULL);
  gtk_widget_set_visible (self->chart_cards[LAB_CHART_SCALING], lab_scaling_chart_get_n_series (self->scaling_chart) > 0);
  gtk_widget_set_visible (self->chart_cards[LAB_CHART_BREAKDOWN],
                          lab_breakdown_chart_get_n_rows (self->breakdown_chart) > 0);

  self->updating_dropdown = TRUE;
  gtk_drop_down_set_selected (self->experiment_dropdown, position);
  self->updating_dropdown = FALSE;
}

/**
 * select_run:
 *
 * Shows @run everywhere: title, verdict and findings, timeline, CPU,
 * the runs list, and its experiment's charts.
 */
static void
select_run (LabWindow *self,
            LabRun    *run)
{
  LabCpuHistory *history = run ? g_object_get_data (G_OBJECT (run), "lab-cpu-history") : NULL;
  LabRunRow *row;

  g_set_object (&self->selected, run);
  lab_timeline_set_run (self->timeline, run);
  lab_timeline_set_history (self->timeline, history);
  if (run != NULL && self->experiment != NULL && run == lab_experiment_get_current (self->experiment))
    lab_cpu_chart_set_sampler (self->cpu_chart, self->sampler);
  else
    lab_cpu_chart_set_history (self->cpu_chart, history);
  show_experiment (self, run);
  if (run != NULL)
    update_header (self, run);
  update_outcome (self, run);
  fill_failed (self, run);

  row = run ? row_of (self, run) : NULL;
  if (row != NULL && gtk_list_box_get_selected_row (self->runs_list) != GTK_LIST_BOX_ROW (row))
    gtk_list_box_select_row (self->runs_list, GTK_LIST_BOX_ROW (row));
}

static void
row_selected_cb (LabWindow     *self,
                 GtkListBoxRow *row)
{
  if (row != NULL && lab_run_row_get_run (LAB_RUN_ROW (row)) != self->selected)
    select_run (self, lab_run_row_get_run (LAB_RUN_ROW (row)));
}

static void
run_activated_cb (LabWindow *self,
                  LabRun    *run)
{
  select_run (self, run);
}

/* Choosing an experiment shows its last run. */
static void
experiment_chosen_cb (LabWindow *self)
{
  guint position = gtk_drop_down_get_selected (self->experiment_dropdown);
  LabAnalysis *analysis;

  if (self->updating_dropdown || self->experiments == NULL || position >= self->experiments->len)
    return;
  analysis = g_ptr_array_index (self->experiments, position);
  select_run (self, lab_analysis_get_run (analysis, lab_analysis_get_n_runs (analysis) - 1));
}

/* Each ended run of the session against its task's pinned baseline, as
 * the History page has read it. */
static void
update_baselines (LabWindow *self)
{
  LabHistoryModel *model = lab_history_page_get_model (self->history_page);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->runs_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      LabRun *run;
      LabRunSummary sum;
      double wall_s = 0;
      gint64 id = 0;
      gboolean here = FALSE;
      g_autofree char *delta = NULL;
      g_autofree char *text = NULL;

      if (!LAB_IS_RUN_ROW (child))
        continue;
      run = lab_run_row_get_run (LAB_RUN_ROW (child));
      lab_run_get_summary (run, &sum);
      if (lab_run_get_state (run) >= LAB_RUN_FINISHED && sum.wall_ns > 0 &&
          lab_history_model_lookup_baseline (model, lab_run_get_config (run)->task->name, &wall_s, &id, &here))
        {
          delta = lab_report_describe_delta (wall_s / (sum.wall_ns / 1e9));
          text = here
            /* Translators: a session run against its task's baseline: "1.87× faster (−46 %) than run 3" */
            ? g_strdup_printf (_("%s than run %" PRId64), delta, id)
            : g_strdup_printf (_("%s than run %" PRId64 " (another machine)"), delta, id);
        }
      lab_run_row_set_baseline (LAB_RUN_ROW (child), text);
    }
}

/* The session's runs, taken together by the engine: experiments, and
 * each run's speed-up against its experiment's loop. */
static void
analyse_session (LabWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->runs));
  g_autofree LabRun **runs = g_new0 (LabRun *, MAX (n, 1));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      runs[i] = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      g_object_unref (runs[i]);   /* the store keeps it */
    }
  g_clear_pointer (&self->experiments, g_ptr_array_unref);
  self->experiments = lab_analysis_split_experiments (runs, n);

  for (guint e = 0; e < self->experiments->len; e++)
    {
      LabAnalysis *analysis = g_ptr_array_index (self->experiments, e);

      g_ptr_array_add (names, lab_run_config_dup_work_label (lab_run_get_config (lab_analysis_get_run (analysis, 0))));
      for (guint i = 0; i < lab_analysis_get_n_runs (analysis); i++)
        {
          LabRunRow *row = row_of (self, lab_analysis_get_run (analysis, i));
          if (row != NULL)
            lab_run_row_set_speedup (row, lab_analysis_get_speedup (analysis, i));
        }
    }
  g_ptr_array_add (names, NULL);
  update_baselines (self);
  self->updating_dropdown = TRUE;
  gtk_string_list_splice (self->experiment_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->experiment_names)),
                          (const char * const *) names->pdata);
  self->updating_dropdown = FALSE;
}

static void
set_running (LabWindow *self,
             gboolean   running)
{
  gtk_widget_set_visible (self->run_button, !running);
  gtk_widget_set_visible (self->cancel_button, running);
  gtk_widget_set_visible (self->progress_box, running);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->panel), !running);
  if (!running)
    adw_window_title_set_subtitle (self->window_title, "");
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

/* A run and its CPU samples, taken on this thread (where the samples
 * change) for the one that writes them. */
typedef struct {
  LabRun   *run;
  GVariant *samples;
} KeptRun;

static void
kept_run_free (KeptRun *kept)
{
  g_object_unref (kept->run);
  g_clear_pointer (&kept->samples, g_variant_unref);
  g_free (kept);
}

/* Keeps a finished run in the history database, on a thread: SQLite
 * writes and syncs. Returns what the user must be told, if anything. */
static void
keep_run_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(GError) error = NULL;

  KeptRun *kept = task_data;

  if (!(history = lab_history_open (NULL, &error)) ||
      lab_history_add_run_full (history, kept->run, kept->samples ? g_variant_ref (kept->samples) : NULL, &error) == 0)
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
  if (!self->disposed)
    lab_history_page_reload (self->history_page);
}

static void
save_run (LabWindow *self,
          LabRun    *run)
{
  /* The window rides in user_data, not as the source object: the task may
   * be freed on its thread, and the window must be let go on this one. */
  g_autoptr(GTask) task = g_task_new (NULL, NULL, run_kept_cb, g_object_ref (self));
  LabCpuHistory *samples = g_object_get_data (G_OBJECT (run), "lab-cpu-history");
  KeptRun *kept = g_new0 (KeptRun, 1);

  g_task_set_source_tag (task, save_run);
  kept->run = g_object_ref (run);
  kept->samples = samples ? g_variant_ref_sink (lab_cpu_history_to_variant (samples)) : NULL;
  g_task_set_task_data (task, kept, (GDestroyNotify) kept_run_free);
  g_task_run_in_thread (task, keep_run_thread);
}

/* Saves the runs whose samples are complete (or all, when @all). */
static void
save_sealed_runs (LabWindow *self,
                  gboolean   all)
{
  for (guint i = self->unsaved->len; i > 0; i--)
    {
      LabRun *run = g_ptr_array_index (self->unsaved, i - 1);
      LabCpuHistory *samples = g_object_get_data (G_OBJECT (run), "lab-cpu-history");

      if (all || samples == NULL || lab_cpu_history_is_sealed (samples))
        {
          g_autoptr(LabRun) saved = g_ptr_array_steal_index (self->unsaved, i - 1);
          save_run (self, saved);
        }
    }
}

/* A run is kept with all its samples: the sampler takes its last ones
 * after the run has ended, then seals them. */
static void
keep_run (LabWindow *self,
          LabRun    *run)
{
  g_ptr_array_add (self->unsaved, g_object_ref (run));
  save_sealed_runs (self, FALSE);
}

static void
sampler_updated_cb (LabWindow *self)
{
  if (self->unsaved->len > 0)
    save_sealed_runs (self, FALSE);
}

static void
run_progress_cb (LabWindow *self,
                 LabRun    *run)
{
  update_progress (self);
  if (self->selected == run)
    update_header (self, run);
}

static void
run_started_cb (LabWindow *self,
                LabRun    *run,
                gboolean   warmup)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->runs));
  g_autofree char *title = lab_run_dup_title (run);
  LabCpuHistory *history;

  g_signal_connect_object (run, "progress", G_CALLBACK (run_progress_cb), self, G_CONNECT_SWAPPED);
  lab_cpu_sampler_set_run (self->sampler, run);
  if ((history = lab_cpu_sampler_get_history (self->sampler)) != NULL)
    g_object_set_data_full (G_OBJECT (run), "lab-cpu-history",
                            lab_cpu_history_ref (history), (GDestroyNotify) lab_cpu_history_unref);

  adw_window_title_set_subtitle (self->window_title, title);
  g_list_store_append (self->runs, run);
  gtk_list_box_append (self->runs_list, lab_run_row_new (run, n + 1));
  gtk_stack_set_visible_child_name (self->main_stack, "results");
  analyse_session (self);
  select_run (self, run);
  update_actions (self);
}

static void
run_ended_cb (LabWindow *self,
              LabRun    *run,
              gboolean   warmup)
{
  LabRunRow *row = row_of (self, run);

  if (lab_run_get_state (run) != LAB_RUN_FAILED)
    keep_run (self, run);
  if (row != NULL)
    lab_run_row_update (row);
  analyse_session (self);
  if (self->selected == run)
    select_run (self, run);
  else
    show_experiment (self, self->selected);
}

static char *
outcome_text (LabWindow     *self,
              LabExperiment *experiment,
              GError        *error)
{
  GListModel *runs = lab_experiment_get_runs (experiment);
  guint n = g_list_model_get_n_items (runs);
  g_autoptr(LabRun) last = n > 0 ? g_list_model_get_item (runs, n - 1) : NULL;
  g_autofree char *title = last ? lab_run_dup_title (last) : NULL;
  g_autofree char *wall = last ? lab_format_seconds (lab_run_get_elapsed_ns (last)) : NULL;

  if (error != NULL)
    return g_strdup (error->message);
  if (last == NULL)
    return g_strdup (_("Nothing ran"));
  if (lab_run_get_state (last) == LAB_RUN_CANCELLED)
    return g_strdup (_("Cancelled; the jobs that finished are kept"));
  if (lab_run_get_state (last) == LAB_RUN_FAILED)
    return g_strdup (lab_run_get_error (last));
  if (!lab_experiment_all_succeeded (experiment))
    return g_strdup (_("Finished; some jobs failed: see the runs"));
  if (n > 1)
    /* Translators: "3 runs finished; the comparison is below" */
    return g_strdup_printf (ngettext ("%u run finished; the comparison is below",
                                      "%u runs finished; the comparison is below", n), n);
  return g_strdup_printf (_("%s finished in %s"), title, wall);
}

static void
experiment_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(LabWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *outcome = NULL;
  LabExperiment *experiment = LAB_EXPERIMENT (source);

  lab_experiment_run_finish (experiment, result, &error);
  if (self->disposed)
    return;

  if (self->lesson != NULL)
    {
      g_autoptr(LabAnalysis) analysis = lab_experiment_dup_analysis (experiment);
      g_autofree char *lesson_outcome = lab_lesson_describe_outcome (self->lesson, analysis);

      g_set_object (&self->lesson_experiment, experiment);
      lab_experiment_panel_show_outcome (self->panel, lesson_outcome);
    }
  outcome = outcome_text (self, experiment, error);
  g_clear_object (&self->experiment);
  g_clear_object (&self->cancellable);
  self->lesson = NULL;
  set_running (self, FALSE);
  if (self->selected != NULL)
    select_run (self, self->selected);
  toast (self, outcome);
}

/* The last finished plain loop of the session over the same jobs, so a
 * strategy run on its own still gets its speed-up. */
static LabRun *
session_loop (LabWindow     *self,
              LabExperiment *experiment,
              LabRuntime     runtime)
{
  GVariant *params = lab_experiment_get_params (experiment);

  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->runs)); i > 0; i--)
    {
      g_autoptr(LabRun) run = g_list_model_get_item (G_LIST_MODEL (self->runs), i - 1);
      const LabRunConfig *config = lab_run_get_config (run);

      if (lab_strategy_is_loop (config->strategy) && config->runtime == runtime &&
          config->task == lab_experiment_get_task (experiment) &&
          g_variant_equal (config->params, params) && lab_run_get_state (run) == LAB_RUN_FINISHED)
        return g_steal_pointer (&run);
    }
  return NULL;
}

static void
start_run (LabWindow *self)
{
  g_autoptr(LabExperiment) experiment = NULL;
  g_autoptr(LabRun) loop = NULL;
  g_autoptr(GError) error = NULL;

  if (is_running (self))
    return;

  if (!(experiment = lab_experiment_panel_dup_experiment (self->panel, &error)))
    {
      toast (self, error->message);
      return;
    }

  self->lesson = lab_experiment_panel_lesson_matches (self->panel) ? lab_experiment_panel_get_lesson (self->panel) : NULL;
  /* A job-size sweep is This Computer's: it shows the speed-up by job
   * size beside the break-even the costs predict. */
  if (self->lesson != NULL && self->lesson->job_sizes != NULL)
    {
      LabMachineWindow *machine = lab_machine_window_new (GTK_WINDOW (self));

      self->lesson = NULL;
      lab_machine_window_run_sweep (machine);
      gtk_window_present (GTK_WINDOW (machine));
      return;
    }
  if (self->lesson != NULL)
    lab_experiment_panel_show_outcome (self->panel, NULL);
  for (LabRuntime r = LAB_RUNTIME_C; r < LAB_N_RUNTIMES; r++)
    if ((loop = session_loop (self, experiment, r)) != NULL)
      {
        lab_experiment_set_loop (experiment, loop);
        g_clear_object (&loop);
      }
  self->experiment = g_object_ref (experiment);
  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (experiment, "run-started", G_CALLBACK (run_started_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (experiment, "run-ended", G_CALLBACK (run_ended_cb), self, G_CONNECT_SWAPPED);
  set_running (self, TRUE);
  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
  lab_experiment_run_async (experiment, self->cancellable, experiment_done_cb, g_object_ref (self));
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

/* Forgets the session's runs (the history keeps them). */
static void
clear_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  LabWindow *self = user_data;
  GtkWidget *child;

  if (is_running (self))
    return;
  select_run (self, NULL);
  g_list_store_remove_all (self->runs);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->runs_list))))
    gtk_list_box_remove (self->runs_list, child);
  g_clear_object (&self->lesson_experiment);
  analyse_session (self);
  gtk_stack_set_visible_child_name (self->main_stack, "empty");
  update_actions (self);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  LabWindow *self = user_data;

  gtk_window_present (GTK_WINDOW (lab_preferences_window_new (GTK_WINDOW (self), is_running (self))));
}

/* This Computer: what threads and processes cost here (lab-machine-window.c). */
static void
machine_action (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (lab_machine_window_new (GTK_WINDOW (user_data))));
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

/* A history that had to be moved aside, or cannot be read, is said even
 * while the History page (which says it too) is not on screen. */
static void
history_message_cb (LabWindow  *self,
                    const char *text)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self->history_page)))
    toast (self, text);
}

/* The history button shows the stored runs, and back the session. */
static void
history_toggled_cb (LabWindow *self)
{
  gboolean show = gtk_toggle_button_get_active (self->history_button);
  const char *current = gtk_stack_get_visible_child_name (self->main_stack);

  if (show && g_strcmp0 (current, "history") != 0)
    gtk_stack_set_visible_child_name (self->main_stack, "history");
  else if (!show && g_strcmp0 (current, "history") == 0)
    gtk_stack_set_visible_child_name (self->main_stack,
                                      g_list_model_get_n_items (G_LIST_MODEL (self->runs)) ? "results" : "empty");
}

/* A run that starts shows the session: the button follows. */
static void
page_changed_cb (LabWindow *self)
{
  gtk_toggle_button_set_active (self->history_button,
                                g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "history") == 0);
}

static void
show_history_action (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  LabWindow *self = user_data;

  gtk_toggle_button_set_active (self->history_button, !gtk_toggle_button_get_active (self->history_button));
}

static const GActionEntry win_actions[] = {
  { "run", run_action },
  { "cancel", cancel_action },
  { "clear", clear_action },
  { "preferences", preferences_action },
  { "machine", machine_action },
  { "export", export_action },
  { "save-chart", save_chart_action, "s" },
  { "toggle-sidebar", toggle_sidebar_action },
  { "show-history", show_history_action },
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
  /* What has ended is kept, with the samples there are. */
  if (self->unsaved != NULL)
    save_sealed_runs (self, TRUE);
  g_clear_pointer (&self->unsaved, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (object), LAB_TYPE_WINDOW);

  g_clear_object (&self->toast);
  g_clear_object (&self->sampler);
  g_clear_object (&self->selected);
  g_clear_object (&self->experiment);
  g_clear_object (&self->lesson_experiment);
  g_clear_pointer (&self->experiments, g_ptr_array_unref);
  g_clear_object (&self->experiment_names);
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
  g_type_ensure (LAB_TYPE_BREAKDOWN_CHART);
  g_type_ensure (LAB_TYPE_CPU_CHART);
  g_type_ensure (LAB_TYPE_COMPARISON_CHART);
  g_type_ensure (LAB_TYPE_SCALING_CHART);
  g_type_ensure (LAB_TYPE_HISTORY_PAGE);

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
  gtk_widget_class_bind_template_child (widget_class, LabWindow, run_findings);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, outcome_box);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, outcome_title);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, outcome_label);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, charts_box);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, runs_box);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, breakdown_chart);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, cpu_chart);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, failed_group);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, failed_list);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, runs_list);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, experiment_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, comparison_chart);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, scaling_chart);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, history_page);
  gtk_widget_class_bind_template_child (widget_class, LabWindow, history_button);
  bind_chart_card (widget_class, LAB_CHART_TIMELINE, "timeline");
  bind_chart_card (widget_class, LAB_CHART_BREAKDOWN, "breakdown");
  bind_chart_card (widget_class, LAB_CHART_CPU, "cpu");
  bind_chart_card (widget_class, LAB_CHART_COMPARISON, "comparison");
  bind_chart_card (widget_class, LAB_CHART_SCALING, "scaling");
}

static void
lab_window_init (LabWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->runs = g_list_store_new (LAB_TYPE_RUN);
  self->experiment_names = gtk_string_list_new (NULL);
  self->sampler = lab_cpu_sampler_new ();
  self->unsaved = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect_object (self->sampler, "updated", G_CALLBACK (sampler_updated_cb), self, G_CONNECT_SWAPPED);
  self->wide = TRUE;
  gtk_drop_down_set_model (self->experiment_dropdown, G_LIST_MODEL (self->experiment_names));
  lab_cpu_chart_set_sampler (self->cpu_chart, self->sampler);
  /* The timeline and the CPU chart share one hover line. */
  g_object_bind_property (self->timeline, "hover-time", self->cpu_chart, "hover-time",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions), self);
  g_signal_connect_object (self->panel, "notify::problem", G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->runs_list, "row-selected", G_CALLBACK (row_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->comparison_chart, "run-activated", G_CALLBACK (run_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->breakdown_chart, "run-activated", G_CALLBACK (run_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scaling_chart, "run-activated", G_CALLBACK (run_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->experiment_dropdown, "notify::selected", G_CALLBACK (experiment_chosen_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->history_button, "toggled", G_CALLBACK (history_toggled_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (lab_history_page_get_model (self->history_page), "message",
                           G_CALLBACK (history_message_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (lab_history_page_get_model (self->history_page), "items-changed",
                           G_CALLBACK (update_baselines), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->main_stack, "notify::visible-child-name", G_CALLBACK (page_changed_cb),
                           self, G_CONNECT_SWAPPED);

  load_settings (self);
  set_running (self, FALSE);
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

LabHistoryPage *
lab_window_get_history_page (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return self->history_page;
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

GtkWidget *
lab_window_get_breakdown_chart (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->breakdown_chart);
}

GtkWidget *
lab_window_get_scaling_chart (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->scaling_chart);
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

/* Selects run @index as the runs list would. */
void
lab_window_select_run (LabWindow *self,
                       guint      index)
{
  g_return_if_fail (LAB_IS_WINDOW (self));

  if (index < lab_window_get_n_runs (self))
    select_run (self, lab_window_get_run (self, index));
}

LabRun *
lab_window_get_selected_run (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return self->selected;
}

/* The experiments of the session, as the switcher lists them. */
guint
lab_window_get_n_experiments (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), 0);
  return self->experiments ? self->experiments->len : 0;
}

void
lab_window_choose_experiment (LabWindow *self,
                              guint      position)
{
  g_return_if_fail (LAB_IS_WINDOW (self));
  gtk_drop_down_set_selected (self->experiment_dropdown, position);
}

const char *
lab_window_get_verdict (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return gtk_label_get_text (self->run_verdict);
}

const char *
lab_window_get_findings_text (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return gtk_label_get_text (self->run_findings);
}

const char *
lab_window_get_title_text (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return gtk_label_get_text (self->run_title);
}

/* What the lesson expected beside what it measured, while one of its runs is shown. */
const char *
lab_window_get_outcome_text (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return gtk_widget_get_visible (self->outcome_box) ? gtk_label_get_text (self->outcome_label) : NULL;
}

GtkWidget *
lab_window_get_run_button (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return self->run_button;
}

GtkWidget *
lab_window_get_runs_list (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->runs_list);
}

gboolean
lab_window_is_running (LabWindow *self)
{
  g_return_val_if_fail (LAB_IS_WINDOW (self), FALSE);
  return is_running (self);
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
