/* lab-granularity.c — how big a job must be before a strategy pays off
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model: N jobs of w seconds of work each. A plain loop takes
 * F₀ + N (w + o₀); a strategy with P workers busy on P usable cores takes
 * Fₛ + N (w / P + oₛ), where o is what each job adds (measured on empty
 * jobs) and F what the run pays once. The strategy beats the loop from
 *
 *   w* = (oₛ + Fₛ/N − o₀ − F₀/N) / (1 − 1/P)
 *
 * and its speed-up tends to P; it reaches 90 % of P at
 *
 *   w₉₀ = 9 P (oₛ + Fₛ/N) − 10 (o₀ + F₀/N).
 *
 * The job-size sweep then measures it: the primes task, calibrated here
 * to seconds of work per job, run by the loop and each strategy at job
 * sizes from microseconds to a tenth of a second.
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

/* --- The model ------------------------------------------------------------ */

static guint
busy_workers (const LabStrategyCost *strategy,
              guint                  usable_cores,
              guint                  n_jobs)
{
  guint p = MIN (MAX (strategy->workers, 1), MAX (usable_cores, 1));

  return n_jobs > 0 ? MIN (p, n_jobs) : p;
}

/* What each job costs beyond its work, once costs are shared out. */
static double
overhead (const LabStrategyCost *cost,
          guint                  n_jobs)
{
  return cost->per_job_s + (n_jobs > 0 ? cost->fixed_s / n_jobs : 0);
}

/**
 * lab_break_even_compute:
 * @loop: what the plain loop costs
 * @strategy: what the strategy costs
 * @n_jobs: jobs in the run; 0 for a run so long that what it pays once
 *   does not count
 *
 * A pure function of the costs: see the model at the top of this file.
 */
void
lab_break_even_compute (const LabStrategyCost *loop,
                        const LabStrategyCost *strategy,
                        guint                  usable_cores,
                        guint                  n_jobs,
                        LabBreakEven          *out)
{
  double p, a0, as, num;

  g_return_if_fail (loop != NULL && strategy != NULL && out != NULL);

  p = busy_workers (strategy, usable_cores, n_jobs);
  a0 = overhead (loop, n_jobs);
  as = overhead (strategy, n_jobs);
  num = as - a0;

  out->best_speedup = p;
  if (num <= 0)
    out->break_even_s = 0;
  else if (p <= 1)
    out->break_even_s = INFINITY;
  else
    out->break_even_s = num / (1 - 1 / p);
  out->ninety_s = MAX (0, 9 * p * as - 10 * a0);
}

/* The speed-up the model gives for jobs of @job_s seconds of work. */
double
lab_break_even_speedup (const LabStrategyCost *loop,
                        const LabStrategyCost *strategy,
                        guint                  usable_cores,
                        guint                  n_jobs,
                        double                 job_s)
{
  double p, t0, ts;

  g_return_val_if_fail (loop != NULL && strategy != NULL, 0);

  p = busy_workers (strategy, usable_cores, n_jobs);
  t0 = job_s + overhead (loop, n_jobs);
  ts = job_s / p + overhead (strategy, n_jobs);
  return ts > 0 ? t0 / ts : p;
}

/**
 * lab_break_even_predict_sweep:
 *
 * The break-even a job-size sweep should find: its runs have fewer jobs
 * the bigger the jobs (lab_job_sizes_n_jobs()), so what a run pays once
 * weighs more there; the job count and the break-even are worked out
 * together.
 *
 * Returns: seconds of work per job, 0 or INFINITY as in #LabBreakEven
 */
double
lab_break_even_predict_sweep (const LabStrategyCost *loop,
                              const LabStrategyCost *strategy,
                              guint                  usable_cores)
{
  LabBreakEven be = { 0 };
  double w = LAB_JOB_SIZE_MIN_S;

  for (guint i = 0; i < 20; i++)
    {
      double next;

      lab_break_even_compute (loop, strategy, usable_cores, lab_job_sizes_n_jobs (w), &be);
      next = be.break_even_s;
      if (!isfinite (next) || fabs (next - w) <= 1e-3 * w)
        return next;
      w = CLAMP (next, LAB_JOB_SIZE_MIN_S, LAB_JOB_SIZE_MAX_S);
    }
  return be.break_even_s;
}

/* --- Job sizes ------------------------------------------------------------ */

/* Jobs in a sweep's run of @job_s each: about SWEEP_WORK_S of work in
 * the loop, at least two jobs per usable core, at most MAX_JOBS. */
guint
lab_job_sizes_n_jobs (double job_s)
{
  double n = ceil (SWEEP_WORK_S / MAX (job_s, LAB_JOB_SIZE_MIN_S));

  return (guint) CLAMP (n, 2.0 * lab_usable_cores (), (double) MAX_JOBS);
}

/* From 10 µs to 0.1 s, three points a decade. */
GArray *
lab_job_sizes_default (void)
{
  static const double sizes[] = { 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1 };
  GArray *array = g_array_sized_new (FALSE, FALSE, sizeof (double), G_N_ELEMENTS (sizes));

  g_array_append_vals (array, sizes, G_N_ELEMENTS (sizes));
  return array;
}

/* Whether a --size value speaks of job seconds ("sweep", a list, a
 * decimal, a unit) rather than numbers per job (a whole number). */
gboolean
lab_job_sizes_is_list (const char *text)
{
  g_return_val_if_fail (text != NULL, FALSE);

  if (g_str_equal (text, "sweep"))
    return TRUE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit (*p) && !g_ascii_isspace (*p))
      return TRUE;
  return FALSE;
}

static gboolean
parse_one (const char *text,
           double     *out)
{
  static const struct { const char *suffix; double scale; } units[] = {
    { "µs", 1e-6 }, { "us", 1e-6 }, { "ms", 1e-3 }, { "s", 1 },
  };
  g_autofree char *copy = g_strstrip (g_strdup (text));
  double scale = 1;
  char *end = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_str_has_suffix (copy, units[i].suffix) && strlen (copy) > strlen (units[i].suffix))
      {
        copy[strlen (copy) - strlen (units[i].suffix)] = '\0';
        scale = units[i].scale;
        break;
      }
  errno = 0;
  *out = g_ascii_strtod (copy, &end) * scale;
  return copy[0] != '\0' && end != NULL && *end == '\0' && errno == 0 && isfinite (*out);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/**
 * lab_job_sizes_parse:
 * @text: "sweep", or a comma list of job sizes in seconds of work
 *   ("1e-5,1e-3,0.1", or with a unit: "10us,1ms,100ms")
 * @sizes: (out): the sizes, smallest first, each once
 *
 * Returns: %FALSE with %LAB_ERROR_INVALID_ARGUMENT naming what is wrong
 */
gboolean
lab_job_sizes_parse (const char  *text,
                     GArray     **sizes,
                     GError     **error)
{
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (double));
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (text != NULL && sizes != NULL, FALSE);

  if (g_str_equal (text, "sweep"))
    {
      *sizes = lab_job_sizes_default ();
      return TRUE;
    }
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      double v;

      if (!parse_one (parts[i], &v))
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("--size must be a whole number of numbers per job, “sweep”, or job sizes in seconds "
                         "like 1e-5,1e-3,0.1 or 10us,1ms,100ms, not “%s”"), g_strstrip (parts[i]));
          return FALSE;
        }
      if (v < LAB_JOB_SIZE_MIN_S || v > LAB_JOB_SIZE_MAX_S)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("--size: a job size must be from 2 µs to 1 s of work, not “%s”"), g_strstrip (parts[i]));
          return FALSE;
        }
      g_array_append_val (list, v);
    }
  if (list->len > LAB_MAX_JOB_SIZES)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--size lists at most %u job sizes, not %u"), LAB_MAX_JOB_SIZES, list->len);
      return FALSE;
    }
  g_array_sort (list, compare_double);
  for (guint i = 1; i < list->len; i++)
    if (g_array_index (list, double, i) == g_array_index (list, double, i - 1))
      g_array_remove_index (list, i--);
  *sizes = g_steal_pointer (&list);
  return TRUE;
}

/* The CPU time of one job of @size numbers, the cheapest of a few tries
 * (a busy machine only ever makes it slower). */
static double
time_primes (const LabTaskClass *klass,
             guint64             size)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(GVariant) params = NULL;
  gpointer plan;
  double best = G_MAXDOUBLE;

  g_variant_dict_insert (&dict, LAB_PARAM_SIZE, "t", size);
  g_variant_dict_insert (&dict, LAB_PARAM_JOBS, "u", 4);
  params = g_variant_ref_sink (g_variant_dict_end (&dict));
  plan = klass->setup (params, NULL, NULL);
  g_assert (plan != NULL);
  for (guint i = 0; i < 4; i++)
    {
      LabJobResult result = { 0 };
      gint64 t0 = lab_clock_thread_cpu_ns ();

      klass->run_job (plan, NULL, i, &result, NULL, NULL);
      best = MIN (best, (lab_clock_thread_cpu_ns () - t0) / 1e9);
      lab_job_result_clear (&result);
    }
  klass->plan_free (plan);
  return best;
}

/**
 * lab_primes_seconds_per_number:
 *
 * What checking one number costs the primes task on this machine, on
 * average over its ranges: measured once (about 20 ms of CPU), then kept.
 */
double
lab_primes_seconds_per_number (void)
{
  static double per_number;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      const LabTaskClass *klass = lab_task_lookup ("primes", NULL);
      guint64 size = 2048;

      g_assert (klass != NULL);
      per_number = time_primes (klass, size) / size;
      per_number = MAX (per_number, 1e-9);
      g_once_init_leave (&initialized, 1);
    }
  return per_number;
}

/* The primes task's size (numbers per job) for jobs of @job_s of work. */
guint64
lab_primes_size_for (double job_s)
{
  double n = round (job_s / lab_primes_seconds_per_number ());

  return (guint64) CLAMP (n, 1, 100000000.0);
}

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
  return compare_double (&((const LabGranularityPoint *) a)->job_s, &((const LabGranularityPoint *) b)->job_s);
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

static void
add_seconds (JsonBuilder *b,
             const char  *name,
             double       s)
{
  json_builder_set_member_name (b, name);
  if (isfinite (s))
    json_builder_add_double_value (b, s);
  else
    json_builder_add_null_value (b);
}

/* Adds "granularity": [{strategy, points: [{job_s, speedup, size}],
 * break_even_job_s, predicted_break_even_job_s}] to an object being built. */
void
lab_granularity_add_json (JsonBuilder *b,
                          GPtrArray   *granularity)
{
  g_return_if_fail (JSON_IS_BUILDER (b) && granularity != NULL);

  json_builder_set_member_name (b, "granularity");
  json_builder_begin_array (b);
  for (guint i = 0; i < granularity->len; i++)
    {
      LabGranularity *g = g_ptr_array_index (granularity, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "strategy");
      json_builder_add_string_value (b, g->strategy->name);
      json_builder_set_member_name (b, "points");
      json_builder_begin_array (b);
      for (guint k = 0; k < g->points->len; k++)
        {
          LabGranularityPoint *p = &g_array_index (g->points, LabGranularityPoint, k);

          json_builder_begin_object (b);
          add_seconds (b, "job_s", p->job_s);
          json_builder_set_member_name (b, "speedup");
          json_builder_add_double_value (b, p->speedup);
          json_builder_set_member_name (b, "size");
          json_builder_add_int_value (b, p->size);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      add_seconds (b, "break_even_job_s", g->break_even_s);
      add_seconds (b, "predicted_break_even_job_s", g->predicted_s);
      json_builder_set_member_name (b, "machine_busy");
      json_builder_add_double_value (b, g->machine_busy);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
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
