/* lab-job-sizes.c — how big a job must be before a strategy pays off
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

/* The model, the job sizes and the calibration. What a sweep found, its
 * table and its JSON are in lab-granularity.c, in the engine's other half
 * with the machine's costs. */

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
