/* test-gil.c — the "Python GIL" switch: one thread computes at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lab-gil.h"
#include "lab-run.h"
#include "lab-test-util.h"

#define ROUNDS 20000

typedef struct {
  LabGil  *gil;
  gint     inside;    /* threads holding the lock: never more than one */
  guint    counter;   /* incremented without atomics, under the lock */
  gboolean overlap;
} Shared;

static gpointer
count_thread (gpointer data)
{
  Shared *shared = data;

  lab_gil_acquire (shared->gil);
  for (guint i = 0; i < ROUNDS; i++)
    {
      if (g_atomic_int_add (&shared->inside, 1) != 0)
        shared->overlap = TRUE;
      shared->counter++;
      g_atomic_int_add (&shared->inside, -1);
      lab_gil_switch_point (shared->gil);
    }
  lab_gil_release (shared->gil);
  return NULL;
}

static void
wait_for_waiting (LabGil *gil,
                  guint   n)
{
  gint64 deadline = g_get_monotonic_time () + LAB_TEST_DEADLINE_S * G_USEC_PER_SEC;

  while (lab_gil_get_waiting (gil) < n)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("%u of %u threads waited for the lock within %u s", lab_gil_get_waiting (gil), n,
                 LAB_TEST_DEADLINE_S);
      g_usleep (500);
    }
}

/* Three threads counting under the lock, handing it over every 1 µs:
 * no count is lost, no two hold it at once, and it does change hands. */
static void
test_exclusion (void)
{
  g_autoptr(LabGil) gil = lab_gil_new (1);
  Shared shared = { gil };
  GThread *threads[3];

  /* All three queue up behind this thread before any counts. */
  lab_gil_acquire (gil);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("gil-test", count_thread, &shared);
  wait_for_waiting (gil, G_N_ELEMENTS (threads));
  lab_gil_release (gil);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (shared.counter, ==, G_N_ELEMENTS (threads) * ROUNDS);
  g_assert_false (shared.overlap);
  g_assert_cmpuint (lab_gil_get_switches (gil), >, 0);
  g_assert_cmpuint (lab_gil_get_waiting (gil), ==, 0);
}

typedef struct {
  LabGil *gil;
  GMutex  mutex;
  GString *order;
  char    name;
} Waiter;

static gpointer
waiter_thread (gpointer data)
{
  Waiter *w = data;

  lab_gil_acquire (w->gil);
  g_string_append_c (w->order, w->name);
  lab_gil_release (w->gil);
  return NULL;
}

/* Threads get the lock in the order they asked for it, and the holder
 * gives way at a switch point once its interval is over. */
static void
test_order (void)
{
  g_autoptr(LabGil) gil = lab_gil_new (1000);
  g_autoptr(GString) order = g_string_new (NULL);
  Waiter b = { gil, { 0 }, order, 'b' }, c = { gil, { 0 }, order, 'c' };
  GThread *tb, *tc;

  lab_gil_acquire (gil);
  tb = g_thread_new ("gil-b", waiter_thread, &b);
  wait_for_waiting (gil, 1);
  tc = g_thread_new ("gil-c", waiter_thread, &c);
  wait_for_waiting (gil, 2);

  /* Past the holder's 1 ms interval (a sleep only ever lasts longer). */
  g_usleep (2000);
  g_string_append_c (order, 'a');
  lab_gil_switch_point (gil);   /* b and c go first */
  g_string_append_c (order, 'a');
  lab_gil_release (gil);

  g_thread_join (tb);
  g_thread_join (tc);
  g_assert_cmpstr (order->str, ==, "abca");
}

/* Within its interval the holder keeps the lock, even with a thread
 * waiting for it. */
static void
test_interval (void)
{
  g_autoptr(LabGil) gil = lab_gil_new (60 * G_USEC_PER_SEC);
  g_autoptr(GString) order = g_string_new (NULL);
  Waiter b = { gil, { 0 }, order, 'b' };
  GThread *tb;

  lab_gil_acquire (gil);
  tb = g_thread_new ("gil-b", waiter_thread, &b);
  wait_for_waiting (gil, 1);
  lab_gil_switch_point (gil);
  g_string_append_c (order, 'a');
  lab_gil_release (gil);
  g_thread_join (tb);
  g_assert_cmpstr (order->str, ==, "ab");
  g_assert_cmpuint (lab_gil_get_switches (gil), ==, 0);
}

static LabRun *
primes_run (const char *strategy,
            gboolean    gil)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  LabRun *run;

  config = lab_test_config ("primes", strategy, 2,
                               g_variant_new_parsed ("{'size': <uint64 20000>, 'jobs': <uint32 4>}"));
  config->gil = gil;
  run = lab_run_new (config, &error);
  g_assert_no_error (error);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  return run;
}

static gint64
jobs_cpu_ns (LabRun *run)
{
  gint64 cpu = 0;

  for (guint i = 0; i < lab_run_get_n_jobs (run); i++)
    cpu += lab_run_get_job (run, i)->cpu_ns;
  return cpu;
}

/* With the switch on, the threads of a run never compute at once: their
 * CPU time adds up to no more than the wall time, however many cores. */
static void
test_run_with_gil (void)
{
  for (guint s = 0; s < 2; s++)
    {
      const char *strategy = s == 0 ? "threads" : "thread-pool";
      g_autoptr(LabRun) run = primes_run (strategy, TRUE);
      LabRunSummary sum;

      lab_run_get_summary (run, &sum);
      g_assert_cmpuint (sum.n_failed, ==, 0);
      g_assert_cmpint (jobs_cpu_ns (run), <=, sum.wall_ns + sum.wall_ns / 10 + 5 * 1000 * 1000);
    }
}

/* Only threads of one process take turns: a process has its own lock, as
 * each Python process has its own interpreter. */
static void
test_which_strategies (void)
{
  static const struct { const char *strategy; gboolean uses; } cases[] = {
    { "sequential", FALSE }, { "threads", TRUE },
    { "thread-pool", TRUE }, { "processes", FALSE },
    { "process-pool", FALSE }, { "async", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LabRunConfig) on = lab_test_config ("sleep", cases[i].strategy, 0, NULL);
      g_autoptr(LabRunConfig) off = lab_test_config ("sleep", cases[i].strategy, 0, NULL);
      g_autoptr(LabRunConfig) copy = NULL;

      on->gil = TRUE;
      copy = lab_run_config_copy (on);
      g_assert_cmpint (lab_run_config_uses_gil (on), ==, cases[i].uses);
      g_assert_true (copy->gil);
      g_assert_false (lab_run_config_uses_gil (off));
      /* With and without the lock are different experiments where it counts. */
      g_assert_cmpint (lab_run_config_equal (on, off), ==, !cases[i].uses);
    }
  g_assert_null (lab_gil_get_current ());
}

int
main (int argc, char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/gil/exclusion", test_exclusion);
  g_test_add_func ("/gil/order", test_order);
  g_test_add_func ("/gil/interval", test_interval);
  g_test_add_func ("/gil/run", test_run_with_gil);
  g_test_add_func ("/gil/strategies", test_which_strategies);

  return g_test_run ();
}
