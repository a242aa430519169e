/* test-python.c — the Python runtime: every strategy and task in CPython, its
 * ratios, cancel, and a harness that is missing, crashes or prints garbage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The interpreter is $LAB_PYTHON (meson sets the system's python3, which
 * has Pillow from build-aux/apt-packages.txt); tests that need what it
 * lacks are skipped, saying so.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab-breakdown.h"
#include "lab-error.h"
#include "lab-run.h"
#include "lab-runtime.h"
#include "lab-test-util.h"

static char *tmp_dir;

static LabRun *
python_run (const char *task,
            const char *strategy,
            guint       workers,
            const char *params_text,
            GError    **error)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) parse_error = NULL;
  GVariant *params = g_variant_parse (G_VARIANT_TYPE_VARDICT, params_text, NULL, NULL, &parse_error);

  g_assert_no_error (parse_error);
  config = lab_test_config (task, strategy, workers, params);
  config->runtime = LAB_RUNTIME_PYTHON;
  return lab_run_new (config, error);
}

static gboolean
python_can_run (const char *task)
{
  g_autoptr(GError) error = NULL;

  if (lab_runtime_check (LAB_RUNTIME_PYTHON, lab_task_info_lookup (task), &error))
    return TRUE;
  g_test_skip (error->message);
  return FALSE;
}

/* Every job was recorded by the engine on the run's own axis. */
static void
assert_jobs_on_axis (LabRun *run)
{
  gint64 wall = lab_run_get_elapsed_ns (run);

  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FINISHED);
  g_assert_cmpuint (lab_run_get_n_done (run), ==, lab_run_get_n_jobs (run));
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 0);
  for (guint i = 0; i < lab_run_get_n_jobs (run); i++)
    {
      const LabJobRecord *job = lab_run_get_job (run, i);

      g_assert_cmpint (job->state, ==, LAB_JOB_OK);
      g_assert_null (job->error);
      g_assert_cmpint (job->start_ns, >=, 0);
      g_assert_cmpint (job->start_ns, <=, wall);
      g_assert_cmpint (job->end_ns, >=, job->start_ns);
      g_assert_cmpint (job->end_ns, <=, wall);
      g_assert_cmpint (job->worker, >, 0);
      g_assert_cmpuint (job->lane, <, MAX (lab_run_get_workers (run), 1));
    }

  /* The interpreter's start-up, until the harness said hello, is the
   * run's start-up on every lane (not hand-over, not waiting). */
  {
    const LabWorkerRecord *harness;

    g_assert_cmpuint (lab_run_get_n_worker_records (run), ==, 1);
    harness = lab_run_get_worker_record (run, 0);
    g_assert_cmpuint (harness->lane, ==, LAB_LANE_ALL);
    g_assert_cmpint (harness->begin_ns, <, harness->ready_ns);
    g_assert_cmpint (harness->gone_ns, >=, harness->ready_ns);
    for (guint i = 0; i < lab_run_get_n_jobs (run); i++)
      {
        g_assert_cmpint (lab_run_get_job (run, i)->start_ns, >=, harness->ready_ns);
        g_assert_cmpint (lab_run_get_job (run, i)->end_ns, <=, harness->gone_ns);
      }
    g_assert_cmpfloat (lab_run_get_breakdown (run)->start_s, >, 0);
  }
}

typedef struct {
  const char *task;
  const char *params;
} TaskCase;

static void
test_every_strategy (void)
{
  g_autofree char *out = g_build_filename (tmp_dir, "downloads", NULL);
  g_autofree char *download = g_strdup_printf ("{'jobs': <uint32 3>, 'output': <b'%s'>}", out);
  const TaskCase cases[] = {
    { "sleep", "{'jobs': <uint32 3>, 'seconds': <[0.02]>}" },
    { "primes", "{'jobs': <uint32 3>, 'size': <uint64 200>}" },
    { "download", download },
  };
  guint n_strategies;
  const LabStrategy * const *strategies = lab_strategy_list (&n_strategies);

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    for (guint s = 0; s < n_strategies; s++)
      {
        g_autoptr(LabRun) run = NULL;
        g_autoptr(GError) error = NULL;

        if (!lab_strategy_can_run (strategies[s], lab_task_info_lookup (cases[t].task), NULL))
          continue;
        g_test_message ("%s with %s in Python", cases[t].task, strategies[s]->name);
        run = python_run (cases[t].task, strategies[s]->name, 2, cases[t].params, &error);
        g_assert_no_error (error);
        g_assert_true (lab_test_run (run, &error));
        g_assert_no_error (error);
        assert_jobs_on_axis (run);
        if (g_str_equal (cases[t].task, "primes"))
          for (guint i = 0; i < 3; i++)
            /* The C task's count for the same range. */
            g_assert_cmpint (lab_run_get_job (run, i)->value, >, 0);
        if (g_str_equal (cases[t].task, "download"))
          {
            LabRunSummary sum;
            lab_run_get_summary (run, &sum);
            g_assert_cmpuint (sum.bytes, >, 0);
            g_assert_cmpuint (lab_test_count_entries (out), ==, 3);
          }
      }
}

/* The same primes give the same counts in C and in Python: with a size,
 * and without one, where both check the same default numbers (the
 * harness has no defaults of its own; one job of the default size is
 * the seed's cost in CPython, a few seconds). */
static void
assert_primes_agree (const char *params,
                     guint       n_jobs)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) c_run = NULL;
  g_autoptr(LabRun) py_run = NULL;
  g_autoptr(GError) error = NULL;

  if (!python_can_run ("primes"))
    return;
  config = lab_test_config ("primes", "sequential", 0, g_variant_parse (NULL, params, NULL, NULL, NULL));
  c_run = lab_run_new (config, &error);
  g_assert_no_error (error);
  g_assert_true (lab_test_run (c_run, NULL));
  py_run = python_run ("primes", "sequential", 0, params, &error);
  g_assert_no_error (error);
  g_assert_true (lab_test_run (py_run, NULL));
  assert_jobs_on_axis (py_run);
  g_assert_cmpuint (lab_run_get_n_jobs (py_run), ==, n_jobs);
  for (guint i = 0; i < n_jobs; i++)
    {
      g_assert_cmpint (lab_run_get_job (py_run, i)->value, >, 0);
      g_assert_cmpint (lab_run_get_job (c_run, i)->value, ==, lab_run_get_job (py_run, i)->value);
    }
}

static void
test_primes_agree (void)
{
  assert_primes_agree ("{'jobs': <uint32 3>, 'size': <uint64 500>}", 3);
}

static void
test_primes_default_size (void)
{
  assert_primes_agree ("{'jobs': <uint32 1>}", 1);
}

static void
test_blur (void)
{
  g_autofree char *images = lab_test_make_dir (tmp_dir, "photos");
  g_autofree char *out = g_build_filename (tmp_dir, "blurred", NULL);
  g_autofree char *params = g_strdup_printf ("{'images': <b'%s'>, 'output': <b'%s'>}", images, out);
  g_autofree char *script = g_strdup_printf ("from PIL import Image\n"
                                             "for i in range(2):\n"
                                             "    Image.new('RGB', (300, 200), (40 * i, 90, 200)).save('%s/p%%d.png' %% i)\n",
                                             images);
  const char *argv[] = { g_getenv ("LAB_PYTHON"), "-c", script, NULL };
  const char * const strategies[] = { "sequential", "process-pool" };
  int status;

  if (!python_can_run ("blur"))
    return;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  for (guint s = 0; s < G_N_ELEMENTS (strategies); s++)
    {
      g_autoptr(LabRun) run = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *p0 = g_build_filename (out, "p0.jpg", NULL);
      guint width, height;

      run = python_run ("blur", strategies[s], 2, params, &error);
      g_assert_no_error (error);
      g_assert_true (lab_test_run (run, &error));
      assert_jobs_on_axis (run);
      g_assert_cmpuint (lab_run_get_n_jobs (run), ==, 2);
      lab_test_jpeg_size (p0, &width, &height);
      g_assert_cmpuint (width, ==, 300);
      g_assert_cmpuint (height, ==, 200);
    }
}

static double
cpu_per_wall (LabRun *run)
{
  LabRunSummary sum;

  lab_run_get_summary (run, &sum);
  g_assert_cmpint (sum.wall_ns, >, 0);
  return (double) (sum.user_ns + sum.sys_ns) / sum.wall_ns;
}

/* CPython's lock: four threads on primes use about one core; two worker
 * processes use two. Ratios of one run each, never a clock. */
static void
test_gil_ratios (void)
{
  const char *params = "{'jobs': <uint32 4>, 'size': <uint64 12000>}";
  g_autoptr(LabRun) threads = NULL;
  g_autoptr(LabRun) pool = NULL;
  g_autoptr(GError) error = NULL;
  LabRunSummary sum;
  double ratio;

  if (!python_can_run ("primes"))
    return;
  threads = python_run ("primes", "threads", 4, params, &error);
  g_assert_no_error (error);
  g_assert_true (lab_test_run (threads, &error));
  ratio = cpu_per_wall (threads);
  g_test_message ("Python threads: CPU/wall %.2f", ratio);
  g_assert_cmpfloat (ratio, <=, 1.15);

  if (lab_usable_cores () < 2)
    {
      g_test_skip ("One usable core: processes cannot run side by side");
      return;
    }
  /* Twice the jobs: the interpreter's and the pool's start-up (about a
   * third of a second here) weigh less against four jobs a worker. */
  pool = python_run ("primes", "process-pool", 2, "{'jobs': <uint32 8>, 'size': <uint64 12000>}", &error);
  g_assert_no_error (error);
  g_assert_true (lab_test_run (pool, &error));
  lab_run_get_summary (pool, &sum);
  ratio = cpu_per_wall (pool);
  g_test_message ("Python process pool: CPU/wall %.2f, machine busy %.2f", ratio, sum.machine_busy);
  if (sum.machine_busy >= 0.25)
    {
      g_test_skip ("Other programs used a quarter of the machine: two cores were not free");
      return;
    }
  g_assert_cmpfloat (ratio, >, 1.5);
}

/* Cancel kills the harness and everything it started: with this test a
 * subreaper, a process left behind would be our child. */
static void
test_cancel (void)
{
  const char * const strategies[] = { "processes", "process-pool", "threads" };

  if (!python_can_run ("sleep"))
    return;
  g_assert_cmpint (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), ==, 0);
  for (guint s = 0; s < G_N_ELEMENTS (strategies); s++)
    {
      g_autoptr(LabRun) run = NULL;
      g_autoptr(GArray) left = NULL;
      g_autoptr(GError) error = NULL;

      run = python_run ("sleep", strategies[s], 2, "{'jobs': <uint32 4>, 'seconds': <[60.0]>}", &error);
      g_assert_no_error (error);
      lab_test_run_and_cancel (run, 2);
      lab_test_assert_workers_gone (run);
      /* Reap what was reparented to us, then nothing may be left. */
      while (waitpid (-1, NULL, WNOHANG) > 0)
        ;
      left = lab_test_find_descendants (getpid ());
      g_assert_cmpuint (left->len, ==, 0);
      g_assert_cmpuint (lab_test_count_children (), ==, 0);
    }
  g_assert_cmpint (prctl (PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), ==, 0);
}

static void
test_missing_interpreter (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("LAB_PYTHON"));
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("LAB_PYTHON", "/nonexistent/python3", TRUE);
  run = python_run ("sleep", "threads", 2, "{}", &error);
  g_assert_null (run);
  g_assert_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "/nonexistent/python3"));
  g_setenv ("LAB_PYTHON", saved, TRUE);
}

/* The command line without python3 on PATH exits 2 and names it. */
static void
test_cli_without_python (void)
{
  const char *argv[] = { "run", "--task=sleep", "--strategy=threads", "--seconds=0.01", "--runtime=python", NULL };
  const char *env[] = { "PATH=/nonexistent", "LAB_PYTHON=", NULL };
  const char *c_argv[] = { "run", "--task=sleep", "--strategy=threads", "--seconds=0.01", "--jobs=2", "--runtime=c", NULL };
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;

  g_assert_cmpint (lab_test_run_cli (argv, env, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "python3"));
  /* The C runtime needs no Python. */
  g_assert_cmpint (lab_test_run_cli (c_argv, env, NULL, &err2), ==, 0);
}

/* A fake harness: answers --check like the real one, then runs @body. */
static char *
fake_harness (const char *name,
              const char *body)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_autofree char *text = g_strdup_printf ("import os, sys, time\n"
                                           "if sys.argv[1:] == ['--check']:\n"
                                           "    print('python 3.0.0'); sys.exit(0)\n"
                                           "sys.stdin.read()\n"
                                           "%s\n", body);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return g_steal_pointer (&path);
}

typedef struct {
  const char *name;
  const char *body;
  const char *message;
} Fault;

static void
test_faults (void)
{
  const Fault faults[] = {
    { "garbage.py", "print('hello 1 1', flush=True); print('what is this', flush=True); time.sleep(60)",
      "printed something unexpected: “what is this”" },
    { "crash.py", "print('hello 1 1', flush=True); os.kill(os.getpid(), 9)", "killed by signal 9" },
    { "raise.py", "raise RuntimeError('the harness broke')", "RuntimeError: the harness broke" },
    { "early.py", "print('hello 1 1'); print('done')", "said it was done after 0 of 2 jobs" },
    { "future.py", "print('hello 1 1'); print('start 0 5 %d' % (time.monotonic_ns() + 10**12), flush=True); time.sleep(60)",
      "printed something unexpected" },
    { "long.py", "print('hello 1 1'); print('x' * 10000, flush=True); time.sleep(60)", "longer than" },
    { "error.py", "print('error ModuleNotFoundError: No module named PIL')", "No module named PIL" },
  };

  g_autofree char *saved = g_strdup (g_getenv ("LAB_PYTHON_HARNESS"));

  if (!python_can_run ("sleep"))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autofree char *path = fake_harness (faults[i].name, faults[i].body);
      g_autoptr(LabRun) run = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) left = NULL;

      g_test_message ("%s", faults[i].name);
      g_setenv ("LAB_PYTHON_HARNESS", path, TRUE);
      run = python_run ("sleep", "threads", 2, "{'jobs': <uint32 2>, 'seconds': <[0.01]>}", &error);
      g_assert_no_error (error);
      g_assert_false (lab_test_run (run, &error));
      g_assert_error (error, LAB_ERROR, LAB_ERROR_WORKER);
      g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FAILED);
      if (strstr (error->message, faults[i].message) == NULL)
        g_error ("%s: “%s” does not say “%s”", faults[i].name, error->message, faults[i].message);
      left = lab_test_find_descendants (getpid ());
      g_assert_cmpuint (left->len, ==, 0);
    }
  g_setenv ("LAB_PYTHON_HARNESS", saved, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  lab_test_init (&argc, &argv);
  if (g_getenv ("LAB_PYTHON") == NULL)
    g_setenv ("LAB_PYTHON", "python3", TRUE);
  tmp_dir = g_dir_make_tmp ("lab-python-XXXXXX", NULL);

  g_test_add_func ("/python/every-strategy", test_every_strategy);
  g_test_add_func ("/python/primes-agree", test_primes_agree);
  g_test_add_func ("/python/primes-default-size", test_primes_default_size);
  g_test_add_func ("/python/blur", test_blur);
  g_test_add_func ("/python/gil-ratios", test_gil_ratios);
  g_test_add_func ("/python/cancel", test_cancel);
  g_test_add_func ("/python/missing-interpreter", test_missing_interpreter);
  g_test_add_func ("/python/cli-without-python", test_cli_without_python);
  g_test_add_func ("/python/faults", test_faults);
  status = g_test_run ();
  lab_test_remove_tree (tmp_dir);
  return status;
}
