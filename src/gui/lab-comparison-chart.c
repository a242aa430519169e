/* lab-comparison-chart.c — elapsed and CPU time of several runs side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per run: its label (task · strategy · workers), a bar for the
 * elapsed time and one for the jobs' CPU time just below, on one scale for all
 * runs, so that threads waiting together and processes working in
 * parallel tell their story side by side.
 *
 * A run repeated (the same task, parameters, strategy and workers) gets
 * whiskers over its elapsed bar: the fastest and slowest repeat and the
 * median, so one lucky or unlucky run is not mistaken for the rule.
 */
#define G_LOG_DOMAIN "lab-comparison-chart"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lab-chart-util.h"
#include "lab-comparison-chart.h"
#include "lab-format.h"
#include "lab-report.h"
#include "lab-run.h"

#define PAD       8
#define BAR       10
#define BAR_GAP   2
#define ROW_GAP   10
#define WHISKER   2   /* line width of the whiskers */
/* Elapsed bars of runs still going grow on this tick. */
#define TICK_MS   100  /* at idle priority, as the timeline's */

struct _LabComparisonChart
{
  GtkWidget   parent_instance;

  GListModel *runs;
  GPtrArray  *watched;     /* LabRun whose progress we follow */
  guint       tick_id;
  LabChartThrottle throttle;
  guint       selected;
  GArray     *repeats;           /* RowRepeat for each run, by position */
  guint       repeats_finished;  /* finished runs when it was filled, or G_MAXUINT */
};

/* A run's experiment, when it has two or more finished repeats. */
typedef struct {
  gboolean       repeated;
  gboolean       outlier;
  LabReportStats stats;   /* elapsed seconds of the finished repeats */
} RowRepeat;

enum {
  PROP_0,
  PROP_RUNS,
  PROP_SELECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LabComparisonChart, lab_comparison_chart, GTK_TYPE_WIDGET)

static void
run_progress_cb (LabComparisonChart *self)
{
  lab_chart_throttle_queue_draw (&self->throttle, GTK_WIDGET (self));
}

static gboolean
tick_cb (gpointer data)
{
  LabComparisonChart *self = data;

  lab_chart_throttle_queue_draw (&self->throttle, GTK_WIDGET (self));
  for (guint i = 0; i < self->watched->len; i++)
    if (lab_run_get_state (g_ptr_array_index (self->watched, i)) < LAB_RUN_FINISHED)
      return G_SOURCE_CONTINUE;
  self->tick_id = 0;
  return G_SOURCE_REMOVE;
}

static void
unwatch_runs (LabComparisonChart *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched, i),
                                          run_progress_cb, self);
  g_ptr_array_set_size (self->watched, 0);
}

/* Finished runs do not change: only runs still going are followed. */
static void
watch_runs (LabComparisonChart *self)
{
  unwatch_runs (self);
  for (guint i = 0; self->runs != NULL && i < g_list_model_get_n_items (self->runs); i++)
    {
      g_autoptr(LabRun) run = g_list_model_get_item (self->runs, i);

      if (lab_run_get_state (run) >= LAB_RUN_FINISHED)
        continue;
      g_signal_connect_object (run, "progress", G_CALLBACK (run_progress_cb),
                               self, G_CONNECT_SWAPPED);
      g_ptr_array_add (self->watched, g_steal_pointer (&run));
    }
  if (self->watched->len > 0)
    self->tick_id = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, TICK_MS, tick_cb, self, NULL);
}

static void
items_changed_cb (LabComparisonChart *self)
{
  self->repeats_finished = G_MAXUINT;
  watch_runs (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* The CPU time the jobs themselves used. The run's whole-process figure
 * would also count the window drawing itself, seconds of it for a run of
 * sleeping jobs, which is not what the lesson compares. */
static double
run_cpu_seconds (LabRun *run)
{
  gint64 cpu_ns = 0;

  for (guint i = 0; i < lab_run_get_n_jobs (run); i++)
    {
      const LabJobResult *job = lab_run_get_job (run, i);

      if (g_atomic_int_get (&job->state) >= LAB_JOB_OK)
        cpu_ns += job->cpu_ns;
    }
  return cpu_ns / 1e9;
}

static char *
describe_run (LabRun *run)
{
  const LabRunConfig *config = lab_run_get_config (run);
  guint workers = lab_run_get_workers (run);

  if (lab_run_config_uses_gil (config))
    /* Translators: "Count Primes · Threads · 2 workers · GIL" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s · %u worker · GIL",
                                         "%s · %s · %u workers · GIL", workers),
                            lab_format_task_title (config->task),
                            lab_format_strategy_title (config->strategy), workers);
  /* Translators: "Sleep · Threads · 10 workers" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s · %u worker",
                                       "%s · %s · %u workers", workers),
                          lab_format_task_title (config->task),
                          lab_format_strategy_title (config->strategy), workers);
}

/* From one bar to the next: room for the value written beside it. */
static int
bar_pitch (GtkWidget *widget)
{
  return MAX (BAR + BAR_GAP, lab_chart_line_height (widget));
}

static int
row_height (GtkWidget *widget)
{
  return lab_chart_line_height (widget) + 2 + bar_pitch (widget) + BAR + ROW_GAP;
}

/* The bar, and its text after @text_x (or after the bar when further). */
static void
snapshot_bar (GtkWidget     *widget,
              GtkSnapshot   *snapshot,
              double         x,
              double         y,
              double         width,
              double         text_x,
              const GdkRGBA *color,
              const char    *text)
{
  int line = lab_chart_line_height (widget);
  GdkRGBA fg;

  lab_chart_get_foreground (widget, &fg);
  lab_chart_with_alpha (&fg, 0.75, &fg);
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, MAX (1, width), BAR));
  lab_chart_append_text (widget, snapshot, text, MAX (text_x, x + MAX (1, width)) + 6,
                         y + BAR / 2.0 - line / 2.0, 0, &fg);
}

/* Fills one experiment's rows: @members are positions of finished runs. */
static void
fill_experiment (LabComparisonChart *self,
                 GArray             *members,
                 const double       *wall)
{
  g_autofree gboolean *flags = g_new (gboolean, members->len);
  LabReportStats stats;

  lab_report_stats (wall, members->len, &stats);
  lab_report_find_outliers (wall, members->len, flags);
  for (guint k = 0; k < members->len; k++)
    {
      RowRepeat *row = &g_array_index (self->repeats, RowRepeat, g_array_index (members, guint, k));

      *row = (RowRepeat) { TRUE, flags[k], stats };
    }
}

/* The repeats of each run's experiment change only when runs come, go
 * or finish: they are worked out again then, not on every frame. */
static void
update_repeats (LabComparisonChart *self)
{
  guint n_items = self->runs ? g_list_model_get_n_items (self->runs) : 0;
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) position = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree gboolean *grouped = NULL;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(LabRun) run = g_list_model_get_item (self->runs, i);

      if (lab_run_get_state (run) != LAB_RUN_FINISHED)
        continue;
      g_ptr_array_add (finished, g_steal_pointer (&run));
      g_array_append_val (position, i);
    }
  if (self->repeats->len == n_items && self->repeats_finished == finished->len)
    return;

  g_array_set_size (self->repeats, 0);
  g_array_set_size (self->repeats, n_items);
  self->repeats_finished = finished->len;
  grouped = g_new0 (gboolean, MAX (finished->len, 1));
  for (guint a = 0; a < finished->len; a++)
    {
      const LabRunConfig *config = lab_run_get_config (g_ptr_array_index (finished, a));
      g_autoptr(GArray) members = NULL;
      g_autoptr(GArray) wall = NULL;

      if (grouped[a])
        continue;
      members = g_array_new (FALSE, FALSE, sizeof (guint));
      wall = g_array_new (FALSE, FALSE, sizeof (double));
      for (guint b = a; b < finished->len; b++)
        {
          LabRun *other = g_ptr_array_index (finished, b);
          double seconds = lab_run_get_elapsed_ns (other) / 1e9;

          if (grouped[b] || !lab_run_config_equal (config, lab_run_get_config (other)))
            continue;
          grouped[b] = TRUE;
          g_array_append_val (members, g_array_index (position, guint, b));
          g_array_append_val (wall, seconds);
        }
      if (members->len >= 2)
        fill_experiment (self, members, (double *) wall->data);
    }
}

/* Min to max as a line with end caps, the median as a taller tick. */
static void
snapshot_whiskers (GtkWidget            *widget,
                   GtkSnapshot          *snapshot,
                   double                y,
                   double                scale,
                   const LabReportStats *stats)
{
  double mid = y + BAR / 2.0;
  double x0 = PAD + stats->min * scale;
  double x1 = PAD + stats->max * scale;
  double xm = PAD + stats->median * scale;
  GdkRGBA color;

  lab_chart_lookup_color (widget, "lab_whisker", NULL, 0.7, &color);
  gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x0, mid - WHISKER / 2.0, MAX (1, x1 - x0), WHISKER));
  gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x0 - WHISKER / 2.0, y + 1, WHISKER, BAR - 2));
  gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x1 - WHISKER / 2.0, y + 1, WHISKER, BAR - 2));
  gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (xm - WHISKER / 2.0, y - 2, WHISKER, BAR + 4));
}

/* The row's title, and for a repeat "· median 1.4 s of 5 runs". */
static char *
describe_row (LabRun               *run,
              const LabReportStats *stats,
              gboolean              outlier)
{
  g_autofree char *median_text = NULL;
  g_autofree char *title = describe_run (run);
  GString *text = g_string_new (title);

  if (stats == NULL)
    return g_string_free (text, FALSE);

  median_text = lab_format_seconds (stats->median * 1e9);
  g_string_append (text, " — ");
  /* Translators: the median elapsed time of the repeats of one
   * experiment, e.g. "median 1.5 s of 5 runs" */
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "median %s of %u run",
                                             "median %s of %u runs", stats->n),
                          median_text, stats->n);
  if (outlier)
    {
      g_string_append (text, " · ");
      /* Translators: said of a repeat far from the others' median */
      g_string_append (text, _("outlier"));
    }
  return g_string_free (text, FALSE);
}

static void
snapshot_row (LabComparisonChart *self,
              GtkSnapshot        *snapshot,
              LabRun             *run,
              guint               position,
              double              y,
              double              scale)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int line = lab_chart_line_height (widget);
  double wall = lab_run_get_elapsed_ns (run) / 1e9;
  double cpu = run_cpu_seconds (run);
  g_autofree char *wall_text = lab_format_seconds (lab_run_get_elapsed_ns (run));
  g_autofree char *cpu_text = lab_format_seconds (cpu * 1e9);
  g_autofree char *label = NULL;
  g_autofree char *wall_label = NULL;
  g_autofree char *cpu_label = NULL;
  const RowRepeat *repeat = &g_array_index (self->repeats, RowRepeat, position);
  GdkRGBA fg, color;

  lab_chart_get_foreground (widget, &fg);
  if (position == self->selected)
    {
      GdkRGBA highlight;
      GskRoundedRect outline;

      lab_chart_lookup_color (widget, "lab_selected_run", NULL, 0.08, &highlight);
      gsk_rounded_rect_init_from_rect (&outline,
                                       &GRAPHENE_RECT_INIT (2, y - ROW_GAP / 2.0 + 1,
                                                            gtk_widget_get_width (widget) - 4,
                                                            row_height (widget) - 2), 6);
      gtk_snapshot_push_rounded_clip (snapshot, &outline);
      gtk_snapshot_append_color (snapshot, &highlight, &outline.bounds);
      gtk_snapshot_pop (snapshot);
    }

  label = describe_row (run, repeat->repeated ? &repeat->stats : NULL, repeat->outlier);
  lab_chart_append_text (widget, snapshot, label, PAD, y, 0, &fg);
  y += line + 2;
  lab_chart_lookup_color (widget, "lab_elapsed_bar", "accent_bg_color", 0.8, &color);
  /* Translators: %s is a duration, e.g. "1.5 s" */
  wall_label = g_strdup_printf (_("%s elapsed"), wall_text);
  snapshot_bar (widget, snapshot, PAD, y, wall * scale, repeat->repeated ? PAD + repeat->stats.max * scale : 0,
                &color, wall_label);
  if (repeat->repeated)
    snapshot_whiskers (widget, snapshot, y, scale, &repeat->stats);
  lab_chart_lookup_color (widget, "lab_cpu_bar", "orange_3", 0.45, &color);
  /* Translators: %s is a duration, e.g. "0.02 s" */
  cpu_label = g_strdup_printf (_("%s CPU"), cpu_text);
  snapshot_bar (widget, snapshot, PAD, y + bar_pitch (widget), cpu * scale, 0, &color, cpu_label);
}

/* Pixels per second so that the longest bar leaves room for its text. */
static double
compute_scale (LabComparisonChart *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double longest = 0.001;
  double room = gtk_widget_get_width (widget) - 2 * PAD -
                lab_chart_text_width (widget, _("00.00 s elapsed")) - 6;

  for (guint i = 0; i < g_list_model_get_n_items (self->runs); i++)
    {
      g_autoptr(LabRun) run = g_list_model_get_item (self->runs, i);

      longest = MAX (longest, lab_run_get_elapsed_ns (run) / 1e9);
      longest = MAX (longest, run_cpu_seconds (run));
    }
  return MAX (room, 1) / longest;
}

static void
snapshot_legend (LabComparisonChart *self,
                 GtkSnapshot        *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double x = PAD;
  GdkRGBA color;

  lab_chart_lookup_color (widget, "lab_elapsed_bar", "accent_bg_color", 0.8, &color);
  lab_chart_append_legend (widget, snapshot, x, 0, &color, _("Elapsed time"), &x);
  lab_chart_lookup_color (widget, "lab_cpu_bar", "orange_3", 0.45, &color);
  lab_chart_append_legend (widget, snapshot, x, 0, &color, _("CPU time of the jobs"), &x);
}

static void
lab_comparison_chart_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  LabComparisonChart *self = LAB_COMPARISON_CHART (widget);
  guint n_runs = self->runs ? g_list_model_get_n_items (self->runs) : 0;
  double y = lab_chart_line_height (widget) + PAD + ROW_GAP / 2.0;
  double scale;

  snapshot_legend (self, snapshot);
  if (n_runs == 0)
    return;

  scale = compute_scale (self);
  update_repeats (self);
  for (guint i = 0; i < n_runs; i++, y += row_height (widget))
    {
      g_autoptr(LabRun) run = g_list_model_get_item (self->runs, i);

      snapshot_row (self, snapshot, run, i, y, scale);
    }
}

static void
lab_comparison_chart_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  LabComparisonChart *self = LAB_COMPARISON_CHART (widget);
  guint n_runs = self->runs ? g_list_model_get_n_items (self->runs) : 0;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 400;
    }
  else
    {
      *minimum = *natural = lab_chart_line_height (widget) + PAD +
                            MAX (n_runs, 1) * row_height (widget);
    }
}

static void
pressed_cb (LabComparisonChart *self,
            int                 n_press,
            double              x,
            double              y)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double row = (y - lab_chart_line_height (widget) - PAD) / row_height (widget);

  if (self->runs != NULL && row >= 0 && row < g_list_model_get_n_items (self->runs))
    lab_comparison_chart_set_selected (self, (guint) row);
}

static void
lab_comparison_chart_dispose (GObject *object)
{
  LabComparisonChart *self = (LabComparisonChart *) object;

  lab_comparison_chart_set_runs (self, NULL);
  lab_chart_throttle_clear (&self->throttle, GTK_WIDGET (self));

  G_OBJECT_CLASS (lab_comparison_chart_parent_class)->dispose (object);
}

static void
lab_comparison_chart_finalize (GObject *object)
{
  LabComparisonChart *self = (LabComparisonChart *) object;

  g_ptr_array_unref (self->watched);
  g_array_unref (self->repeats);

  G_OBJECT_CLASS (lab_comparison_chart_parent_class)->finalize (object);
}

static void
lab_comparison_chart_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LabComparisonChart *self = LAB_COMPARISON_CHART (object);

  switch (prop_id)
    {
    case PROP_RUNS:
      g_value_set_object (value, self->runs);
      break;
    case PROP_SELECTED:
      g_value_set_uint (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_comparison_chart_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  LabComparisonChart *self = LAB_COMPARISON_CHART (object);

  switch (prop_id)
    {
    case PROP_RUNS:
      lab_comparison_chart_set_runs (self, g_value_get_object (value));
      break;
    case PROP_SELECTED:
      lab_comparison_chart_set_selected (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_comparison_chart_class_init (LabComparisonChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_comparison_chart_dispose;
  object_class->finalize = lab_comparison_chart_finalize;
  object_class->get_property = lab_comparison_chart_get_property;
  object_class->set_property = lab_comparison_chart_set_property;

  widget_class->snapshot = lab_comparison_chart_snapshot;
  widget_class->measure = lab_comparison_chart_measure;

  properties[PROP_RUNS] =
    g_param_spec_object ("runs", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] =
    g_param_spec_uint ("selected", NULL, NULL, 0, G_MAXUINT, GTK_INVALID_LIST_POSITION,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "labcomparisonchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lab_comparison_chart_init (LabComparisonChart *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->selected = GTK_INVALID_LIST_POSITION;
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
  self->repeats = g_array_new (FALSE, TRUE, sizeof (RowRepeat));
  self->repeats_finished = G_MAXUINT;

  g_signal_connect_swapped (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Elapsed and CPU time of each run"),
                                  -1);
}

GtkWidget *
lab_comparison_chart_new (void)
{
  return g_object_new (LAB_TYPE_COMPARISON_CHART, NULL);
}

void
lab_comparison_chart_set_runs (LabComparisonChart *self,
                               GListModel         *runs)
{
  g_return_if_fail (LAB_IS_COMPARISON_CHART (self));
  g_return_if_fail (runs == NULL || G_IS_LIST_MODEL (runs));

  if (runs == self->runs)
    return;
  if (self->runs != NULL)
    g_signal_handlers_disconnect_by_func (self->runs, items_changed_cb, self);
  g_set_object (&self->runs, runs);
  self->repeats_finished = G_MAXUINT;
  if (runs != NULL)
    g_signal_connect_object (runs, "items-changed", G_CALLBACK (items_changed_cb),
                             self, G_CONNECT_SWAPPED);
  watch_runs (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNS]);
}

GListModel *
lab_comparison_chart_get_runs (LabComparisonChart *self)
{
  g_return_val_if_fail (LAB_IS_COMPARISON_CHART (self), NULL);
  return self->runs;
}

void
lab_comparison_chart_set_selected (LabComparisonChart *self,
                                   guint               position)
{
  g_return_if_fail (LAB_IS_COMPARISON_CHART (self));

  if (self->selected == position)
    return;
  self->selected = position;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

guint
lab_comparison_chart_get_selected (LabComparisonChart *self)
{
  g_return_val_if_fail (LAB_IS_COMPARISON_CHART (self), GTK_INVALID_LIST_POSITION);
  return self->selected;
}
