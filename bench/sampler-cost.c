/* sampler-cost.c — what following a run with the CPU sampler costs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window follows every run with a LabCpuSampler (per-core usage from
 * /proc/stat, per-worker usage from each worker's /proc/…/stat, ten times
 * a second). This runs the same run of sleeping jobs (thread pool of 8,
 * so eight workers to attribute) with and without a sampler, alternating,
 * and compares the process's CPU time (getrusage): the difference per
 * second of run is the sampler's cost, as a share of one core.
 *
 *   BUILD/bench/lab-bench-sampler [REPEATS]
 *
 * Prints one line per repeat and a last line:
 *   sampler  <with_ms>  <without_ms>  <wall_s>  <share_of_a_core>
 * Exit status 1 when the sampler costs more than 1 % of one core.
 */
#define G_LOG_DOMAIN "lab-bench"

#include "config.h"

#include <stdlib.h>
#include <sys/resource.h>

#include "lab-cpu-sampler.h"
#include "lab-run.h"
#include "lab-task.h"

#define JOBS     32
#define SECONDS  0.125
#define WORKERS  8
#define GOAL     0.01

static gint64
process_cpu_ns (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_GINT64_CONSTANT (1000000000) +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * G_GINT64_CONSTANT (1000);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!lab_run_start_finish (LAB_RUN (object), result, &error))
    g_error ("The run failed: %s", error->message);
  *(gboolean *) data = TRUE;
}

/* Runs the sleeping jobs, followed by @sampler when it is not %NULL;
 * returns the process's CPU time over the run and sets @wall_ns. */
static gint64
measure (LabCpuSampler *sampler,
         gint64        *wall_ns)
{
  const double seconds = SECONDS;
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict dict;
  gboolean done = FALSE;
  gint64 cpu0, t0;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, LAB_PARAM_JOBS, "u", JOBS);
  g_variant_dict_insert_value (&dict, LAB_PARAM_SECONDS,
                               g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, &seconds, 1, sizeof seconds));
  config = lab_run_config_new_by_name ("sleep", "thread-pool", WORKERS, g_variant_dict_end (&dict), &error);
  if (config == NULL || !(run = lab_run_new (config, &error)))
    g_error ("%s", error->message);

  cpu0 = process_cpu_ns ();
  t0 = g_get_monotonic_time ();
  if (sampler != NULL)
    lab_cpu_sampler_set_run (sampler, run);
  lab_run_start_async (run, NULL, run_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  if (sampler != NULL)
    lab_cpu_sampler_set_run (sampler, NULL);
  *wall_ns = (g_get_monotonic_time () - t0) * 1000;
  return process_cpu_ns () - cpu0;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

int
main (int   argc,
      char *argv[])
{
  guint repeats = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 5;
  g_autoptr(LabCpuSampler) sampler = lab_cpu_sampler_new ();
  g_autofree gint64 *with = g_new0 (gint64, MAX (repeats, 1));
  g_autofree gint64 *without = g_new0 (gint64, MAX (repeats, 1));
  g_autofree gint64 *walls = g_new0 (gint64, MAX (repeats, 1));
  gint64 wall;
  double share;

  repeats = MAX (repeats, 1);
  /* A first run loads what every run needs; it is not counted. */
  measure (NULL, &wall);
  for (guint i = 0; i < repeats; i++)
    {
      without[i] = measure (NULL, &wall);
      with[i] = measure (sampler, &walls[i]);
      g_print ("repeat %u: %.2f ms CPU with the sampler, %.2f ms without, run %.3f s\n",
               i + 1, with[i] / 1e6, without[i] / 1e6, walls[i] / 1e9);
    }
  qsort (with, repeats, sizeof (gint64), compare_gint64);
  qsort (without, repeats, sizeof (gint64), compare_gint64);
  qsort (walls, repeats, sizeof (gint64), compare_gint64);

  share = MAX (with[repeats / 2] - without[repeats / 2], 0) / (double) walls[repeats / 2];
  g_print ("sampler\t%.3f\t%.3f\t%.3f\t%.5f\n",
           with[repeats / 2] / 1e6, without[repeats / 2] / 1e6, walls[repeats / 2] / 1e9, share);
  return share <= GOAL ? EXIT_SUCCESS : EXIT_FAILURE;
}
