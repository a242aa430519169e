/* lab-report.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-report"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include <glib/gi18n-lib.h>

#include "lab-report.h"

/* One member of the JSON object being built by the JsonBuilder `b`. */
#define MEMBER(name, kind, value) \
  G_STMT_START { \
    json_builder_set_member_name (b, name); \
    json_builder_add_##kind##_value (b, value); \
  } G_STMT_END

/* Jobs are listed under a single run's table only when they fit on screen. */
#define TABLE_MAX_JOBS 20

gboolean
lab_report_format_from_string (const char      *name,
                               LabReportFormat *format)
{
  static const char * const names[] = { "table", "json", "csv" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *format = i;
        return TRUE;
      }
  return FALSE;
}

static double
s (gint64 ns)
{
  return ns / 1e9;
}

/**
 * lab_report_speedup:
 *
 * Returns: how many times faster run @i was than the last sequential run
 *   of the same task with the same parameters before it (or after it,
 *   when none came before), or 0 when there is none
 */
double
lab_report_speedup (LabRun **runs,
                    guint    n_runs,
                    guint    i)
{
  const LabRunConfig *config = lab_run_get_config (runs[i]);
  LabRun *reference = NULL;

  for (guint k = 0; k < n_runs; k++)
    {
      const LabRunConfig *other = lab_run_get_config (runs[k]);

      if (other->strategy == LAB_STRATEGY_SEQUENTIAL &&
          g_str_equal (other->task, config->task) &&
          g_variant_equal (other->params, config->params) &&
          lab_run_get_state (runs[k]) == LAB_RUN_FINISHED &&
          (reference == NULL || k < i))
        reference = runs[k];
    }

  if (reference == NULL || lab_run_get_elapsed_ns (runs[i]) <= 0)
    return 0;

  return (double) lab_run_get_elapsed_ns (reference) / lab_run_get_elapsed_ns (runs[i]);
}

/* Throughput of the bytes the jobs moved (downloads), 0 without any. */
static double
mb_per_s (const LabRunSummary *sum)
{
  return sum->wall_ns > 0 ? sum->bytes / 1e6 / s (sum->wall_ns) : 0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median_of_sorted (const double *sorted,
                  guint         n)
{
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/**
 * lab_report_stats:
 *
 * Fills @stats with the smallest, median and largest of @values (all 0
 * when @n is 0).
 */
void
lab_report_stats (const double   *values,
                  guint           n,
                  LabReportStats *stats)
{
  g_autofree double *sorted = g_memdup2 (values, n * sizeof (double));

  *stats = (LabReportStats) { .n = n };
  if (n == 0)
    return;
  qsort (sorted, n, sizeof (double), compare_doubles);
  stats->min = sorted[0];
  stats->median = median_of_sorted (sorted, n);
  stats->max = sorted[n - 1];
}

/**
 * lab_report_find_outliers:
 * @outlier: (out caller-allocates): @n flags
 *
 * A repeat is an outlier when it lies more than three (normal-scaled)
 * median absolute deviations from the median, and more than 5 % away
 * from it, so that the jitter of nearly equal runs is never flagged.
 * Fewer than three values have none.
 *
 * Returns: how many values were flagged
 */
guint
lab_report_find_outliers (const double *values,
                          guint         n,
                          gboolean     *outlier)
{
  g_autofree double *deviation = g_new (double, MAX (n, 1));
  LabReportStats stats;
  double limit;
  guint found = 0;

  memset (outlier, 0, n * sizeof (gboolean));
  if (n < 3)
    return 0;

  lab_report_stats (values, n, &stats);
  for (guint i = 0; i < n; i++)
    deviation[i] = fabs (values[i] - stats.median);
  qsort (deviation, n, sizeof (double), compare_doubles);
  limit = MAX (3 * 1.4826 * median_of_sorted (deviation, n), 0.05 * fabs (stats.median));

  for (guint i = 0; i < n; i++)
    if (fabs (values[i] - stats.median) > limit)
      {
        outlier[i] = TRUE;
        found++;
      }
  return found;
}

/**
 * lab_report_amdahl_fit:
 * @max_workers: points with more workers are left out (more workers than
 *   cores cannot go faster, whatever the code's serial part)
 * @n_fitted: (out) (optional): how many points the fit used
 *
 * Fits Amdahl's law, S(n) = 1 / (s + (1 - s) / n), to measured speedups
 * by least squares on 1/S - 1/n = s (1 - 1/n).
 *
 * Returns: the serial fraction s in [0, 1], or NAN without a point of 2
 *   to @max_workers workers
 */
double
lab_report_amdahl_fit (const guint  *workers,
                       const double *speedup,
                       guint         n,
                       guint         max_workers,
                       guint        *n_fitted)
{
  double sxy = 0, sxx = 0;
  guint used = 0;

  for (guint i = 0; i < n; i++)
    {
      double x, y;

      if (workers[i] < 2 || workers[i] > max_workers || speedup[i] <= 0)
        continue;
      x = 1 - 1.0 / workers[i];
      y = 1 / speedup[i] - 1.0 / workers[i];
      sxy += x * y;
      sxx += x * x;
      used++;
    }
  if (n_fitted != NULL)
    *n_fitted = used;
  if (sxx == 0)
    return NAN;
  return CLAMP (sxy / sxx, 0, 1);
}

/* Runs of the same task, parameters, strategy and workers are repeats
 * of one experiment (--repeat, or the same run done twice in the window).
 *
 * Returns: (element-type GArray<guint>): each experiment's runs, in the
 * order the experiments first appear; @repeat_of gets each run's
 * 1-based number within its experiment. */
static GPtrArray *
group_runs (LabRun **runs,
            guint    n_runs,
            guint   *repeat_of)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  for (guint i = 0; i < n_runs; i++)
    {
      GArray *group = NULL;

      for (guint g = 0; g < groups->len && group == NULL; g++)
        {
          GArray *candidate = g_ptr_array_index (groups, g);
          LabRun *first = runs[g_array_index (candidate, guint, 0)];

          if (lab_run_config_equal (lab_run_get_config (runs[i]), lab_run_get_config (first)))
            group = candidate;
        }
      if (group == NULL)
        {
          group = g_array_new (FALSE, FALSE, sizeof (guint));
          g_ptr_array_add (groups, group);
        }
      g_array_append_val (group, i);
      repeat_of[i] = group->len;
    }
  return groups;
}

/* One experiment's figures over its finished repeats. */
typedef struct {
  LabRun         *first;
  guint           n_runs;       /* cancelled ones included */
  guint           n_jobs_failed;
  gint64          peak_rss_kb;
  LabReportStats  wall;         /* seconds, finished runs only */
  LabReportStats  cpu;
  double          mb_per_s;     /* median */
  double          speedup;      /* median against the sequential median, or 0 */
} Experiment;

static void
experiment_figures (LabRun     **runs,
                    GArray      *group,
                    Experiment  *e,
                    gboolean    *outlier_of_run)
{
  g_autofree double *wall = g_new0 (double, group->len);
  g_autofree double *cpu = g_new0 (double, group->len);
  g_autofree double *mb = g_new0 (double, group->len);
  g_autofree gboolean *flags = g_new0 (gboolean, group->len);
  g_autofree guint *finished = g_new0 (guint, group->len);
  LabReportStats mb_stats;
  guint n = 0;

  *e = (Experiment) { .first = runs[g_array_index (group, guint, 0)], .n_runs = group->len };
  for (guint k = 0; k < group->len; k++)
    {
      guint i = g_array_index (group, guint, k);
      LabRunSummary sum;

      lab_run_get_summary (runs[i], &sum);
      e->n_jobs_failed += sum.n_failed;
      e->peak_rss_kb = MAX (e->peak_rss_kb, MAX (sum.peak_rss_kb, sum.peak_rss_children_kb));
      if (lab_run_get_state (runs[i]) != LAB_RUN_FINISHED)
        continue;
      wall[n] = s (sum.wall_ns);
      cpu[n] = s (sum.user_ns + sum.sys_ns);
      mb[n] = mb_per_s (&sum);
      finished[n++] = i;
    }

  lab_report_stats (wall, n, &e->wall);
  lab_report_stats (cpu, n, &e->cpu);
  lab_report_stats (mb, n, &mb_stats);
  e->mb_per_s = mb_stats.median;
  lab_report_find_outliers (wall, n, flags);
  for (guint k = 0; k < n && outlier_of_run != NULL; k++)
    outlier_of_run[finished[k]] = flags[k];
}

/* Every experiment's figures, with speedups against the sequential
 * experiment of the same task and parameters (the first one, when there
 * are several). */
static GArray *
experiments_new (LabRun    **runs,
                 guint       n_runs,
                 guint      *repeat_of,
                 gboolean   *outlier_of_run)
{
  g_autoptr(GPtrArray) groups = group_runs (runs, n_runs, repeat_of);
  GArray *experiments = g_array_sized_new (FALSE, TRUE, sizeof (Experiment), groups->len);

  g_array_set_size (experiments, groups->len);
  for (guint g = 0; g < groups->len; g++)
    experiment_figures (runs, g_ptr_array_index (groups, g), &g_array_index (experiments, Experiment, g), outlier_of_run);

  for (guint g = 0; g < experiments->len; g++)
    {
      Experiment *e = &g_array_index (experiments, Experiment, g);
      const LabRunConfig *own = lab_run_get_config (e->first);

      for (guint r = 0; r < experiments->len; r++)
        {
          Experiment *ref = &g_array_index (experiments, Experiment, r);
          const LabRunConfig *config = lab_run_get_config (ref->first);

          /* The same work done by a plain loop: same task, same parameters. */
          if (config->strategy == LAB_STRATEGY_SEQUENTIAL && g_str_equal (config->task, own->task) &&
              g_variant_equal (config->params, own->params) && ref->wall.n > 0 && e->wall.median > 0)
            {
              e->speedup = ref->wall.median / e->wall.median;
              break;
            }
        }
    }
  return experiments;
}

/* A strategy run with several worker counts: see lab_report_scaling(). */
static void
scaling_free (gpointer data)
{
  LabReportScaling *scaling = data;

  g_array_unref (scaling->workers);
  g_array_unref (scaling->speedup);
  g_free (scaling);
}

static guint
experiment_workers (const Experiment *e)
{
  LabRunSummary sum;

  lab_run_get_summary (e->first, &sum);
  return sum.workers;
}

static gboolean
same_series (const Experiment *a,
             const Experiment *b)
{
  const LabRunConfig *x = lab_run_get_config (a->first);
  const LabRunConfig *y = lab_run_get_config (b->first);

  return x->strategy == y->strategy && g_str_equal (x->task, y->task) &&
         g_variant_equal (x->params, y->params) &&
         lab_run_config_uses_gil (x) == lab_run_config_uses_gil (y);
}

/* A sweep past the number of jobs runs with as many workers as jobs: the
 * first experiment of each count is its point. */
static gboolean
has_workers (GArray *counts,
             guint   workers)
{
  for (guint i = 0; i < counts->len; i++)
    if (g_array_index (counts, guint, i) == workers)
      return TRUE;
  return FALSE;
}

static LabReportScaling *
scaling_new (GArray           *experiments,
             const Experiment *first)
{
  LabReportScaling *scaling = g_new0 (LabReportScaling, 1);
  double one_worker = 0;

  scaling->run = first->first;
  scaling->workers = g_array_new (FALSE, FALSE, sizeof (guint));
  scaling->speedup = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint g = 0; g < experiments->len; g++)
    {
      const Experiment *e = &g_array_index (experiments, Experiment, g);
      if (same_series (first, e) && experiment_workers (e) == 1)
        one_worker = e->wall.median;
    }
  scaling->reference = first->speedup > 0 || one_worker == 0 ? "sequential" : "1 worker";

  for (guint g = 0; g < experiments->len; g++)
    {
      const Experiment *e = &g_array_index (experiments, Experiment, g);
      guint workers = experiment_workers (e);
      double speedup;

      if (!same_series (first, e) || e->wall.median <= 0 || has_workers (scaling->workers, workers))
        continue;
      speedup = g_str_equal (scaling->reference, "sequential") ? e->speedup : one_worker / e->wall.median;
      g_array_append_val (scaling->workers, workers);
      g_array_append_val (scaling->speedup, speedup);
    }
  scaling->serial_fraction = lab_report_amdahl_fit ((guint *) scaling->workers->data,
                                                    (double *) scaling->speedup->data,
                                                    scaling->workers->len, g_get_num_processors (),
                                                    &scaling->n_fitted);
  return scaling;
}

/* Returns: (element-type LabReportScaling): one per strategy run with
 * more than one worker count */
static GPtrArray *
scalings_new (GArray *experiments)
{
  GPtrArray *scalings = g_ptr_array_new_with_free_func (scaling_free);

  for (guint g = 0; g < experiments->len; g++)
    {
      const Experiment *e = &g_array_index (experiments, Experiment, g);
      gboolean seen = FALSE, several = FALSE;

      if (lab_run_get_config (e->first)->strategy == LAB_STRATEGY_SEQUENTIAL)
        continue;
      for (guint k = 0; k < experiments->len; k++)
        {
          const Experiment *other = &g_array_index (experiments, Experiment, k);
          if (k < g && same_series (e, other))
            seen = TRUE;
          if (k != g && same_series (e, other) && experiment_workers (other) != experiment_workers (e))
            several = TRUE;
        }
      if (!seen && several)
        g_ptr_array_add (scalings, scaling_new (experiments, e));
    }
  return scalings;
}

static void
add_job (JsonBuilder        *b,
         LabRun             *run,
         const LabJobResult *job)
{
  g_autofree char *worker = lab_run_describe_worker (run, job->worker);

  json_builder_begin_object (b);
  MEMBER ("index", int, job->index);
  MEMBER ("worker", string, worker);
  MEMBER ("start_s", double, s (job->start_ns));
  MEMBER ("end_s", double, s (job->end_ns));
  MEMBER ("cpu_s", double, s (job->cpu_ns));
  MEMBER ("ok", boolean, job->error == NULL);
  json_builder_set_member_name (b, "error");
  if (job->error)
    json_builder_add_string_value (b, job->error);
  else
    json_builder_add_null_value (b);
  MEMBER ("value", int, job->value);
  MEMBER ("bytes", int, job->bytes);
  MEMBER ("status", int, job->status);
  json_builder_end_object (b);
}

static void
add_run (JsonBuilder *b,
         LabRun      *run,
         double       speedup,
         guint        repeat,
         gboolean     outlier)
{
  const LabRunConfig *config = lab_run_get_config (run);
  LabRunSummary sum;

  lab_run_get_summary (run, &sum);

  json_builder_begin_object (b);
  MEMBER ("task", string, config->task);
  MEMBER ("strategy", string, lab_strategy_to_string (config->strategy));
  MEMBER ("workers", int, sum.workers);
  MEMBER ("jobs", int, sum.n_jobs);
  MEMBER ("done", int, sum.n_done);
  MEMBER ("failed", int, sum.n_failed);
  MEMBER ("cancelled", boolean, lab_run_get_state (run) == LAB_RUN_CANCELLED);
  MEMBER ("wall_s", double, s (sum.wall_ns));
  MEMBER ("user_s", double, s (sum.user_ns));
  MEMBER ("sys_s", double, s (sum.sys_ns));
  MEMBER ("cpu_s", double, s (sum.user_ns + sum.sys_ns));
  MEMBER ("speedup", double, speedup);
  MEMBER ("peak_rss_kb", int, sum.peak_rss_kb);
  MEMBER ("peak_rss_children_kb", int, sum.peak_rss_children_kb);
  MEMBER ("bytes", int, sum.bytes);
  MEMBER ("mb_per_s", double, mb_per_s (&sum));
  MEMBER ("repeat", int, repeat);
  MEMBER ("outlier", boolean, outlier);
  MEMBER ("gil", boolean, lab_run_config_uses_gil (config));
  json_builder_set_member_name (b, "error");
  if (lab_run_get_error (run) && lab_run_get_state (run) == LAB_RUN_FAILED)
    json_builder_add_string_value (b, lab_run_get_error (run));
  else
    json_builder_add_null_value (b);

  json_builder_set_member_name (b, "job_results");
  json_builder_begin_array (b);
  for (guint i = 0; i < sum.n_jobs; i++)
    {
      const LabJobResult *job = lab_run_get_job (run, i);
      if (job->state >= LAB_JOB_OK)
        add_job (b, run, job);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
add_stats (JsonBuilder          *b,
           const char           *name,
           const LabReportStats *stats)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  MEMBER ("min", double, stats->min);
  MEMBER ("median", double, stats->median);
  MEMBER ("max", double, stats->max);
  json_builder_end_object (b);
}

/* One entry per experiment: its repeats' figures. */
static void
add_summary (JsonBuilder      *b,
             const Experiment *e)
{
  const LabRunConfig *config = lab_run_get_config (e->first);
  LabRunSummary sum;

  lab_run_get_summary (e->first, &sum);
  json_builder_begin_object (b);
  MEMBER ("task", string, config->task);
  MEMBER ("strategy", string, lab_strategy_to_string (config->strategy));
  MEMBER ("workers", int, sum.workers);
  MEMBER ("jobs", int, sum.n_jobs);
  MEMBER ("gil", boolean, lab_run_config_uses_gil (config));
  MEMBER ("runs", int, e->n_runs);
  MEMBER ("finished", int, e->wall.n);
  MEMBER ("failed", int, e->n_jobs_failed);
  MEMBER ("speedup", double, e->speedup);
  MEMBER ("peak_rss_kb", int, e->peak_rss_kb);
  MEMBER ("mb_per_s", double, e->mb_per_s);
  add_stats (b, "wall_s", &e->wall);
  add_stats (b, "cpu_s", &e->cpu);
  json_builder_end_object (b);
}

static void
add_scaling (JsonBuilder   *b,
             const LabReportScaling *scaling)
{
  const LabRunConfig *config = lab_run_get_config (scaling->run);

  json_builder_begin_object (b);
  MEMBER ("task", string, config->task);
  MEMBER ("strategy", string, lab_strategy_to_string (config->strategy));
  MEMBER ("gil", boolean, lab_run_config_uses_gil (config));
  MEMBER ("reference", string, scaling->reference);
  json_builder_set_member_name (b, "points");
  json_builder_begin_array (b);
  for (guint i = 0; i < scaling->workers->len; i++)
    {
      json_builder_begin_object (b);
      MEMBER ("workers", int, g_array_index (scaling->workers, guint, i));
      MEMBER ("speedup", double, g_array_index (scaling->speedup, double, i));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "serial_fraction");
  if (isnan (scaling->serial_fraction))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, scaling->serial_fraction);
  json_builder_end_object (b);
}

static char *
format_json (LabRun **runs,
             guint    n_runs)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *data = NULL;
  g_autofree guint *repeat_of = g_new0 (guint, MAX (n_runs, 1));
  g_autofree gboolean *outlier = g_new0 (gboolean, MAX (n_runs, 1));
  g_autoptr(GArray) experiments = experiments_new (runs, n_runs, repeat_of, outlier);
  g_autoptr(GPtrArray) scalings = scalings_new (experiments);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "runs");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_runs; i++)
    add_run (b, runs[i], lab_report_speedup (runs, n_runs, i), repeat_of[i], outlier[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "summary");
  json_builder_begin_array (b);
  for (guint g = 0; g < experiments->len; g++)
    add_summary (b, &g_array_index (experiments, Experiment, g));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "scaling");
  json_builder_begin_array (b);
  for (guint i = 0; i < scalings->len; i++)
    add_scaling (b, g_ptr_array_index (scalings, i));
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  data = json_generator_to_data (gen, NULL);
  return g_strconcat (data, "\n", NULL);
}

static char *
csv_field (const char *text)
{
  g_autoptr(GString) out = NULL;

  if (strpbrk (text, ",\"\n") == NULL)
    return g_strdup (text);

  out = g_string_new ("\"");
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
format_csv (LabRun **runs,
            guint    n_runs)
{
  GString *out = g_string_new ("task,strategy,workers,jobs,done,failed,cancelled,"
                               "wall_s,user_s,sys_s,cpu_s,speedup,peak_rss_kb,bytes,repeat,outlier\n");
  g_autofree guint *repeat_of = g_new0 (guint, MAX (n_runs, 1));
  g_autofree gboolean *outlier = g_new0 (gboolean, MAX (n_runs, 1));
  g_autoptr(GArray) experiments = experiments_new (runs, n_runs, repeat_of, outlier);

  for (guint i = 0; i < n_runs; i++)
    {
      const LabRunConfig *config = lab_run_get_config (runs[i]);
      g_autofree char *task = csv_field (config->task);
      LabRunSummary sum;

      lab_run_get_summary (runs[i], &sum);
      g_string_append_printf (out, "%s,%s,%u,%u,%u,%u,%s,%.6f,%.6f,%.6f,%.6f,%.3f,%" G_GINT64_FORMAT ",%" G_GUINT64_FORMAT ",%u,%s\n",
                              task, lab_strategy_to_string (config->strategy),
                              sum.workers, sum.n_jobs, sum.n_done, sum.n_failed,
                              lab_run_get_state (runs[i]) == LAB_RUN_CANCELLED ? "true" : "false",
                              s (sum.wall_ns), s (sum.user_ns), s (sum.sys_ns),
                              s (sum.user_ns + sum.sys_ns),
                              lab_report_speedup (runs, n_runs, i),
                              sum.peak_rss_kb, sum.bytes, repeat_of[i], outlier[i] ? "true" : "false");
    }

  return g_string_free (out, FALSE);
}

/* Pads @text to @width display columns (translations may be wide). */
/* The columns a terminal gives @text: Chinese characters take two. */
static int
display_width (const char *text)
{
  int width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      width += g_unichar_iszerowidth (c) ? 0 : g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

static void
append_cell (GString    *out,
             const char *text,
             int         width,
             gboolean    right)
{
  int pad = MAX (0, width - display_width (text));

  if (right)
    for (int i = 0; i < pad; i++)
      g_string_append_c (out, ' ');
  g_string_append (out, text);
  if (!right)
    for (int i = 0; i < pad; i++)
      g_string_append_c (out, ' ');
  g_string_append (out, "  ");
}

/* "thread-pool", or "thread-pool+GIL" when the GIL switch changed it. */
static char *
strategy_label (LabRun *run)
{
  const LabRunConfig *config = lab_run_get_config (run);

  return g_strconcat (lab_strategy_to_string (config->strategy),
                      lab_run_config_uses_gil (config) ? "+GIL" : "", NULL);
}

/* The strategy column: 12 wide, more when a label needs it. */
static int
strategy_width (LabRun **runs,
                guint    n_runs)
{
  int width = 12;

  for (guint i = 0; i < n_runs; i++)
    {
      g_autofree char *label = strategy_label (runs[i]);
      width = MAX (width, (int) strlen (label));
    }
  return width;
}

static void
append_run_row (GString  *out,
                LabRun   *run,
                double    speedup,
                gboolean  show_mb,
                int       sw)
{
  g_autofree char *label = strategy_label (run);
  const LabRunConfig *config = lab_run_get_config (run);
  LabRunSummary sum;
  char buf[8][32];
  double cpu;

  lab_run_get_summary (run, &sum);
  cpu = s (sum.user_ns + sum.sys_ns);

  g_snprintf (buf[0], sizeof buf[0], "%u", sum.workers);
  g_snprintf (buf[1], sizeof buf[1], "%u", sum.n_jobs);
  g_snprintf (buf[2], sizeof buf[2], "%u", sum.n_failed);
  g_snprintf (buf[3], sizeof buf[3], "%.3f s", s (sum.wall_ns));
  g_snprintf (buf[4], sizeof buf[4], "%.3f s", cpu);
  g_snprintf (buf[5], sizeof buf[5], "%.2f", sum.wall_ns > 0 ? cpu / s (sum.wall_ns) : 0);
  if (speedup > 0)
    g_snprintf (buf[6], sizeof buf[6], "%.2f×", speedup);
  else
    g_strlcpy (buf[6], "—", sizeof buf[6]);
  g_snprintf (buf[7], sizeof buf[7], "%.1f MB", MAX (sum.peak_rss_kb, sum.peak_rss_children_kb) / 1024.0);

  append_cell (out, config->task, 8, FALSE);
  append_cell (out, label, sw, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (buf); i++)
    append_cell (out, buf[i], i >= 3 ? 10 : 7, TRUE);
  if (show_mb)
    {
      g_autofree char *mb = g_strdup_printf ("%.1f", mb_per_s (&sum));
      append_cell (out, mb, 10, TRUE);
    }
  if (lab_run_get_state (run) == LAB_RUN_CANCELLED)
    g_string_append (out, _("cancelled"));
  else if (lab_run_get_state (run) == LAB_RUN_FAILED)
    g_string_append (out, lab_run_get_error (run));
  g_string_append_c (out, '\n');
}

static void
append_jobs (GString *out,
             LabRun  *run)
{
  guint n = lab_run_get_n_jobs (run);

  g_string_append (out, "\n  ");
  append_cell (out, _("Job"), 5, FALSE);
  append_cell (out, _("Worker"), 16, FALSE);
  append_cell (out, _("Start"), 9, TRUE);
  append_cell (out, _("End"), 9, TRUE);
  append_cell (out, _("CPU"), 9, TRUE);
  g_string_append_printf (out, "%s\n", _("Result"));
  for (guint i = 0; i < n; i++)
    {
      const LabJobResult *job = lab_run_get_job (run, i);
      g_autofree char *worker = NULL;

      if (job->state < LAB_JOB_OK)
        continue;
      worker = lab_run_describe_worker (run, job->worker);
      g_string_append_printf (out, "  %-5u  ", job->index);
      append_cell (out, worker, 16, FALSE);
      g_string_append_printf (out, "%7.3f s  %7.3f s  %7.3f s  %s\n",
                              s (job->start_ns), s (job->end_ns),
                              s (job->cpu_ns), job->error ? job->error : _("ok"));
    }
}

static void
append_experiment_row (GString          *out,
                       const Experiment *e,
                       gboolean          show_mb,
                       int               sw)
{
  g_autofree char *label = strategy_label (e->first);
  const LabRunConfig *config = lab_run_get_config (e->first);
  LabRunSummary sum;
  char buf[11][32];

  lab_run_get_summary (e->first, &sum);
  g_snprintf (buf[0], sizeof buf[0], "%u", sum.workers);
  g_snprintf (buf[1], sizeof buf[1], "%u", sum.n_jobs);
  g_snprintf (buf[2], sizeof buf[2], "%u", e->n_runs);
  g_snprintf (buf[3], sizeof buf[3], "%u", e->n_jobs_failed);
  g_snprintf (buf[4], sizeof buf[4], "%.3f s", e->wall.median);
  g_snprintf (buf[5], sizeof buf[5], "%.3f s", e->wall.min);
  g_snprintf (buf[6], sizeof buf[6], "%.3f s", e->wall.max);
  g_snprintf (buf[7], sizeof buf[7], "%.3f s", e->cpu.median);
  g_snprintf (buf[8], sizeof buf[8], "%.2f", e->wall.median > 0 ? e->cpu.median / e->wall.median : 0);
  if (e->speedup > 0)
    g_snprintf (buf[9], sizeof buf[9], "%.2f×", e->speedup);
  else
    g_strlcpy (buf[9], "—", sizeof buf[9]);
  g_snprintf (buf[10], sizeof buf[10], "%.1f MB", e->peak_rss_kb / 1024.0);

  append_cell (out, config->task, 8, FALSE);
  append_cell (out, label, sw, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (buf); i++)
    append_cell (out, buf[i], i >= 4 ? 10 : 8, TRUE);
  if (show_mb)
    {
      g_autofree char *mb = g_strdup_printf ("%.1f", e->mb_per_s);
      append_cell (out, mb, 10, TRUE);
    }
  g_string_append_c (out, '\n');
}

/* Repeated experiments: one row each, with the median and the spread,
 * then the repeats that stood out. */
/* What the parts of a table share: the runs grouped into experiments
 * once, and the width of the strategy column. */
typedef struct {
  LabRun   **runs;
  guint      n_runs;
  GArray    *experiments;
  guint     *repeat_of;
  gboolean  *outlier;
  gboolean   show_mb;
  int        sw;
} Table;

static void
append_experiments (GString     *out,
                    const Table *t)
{
  const char *headers[] = {
    N_("Task"), N_("Strategy"), N_("Workers"), N_("Jobs"), N_("Repeats"), N_("Failed"),
    N_("Wall"), N_("Min"), N_("Max"), N_("CPU"), N_("CPU/Wall"), N_("Speedup"), N_("Peak RSS"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    append_cell (out, _(headers[i]), i == 0 ? 8 : i == 1 ? t->sw : i >= 6 ? 10 : 8, i >= 2);
  if (t->show_mb)
    append_cell (out, _("MB/s"), 10, TRUE);
  g_string_append_c (out, '\n');

  for (guint g = 0; g < t->experiments->len; g++)
    append_experiment_row (out, &g_array_index (t->experiments, Experiment, g), t->show_mb, t->sw);

  g_string_append_printf (out, "\n%s\n", _("Wall and CPU are the medians of the finished runs; Min and Max bound their wall times."));
  for (guint i = 0; i < t->n_runs; i++)
    if (t->outlier[i])
      {
        g_autofree char *line = g_strdup_printf (_("Outlier: run %u of %s took %.3f s"), t->repeat_of[i],
                                                 lab_strategy_to_string (lab_run_get_config (t->runs[i])->strategy),
                                                 lab_run_get_elapsed_ns (t->runs[i]) / 1e9);
        g_string_append_printf (out, "%s\n", line);
      }
}

/* Below the table: each swept strategy's speedups, and what Amdahl's law
 * makes of them. */
static void
append_scaling (GString     *out,
                const Table *t)
{
  g_autoptr(GPtrArray) scalings = scalings_new (t->experiments);

  if (scalings->len == 0)
    return;

  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Scaling: speedup by workers; Amdahl’s law fitted on up to %u workers (the cores)"),
                          g_get_num_processors ());
  g_string_append_c (out, '\n');
  for (guint i = 0; i < scalings->len; i++)
    {
      const LabReportScaling *scaling = g_ptr_array_index (scalings, i);
      g_autofree char *label = strategy_label (scaling->run);

      g_string_append (out, "  ");
      append_cell (out, label, t->sw, FALSE);
      for (guint k = 0; k < scaling->workers->len; k++)
        {
          g_autofree char *point = g_strdup_printf ("%u: %.2f×", g_array_index (scaling->workers, guint, k),
                                                    g_array_index (scaling->speedup, double, k));
          append_cell (out, point, 10, TRUE);
        }
      if (isnan (scaling->serial_fraction))
        g_string_append (out, _("serial fraction: needs a run on 2 or more workers, up to the cores"));
      else if (scaling->serial_fraction < 0.001)
        g_string_append (out, _("no serial part measured: no limit seen"));
      else if (scaling->n_fitted < 2)
        /* One point says little about the limit; the fraction is given alone. */
        g_string_append_printf (out, _("serial fraction %.1f %% (from one worker count)"),
                                100 * scaling->serial_fraction);
      else
        g_string_append_printf (out, _("serial fraction %.1f %%: at most %.0f× on any number of cores"),
                                100 * scaling->serial_fraction, 1 / scaling->serial_fraction);
      g_string_append_c (out, '\n');
    }
}

static char *
format_table (LabRun **runs,
              guint    n_runs)
{
  g_autofree guint *repeat_of = g_new0 (guint, MAX (n_runs, 1));
  g_autofree gboolean *outlier = g_new0 (gboolean, MAX (n_runs, 1));
  g_autoptr(GArray) experiments = experiments_new (runs, n_runs, repeat_of, outlier);
  Table t = { runs, n_runs, experiments, repeat_of, outlier, FALSE, strategy_width (runs, n_runs) };
  GString *out = g_string_new (NULL);
  const char *headers[] = {
    N_("Task"), N_("Strategy"), N_("Workers"), N_("Jobs"), N_("Failed"),
    N_("Wall"), N_("CPU"), N_("CPU/Wall"), N_("Speedup"), N_("Peak RSS"),
  };

  /* MB/s only for tasks that move bytes (download). */
  for (guint i = 0; i < n_runs; i++)
    {
      LabRunSummary sum;
      lab_run_get_summary (runs[i], &sum);
      t.show_mb |= sum.bytes > 0;
    }
  /* Fewer experiments than runs: some were repeated. */
  if (experiments->len < n_runs)
    {
      append_experiments (out, &t);
      append_scaling (out, &t);
      return g_string_free (out, FALSE);
    }

  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    append_cell (out, _(headers[i]), i == 0 ? 8 : i == 1 ? t.sw : i >= 5 ? 10 : 7, i >= 2);
  if (t.show_mb)
    append_cell (out, _("MB/s"), 10, TRUE);
  g_string_append_c (out, '\n');

  for (guint i = 0; i < n_runs; i++)
    append_run_row (out, runs[i], lab_report_speedup (runs, n_runs, i), t.show_mb, t.sw);

  if (n_runs == 1 && lab_run_get_n_jobs (runs[0]) <= TABLE_MAX_JOBS)
    append_jobs (out, runs[0]);
  append_scaling (out, &t);

  return g_string_free (out, FALSE);
}

/**
 * lab_report_scaling:
 *
 * For each strategy that ran with more than one worker count (a sweep):
 * the speedup of the median run at each count, against the sequential
 * runs of the task (or else the strategy's own runs on one worker), and
 * the serial fraction of Amdahl's law fitted on the counts up to the
 * cores. Repeats of one experiment count as one point.
 *
 * Returns: (transfer full) (element-type LabReportScaling): in the order
 *   the strategies first ran
 */
GPtrArray *
lab_report_scaling (LabRun **runs,
                    guint    n_runs)
{
  g_autofree guint *repeat_of = g_new0 (guint, MAX (n_runs, 1));
  g_autoptr(GArray) experiments = experiments_new (runs, n_runs, repeat_of, NULL);

  return scalings_new (experiments);
}

/**
 * lab_report_format:
 *
 * Returns: (transfer full): the runs in @format, ending with a newline
 */
char *
lab_report_format (LabRun          **runs,
                   guint             n_runs,
                   LabReportFormat   format)
{
  switch (format)
    {
    case LAB_REPORT_JSON: return format_json (runs, n_runs);
    case LAB_REPORT_CSV:  return format_csv (runs, n_runs);
    case LAB_REPORT_TABLE:
    default:              return format_table (runs, n_runs);
    }
}
