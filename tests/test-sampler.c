/* test-sampler.c — LabCpuSampler and LabCpuHistory against real /proc figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lab-clock.h"
#include "lab-cpu-sampler.h"
#include "lab-task.h"
#include "lab-test-util.h"

/* About a second of pure CPU on this machine (0.15 s per 90 000). */
#define BUSY_SIZE 600000

/* Dispatches what is ready now: no waiting for anything to come. */
static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
is_stopped (gpointer sampler)
{
  return !lab_cpu_sampler_is_running (sampler);
}

static gboolean
has_two_samples (gpointer sampler)
{
  LabCpuHistory *history = lab_cpu_sampler_get_history (sampler);

  return history != NULL && lab_cpu_history_get_n_samples (history) >= 2;
}

static gboolean
is_done (gpointer done)
{
  return *(gboolean *) done;
}

static LabRun *
new_run (const char  *task,
         const char  *strategy,
         guint        workers,
         GVariant    *params)
{
  g_autoptr(LabRunConfig) config = lab_test_config (task, strategy, workers, params);
  g_autoptr(GError) error = NULL;
  LabRun *run = lab_run_new (config, &error);

  g_assert_no_error (error);
  return run;
}

static LabRun *
new_busy_run (const char *strategy)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, LAB_PARAM_JOBS, "u", 1);
  g_variant_dict_insert (&dict, LAB_PARAM_SIZE, "t", (guint64) BUSY_SIZE);
  return new_run ("primes", strategy, 1, g_variant_dict_end (&dict));
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  gboolean *done = user_data;

  lab_run_start_finish (LAB_RUN (object), result, NULL);
  *done = TRUE;
}

static void
wait_run (LabRun   *run,
          gboolean *done)
{
  lab_test_wait_until (is_done, done, "the run ended");
}

static void
test_history_append (void)
{
  g_autoptr(LabCpuHistory) history = lab_cpu_history_new (2);
  const double cores[2] = { 0.5, 1.5 };
  const gint64 ids[2] = { 100, 200 };
  const double usage[2] = { 0.9, 0.1 };
  const LabCpuWorkerUsage *entries;
  guint n;

  g_assert_cmpuint (lab_cpu_history_get_n_samples (history), ==, 0);
  g_assert_cmpint (lab_cpu_history_get_duration (history), ==, 0);

  lab_cpu_history_append (history, 0, cores, 1.0, ids, usage, 2);
  lab_cpu_history_append (history, 100000000, cores, 0.5, &ids[1], &usage[1], 1);

  g_assert_cmpuint (lab_cpu_history_get_n_cores (history), ==, 2);
  g_assert_cmpuint (lab_cpu_history_get_n_samples (history), ==, 2);
  g_assert_cmpint (lab_cpu_history_get_time (history, 1), ==, 100000000);
  g_assert_cmpint (lab_cpu_history_get_duration (history), ==, 100000000);
  g_assert_cmpfloat_with_epsilon (lab_cpu_history_get_core_usage (history, 0, 0), 0.5, 1e-6);
  /* Usage of a core is clamped to what a core can do. */
  g_assert_cmpfloat_with_epsilon (lab_cpu_history_get_core_usage (history, 0, 1), 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (lab_cpu_history_get_app_usage (history, 1), 0.5, 1e-6);

  g_assert_cmpuint (lab_cpu_history_get_n_workers (history), ==, 2);
  g_assert_cmpint (lab_cpu_history_get_worker_id (history, 1), ==, 200);
  g_assert_cmpstr (lab_cpu_history_get_worker_label (history, 0), ==, "100");
  g_assert_cmpfloat_with_epsilon (lab_cpu_history_get_worker_usage (history, 1, 1), 0.1, 1e-6);
  g_assert_cmpfloat (lab_cpu_history_get_worker_usage (history, 1, 0), ==, 0);

  entries = lab_cpu_history_get_sample_workers (history, 0, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (entries[0].worker, ==, 0);
  g_assert_cmpfloat_with_epsilon (entries[0].usage, 0.9, 1e-6);
  g_assert_false (lab_cpu_history_is_sealed (history));
}

/* Ten minutes at most: older samples go, memory stays bounded. */
static void
test_history_bounded (void)
{
  g_autoptr(LabCpuHistory) history = lab_cpu_history_new (1);
  const guint max = LAB_CPU_SAMPLE_HZ * LAB_CPU_HISTORY_SECONDS;
  const double core = 0.25;
  gint64 step = G_GINT64_CONSTANT (1000000000) / LAB_CPU_SAMPLE_HZ;

  for (guint i = 0; i < 2 * max; i++)
    lab_cpu_history_append (history, i * step, &core, 0.1, NULL, NULL, 0);

  g_assert_cmpuint (lab_cpu_history_get_n_samples (history), >=, max);
  g_assert_cmpuint (lab_cpu_history_get_n_samples (history), <=, max + max / 10);
  /* The newest sample is kept, the oldest gone. */
  g_assert_cmpint (lab_cpu_history_get_duration (history), ==, (2 * max - 1) * step);
  g_assert_cmpint (lab_cpu_history_get_time (history, 0), >, 0);
}

static double
max_worker_usage (LabCpuHistory *history,
                  guint          worker)
{
  double best = 0;

  for (guint s = 0; s < lab_cpu_history_get_n_samples (history); s++)
    best = MAX (best, lab_cpu_history_get_worker_usage (history, s, worker));
  return best;
}

/* CPU seconds the history saw the worker use: usage × sample interval. */
static double
worker_cpu_seconds (LabCpuHistory *history,
                    guint          worker)
{
  double sum = 0;

  for (guint s = 1; s < lab_cpu_history_get_n_samples (history); s++)
    sum += lab_cpu_history_get_worker_usage (history, s, worker) *
           (lab_cpu_history_get_time (history, s) - lab_cpu_history_get_time (history, s - 1)) / 1e9;
  return sum;
}

/* The cores /proc/stat lists, read here independently of the sampler:
 * under a cpuset or taskset, more than this process may use. */
static guint
count_stat_cores (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents ("/proc/stat", &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    n += g_str_has_prefix (lines[i], "cpu") && g_ascii_isdigit (lines[i][3]);
  return n;
}

static void
assert_cores_sane (LabCpuHistory *history)
{
  g_assert_cmpuint (lab_cpu_history_get_n_cores (history), ==, count_stat_cores ());
  for (guint s = 0; s < lab_cpu_history_get_n_samples (history); s++)
    for (guint c = 0; c < lab_cpu_history_get_n_cores (history); c++)
      {
        double usage = lab_cpu_history_get_core_usage (history, s, c);
        g_assert_cmpfloat (usage, >=, 0);
        g_assert_cmpfloat (usage, <=, 1);
      }
}

static void
count_cb (gpointer  instance,
          guint    *count)
{
  (*count)++;
}

/* A busy worker shows up under its id at more than half a core, on its
 * own thread for threads, as a child process for process pools. */
static void
check_busy_worker (const char *strategy)
{
  g_autoptr(LabCpuSampler) sampler = lab_cpu_sampler_new ();
  g_autoptr(LabRun) run = new_busy_run (strategy);
  const LabJobRecord *job;
  LabCpuHistory *history;
  gboolean done = FALSE;
  guint updates = 0;
  gint64 worker;
  double share;

  g_signal_connect (sampler, "updated", G_CALLBACK (count_cb), &updates);
  lab_cpu_sampler_set_run (sampler, run);
  g_assert_true (lab_cpu_sampler_is_running (sampler));
  lab_run_start_async (run, NULL, run_done_cb, &done);
  wait_run (run, &done);
  /* It stops on its own with the first samples after the run's end. */
  lab_test_wait_until (is_stopped, sampler, "the sampler stopped after the run");

  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FINISHED);
  history = lab_cpu_sampler_get_history (sampler);
  g_assert_nonnull (history);
  g_assert_cmpuint (lab_cpu_history_get_n_samples (history), >=, 5);
  assert_cores_sane (history);

  job = lab_run_get_job (run, 0);
  worker = job->worker;
  g_assert_cmpuint (lab_cpu_history_get_n_workers (history), ==, 1);
  g_assert_cmpint (lab_cpu_history_get_worker_id (history, 0), ==, worker);
  /* More than half a core, or half of what the job got on a loaded
   * machine; and about the CPU time the job measured itself (the first
   * and last tenth of a second may escape the samples). */
  share = (double) job->cpu_ns / (job->end_ns - job->start_ns);
  g_assert_cmpfloat (max_worker_usage (history, 0), >, 0.5 * MIN (share, 1.0));
  g_assert_cmpfloat (max_worker_usage (history, 0), <, 1.3);
  g_assert_cmpfloat (worker_cpu_seconds (history, 0), >, job->cpu_ns / 1e9 - 0.25);
  g_assert_cmpfloat (worker_cpu_seconds (history, 0), <, job->cpu_ns / 1e9 * 1.2 + 0.05);
  g_assert_true (g_str_has_prefix (lab_cpu_history_get_worker_label (history, 0),
                                   lab_strategy_lookup (strategy)->processes ? "process " : "thread "));

  /* One update when the run was set, then one per batch of samples taken
   * in (each has at least one), never one per worker or per reading. */
  g_test_message ("%u updates for %u samples", updates, lab_cpu_history_get_n_samples (history));
  g_assert_cmpuint (updates, >=, 2);
  g_assert_cmpuint (updates, <=, 1 + lab_cpu_history_get_n_samples (history));
}

static void
test_sampler_thread_worker (void)
{
  check_busy_worker ("threads");
}

static void
test_sampler_process_worker (void)
{
  check_busy_worker ("process-pool");
}

/* Once the run has ended the history is sealed and sampling stops: the
 * chart keeps showing the last run as it was. */
static void
test_sampler_seals (void)
{
  g_autoptr(LabCpuSampler) sampler = lab_cpu_sampler_new ();
  g_autoptr(LabRun) run = new_run ("sleep", "threads", 2,
                                   g_variant_new_parsed ("{'seconds': <[0.3, 0.3]>}"));
  g_autoptr(LabCpuHistory) history = NULL;
  gboolean done = FALSE;
  gint64 stopped_ns;
  guint n_samples;

  lab_cpu_sampler_set_run (sampler, run);
  history = lab_cpu_history_ref (lab_cpu_sampler_get_history (sampler));
  lab_run_start_async (run, NULL, run_done_cb, &done);
  wait_run (run, &done);
  lab_test_wait_until (is_stopped, sampler, "the sampler stopped after the run");
  stopped_ns = lab_clock_now_ns ();

  g_assert_true (lab_cpu_history_is_sealed (history));
  g_assert_true (lab_cpu_sampler_get_history (sampler) == history);
  n_samples = lab_cpu_history_get_n_samples (history);
  g_assert_cmpuint (n_samples, >=, 1);
  /* Times are relative to the run's start: the last sample was taken
   * before the sampler was seen stopped. */
  g_assert_cmpint (lab_cpu_history_get_duration (history), <=, stopped_ns - lab_run_get_start_time (run));
  /* Sealed: whatever was still on its way is not added. */
  drain ();
  g_assert_cmpuint (lab_cpu_history_get_n_samples (history), ==, n_samples);
  /* Sleeping threads use next to nothing. */
  for (guint w = 0; w < lab_cpu_history_get_n_workers (history); w++)
    g_assert_cmpfloat (max_worker_usage (history, w), <, 0.2);
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_sampler_start_stop (void)
{
  g_autoptr(LabCpuSampler) sampler = lab_cpu_sampler_new ();
  g_autoptr(LabRun) run = new_busy_run ("sequential");
  g_autoptr(LabCpuHistory) first = NULL;
  guint notified = 0;

  g_assert_cmpuint (lab_cpu_sampler_get_n_cores (sampler), ==, count_stat_cores ());
  g_assert_null (lab_cpu_sampler_get_history (sampler));
  g_signal_connect (sampler, "notify::history", G_CALLBACK (notify_cb), &notified);

  lab_cpu_sampler_start (sampler);
  g_assert_true (lab_cpu_sampler_is_running (sampler));
  lab_test_wait_until (has_two_samples, sampler, "two samples");
  first = lab_cpu_history_ref (lab_cpu_sampler_get_history (sampler));
  g_assert_cmpuint (lab_cpu_history_get_n_samples (first), >=, 2);
  assert_cores_sane (first);
  g_assert_cmpuint (lab_cpu_history_get_n_workers (first), ==, 0);

  /* A run begins a new history; a run that never starts keeps sampling
   * until it is stopped. */
  lab_cpu_sampler_set_run (sampler, run);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_true (lab_cpu_sampler_get_history (sampler) != first);
  g_assert_cmpuint (lab_cpu_history_get_n_samples (lab_cpu_sampler_get_history (sampler)), ==, 0);
  g_assert_true (lab_cpu_history_is_sealed (first));
  g_assert_true (lab_cpu_sampler_get_run (sampler) == run);
  lab_cpu_sampler_stop (sampler);
  g_assert_false (lab_cpu_sampler_is_running (sampler));
  g_assert_true (lab_cpu_history_is_sealed (lab_cpu_sampler_get_history (sampler)));

  lab_cpu_sampler_set_run (sampler, NULL);
  g_assert_null (lab_cpu_sampler_get_run (sampler));
  g_assert_nonnull (lab_cpu_sampler_get_history (sampler));
}

/* Disposing while sampling joins the thread and drops queued samples. */
static void
test_sampler_dispose_running (void)
{
  LabCpuSampler *sampler = lab_cpu_sampler_new ();
  guint threads = lab_test_count_threads ();
  gint64 deadline = g_get_monotonic_time () + LAB_TEST_DEADLINE_S * G_USEC_PER_SEC;

  drain ();
  lab_cpu_sampler_start (sampler);
  /* A sample is queued for this (blocked) loop: its flush is pending. */
  while (!g_main_context_pending (NULL))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("No sample within %u s", LAB_TEST_DEADLINE_S);
      g_usleep (1000);
    }
  g_assert_cmpuint (lab_test_count_threads (), ==, threads + 1);
  g_assert_finalize_object (sampler);
  g_assert_cmpuint (lab_test_count_threads (), ==, threads);
  drain ();
}

int
main (int   argc,
      char *argv[])
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/sampler/history/append", test_history_append);
  g_test_add_func ("/sampler/history/bounded", test_history_bounded);
  g_test_add_func ("/sampler/thread-worker", test_sampler_thread_worker);
  g_test_add_func ("/sampler/process-worker", test_sampler_process_worker);
  g_test_add_func ("/sampler/seals", test_sampler_seals);
  g_test_add_func ("/sampler/start-stop", test_sampler_start_stop);
  g_test_add_func ("/sampler/dispose-running", test_sampler_dispose_running);

  return g_test_run ();
}
