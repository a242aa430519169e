/* lab-analysis.c — runs grouped into experiments: medians, outliers, speed-ups
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One place works out what a list of runs says when taken together: which
 * are repeats of one configuration, their medians and spread, which
 * repeat stands out, the speed-up of each against the plain loop over the
 * same work, and, for a strategy run with several worker counts, how it
 * scales. The command line's reports and the window's charts read it.
 */
#define G_LOG_DOMAIN "lab-analysis"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lab-analysis.h"
#include "lab-strategy.h"

struct _LabAnalysis
{
  gatomicrefcount  ref_count;
  GPtrArray       *runs;        /* LabRun */
  GPtrArray       *groups;      /* LabRunGroup, in the order they first ran */
  guint           *group_of;    /* per run: its group */
  guint           *repeat_of;   /* per run: 1-based number in its group */
  gboolean        *outlier;     /* per run */
  GPtrArray       *scalings;    /* LabScaling */
};

static double
s (gint64 ns)
{
  return ns / 1e9;
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
 * lab_stats_compute:
 *
 * Fills @stats with the smallest, median and largest of @values (all 0
 * when @n is 0).
 */
void
lab_stats_compute (const double *values,
                   guint         n,
                   LabStats     *stats)
{
  g_autofree double *sorted = g_memdup2 (values, n * sizeof (double));

  *stats = (LabStats) { .n = n };
  if (n == 0)
    return;
  qsort (sorted, n, sizeof (double), compare_doubles);
  stats->min = sorted[0];
  stats->median = median_of_sorted (sorted, n);
  stats->max = sorted[n - 1];
}

/**
 * lab_stats_find_outliers:
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
lab_stats_find_outliers (const double *values,
                         guint         n,
                         gboolean     *outlier)
{
  g_autofree double *deviation = g_new (double, MAX (n, 1));
  LabStats stats;
  double limit;
  guint found = 0;

  memset (outlier, 0, n * sizeof (gboolean));
  if (n < 3)
    return 0;

  lab_stats_compute (values, n, &stats);
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
 * lab_amdahl_fit:
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
lab_amdahl_fit (const guint  *workers,
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

static void
group_free (gpointer data)
{
  LabRunGroup *group = data;

  g_ptr_array_unref (group->runs);
  g_free (group);
}

/* Throughput of the bytes the jobs moved (downloads), 0 without any. */
static double
mb_per_s (const LabRunSummary *sum)
{
  return sum->wall_ns > 0 ? sum->bytes / 1e6 / s (sum->wall_ns) : 0;
}

/* Repeats of one configuration (--repeat, or Run pressed again) form a
 * group; each run gets its 1-based number within it. */
static void
group_runs (LabAnalysis *self)
{
  for (guint i = 0; i < self->runs->len; i++)
    {
      const LabRunConfig *config = lab_run_get_config (g_ptr_array_index (self->runs, i));
      LabRunGroup *group = NULL;
      guint g;

      for (g = 0; g < self->groups->len && group == NULL; g++)
        {
          LabRunGroup *candidate = g_ptr_array_index (self->groups, g);
          if (lab_run_config_equal (config, lab_run_get_config (candidate->first)))
            group = candidate;
        }
      if (group == NULL)
        {
          group = g_new0 (LabRunGroup, 1);
          group->first = g_ptr_array_index (self->runs, i);
          group->runs = g_ptr_array_new ();
          g_ptr_array_add (self->groups, group);
          g = self->groups->len;
        }
      g_ptr_array_add (group->runs, g_ptr_array_index (self->runs, i));
      self->group_of[i] = g - 1;
      self->repeat_of[i] = group->runs->len;
    }
}

/* The group's figures over its finished repeats, and which stood out. */
static void
group_figures (LabAnalysis *self,
               guint        g)
{
  LabRunGroup *group = g_ptr_array_index (self->groups, g);
  guint n_runs = group->runs->len;
  g_autofree double *wall = g_new0 (double, n_runs);
  g_autofree double *cpu = g_new0 (double, n_runs);
  g_autofree double *mb = g_new0 (double, n_runs);
  g_autofree gboolean *flags = g_new0 (gboolean, n_runs);
  g_autofree guint *finished = g_new0 (guint, n_runs);
  LabStats mb_stats;
  guint n = 0;

  for (guint i = 0, k = 0; i < self->runs->len; i++)
    {
      LabRun *run = g_ptr_array_index (self->runs, i);
      LabRunSummary sum;

      if (self->group_of[i] != g)
        continue;
      k++;
      lab_run_get_summary (run, &sum);
      group->n_jobs_failed += sum.n_failed;
      group->peak_rss_kb = MAX (group->peak_rss_kb, MAX (sum.peak_rss_kb, sum.peak_rss_children_kb));
      if (lab_run_get_state (run) != LAB_RUN_FINISHED)
        continue;
      wall[n] = s (sum.wall_ns);
      cpu[n] = s (sum.user_ns + sum.sys_ns);
      mb[n] = mb_per_s (&sum);
      finished[n++] = i;
    }

  lab_stats_compute (wall, n, &group->wall);
  lab_stats_compute (cpu, n, &group->cpu);
  lab_stats_compute (mb, n, &mb_stats);
  group->mb_per_s = mb_stats.median;
  lab_stats_find_outliers (wall, n, flags);
  for (guint k = 0; k < n; k++)
    self->outlier[finished[k]] = flags[k];
}

/* Speed-ups against the plain loop over the same work (the first such
 * group, when there are several). */
static void
group_speedups (LabAnalysis *self)
{
  for (guint g = 0; g < self->groups->len; g++)
    {
      LabRunGroup *group = g_ptr_array_index (self->groups, g);
      const LabRunConfig *own = lab_run_get_config (group->first);

      for (guint r = 0; r < self->groups->len && group->loop == NULL; r++)
        {
          LabRunGroup *ref = g_ptr_array_index (self->groups, r);
          const LabRunConfig *config = lab_run_get_config (ref->first);

          if (lab_run_config_is_loop_of (config, own) && ref->wall.n > 0)
            group->loop = ref;
        }
      if (group->loop != NULL && group->wall.median > 0)
        group->speedup = group->loop->wall.median / group->wall.median;
    }
}

static void
scaling_free (gpointer data)
{
  LabScaling *scaling = data;

  g_array_unref (scaling->workers);
  g_array_unref (scaling->speedup);
  g_ptr_array_unref (scaling->runs);
  g_free (scaling);
}

/* One series: the same strategy over the same work, whatever the workers. */
static gboolean
same_series (const LabRunGroup *a,
             const LabRunGroup *b)
{
  const LabRunConfig *x = lab_run_get_config (a->first);
  const LabRunConfig *y = lab_run_get_config (b->first);

  return x->strategy == y->strategy && lab_run_config_same_work (x, y) &&
         lab_run_config_uses_gil (x) == lab_run_config_uses_gil (y);
}

static gboolean
has_workers (GArray *counts,
             guint   workers)
{
  for (guint i = 0; i < counts->len; i++)
    if (g_array_index (counts, guint, i) == workers)
      return TRUE;
  return FALSE;
}

/* A sweep past the number of jobs runs with as many workers as jobs: the
 * first group of each count is its point. */
static LabScaling *
scaling_new (LabAnalysis       *self,
             const LabRunGroup *first)
{
  LabScaling *scaling = g_new0 (LabScaling, 1);
  double one_worker = 0;
  gboolean against_loop;

  scaling->first = first->first;
  scaling->workers = g_array_new (FALSE, FALSE, sizeof (guint));
  scaling->speedup = g_array_new (FALSE, FALSE, sizeof (double));
  scaling->runs = g_ptr_array_new ();
  for (guint g = 0; g < self->groups->len; g++)
    {
      const LabRunGroup *group = g_ptr_array_index (self->groups, g);
      if (same_series (first, group) && lab_run_get_workers (group->first) == 1)
        one_worker = group->wall.median;
    }
  against_loop = first->speedup > 0 || one_worker == 0;
  scaling->reference = against_loop ? lab_strategy_get_loop ()->name : "1 worker";

  for (guint g = 0; g < self->groups->len; g++)
    {
      const LabRunGroup *group = g_ptr_array_index (self->groups, g);
      guint workers = lab_run_get_workers (group->first);
      double speedup;

      if (!same_series (first, group) || group->wall.median <= 0 || has_workers (scaling->workers, workers))
        continue;
      speedup = against_loop ? group->speedup : one_worker / group->wall.median;
      g_array_append_val (scaling->workers, workers);
      g_array_append_val (scaling->speedup, speedup);
      g_ptr_array_add (scaling->runs, lab_run_group_get_median_run (group));
    }
  scaling->serial_fraction = lab_amdahl_fit ((guint *) scaling->workers->data,
                                             (double *) scaling->speedup->data,
                                             scaling->workers->len, lab_usable_cores (),
                                             &scaling->n_fitted);
  return scaling;
}

/* Each strategy (not the loop) that ran with more than one worker count. */
static void
find_scalings (LabAnalysis *self)
{
  for (guint g = 0; g < self->groups->len; g++)
    {
      const LabRunGroup *group = g_ptr_array_index (self->groups, g);
      gboolean seen = FALSE, swept = FALSE;

      if (lab_strategy_is_loop (lab_run_get_config (group->first)->strategy))
        continue;
      for (guint h = 0; h < self->groups->len; h++)
        {
          const LabRunGroup *other = g_ptr_array_index (self->groups, h);

          if (h < g && same_series (group, other))
            seen = TRUE;
          if (h != g && same_series (group, other) &&
              lab_run_get_workers (other->first) != lab_run_get_workers (group->first))
            swept = TRUE;
        }
      if (!seen && swept)
        g_ptr_array_add (self->scalings, scaling_new (self, group));
    }
}

/**
 * lab_analysis_new:
 * @runs: (array length=n_runs): runs, in the order they ran
 *
 * Groups @runs and works out their figures (see the top of this file).
 * The runs are referenced, and read as they are now.
 *
 * Returns: (transfer full): the analysis
 */
LabAnalysis *
lab_analysis_new (LabRun **runs,
                  guint    n_runs)
{
  LabAnalysis *self = g_new0 (LabAnalysis, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->runs = g_ptr_array_new_full (n_runs, g_object_unref);
  for (guint i = 0; i < n_runs; i++)
    g_ptr_array_add (self->runs, g_object_ref (runs[i]));
  self->groups = g_ptr_array_new_with_free_func (group_free);
  self->group_of = g_new0 (guint, MAX (n_runs, 1));
  self->repeat_of = g_new0 (guint, MAX (n_runs, 1));
  self->outlier = g_new0 (gboolean, MAX (n_runs, 1));
  self->scalings = g_ptr_array_new_with_free_func (scaling_free);

  group_runs (self);
  for (guint g = 0; g < self->groups->len; g++)
    group_figures (self, g);
  group_speedups (self);
  find_scalings (self);
  return self;
}

LabAnalysis *
lab_analysis_ref (LabAnalysis *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
lab_analysis_unref (LabAnalysis *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_ptr_array_unref (self->scalings);
  g_ptr_array_unref (self->groups);
  g_ptr_array_unref (self->runs);
  g_free (self->group_of);
  g_free (self->repeat_of);
  g_free (self->outlier);
  g_free (self);
}

guint
lab_analysis_get_n_runs (LabAnalysis *self)
{
  return self->runs->len;
}

LabRun *
lab_analysis_get_run (LabAnalysis *self,
                      guint        i)
{
  g_return_val_if_fail (i < self->runs->len, NULL);
  return g_ptr_array_index (self->runs, i);
}

guint
lab_analysis_get_n_groups (LabAnalysis *self)
{
  return self->groups->len;
}

const LabRunGroup *
lab_analysis_get_group (LabAnalysis *self,
                        guint        g)
{
  g_return_val_if_fail (g < self->groups->len, NULL);
  return g_ptr_array_index (self->groups, g);
}

/* The group of run @i. */
const LabRunGroup *
lab_analysis_get_group_of (LabAnalysis *self,
                           guint        i)
{
  g_return_val_if_fail (i < self->runs->len, NULL);
  return g_ptr_array_index (self->groups, self->group_of[i]);
}

/* Run @i's 1-based number among the repeats of its configuration. */
guint
lab_analysis_get_repeat (LabAnalysis *self,
                         guint        i)
{
  g_return_val_if_fail (i < self->runs->len, 0);
  return self->repeat_of[i];
}

gboolean
lab_analysis_is_outlier (LabAnalysis *self,
                         guint        i)
{
  g_return_val_if_fail (i < self->runs->len, FALSE);
  return self->outlier[i];
}

/**
 * lab_analysis_get_loop_run:
 *
 * Returns: (nullable): the finished plain loop over the same work that
 *   run @i is compared with: the last one before it, or else the first
 *   after it
 */
LabRun *
lab_analysis_get_loop_run (LabAnalysis *self,
                           guint        i)
{
  const LabRunConfig *config;
  LabRun *reference = NULL;

  g_return_val_if_fail (i < self->runs->len, NULL);

  config = lab_run_get_config (g_ptr_array_index (self->runs, i));
  for (guint k = 0; k < self->runs->len; k++)
    {
      LabRun *other = g_ptr_array_index (self->runs, k);

      if (lab_run_config_is_loop_of (lab_run_get_config (other), config) &&
          lab_run_get_state (other) == LAB_RUN_FINISHED &&
          (reference == NULL || k < i))
        reference = other;
    }
  return reference;
}

/* How many times faster run @i was than its loop (see
 * lab_analysis_get_loop_run()), or 0 without one. */
double
lab_analysis_get_speedup (LabAnalysis *self,
                          guint        i)
{
  LabRun *run = lab_analysis_get_run (self, i);
  LabRun *loop = lab_analysis_get_loop_run (self, i);

  if (loop == NULL || lab_run_get_elapsed_ns (run) <= 0)
    return 0;
  return (double) lab_run_get_elapsed_ns (loop) / lab_run_get_elapsed_ns (run);
}

/* Whether some configuration ran more than once. */
gboolean
lab_analysis_has_repeats (LabAnalysis *self)
{
  return self->groups->len < self->runs->len;
}

guint
lab_analysis_get_n_scalings (LabAnalysis *self)
{
  return self->scalings->len;
}

/**
 * lab_run_group_get_median_run:
 *
 * The run a group is told by: its finished repeat nearest the median,
 * or its last run when none finished.
 *
 * Returns: (transfer none): the run
 */
LabRun *
lab_run_group_get_median_run (const LabRunGroup *group)
{
  LabRun *best = g_ptr_array_index (group->runs, group->runs->len - 1);
  double distance = G_MAXDOUBLE;

  for (guint i = 0; i < group->runs->len && group->wall.n > 0; i++)
    {
      LabRun *run = g_ptr_array_index (group->runs, i);
      double d = fabs (lab_run_get_elapsed_ns (run) / 1e9 - group->wall.median);

      if (lab_run_get_state (run) == LAB_RUN_FINISHED && d < distance)
        {
          best = run;
          distance = d;
        }
    }
  return best;
}

const LabScaling *
lab_analysis_get_scaling (LabAnalysis *self,
                          guint        s)
{
  g_return_val_if_fail (s < self->scalings->len, NULL);
  return g_ptr_array_index (self->scalings, s);
}

/**
 * lab_analysis_split_experiments:
 * @runs: (array length=n_runs): runs of a session, in the order they ran
 *
 * The experiments among @runs: the runs of each task with each set of
 * parameters, whatever strategy ran them. Runs of different work are
 * never compared with each other.
 *
 * Returns: (transfer full) (element-type LabAnalysis): one analysis per
 *   experiment, in the order each first ran
 */
GPtrArray *
lab_analysis_split_experiments (LabRun **runs,
                                guint    n_runs)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *analyses = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_analysis_unref);

  for (guint i = 0; i < n_runs; i++)
    {
      GPtrArray *part = NULL;

      for (guint p = 0; p < parts->len && part == NULL; p++)
        {
          GPtrArray *candidate = g_ptr_array_index (parts, p);
          if (lab_run_config_same_work (lab_run_get_config (g_ptr_array_index (candidate, 0)),
                                        lab_run_get_config (runs[i])))
            part = candidate;
        }
      if (part == NULL)
        {
          part = g_ptr_array_new ();
          g_ptr_array_add (parts, part);
        }
      g_ptr_array_add (part, runs[i]);
    }

  for (guint p = 0; p < parts->len; p++)
    {
      GPtrArray *part = g_ptr_array_index (parts, p);
      g_ptr_array_add (analyses, lab_analysis_new ((LabRun **) part->pdata, part->len));
    }
  return analyses;
}

/* Whether the runs swept worker counts (some strategy ran with several). */
gboolean
lab_analysis_is_sweep (LabAnalysis *self)
{
  return self->scalings->len > 0;
}
