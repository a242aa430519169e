/* lab-timeline.c — a Gantt chart of a run: one lane per worker, one bar per job
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each lane is one of the run's workers (a pool's thread or process, a
 * slot of `threads`, `processes` or `async`), as the engine records it.
 * Besides the jobs' bars, it draws what the run paid around them, in the
 * colours of the "Where the Time Went" chart: workers starting (a process
 * pool's start-up, a fork per job), and jobs handed over (in a pipe, a
 * result on its way back). A frame walks the jobs once and merges bars
 * closer than a pixel in the same row, so 20 000 tiny jobs make a few
 * hundred rectangles. Past LANES_SHOWN lanes, lanes shrink instead of
 * growing the window, so the time axis always stays in view.
 */
#define G_LOG_DOMAIN "lab-timeline"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lab-breakdown.h"
#include "lab-breakdown-chart.h"
#include "lab-chart-util.h"
#include "lab-cpu-chart.h"
#include "lab-timeline.h"

#define LANE_HEIGHT      24
#define MIN_LANE_HEIGHT  12   /* below this, lanes lose their labels */
#define LANE_GAP         4
#define LABEL_PAD        12
#define LANES_SHOWN      16   /* at full height; more lanes shrink to fit */
#define MIN_SEGMENT      1.0  /* pixels: thinner segments are not drawn */
#define SWATCH           8    /* a lane's colour in the CPU chart */
/* LabRun::progress comes as jobs start and end; running bars grow on
 * this tick, at idle priority: progress signals and frames come first. */
#define TICK_MS          33

typedef struct {
  gint64  id;      /* the one worker seen on the lane, or 0 */
  gboolean mixed;  /* several workers took turns on it */
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
  LabCpuHistory *history;    /* the run's CPU samples: lanes take its colours */
  gulong      progress_id;
  guint       tick_id;
  LabChartThrottle throttle;
  double      hover_time;

  GArray     *lanes;         /* Lane */
  guint       n_bars;
  guint       n_phased;      /* bars drawn with their two phases */
  guint       n_segments[LAB_N_PARTS];   /* drawn, by part */
  int         label_width;
};

enum {
  PROP_0,
  PROP_RUN,
  PROP_HOVER_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LabTimeline, lab_timeline, GTK_TYPE_WIDGET)

static void
lane_clear (Lane *lane)
{
  g_free (lane->label);
}

static Lane *
lane_at_index (LabTimeline *self,
               guint        lane)
{
  if (lane >= self->lanes->len)
    g_array_set_size (self->lanes, lane + 1);
  return &g_array_index (self->lanes, Lane, lane);
}

static void
note_worker (Lane   *lane,
             gint64  id)
{
  if (id <= 0)
    return;
  if (lane->id == 0)
    lane->id = id;
  else if (lane->id != id)
    lane->mixed = TRUE;
}

/* "thread 1234" for a lane one worker had; "slot 3" for one that
 * threads or processes made per job took in turns. */
static void
label_lanes (LabTimeline *self)
{
  int width = 0;

  for (guint i = 0; i < self->lanes->len; i++)
    {
      Lane *lane = &g_array_index (self->lanes, Lane, i);

      g_free (lane->label);
      if (lane->mixed || lane->id == 0)
        /* Translators: a lane of the timeline that several workers took in turns */
        lane->label = g_strdup_printf (_("slot %u"), i + 1);
      else
        lane->label = lab_run_describe_worker (self->run, lane->id);
      if (i < 4 * LANES_SHOWN)
        width = MAX (width, lab_chart_text_width (GTK_WIDGET (self), lane->label));
    }
  self->label_width = width;
}

/* Lanes and their workers, from the run's records as of now. */
static void
scan_run (LabTimeline *self)
{
  guint n_lanes = self->lanes->len;
  guint n_jobs = lab_run_get_n_jobs (self->run);

  g_array_set_size (self->lanes, 0);
  self->n_bars = 0;
  lane_at_index (self, MAX (lab_run_get_workers (self->run), 1) - 1);
  for (guint i = 0; i < lab_run_get_n_worker_records (self->run); i++)
    {
      const LabWorkerRecord *w = lab_run_get_worker_record (self->run, i);

      if (w->lane != LAB_LANE_ALL)
        note_worker (lane_at_index (self, w->lane), w->id);
    }
  for (guint i = 0; lab_run_has_jobs (self->run) && i < n_jobs; i++)
    {
      const LabJobRecord *job = lab_run_get_job (self->run, i);

      if (job->state == LAB_JOB_PENDING)
        continue;
      self->n_bars++;
      note_worker (lane_at_index (self, job->lane), job->worker);
    }
  label_lanes (self);
  if (self->lanes->len != n_lanes)
    gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* What a screen reader says of the chart: how many workers ran jobs. */
static void
describe_lanes (LabTimeline *self)
{
  g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u worker ran jobs",
                                                        "%u workers ran jobs", self->lanes->len),
                                           self->lanes->len);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static void
progress_cb (LabTimeline *self,
             LabRun      *run)
{
  scan_run (self);
  if (lab_run_get_state (run) >= LAB_RUN_FINISHED)
    describe_lanes (self);
  lab_chart_throttle_queue_draw (&self->throttle, GTK_WIDGET (self));
}

static gboolean
tick_cb (gpointer data)
{
  LabTimeline *self = data;

  lab_chart_throttle_queue_draw (&self->throttle, GTK_WIDGET (self));
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
  double          scale;       /* pixels per nanosecond */
  gboolean        labels;
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
  layout->labels = layout->lane_height >= MIN_LANE_HEIGHT;
  /* Thin lanes are named by their tooltips; the column says how many. */
  left = (layout->labels ? self->label_width + SWATCH + 4 : lab_chart_text_width (widget, _("256 workers"))) + LABEL_PAD;
  layout->n_rows = (guint) MIN (n_lanes, MAX (1, floor (plot_height)));
  layout->plot = GRAPHENE_RECT_INIT (left, 0, MAX (1, width - left - 8), layout->lane_height * n_lanes);
  layout->t1 = MAX (elapsed, 0.001);
  layout->scale = layout->plot.size.width / (layout->t1 * 1e9);
}

static void
lab_timeline_snapshot_lanes (LabTimeline  *self,
                             GtkSnapshot  *snapshot,
                             const Layout *layout)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double text_y = (layout->lane_height - lab_chart_line_height (widget)) / 2;
  GdkRGBA fg, stripe;

  lab_chart_get_foreground (widget, &fg);
  lab_chart_with_alpha (&fg, 0.04, &stripe);

  if (!layout->labels)
    {
      g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u worker", "%u workers",
                                                             self->lanes->len), self->lanes->len);
      lab_chart_append_text (widget, snapshot, count, layout->plot.origin.x - LABEL_PAD / 2,
                             layout->plot.size.height / 2 - lab_chart_line_height (widget) / 2, 1, &fg);
      return;
    }

  for (guint i = 0; i < self->lanes->len; i++)
    {
      const Lane *lane = &g_array_index (self->lanes, Lane, i);
      double y = layout->plot.origin.y + i * layout->lane_height;

      GdkRGBA swatch;

      if (i % 2 == 1)
        gtk_snapshot_append_color (snapshot, &stripe,
                                   &GRAPHENE_RECT_INIT (0, y, gtk_widget_get_width (widget), layout->lane_height));
      lab_chart_append_text (widget, snapshot, lane->label, layout->plot.origin.x - LABEL_PAD / 2, y + text_y, 1, &fg);
      /* The same colour as the worker's band in the CPU chart. */
      if (!lane->mixed && lab_cpu_chart_worker_color (widget, self->history, lane->id, &swatch))
        gtk_snapshot_append_color (snapshot, &swatch,
                                   &GRAPHENE_RECT_INIT (2, y + (layout->lane_height - SWATCH) / 2, SWATCH, SWATCH));
    }
}

/* Draws bars row by row: a bar wide enough to see stands alone with a
 * pixel of gap after it, so back-to-back jobs stay apart; narrower ones
 * merge with their neighbours into one rectangle. */
typedef struct {
  GtkSnapshot *snapshot;
  GdkRGBA      colors[LAB_JOB_FAILED + 1];
  GdkRGBA      first_phase;   /* a pipeline job's download, before its blur */
  guint        n_phased;
  GdkRGBA      parts[LAB_N_PARTS];
  PendingBar  *rows;
  double       row_height;
  double       gap;
  guint        n_segments[LAB_N_PARTS];
} BarPainter;

#define WIDE_BAR 3.0

static void
paint_rect (BarPainter    *painter,
            guint          row,
            double         x0,
            double         x1,
            const GdkRGBA *color)
{
  gtk_snapshot_append_color (painter->snapshot, color,
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
    paint_rect (painter, row, bar->x0, bar->x1, &painter->colors[bar->state]);
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
      paint_rect (painter, row, x0, x1 - 1, &painter->colors[state]);
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

/* A start-up or hand-over stretch, when it is wide enough to see. */
static void
paint_segment (BarPainter *painter,
               guint       row,
               double      x0,
               double      x1,
               LabPart     part)
{
  if (x1 - x0 < MIN_SEGMENT)
    return;
  paint_rect (painter, row, x0, x1, &painter->parts[part]);
  painter->n_segments[part]++;
}

static guint
row_of (const Layout *layout,
        guint         lane,
        guint         n_lanes)
{
  return (guint) ((guint64) lane * layout->n_rows / MAX (n_lanes, 1));
}

/* Workers starting: each lane's own, and those of every lane. */
static void
paint_workers (LabTimeline  *self,
               BarPainter   *painter,
               const Layout *layout)
{
  double x0 = layout->plot.origin.x;
  gint64 now = lab_run_get_elapsed_ns (self->run);

  for (guint i = 0; i < lab_run_get_n_worker_records (self->run); i++)
    {
      const LabWorkerRecord *w = lab_run_get_worker_record (self->run, i);
      gint64 ready = w->ready_ns >= 0 ? w->ready_ns : now;

      for (guint lane = 0; lane < self->lanes->len; lane++)
        if (w->lane == lane || w->lane == LAB_LANE_ALL)
          paint_segment (painter, row_of (layout, lane, self->lanes->len),
                         x0 + w->begin_ns * layout->scale, x0 + ready * layout->scale, LAB_PART_START);
    }
}

/* A job's hand-over before and after it ran: in a queue or a pipe, or
 * for a thread or process of its own, its start and its end. */
static void
paint_handover (BarPainter         *painter,
                const Layout       *layout,
                guint               row,
                const LabJobRecord *job,
                gboolean            per_job)
{
  double x0 = layout->plot.origin.x;

  paint_segment (painter, row, x0 + job->dispatch_ns * layout->scale, x0 + job->start_ns * layout->scale,
                 per_job ? LAB_PART_START : LAB_PART_TRANSFER);
  if (job->state >= LAB_JOB_OK)
    paint_segment (painter, row, x0 + job->end_ns * layout->scale, x0 + job->back_ns * layout->scale,
                   per_job ? LAB_PART_STOP : LAB_PART_TRANSFER);
}

/* A job of two phases (a pipeline's download, then its blur): the first
 * over the bar, in its own colour, when the bar is wide enough to show it. */
static void
paint_first_phase (BarPainter         *painter,
                   const Layout       *layout,
                   guint               row,
                   const LabJobRecord *job)
{
  gint64 phase = lab_job_record_get_phase (job);
  double x0 = layout->plot.origin.x + job->start_ns * layout->scale;
  double x1 = layout->plot.origin.x + job->end_ns * layout->scale;

  if (phase < 0 || job->state != LAB_JOB_OK || x1 - x0 < WIDE_BAR)
    return;
  paint_rect (painter, row, x0, MIN (x1 - 1, layout->plot.origin.x + phase * layout->scale), &painter->first_phase);
  painter->n_phased++;
}

static void
load_colors (LabTimeline *self,
             BarPainter  *painter)
{
  GtkWidget *widget = GTK_WIDGET (self);

  lab_chart_lookup_color (widget, "lab_job_running", "accent_bg_color", 0.5, &painter->colors[LAB_JOB_RUNNING]);
  lab_chart_lookup_color (widget, "lab_job_ok", "success_bg_color", 0.8, &painter->colors[LAB_JOB_OK]);
  lab_chart_lookup_color (widget, "lab_job_first_phase", "accent_bg_color", 0.55, &painter->first_phase);
  lab_chart_lookup_color (widget, "lab_job_failed", "error_bg_color", 1.0, &painter->colors[LAB_JOB_FAILED]);
  for (guint p = 0; p < LAB_N_PARTS; p++)
    lab_breakdown_part_color (widget, p, &painter->parts[p]);
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
    .gap = layout->labels ? LANE_GAP : 0,
  };
  gboolean per_job = lab_run_get_config (self->run)->strategy->worker_per_job;
  gint64 now_ns = lab_run_get_elapsed_ns (self->run);
  guint n_jobs = lab_run_has_jobs (self->run) ? lab_run_get_n_jobs (self->run) : 0;

  load_colors (self, &painter);
  paint_workers (self, &painter, layout);
  for (guint i = 0; i < n_jobs; i++)
    {
      const LabJobRecord *job = lab_run_get_job (self->run, i);
      guint row;

      if (job->state == LAB_JOB_PENDING)
        continue;
      row = row_of (layout, job->lane, self->lanes->len);
      paint_handover (&painter, layout, row, job, per_job);
      paint_bar (&painter, row,
                 layout->plot.origin.x + job->start_ns * layout->scale,
                 layout->plot.origin.x + (job->state == LAB_JOB_RUNNING ? now_ns : job->end_ns) * layout->scale,
                 job->state);
      paint_first_phase (&painter, layout, row, job);
    }

  for (guint r = 0; r < layout->n_rows; r++)
    flush_row (&painter, r);
  memcpy (self->n_segments, painter.n_segments, sizeof self->n_segments);
  self->n_phased = painter.n_phased;
}

static void
snapshot_hover (LabTimeline  *self,
                GtkSnapshot  *snapshot,
                const Layout *layout)
{
  GdkRGBA fg;
  double x;

  if (self->hover_time < 0 || self->hover_time > layout->t1)
    return;
  lab_chart_get_foreground (GTK_WIDGET (self), &fg);
  lab_chart_with_alpha (&fg, 0.6, &fg);
  x = layout->plot.origin.x + self->hover_time * 1e9 * layout->scale;
  gtk_snapshot_append_color (snapshot, &fg, &GRAPHENE_RECT_INIT (x, 0, 1, layout->plot.size.height));
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
  snapshot_hover (self, snapshot, &layout);
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
      /* Past LANES_SHOWN lanes they shrink rather than grow the window. */
      *minimum = axis + MIN_LANE_HEIGHT * MIN (n_lanes, 4);
      *natural = axis + LANE_HEIGHT * MIN (n_lanes, LANES_SHOWN);
    }
}

static guint
lane_under (LabTimeline  *self,
            const Layout *layout,
            double        y)
{
  double lane = (y - layout->plot.origin.y) / layout->lane_height;

  if (lane < 0 || lane >= self->lanes->len)
    return G_MAXUINT;
  return (guint) lane;
}

/* The job of @lane under @x, or the nearest within a few pixels. */
static guint
job_at (LabTimeline  *self,
        const Layout *layout,
        guint         lane,
        double        x)
{
  gint64 now_ns = lab_run_get_elapsed_ns (self->run);
  double best = 4;
  guint found = G_MAXUINT;

  for (guint i = 0; lab_run_has_jobs (self->run) && i < lab_run_get_n_jobs (self->run); i++)
    {
      const LabJobRecord *job = lab_run_get_job (self->run, i);
      double x0, x1, distance;

      if (job->state == LAB_JOB_PENDING || job->lane != lane)
        continue;
      x0 = layout->plot.origin.x + job->dispatch_ns * layout->scale;
      x1 = layout->plot.origin.x + (job->state == LAB_JOB_RUNNING ? now_ns : job->back_ns) * layout->scale;
      distance = x < x0 ? x0 - x : x > x1 ? x - x1 : 0;
      if (distance < best)
        best = distance, found = i;
    }
  return found;
}

/* The worker starting on @lane at @x, if any. */
static char *
describe_start_at (LabTimeline  *self,
                   const Layout *layout,
                   guint         lane,
                   double        x)
{
  gint64 t = (x - layout->plot.origin.x) / layout->scale;

  for (guint i = 0; i < lab_run_get_n_worker_records (self->run); i++)
    {
      const LabWorkerRecord *w = lab_run_get_worker_record (self->run, i);
      g_autofree char *who = NULL;

      if ((w->lane != lane && w->lane != LAB_LANE_ALL) || t < w->begin_ns || w->ready_ns < 0 || t > w->ready_ns)
        continue;
      who = w->id > 0 ? lab_run_describe_worker (self->run, w->id) : g_strdup (_("a worker"));
      /* Translators: "process 1234 starting: 0.012 s to 0.310 s" */
      return g_strdup_printf (_("%s starting: %.3f s to %.3f s"), who, w->begin_ns / 1e9, w->ready_ns / 1e9);
    }
  return NULL;
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
  if ((lane = lane_under (self, &layout, y)) == G_MAXUINT)
    return FALSE;
  if ((index = job_at (self, &layout, lane, x)) != G_MAXUINT)
    text = lab_timeline_describe_job (self, index);
  else
    text = describe_start_at (self, &layout, lane, x);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* The pointer's time, for the chart below to draw the same line. */
static void
motion_cb (LabTimeline *self,
           double       x,
           double       y)
{
  Layout layout;

  if (self->run == NULL || self->lanes->len == 0)
    return;
  compute_layout (self, &layout);
  lab_timeline_set_hover_time (self, x < layout.plot.origin.x ? -1 : (x - layout.plot.origin.x) / layout.scale / 1e9);
}

static void
leave_cb (LabTimeline *self)
{
  lab_timeline_set_hover_time (self, -1);
}

static void
lab_timeline_dispose (GObject *object)
{
  LabTimeline *self = (LabTimeline *) object;

  lab_timeline_set_run (self, NULL);
  g_clear_pointer (&self->history, lab_cpu_history_unref);
  lab_chart_throttle_clear (&self->throttle, GTK_WIDGET (self));

  G_OBJECT_CLASS (lab_timeline_parent_class)->dispose (object);
}

static void
lab_timeline_finalize (GObject *object)
{
  LabTimeline *self = (LabTimeline *) object;

  g_clear_pointer (&self->lanes, g_array_unref);

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
    case PROP_HOVER_TIME:
      g_value_set_double (value, self->hover_time);
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
    case PROP_HOVER_TIME:
      lab_timeline_set_hover_time (self, g_value_get_double (value));
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
  properties[PROP_HOVER_TIME] =
    g_param_spec_double ("hover-time", NULL, NULL, -1, G_MAXDOUBLE, -1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "labtimeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lab_timeline_init (LabTimeline *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->lanes = g_array_new (FALSE, TRUE, sizeof (Lane));
  g_array_set_clear_func (self->lanes, (GDestroyNotify) lane_clear);
  self->hover_time = -1;

  g_signal_connect_swapped (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect_swapped (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
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
  g_array_set_size (self->lanes, 0);
  self->n_bars = self->n_phased = 0;
  memset (self->n_segments, 0, sizeof self->n_segments);
  g_set_object (&self->run, run);
  if (run != NULL)
    {
      self->progress_id = g_signal_connect_object (run, "progress", G_CALLBACK (progress_cb),
                                                   self, G_CONNECT_SWAPPED);
      scan_run (self);
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

/* @seconds: into the run, or -1 for no line */
void
lab_timeline_set_hover_time (LabTimeline *self,
                             double       seconds)
{
  g_return_if_fail (LAB_IS_TIMELINE (self));
  lab_chart_set_hover_time (GTK_WIDGET (self), &self->hover_time, seconds, properties[PROP_HOVER_TIME]);
}

double
lab_timeline_get_hover_time (LabTimeline *self)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), -1);
  return self->hover_time;
}

guint
lab_timeline_get_n_lanes (LabTimeline *self)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), 0);
  return self->lanes->len;
}

/* Bars drawn with their two phases (a pipeline's download and blur). */
guint
lab_timeline_get_n_phased (LabTimeline *self)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), 0);
  return self->n_phased;
}

guint
lab_timeline_get_n_bars (LabTimeline *self)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), 0);
  return self->n_bars;
}

/* Start-up and hand-over segments drawn in the last frame. */
guint
lab_timeline_get_n_segments (LabTimeline *self,
                             LabPart      part)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), 0);
  g_return_val_if_fail (part < LAB_N_PARTS, 0);
  return self->n_segments[part];
}

const char *
lab_timeline_get_lane_label (LabTimeline *self,
                             guint        lane)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), NULL);
  g_return_val_if_fail (lane < self->lanes->len, NULL);
  return g_array_index (self->lanes, Lane, lane).label;
}

static void
append_job_figures (GString            *text,
                    const LabTaskInfo  *task,
                    const LabJobRecord *job)
{
  if (job->state == LAB_JOB_RUNNING)
    {
      g_string_append_printf (text, _("Started at %.3f s, still running"), job->start_ns / 1e9);
      return;
    }
  g_string_append_printf (text, _("%.3f s to %.3f s (%.3f s)"),
                          job->start_ns / 1e9, job->end_ns / 1e9,
                          (job->end_ns - job->start_ns) / 1e9);
  if (job->start_ns > job->dispatch_ns || job->back_ns > job->end_ns)
    /* Translators: how long a job waited to start after it was handed
     * over, and for its result to come back */
    g_string_append_printf (text, _("\nHanded over %.3f s before it started, back %.3f s after it ended"),
                            (job->start_ns - job->dispatch_ns) / 1e9, (job->back_ns - job->end_ns) / 1e9);
  if (lab_job_record_get_phase (job) >= 0 && lab_task_info_get_phase (task, 1) != NULL)
    /* Translators: "download 0.300 s, then blur 0.120 s" */
    g_string_append_printf (text, _("\n%s %.3f s, then %s %.3f s"),
                            lab_task_info_get_phase (task, 0), (lab_job_record_get_phase (job) - job->start_ns) / 1e9,
                            lab_task_info_get_phase (task, 1), (job->end_ns - lab_job_record_get_phase (job)) / 1e9);
  g_string_append_printf (text, "\n%s %.3f s", _("CPU"), job->cpu_ns / 1e9);
  if (job->bytes > 0)
    {
      g_autofree char *size = g_format_size (job->bytes);
      g_string_append_printf (text, "\n%s", size);
    }
  if (job->status != 0)
    g_string_append_printf (text, "\n%s %d", _("Status"), job->status);
  if (job->state == LAB_JOB_FAILED && job->error != NULL)
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
  const LabJobRecord *job;
  g_autofree char *worker = NULL;
  GString *text;

  g_return_val_if_fail (LAB_IS_TIMELINE (self), NULL);
  g_return_val_if_fail (self->run != NULL && lab_run_has_jobs (self->run), NULL);
  g_return_val_if_fail (index < lab_run_get_n_jobs (self->run), NULL);

  job = lab_run_get_job (self->run, index);
  if (job->state == LAB_JOB_PENDING)
    return NULL;

  worker = lab_run_describe_worker (self->run, job->worker);
  text = g_string_new (NULL);
  /* Translators: "Job 3 · thread 1234" */
  g_string_append_printf (text, _("Job %u · %s"), index + 1, worker);
  g_string_append_c (text, '\n');
  append_job_figures (text, lab_run_get_config (self->run)->task, job);
  return g_string_free (text, FALSE);
}

/* @history: (nullable): the CPU samples of the run, for the lanes' colours */
void
lab_timeline_set_history (LabTimeline   *self,
                          LabCpuHistory *history)
{
  g_return_if_fail (LAB_IS_TIMELINE (self));

  if (history == self->history)
    return;
  g_clear_pointer (&self->history, lab_cpu_history_unref);
  self->history = history ? lab_cpu_history_ref (history) : NULL;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
