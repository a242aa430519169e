/* test-tasks.c — the built-in tasks, their parameters, cancel tokens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "lab-clock.h"
#include "lab-error.h"
#include "lab-strategy.h"
#include "lab-task.h"
#include "lab-test-util.h"

static GVariant *
params (const char *text)
{
  g_autoptr(GError) error = NULL;
  GVariant *v = g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, &error);

  g_assert_no_error (error);
  return g_variant_ref_sink (v);
}

static gpointer
setup (const char  *task,
       const char  *text,
       GError     **error)
{
  const LabTaskClass *klass = lab_task_lookup (task, NULL);
  g_autoptr(GVariant) p = params (text);

  g_assert_nonnull (klass);
  if (!lab_task_check_params (lab_task_info_lookup (task), p, error))
    return NULL;
  return klass->setup (p, NULL, error);
}

static void
expect_invalid (const char *task,
                const char *text,
                const char *needle)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (setup (task, text, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
  if (!strstr (error->message, needle))
    g_error ("“%s” does not contain “%s”", error->message, needle);
}

static void
test_registry (void)
{
  const LabTaskInfo * const *list;
  g_autoptr(GError) error = NULL;
  guint n;

  g_assert_cmpstr (lab_task_info_lookup ("sleep")->name, ==, "sleep");
  g_assert_cmpint (lab_task_info_lookup ("primes")->kind, ==, LAB_TASK_KIND_CPU);
  g_assert_true (lab_task_info_lookup ("primes")->holds_gil);
  g_assert_false (lab_task_info_lookup ("sleep")->holds_gil);
  g_assert_true (lab_task_lookup ("sleep", NULL) == lab_task_info_lookup ("sleep")->builtin);
  g_assert_null (lab_task_lookup ("nap", &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_UNKNOWN_TASK);
  g_assert_null (lab_task_lookup (NULL, NULL));
  g_assert_null (lab_task_info_lookup ("nap"));

  /* Every entry is complete, and its class can be had (modules too). */
  list = lab_task_info_list (&n);
  g_assert_cmpuint (n, ==, 5);
  g_assert_null (list[n]);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) module_error = NULL;

      g_assert_nonnull (list[i]->title);
      g_assert_nonnull (strstr (lab_task_info_get_summary (list[i]), " "));
      g_assert_nonnull (list[i]->python);
      g_assert_true (lab_task_info_accepts (list[i], LAB_PARAM_JOBS));
      g_assert_true ((list[i]->module == NULL) != (list[i]->builtin == NULL));
      g_assert_nonnull (lab_task_info_get_class (list[i], &module_error));
      g_assert_no_error (module_error);
    }
}

static void
test_strategy_names (void)
{
  const LabStrategy * const *list;
  guint n, loops = 0;

  list = lab_strategy_list (&n);
  g_assert_cmpuint (n, ==, 6);
  g_assert_null (list[n]);
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (lab_strategy_lookup (list[i]->name) == list[i]);
      g_assert_nonnull (strstr (lab_strategy_get_summary (list[i]), " "));
      g_assert_nonnull (list[i]->klass);
      g_assert_nonnull (list[i]->klass->start);
      g_assert_nonnull (list[i]->klass->collect);
      g_assert_nonnull (list[i]->klass->free);
      loops += lab_strategy_is_loop (list[i]);
    }
  g_assert_cmpuint (loops, ==, 1);
  g_assert_true (lab_strategy_is_loop (lab_strategy_get_loop ()));
  g_assert_null (lab_strategy_lookup ("fibers"));
  g_assert_null (lab_strategy_lookup (NULL));
}

/* Async overlaps waiting, not computing: refused for CPU-bound tasks. */
static void
test_strategy_applies (void)
{
  const LabStrategy *async = lab_strategy_lookup ("async");
  g_autoptr(GError) error = NULL;

  g_assert_true (lab_strategy_can_run (async, lab_task_info_lookup ("sleep"), NULL));
  g_assert_true (lab_strategy_can_run (async, lab_task_info_lookup ("download"), NULL));
  g_assert_false (lab_strategy_can_run (async, lab_task_info_lookup ("primes"), &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED);
  g_assert_false (lab_strategy_can_run (async, lab_task_info_lookup ("blur"), NULL));
  g_assert_true (lab_strategy_can_run (lab_strategy_lookup ("processes"), lab_task_info_lookup ("primes"), NULL));

  g_assert_cmpuint (lab_strategy_default_workers (lab_strategy_lookup ("sequential"), 50), ==, 1);
  g_assert_cmpuint (lab_strategy_default_workers (lab_strategy_lookup ("thread-pool"), 50), ==, lab_usable_cores ());
  g_assert_cmpuint (lab_strategy_default_workers (lab_strategy_lookup ("threads"), 50), ==, 50);
  g_assert_cmpuint (lab_strategy_default_workers (lab_strategy_lookup ("threads"), 5000), ==, LAB_MAX_WORKERS);
  g_assert_cmpuint (lab_usable_cores (), >=, 1);
  g_assert_cmpuint (lab_usable_cores (), <=, g_get_num_processors ());
}

static void
test_sleep_plan (void)
{
  const LabTaskClass *klass = lab_task_lookup ("sleep", NULL);
  gpointer plan;

  /* A list gives one job per value, as in the seed. */
  plan = setup ("sleep", "{'seconds': <[5.0, 4.0, 3.0, 2.0, 1.0]>}", NULL);
  g_assert_cmpuint (klass->get_n_jobs (plan), ==, 5);
  klass->plan_free (plan);

  plan = setup ("sleep", "{'seconds': <[0.0]>, 'jobs': <uint32 20000>}", NULL);
  g_assert_cmpuint (klass->get_n_jobs (plan), ==, 20000);
  klass->plan_free (plan);

  plan = setup ("sleep", "@a{sv} {}", NULL);
  g_assert_cmpuint (klass->get_n_jobs (plan), >, 0);
  klass->plan_free (plan);
}

static void
test_sleep_runs (void)
{
  const LabTaskClass *klass = lab_task_lookup ("sleep", NULL);
  gpointer plan = setup ("sleep", "{'seconds': <[0.05, 0.0]>}", NULL);
  LabJobResult result = { 0 };
  gint64 t0 = lab_clock_now_ns ();

  g_assert_true (klass->run_job (plan, NULL, 0, &result, NULL, NULL));
  g_assert_cmpint (lab_clock_now_ns () - t0, >=, 50 * 1000 * 1000);
  g_assert_true (klass->run_job (plan, NULL, 1, &result, NULL, NULL));
  klass->plan_free (plan);
}

static void
test_bad_params (void)
{
  expect_invalid ("sleep", "{'seconds': <[-1.0]>}", "--seconds");
  expect_invalid ("sleep", "{'seconds': <[1e9]>}", "--seconds");
  expect_invalid ("sleep", "{'seconds': <@ad []>}", "--seconds");
  expect_invalid ("sleep", "{'jobs': <uint32 0>}", "--jobs");
  expect_invalid ("sleep", "{'jobs': <uint32 2000000>}", "--jobs");
  expect_invalid ("sleep", "{'jobs': <'ten'>}", "wrong type");
  expect_invalid ("sleep", "{'size': <uint64 5>}", "does not apply");
  expect_invalid ("primes", "{'seconds': <[1.0]>}", "does not apply");
  expect_invalid ("primes", "{'size': <uint64 0>}", "--size");
  expect_invalid ("primes", "{'size': <uint64 1000000000000>}", "--size");
}

static void
test_sleep_nan (void)
{
  double nan_value = NAN;
  const LabTaskClass *klass = lab_task_lookup ("sleep", NULL);
  g_autoptr(GVariant) p = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, "seconds", g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, &nan_value, 1, sizeof (double)));
  p = g_variant_ref_sink (g_variant_dict_end (&dict));
  g_assert_null (klass->setup (p, NULL, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
}

/* An independent check: Miller–Rabin, deterministic below 3.4e14. */
static guint64
mulmod (guint64 a, guint64 b, guint64 m)
{
  return (guint64) ((unsigned __int128) a * b % m);
}

static gboolean
miller_rabin (guint64 n)
{
  static const guint64 bases[] = { 2, 3, 5, 7, 11, 13, 17 };
  guint64 d = n - 1;
  int r = 0;

  if (n < 2)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
    if (n % bases[i] == 0)
      return n == bases[i];
  while (d % 2 == 0)
    d /= 2, r++;
  for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      guint64 x = 1, b = bases[i], e = d;
      gboolean composite = TRUE;

      for (; e; e >>= 1, b = mulmod (b, b, n))
        if (e & 1)
          x = mulmod (x, b, n);
      if (x == 1 || x == n - 1)
        continue;
      for (int k = 1; k < r && composite; k++)
        if ((x = mulmod (x, x, n)) == n - 1)
          composite = FALSE;
      if (composite)
        return FALSE;
    }
  return TRUE;
}

static void
test_primes_counts (void)
{
  const LabTaskClass *klass = lab_task_lookup ("primes", NULL);
  gpointer plan = setup ("primes", "{'size': <uint64 2000>, 'jobs': <uint32 3>}", NULL);

  g_assert_cmpuint (klass->get_n_jobs (plan), ==, 3);
  for (guint job = 0; job < 3; job++)
    {
      LabJobResult result = { 0 };
      guint64 first = G_GUINT64_CONSTANT (1000000000) + job * 2000;
      gint64 expected = 0;

      for (guint64 n = first; n < first + 2000; n++)
        expected += miller_rabin (n);

      g_assert_true (klass->run_job (plan, NULL, job, &result, NULL, NULL));
      g_assert_cmpint (result.value, ==, expected);
      g_assert_cmpint (result.value, >, 50);
    }
  klass->plan_free (plan);
}

typedef struct {
  LabCancel *cancel;
  GPid       tid;         /* the thread that runs the job */
  gboolean   computing;   /* a CPU job: wait for it to use the CPU, not to wait */
} CancelWhen;

/* Cancels once the job is under way: a waiting job's thread sleeps, a
 * computing one's has used some CPU (the few lines before the job use
 * none to speak of). */
static gpointer
cancel_when_busy (gpointer data)
{
  CancelWhen *when = data;
  gint64 deadline = g_get_monotonic_time () + LAB_TEST_DEADLINE_S * G_USEC_PER_SEC;
  guint64 ticks0, ticks;
  char state;

  g_assert_true (lab_test_thread_stat (when->tid, NULL, &ticks0));
  for (;;)
    {
      g_assert_true (lab_test_thread_stat (when->tid, &state, &ticks));
      if (when->computing ? ticks >= ticks0 + 2 : state == 'S')
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("The job was not under way within %u s", LAB_TEST_DEADLINE_S);
      g_usleep (1000);
    }
  lab_cancel_cancel (when->cancel);
  return NULL;
}

/* A job of an hour stops when cancelled while it runs; the watchdog fails
 * the test, rather than hang it, if it does not. */
static void
check_cancel (const char *task,
              const char *params,
              gboolean    computing)
{
  const LabTaskClass *klass = lab_task_lookup (task, NULL);
  gpointer plan = setup (task, params, NULL);
  g_autoptr(LabCancel) cancel = lab_cancel_new ();
  g_autoptr(GError) error = NULL;
  CancelWhen when = { cancel, getpid (), computing };
  LabJobResult result = { 0 };
  LabTestWatchdog *dog = lab_test_watchdog_new (LAB_TEST_DEADLINE_S, task);
  GThread *thread = g_thread_new ("cancel", cancel_when_busy, &when);

  g_assert_false (klass->run_job (plan, NULL, 0, &result, cancel, &error));
  lab_test_watchdog_free (dog);
  g_assert_error (error, LAB_ERROR, LAB_ERROR_CANCELLED);
  g_thread_join (thread);
  klass->plan_free (plan);
}

static void
test_cancel_stops_jobs (void)
{
  g_autoptr(LabCancel) cancel = lab_cancel_new ();

  check_cancel ("sleep", "{'seconds': <[3600.0]>}", FALSE);
  check_cancel ("primes", "{'size': <uint64 100000000>}", TRUE);

  /* Already cancelled: no wait at all, even for zero seconds. */
  lab_cancel_cancel (cancel);
  g_assert_false (lab_cancel_sleep (cancel, 0));
  g_assert_true (lab_cancel_sleep (NULL, 1000));
}

static void
count_cb (gpointer data)
{
  (*(guint *) data)++;
}

/* A runner forwards its caller's cancel to the run, and the download task
 * to libsoup's GCancellable, through handlers on the token. */
static void
test_cancel_handlers (void)
{
  g_autoptr(LabCancel) cancel = lab_cancel_new ();
  guint kept = 0, gone = 0, late = 0, none = 0;
  guint id_kept, id_gone;

  id_kept = lab_cancel_connect (cancel, count_cb, &kept);
  id_gone = lab_cancel_connect (cancel, count_cb, &gone);
  g_assert_cmpuint (id_kept, !=, 0);
  g_assert_cmpuint (id_gone, !=, id_kept);
  lab_cancel_disconnect (cancel, id_gone);
  lab_cancel_disconnect (cancel, 0);
  g_assert_cmpuint (kept + gone, ==, 0);

  lab_cancel_cancel (cancel);
  g_assert_cmpuint (kept, ==, 1);
  g_assert_cmpuint (gone, ==, 0);
  /* Once: a second cancel calls nobody again. */
  lab_cancel_cancel (cancel);
  g_assert_cmpuint (kept, ==, 1);
  lab_cancel_disconnect (cancel, id_kept);

  /* Connected after the cancel: called at once, nothing to disconnect. */
  g_assert_cmpuint (lab_cancel_connect (cancel, count_cb, &late), ==, 0);
  g_assert_cmpuint (late, ==, 1);
  /* No token: never cancelled. */
  g_assert_cmpuint (lab_cancel_connect (NULL, count_cb, &none), ==, 0);
  g_assert_cmpuint (none, ==, 0);
}

/* The settings' task key accepts the tasks of the table, in its order:
 * a task added to the table and not to the schema would be refused by
 * GSettings when the window saves it. */
static void
test_schema_choices (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("LAB_SOURCE_DIR"), "data",
                                            "io.github.concurrencylab.ConcurrencyLab.gschema.xml", NULL);
  g_autofree char *xml = NULL;
  g_autoptr(GRegex) choice = g_regex_new ("<choice value=\"([^\"]+)\"/>", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GPtrArray) in_schema = g_ptr_array_new_with_free_func (g_free);
  guint n_tasks;
  const LabTaskInfo * const *tasks = lab_task_info_list (&n_tasks);

  g_assert_true (g_file_get_contents (path, &xml, NULL, NULL));
  for (g_regex_match (choice, xml, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
    g_ptr_array_add (in_schema, g_match_info_fetch (match, 1));

  g_assert_cmpuint (in_schema->len, ==, n_tasks);
  for (guint i = 0; i < n_tasks; i++)
    g_assert_cmpstr (g_ptr_array_index (in_schema, i), ==, tasks[i]->name);
}

int
main (int    argc,
      char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/tasks/registry", test_registry);
  g_test_add_func ("/tasks/schema-choices", test_schema_choices);
  g_test_add_func ("/tasks/strategy-names", test_strategy_names);
  g_test_add_func ("/tasks/strategy-applies", test_strategy_applies);
  g_test_add_func ("/tasks/sleep/plan", test_sleep_plan);
  g_test_add_func ("/tasks/sleep/runs", test_sleep_runs);
  g_test_add_func ("/tasks/sleep/nan", test_sleep_nan);
  g_test_add_func ("/tasks/bad-params", test_bad_params);
  g_test_add_func ("/tasks/primes/counts", test_primes_counts);
  g_test_add_func ("/tasks/cancel", test_cancel_stops_jobs);
  g_test_add_func ("/tasks/cancel/handlers", test_cancel_handlers);

  return g_test_run ();
}
