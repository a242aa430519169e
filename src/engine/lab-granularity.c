/* lab-granularity.c — what a job-size sweep found
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model, the job sizes and the calibration are in lab-job-sizes.c.
 */
#define G_LOG_DOMAIN "lab-granularity"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "lab-clock.h"
#include "lab-error.h"
#include "lab-format.h"
#include "lab-granularity.h"
#include "lab-task.h"

/* Each point of a sweep does about this much work in the loop, with at
 * least two jobs per core and at most MAX_JOBS jobs. */
#define SWEEP_WORK_S 0.1
#define MAX_JOBS     256
/* Above this share of the CPU taken by others, the table says the
 * prediction cannot hold. */
#define BUSY_NOTE    0.2

/* --- Reading a sweep ---------------------------------------------------- */

static void
granularity_free (gpointer data)
{
  LabGranularity *g = data;

  g_array_unref (g->points);
  g_free (g);
}

static LabGranularity *
find_or_add (GPtrArray         *list,
             const LabStrategy *strategy)
{
  LabGranularity *g;

  for (guint i = 0; i < list->len; i++)
    if (((LabGranularity *) g_ptr_array_index (list, i))->strategy == strategy)
      return g_ptr_array_index (list, i);
  g = g_new0 (LabGranularity, 1);
  g->strategy = strategy;
  g->points = g_array_new (FALSE, FALSE, sizeof (LabGranularityPoint));
  g->break_even_s = NAN;
  g->predicted_s = NAN;
  g_ptr_array_add (list, g);
  return g;
}

static int
compare_points (gconstpointer a,
                gconstpointer b)
{
  double x = ((const LabGranularityPoint *) a)->job_s, y = ((const LabGranularityPoint *) b)->job_s;

  return (x > y) - (x < y);
}

/* The work per job of a group's runs: its loop's CPU time per job, or
 * the calibration when the loop measured none. */
static double
group_job_s (const LabRunGroup *group,
             guint64            size)
{
  const LabRunGroup *loop = group->loop ? group->loop : group;
  LabRun *run = lab_run_group_get_median_run (loop);
  guint n = lab_run_get_n_done (run);
  gint64 cpu = lab_run_get_jobs_cpu_ns (run);

  if (n > 0 && cpu > 0)
    return cpu / 1e9 / n;
  return size * lab_primes_seconds_per_number ();
}

/* The closest non-decreasing sequence to @y (pool adjacent violators):
 * bigger jobs never pay off less, so a dip is noise from a busy machine,
 * shared out with its neighbours rather than taken as a crossing. */
static void
fit_increasing (const double *y,
                guint         n,
                double       *fit)
{
  g_autofree double *value = g_new (double, n);
  g_autofree guint *count = g_new (guint, n);
  guint blocks = 0, k = 0;

  for (guint i = 0; i < n; i++)
    {
      value[blocks] = y[i];
      count[blocks] = 1;
      blocks++;
      while (blocks > 1 && value[blocks - 2] > value[blocks - 1])
        {
          guint c = count[blocks - 2] + count[blocks - 1];

          value[blocks - 2] = (value[blocks - 2] * count[blocks - 2] + value[blocks - 1] * count[blocks - 1]) / c;
          count[blocks - 2] = c;
          blocks--;
        }
    }
  for (guint b = 0; b < blocks; b++)
    for (guint j = 0; j < count[b]; j++)
      fit[k++] = value[b];
}

/* What other programs took of the machine during @strategy's runs. */
static double
mean_machine_busy (LabAnalysis       *analysis,
                   const LabStrategy *strategy)
{
  double sum = 0;
  guint n = 0;

  for (guint i = 0; i < lab_analysis_get_n_runs (analysis); i++)
    {
      LabRun *run = lab_analysis_get_run (analysis, i);
      LabRunSummary summary;

      if (lab_run_get_config (run)->strategy != strategy)
        continue;
      lab_run_get_summary (run, &summary);
      sum += summary.machine_busy;
      n++;
    }
  return n > 0 ? sum / n : 0;
}

/**
 * lab_granularity_find_break_even:
 * @points: (array length=n_points): by job size
 *
 * Where the speed-up crosses 1: on the closest non-decreasing curve to
 * the points, between the last size below 1 and the next, interpolated
 * on the log scale of job sizes.
 *
 * Returns: the job size; the smallest one when no point is below 1; NAN
 *   when the curve ends below 1 or there is no point
 */
double
lab_granularity_find_break_even (const LabGranularityPoint *points,
                                 guint                      n_points)
{
  g_autofree double *y = NULL;
  g_autofree double *fit = NULL;
  gint last_below = -1;
  double t, a, b;
  guint i;

  if (n_points == 0)
    return NAN;
  y = g_new (double, n_points);
  fit = g_new (double, n_points);
  for (i = 0; i < n_points; i++)
    y[i] = points[i].speedup;
  fit_increasing (y, n_points, fit);

  for (i = 0; i < n_points; i++)
    if (fit[i] < 1)
      last_below = i;
  if (last_below == (gint) n_points - 1)
    return NAN;
  if (last_below < 0)
    return points[0].job_s;

  i = last_below;
  a = fit[i];
  b = fit[i + 1];
  if (b <= a || points[i].job_s <= 0)
    return points[i + 1].job_s;
  t = (1 - a) / (b - a);
  return exp (log (points[i].job_s) + t * (log (points[i + 1].job_s) - log (points[i].job_s)));
}

/**
 * lab_granularity_compute:
 * @costs: (nullable): measured costs, for the predicted break-even
 *
 * The job-size sweep read from an analysis: each strategy but the loop,
 * with its speed-up at each job size (median repeats).
 *
 * Returns: (transfer full) (element-type LabGranularity): in the order
 *   the strategies ran
 */
GPtrArray *
lab_granularity_compute (LabAnalysis           *analysis,
                         const LabMachineCosts *costs)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (granularity_free);
  LabStrategyCost loop_cost;
  gboolean have_loop = FALSE;

  g_return_val_if_fail (analysis != NULL, list);

  if (costs != NULL)
    have_loop = lab_machine_costs_get_strategy_cost (costs, lab_strategy_get_loop (), &loop_cost);

  for (guint i = 0; i < lab_analysis_get_n_groups (analysis); i++)
    {
      const LabRunGroup *group = lab_analysis_get_group (analysis, i);
      const LabRunConfig *config = lab_run_get_config (group->first);
      LabGranularityPoint point = { 0 };

      if (lab_strategy_is_loop (config->strategy) || group->speedup <= 0 ||
          !g_variant_lookup (config->params, LAB_PARAM_SIZE, "t", &point.size))
        continue;
      point.job_s = group_job_s (group, point.size);
      point.speedup = group->speedup;
      g_array_append_val (find_or_add (list, config->strategy)->points, point);
    }

  for (guint i = 0; i < list->len; i++)
    {
      LabGranularity *g = g_ptr_array_index (list, i);
      LabStrategyCost cost;

      g_array_sort (g->points, compare_points);
      g->machine_busy = mean_machine_busy (analysis, g->strategy);
      g->break_even_s = lab_granularity_find_break_even ((LabGranularityPoint *) g->points->data, g->points->len);
      if (have_loop && lab_machine_costs_get_strategy_cost (costs, g->strategy, &cost))
        g->predicted_s = lab_break_even_predict_sweep (&loop_cost, &cost, costs->usable_cores);
    }
  return list;
}

static char *
format_job (double s)
{
  if (!isfinite (s))
    return g_strdup (_("never"));
  return lab_machine_costs_format_seconds (s);
}

/* Speed-up by job size, a column per strategy; "▲" marks the first size
 * at or past the measured break-even. */
char *
lab_granularity_format_table (GPtrArray *granularity,
                              guint      usable_cores)
{
  GString *out = g_string_new (NULL);
  guint n_rows = 0;
  double busy = 0;

  g_return_val_if_fail (granularity != NULL, NULL);

  g_string_append_printf (out, _("Speed-up by job size (over the plain loop; %u usable cores, the most a "
                                 "strategy can reach)\n"), usable_cores);
  g_string_append_printf (out, "%-12s", _("job"));
  for (guint i = 0; i < granularity->len; i++)
    {
      LabGranularity *g = g_ptr_array_index (granularity, i);

      g_string_append_printf (out, " %14s", g->strategy->name);
      n_rows = MAX (n_rows, g->points->len);
    }
  g_string_append_c (out, '\n');

  for (guint r = 0; r < n_rows; r++)
    {
      LabGranularity *first = g_ptr_array_index (granularity, 0);
      g_autofree char *job = r < first->points->len
                             ? format_job (g_array_index (first->points, LabGranularityPoint, r).job_s) : g_strdup ("");

      g_string_append_printf (out, "%-12s", job);
      for (guint i = 0; i < granularity->len; i++)
        {
          LabGranularity *g = g_ptr_array_index (granularity, i);
          LabGranularityPoint *p;
          gboolean mark;

          if (r >= g->points->len)
            {
              g_string_append_printf (out, " %14s", "");
              continue;
            }
          p = &g_array_index (g->points, LabGranularityPoint, r);
          mark = isfinite (g->break_even_s) && p->job_s >= g->break_even_s &&
                 (r == 0 || g_array_index (g->points, LabGranularityPoint, r - 1).job_s < g->break_even_s);
          g_string_append_printf (out, " %12.2f×%s", p->speedup, mark ? "▲" : " ");
        }
      g_string_append_c (out, '\n');
    }

  g_string_append (out, _("\n▲ the strategy beats the plain loop from this size on\n"));
  for (guint i = 0; i < granularity->len; i++)
    {
      LabGranularity *g = g_ptr_array_index (granularity, i);
      g_autofree char *measured = format_job (g->break_even_s);
      g_autofree char *predicted = format_job (g->predicted_s);

      g_string_append_printf (out, _("%-14s break-even: measured %s, predicted %s\n"), g->strategy->name,
                              measured, isnan (g->predicted_s) ? "—" : predicted);
      busy = MAX (busy, g->machine_busy);
    }
  /* The model counts on every usable core for the run: on a busy
   * machine the speed-ups stay low and cross 1 later than predicted. */
  if (busy >= BUSY_NOTE)
    g_string_append_printf (out, _("Other programs used up to %.0f %% of the machine’s CPU during these runs: the "
                                   "strategies got fewer cores than the prediction counts on, so they pay off "
                                   "later than predicted. Measure on a quiet machine to compare.\n"), busy * 100);
  return g_string_free (out, FALSE);
}

/**
 * lab_machine_costs_break_even:
 * @n_jobs: jobs in the run, 0 for many
 *
 * The break-even of @strategy against the plain loop, from @costs.
 *
 * Returns: %FALSE when @strategy has no figure (async) or is the loop
 */
gboolean
lab_machine_costs_break_even (const LabMachineCosts *costs,
                              const LabStrategy     *strategy,
                              guint                  n_jobs,
                              LabBreakEven          *out)
{
  LabStrategyCost loop, cost;

  g_return_val_if_fail (costs != NULL && strategy != NULL && out != NULL, FALSE);

  if (lab_strategy_is_loop (strategy) ||
      !lab_machine_costs_get_strategy_cost (costs, lab_strategy_get_loop (), &loop) ||
      !lab_machine_costs_get_strategy_cost (costs, strategy, &cost))
    return FALSE;
  lab_break_even_compute (&loop, &cost, costs->usable_cores, n_jobs, out);
  return TRUE;
}

/* A job-size sweep's outcome: where each strategy started to pay off. */
char *
_lab_granularity_describe (LabAnalysis *analysis)
{
  g_autoptr(GPtrArray) granularity = lab_granularity_compute (analysis, NULL);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < granularity->len; i++)
    {
      LabGranularity *g = g_ptr_array_index (granularity, i);
      LabGranularityPoint *last = &g_array_index (g->points, LabGranularityPoint, g->points->len - 1);
      g_autofree char *from = isfinite (g->break_even_s) ? lab_machine_costs_format_seconds (g->break_even_s) : NULL;

      if (out->len > 0)
        g_string_append_c (out, '\n');
      if (from != NULL)
        /* Translators: "Process Pool: beats the loop from 120 µs jobs; 1.93× with the biggest" */
        g_string_append_printf (out, _("%s: beats the loop from %s jobs; %.2f× with the biggest"),
                                lab_strategy_get_title (g->strategy), from, last->speedup);
      else
        g_string_append_printf (out, _("%s: never beat the loop at these sizes; %.2f× with the biggest"),
                                lab_strategy_get_title (g->strategy), last->speedup);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
