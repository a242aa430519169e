/* lab-timeline.c — a Gantt chart of a run: one lane per worker, one bar per job
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lanes are found incrementally on LabRun::progress (at most ~30 Hz). A
 * frame walks the started jobs once and merges bars closer than a pixel
 * in the same row, so 20 000 tiny jobs make a few hundred rectangles.
 */
#define G_LOG_DOMAIN "lab-timeline"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lab-chart-util.h"
#include "lab-timeline.h"

#define LANE_HEIGHT      24
#define MIN_LANE_HEIGHT  12   /* below this, lanes lose their labels */
#define LANE_GAP         4
#define LABEL_PAD        12
#define NO_LANE          G_MAXUINT
#define MAX_LABELLED_LANES 256
#define MAX_NATURAL_LANES  100
/* Jobs looked at past the first one not started, per progress signal. */
#define SCAN_WINDOW      4096
/* LabRun::progress comes when jobs end; running bars grow on this tick,
 * at idle priority: progress signals and frames come first. */
#define TICK_MS          33

typedef struct {
  gint64  worker;
  char   *label;
} Lane;

/* One bar being merged with its neighbours, per pixel row. */
typedef struct {
  double x0, x1;
  int    state;
} PendingBar;

struct _LabTimeline
{
  GtkWidget   parent_instance;

  LabRun     *run;
  gulong      progress_id;
  guint       tick_id;
  LabChartThrottle throttle;

  GArray     *lanes;         /* Lane */
  GHashTable *lane_of;       /* worker -> lane + 1 */
  guint      *job_lane;      /* per job, NO_LANE until started */
  guint       scan_from;     /* jobs before this one are all final */
  guint       n_bars;
  guint       described_lanes;
  int         label_width;
};

enum {
  PROP_0,
  PROP_RUN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LabTimeline, lab_timeline, GTK_TYPE_WIDGET)

static void
lane_clear (Lane *lane)
{
  g_free (lane->label);
}

static void
reset_lanes (LabTimeline *self)
{
  g_array_set_size (self->lanes, 0);
  g_hash_table_remove_all (self->lane_of);
  g_clear_pointer (&self->job_lane, g_free);
  self->scan_from = 0;
  self->n_bars = 0;
  self->described_lanes = G_MAXUINT;
  self->label_width = 0;
}

static guint
intern_lane (LabTimeline *self,
             gint64       worker)
{
  gpointer found = g_hash_table_lookup (self->lane_of, GSIZE_TO_POINTER ((gsize) worker));
  Lane lane;

  if (found != NULL)
    return GPOINTER_TO_UINT (found) - 1;

  lane.worker = worker;
  lane.label = lab_run_describe_worker (self->run, worker);
  /* Past a few hundred lanes they are too thin for labels anyway. */
  if (self->lanes->len < MAX_LABELLED_LANES)
    self->label_width = MAX (self->label_width,
                             lab_chart_text_width (GTK_WIDGET (self), lane.label));
  g_array_append_val (self->lanes, lane);
  g_hash_table_insert (self->lane_of, GSIZE_TO_POINTER ((gsize) worker),
                       GUINT_TO_POINTER (self->lanes->len));
  return self->lanes->len - 1;
}

static gboolean
note_job (LabTimeline *self,
          guint        index)
{
  const LabJobResult *job = lab_run_get_job (self->run, index);
  int state = g_atomic_int_get (&job->state);

  if (state == LAB_JOB_PENDING)
    return FALSE;
  if (self->job_lane[index] == NO_LANE)
    {
      self->job_lane[index] = intern_lane (self, job->worker);
      self->n_bars++;
    }
  return state >= LAB_JOB_OK;
}

/* What a screen reader says of the chart: how many workers ran jobs. */
static void
describe_lanes (LabTimeline *self)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u worker ran jobs",
                                       "%u workers ran jobs", self->lanes->len),
                          self->lanes->len);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                  -1);
  self->described_lanes = self->lanes->len;
}

/* Gives every newly started job its lane. */
static void
scan_jobs (LabTimeline *self)
{
  guint n_jobs = lab_run_get_n_jobs (self->run);
  guint lanes_before = self->lanes->len;
  int label_width_before = self->label_width;
  guint end;

  if (self->job_lane == NULL)
    {
      self->job_lane = g_new (guint, MAX (n_jobs, 1));
      memset (self->job_lane, 0xff, sizeof (guint) * MAX (n_jobs, 1));
    }

  while (self->scan_from < n_jobs && note_job (self, self->scan_from))
    self->scan_from++;
  end = MIN (n_jobs, self->scan_from + SCAN_WINDOW);
  for (guint i = self->scan_from; i < end; i++)
    note_job (self, i);

  /* The natural height stops growing at MAX_NATURAL_LANES: past that a
   * new lane is only a redraw, not a new layout of the window. */
  if (MIN (self->lanes->len, MAX_NATURAL_LANES) != MIN (lanes_before, MAX_NATURAL_LANES) ||
      self->label_width != label_width_before)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  if (self->lanes->len != self->described_lanes &&
      lab_run_get_state (self->run) >= LAB_RUN_FINISHED)
    describe_lanes (self);
}

static void
progress_cb (LabTimeline *self,
             LabRun      *run)
{
  scan_jobs (self);
  lab_chart_throttle_queue_draw (&self->throttle, GTK_WIDGET (self));
}

static gboolean
tick_cb (gpointer data)
{
  LabTimeline *self = data;

  progress_cb (self, self->run);
  if (lab_run_get_state (self->run) < LAB_RUN_FINISHED)
    return G_SOURCE_CONTINUE;
  self->tick_id = 0;
  return G_SOURCE_REMOVE;
}

typedef struct {
  graphene_rect_t plot;
  double          t1;          /* seconds at the right edge */
  double          lane_height;
  guint           n_rows;
} Layout;

static void
compute_layout (LabTimeline *self,
                Layout      *layout)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int axis = lab_chart_line_height (widget) + 6;
  double left = 0, plot_height = MAX (1, height - axis);
  double elapsed = lab_run_get_elapsed_ns (self->run) / 1e9;
  guint n_lanes = MAX (self->lanes->len, 1);

  layout->lane_height = MIN (LANE_HEIGHT, plot_height / n_lanes);
  if (layout->lane_height >= MIN_LANE_HEIGHT)
    left = self->label_width + LABEL_PAD;
  layout->n_rows = (guint) MIN (n_lanes, MAX (1, floor (plot_height)));
  layout->plot = GRAPHENE_RECT_INIT (left, 0, MAX (1, width - left - 8),
                                     layout->lane_height * n_lanes);
  layout->t1 = MAX (elapsed, 0.001);
}

static void
lab_timeline_snapshot_lanes (LabTimeline  *self,
                             GtkSnapshot  *snapshot,
                             const Layout *layout)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double text_y = (layout->lane_height - lab_chart_line_height (widget)) / 2;
  GdkRGBA fg, stripe;

  if (layout->lane_height < MIN_LANE_HEIGHT)
    return;

  lab_chart_get_foreground (widget, &fg);
  lab_chart_with_alpha (&fg, 0.04, &stripe);

  for (guint i = 0; i < self->lanes->len; i++)
    {
      const Lane *lane = &g_array_index (self->lanes, Lane, i);
      double y = layout->plot.origin.y + i * layout->lane_height;

      if (i % 2 == 1)
        gtk_snapshot_append_color (snapshot, &stripe,
                                   &GRAPHENE_RECT_INIT (0, y, gtk_widget_get_width (widget),
                                                        layout->lane_height));
      lab_chart_append_text (widget, snapshot, lane->label,
                             layout->plot.origin.x - LABEL_PAD / 2, y + text_y, 1, &fg);
    }
}

/* Draws bars row by row: a bar wide enough to see stands alone with a
 * pixel of gap after it, so back-to-back jobs stay apart; narrower ones
 * merge with their neighbours into one rectangle. */
typedef struct {
  GtkSnapshot *snapshot;
  GdkRGBA      colors[LAB_JOB_FAILED + 1];
  PendingBar  *rows;
  double       row_height;
  double       gap;
} BarPainter;

#define WIDE_BAR 3.0

static void
paint_rect (BarPainter *painter,
            guint       row,
            double      x0,
            double      x1,
            int         state)
{
  gtk_snapshot_append_color (painter->snapshot, &painter->colors[state],
                             &GRAPHENE_RECT_INIT (x0, row * painter->row_height + painter->gap / 2,
                                                  MAX (1, x1 - x0),
                                                  MAX (1, painter->row_height - painter->gap)));
}

static void
flush_row (BarPainter *painter,
           guint       row)
{
  PendingBar *bar = &painter->rows[row];

  if (bar->state != LAB_JOB_PENDING)
    paint_rect (painter, row, bar->x0, bar->x1, bar->state);
  bar->state = LAB_JOB_PENDING;
}

static void
paint_bar (BarPainter *painter,
           guint       row,
           double      x0,
           double      x1,
           int         state)
{
  PendingBar *bar = &painter->rows[row];

  if (x1 - x0 >= WIDE_BAR)
    {
      paint_rect (painter, row, x0, x1 - 1, state);
      return;
    }
  if (bar->state == state && x0 <= bar->x1 + 1 && x1 >= bar->x0 - 1)
    {
      bar->x0 = MIN (bar->x0, x0);
      bar->x1 = MAX (bar->x1, x1);
      return;
    }
  flush_row (painter, row);
  *bar = (PendingBar) { x0, x1, state };
}

static void
lab_timeline_snapshot_bars (LabTimeline  *self,
                            GtkSnapshot  *snapshot,
                            const Layout *layout)
{
  g_autofree PendingBar *rows = g_new0 (PendingBar, layout->n_rows);
  BarPainter painter = {
    .snapshot = snapshot,
    .rows = rows,
    .row_height = layout->plot.size.height / layout->n_rows,
    .gap = layout->lane_height >= MIN_LANE_HEIGHT ? LANE_GAP : 0,
  };
  double scale = layout->plot.size.width / (layout->t1 * 1e9);
  gint64 now_ns = lab_run_get_elapsed_ns (self->run);
  guint n_jobs = lab_run_get_n_jobs (self->run);

  lab_chart_lookup_color (GTK_WIDGET (self), "lab_job_running", "accent_bg_color", 0.5, &painter.colors[LAB_JOB_RUNNING]);
  lab_chart_lookup_color (GTK_WIDGET (self), "lab_job_ok", "success_bg_color", 0.8, &painter.colors[LAB_JOB_OK]);
  lab_chart_lookup_color (GTK_WIDGET (self), "lab_job_failed", "error_bg_color", 1.0, &painter.colors[LAB_JOB_FAILED]);

  for (guint i = 0; i < n_jobs && self->job_lane != NULL; i++)
    {
      const LabJobResult *job = lab_run_get_job (self->run, i);
      int state = g_atomic_int_get (&job->state);
      guint lane = self->job_lane[i];

      if (state == LAB_JOB_PENDING || lane == NO_LANE)
        continue;
      paint_bar (&painter, lane * layout->n_rows / self->lanes->len,
                 layout->plot.origin.x + job->start_ns * scale,
                 layout->plot.origin.x + (state == LAB_JOB_RUNNING ? now_ns : job->end_ns) * scale,
                 state);
    }

  for (guint r = 0; r < layout->n_rows; r++)
    flush_row (&painter, r);
}

static void
lab_timeline_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  LabTimeline *self = LAB_TIMELINE (widget);
  Layout layout;

  if (self->run == NULL || self->lanes->len == 0)
    return;

  compute_layout (self, &layout);
  lab_timeline_snapshot_lanes (self, snapshot, &layout);
  gtk_snapshot_push_clip (snapshot, &layout.plot);
  lab_timeline_snapshot_bars (self, snapshot, &layout);
  gtk_snapshot_pop (snapshot);
  lab_chart_append_time_axis (widget, snapshot, &layout.plot, 0, layout.t1);
}

static void
lab_timeline_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  LabTimeline *self = LAB_TIMELINE (widget);
  int axis = lab_chart_line_height (widget) + 6;
  guint n_lanes = MAX (self->lanes->len, 1);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 600;
    }
  else
    {
      /* Past a hundred lanes they shrink rather than grow the window. */
      *minimum = axis + MIN_LANE_HEIGHT * MIN (n_lanes, 4);
      *natural = axis + LANE_HEIGHT * MIN (n_lanes, MAX_NATURAL_LANES);
    }
}

static guint
lane_at (LabTimeline  *self,
         const Layout *layout,
         double        y)
{
  double lane = (y - layout->plot.origin.y) / layout->lane_height;

  if (lane < 0 || lane >= self->lanes->len)
    return NO_LANE;
  return (guint) lane;
}

/* The job of @lane under @x, or the nearest within a few pixels. */
static guint
job_at (LabTimeline  *self,
        const Layout *layout,
        guint         lane,
        double        x)
{
  double scale = layout->plot.size.width / (layout->t1 * 1e9);
  gint64 now_ns = lab_run_get_elapsed_ns (self->run);
  double best = 4;
  guint found = G_MAXUINT;

  for (guint i = 0; i < lab_run_get_n_jobs (self->run); i++)
    {
      const LabJobResult *job = lab_run_get_job (self->run, i);
      int state = g_atomic_int_get (&job->state);
      double x0, x1, distance;

      if (state == LAB_JOB_PENDING || self->job_lane[i] != lane)
        continue;
      x0 = layout->plot.origin.x + job->start_ns * scale;
      x1 = layout->plot.origin.x + (state == LAB_JOB_RUNNING ? now_ns : job->end_ns) * scale;
      distance = x < x0 ? x0 - x : x > x1 ? x - x1 : 0;
      if (distance < best)
        best = distance, found = i;
    }
  return found;
}

static gboolean
query_tooltip_cb (LabTimeline *self,
                  int          x,
                  int          y,
                  gboolean     keyboard,
                  GtkTooltip  *tooltip)
{
  g_autofree char *text = NULL;
  Layout layout;
  guint lane, index;

  if (self->run == NULL || self->lanes->len == 0 || keyboard)
    return FALSE;
  compute_layout (self, &layout);
  if ((lane = lane_at (self, &layout, y)) == NO_LANE ||
      (index = job_at (self, &layout, lane, x)) == G_MAXUINT)
    return FALSE;

  text = lab_timeline_describe_job (self, index);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
lab_timeline_dispose (GObject *object)
{
  LabTimeline *self = (LabTimeline *) object;

  lab_timeline_set_run (self, NULL);
  lab_chart_throttle_clear (&self->throttle, GTK_WIDGET (self));

  G_OBJECT_CLASS (lab_timeline_parent_class)->dispose (object);
}

static void
lab_timeline_finalize (GObject *object)
{
  LabTimeline *self = (LabTimeline *) object;

  g_clear_pointer (&self->lanes, g_array_unref);
  g_clear_pointer (&self->lane_of, g_hash_table_unref);
  g_free (self->job_lane);

  G_OBJECT_CLASS (lab_timeline_parent_class)->finalize (object);
}

static void
lab_timeline_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LabTimeline *self = LAB_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_RUN:
      g_value_set_object (value, self->run);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_timeline_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LabTimeline *self = LAB_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_RUN:
      lab_timeline_set_run (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_timeline_class_init (LabTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_timeline_dispose;
  object_class->finalize = lab_timeline_finalize;
  object_class->get_property = lab_timeline_get_property;
  object_class->set_property = lab_timeline_set_property;

  widget_class->snapshot = lab_timeline_snapshot;
  widget_class->measure = lab_timeline_measure;

  properties[PROP_RUN] =
    g_param_spec_object ("run", NULL, NULL, LAB_TYPE_RUN,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "labtimeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lab_timeline_init (LabTimeline *self)
{
  self->lanes = g_array_new (FALSE, FALSE, sizeof (Lane));
  g_array_set_clear_func (self->lanes, (GDestroyNotify) lane_clear);
  self->lane_of = g_hash_table_new (NULL, NULL);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Timeline of the jobs"),
                                  -1);
}

GtkWidget *
lab_timeline_new (void)
{
  return g_object_new (LAB_TYPE_TIMELINE, NULL);
}

void
lab_timeline_set_run (LabTimeline *self,
                      LabRun      *run)
{
  g_return_if_fail (LAB_IS_TIMELINE (self));
  g_return_if_fail (run == NULL || LAB_IS_RUN (run));

  if (run == self->run)
    return;

  if (self->run != NULL)
    g_clear_signal_handler (&self->progress_id, self->run);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  reset_lanes (self);
  g_set_object (&self->run, run);
  if (run != NULL)
    {
      self->progress_id = g_signal_connect_object (run, "progress", G_CALLBACK (progress_cb),
                                                   self, G_CONNECT_SWAPPED);
      scan_jobs (self);
      describe_lanes (self);
      if (lab_run_get_state (run) < LAB_RUN_FINISHED)
        self->tick_id = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, TICK_MS, tick_cb, self, NULL);
    }

  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN]);
}

LabRun *
lab_timeline_get_run (LabTimeline *self)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), NULL);
  return self->run;
}

guint
lab_timeline_get_n_lanes (LabTimeline *self)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), 0);
  return self->lanes->len;
}

guint
lab_timeline_get_n_bars (LabTimeline *self)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), 0);
  return self->n_bars;
}

static void
append_job_figures (GString            *text,
                    const LabJobResult *job,
                    int                 state)
{
  if (state == LAB_JOB_RUNNING)
    {
      g_string_append_printf (text, _("Started at %.3f s, still running"), job->start_ns / 1e9);
      return;
    }
  g_string_append_printf (text, _("%.3f s to %.3f s (%.3f s)"),
                          job->start_ns / 1e9, job->end_ns / 1e9,
                          (job->end_ns - job->start_ns) / 1e9);
  g_string_append_printf (text, "\n%s %.3f s", _("CPU"), job->cpu_ns / 1e9);
  if (job->bytes > 0)
    {
      g_autofree char *size = g_format_size (job->bytes);
      g_string_append_printf (text, "\n%s", size);
    }
  if (job->status != 0)
    g_string_append_printf (text, "\n%s %d", _("Status"), job->status);
  if (state == LAB_JOB_FAILED && job->error != NULL)
    g_string_append_printf (text, "\n%s", job->error);
}

/**
 * lab_timeline_describe_job:
 *
 * The tooltip of a job's bar: what ran where, when, and how it ended.
 *
 * Returns: (transfer full) (nullable): %NULL while the job waits
 */
char *
lab_timeline_describe_job (LabTimeline *self,
                           guint        index)
{
  const LabJobResult *job;
  g_autofree char *worker = NULL;
  GString *text;
  int state;

  g_return_val_if_fail (LAB_IS_TIMELINE (self), NULL);
  g_return_val_if_fail (self->run != NULL, NULL);
  g_return_val_if_fail (index < lab_run_get_n_jobs (self->run), NULL);

  job = lab_run_get_job (self->run, index);
  if ((state = g_atomic_int_get (&job->state)) == LAB_JOB_PENDING)
    return NULL;

  worker = lab_run_describe_worker (self->run, job->worker);
  text = g_string_new (NULL);
  /* Translators: "Job 3 · thread 1234" */
  g_string_append_printf (text, _("Job %u · %s"), index + 1, worker);
  g_string_append_c (text, '\n');
  append_job_figures (text, job, state);
  return g_string_free (text, FALSE);
}
