/* test-findings.c — where the time went, and what the figures mean
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each case builds the records a run would have made, so the breakdown
 * and the findings are checked against known figures, with no clock.
 */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab-breakdown.h"
#include "lab-findings.h"
#include "lab-test-util.h"

typedef struct {
  guint    lane;
  double   dispatch, start, end, back;   /* seconds */
  double   cpu;
  gboolean failed;
} Job;

typedef struct {
  const char  *task;
  const char  *strategy;
  guint        workers;
  const char  *params;
  gboolean     gil;
  LabRunState  state;
  double       wall;
  double       cpu;
  double       busy;     /* others' share of the machine */
} Shape;

static gint64
ns (double s)
{
  return (gint64) llround (s * 1e9);
}

static LabRun *
make_run (const Shape           *shape,
          const Job             *jobs,
          guint                  n_jobs,
          const LabWorkerRecord *workers,
          guint                  n_workers)
{
  GVariant *params = shape->params ? g_variant_parse (G_VARIANT_TYPE_VARDICT, shape->params, NULL, NULL, NULL) : NULL;
  g_autoptr(LabRunConfig) config = lab_test_config (shape->task, shape->strategy, shape->workers, params);
  g_autofree LabJobRecord *records = g_new0 (LabJobRecord, MAX (n_jobs, 1));
  LabRunSummary sum = {
    .wall_ns = ns (shape->wall), .user_ns = ns (shape->cpu), .n_jobs = n_jobs,
    .workers = shape->workers, .machine_busy = shape->busy,
  };
  LabRun *run;

  config->gil = shape->gil;
  for (guint i = 0; i < n_jobs; i++)
    {
      records[i] = (LabJobRecord) {
        .dispatch_ns = ns (jobs[i].dispatch), .start_ns = ns (jobs[i].start),
        .end_ns = ns (jobs[i].end), .back_ns = ns (jobs[i].back), .cpu_ns = ns (jobs[i].cpu),
        .worker = 100 + jobs[i].lane, .lane = jobs[i].lane,
        .error = jobs[i].failed ? (char *) "boom" : NULL,
        .state = jobs[i].failed ? LAB_JOB_FAILED : LAB_JOB_OK,
      };
    }
  run = lab_run_new_from_records (config, shape->state ? shape->state : LAB_RUN_FINISHED, &sum,
                                  records, n_jobs, workers, n_workers);
  return run;
}

/* @n jobs of @each seconds on @workers lanes, back to back, computing
 * for @cpu_share of their time. */
static LabRun *
even_run (const Shape *shape,
          guint        n,
          double       each,
          double       cpu_share)
{
  g_autofree Job *jobs = g_new0 (Job, n);

  for (guint i = 0; i < n; i++)
    {
      double t = (i / shape->workers) * each;
      jobs[i] = (Job) { i % shape->workers, t, t, t + each, t + each, each * cpu_share };
    }
  return make_run (shape, jobs, n, NULL, 0);
}

static void
assert_parts (LabRun *run,
              double  start,
              double  work,
              double  transfer,
              double  idle,
              double  stop)
{
  const LabBreakdown *b = lab_run_get_breakdown (run);

  g_assert_cmpfloat_with_epsilon (b->start_s, start, 1e-6);
  g_assert_cmpfloat_with_epsilon (b->work_s, work, 1e-6);
  g_assert_cmpfloat_with_epsilon (b->transfer_s, transfer, 1e-6);
  g_assert_cmpfloat_with_epsilon (b->idle_s, idle, 1e-6);
  g_assert_cmpfloat_with_epsilon (b->stop_s, stop, 1e-6);
  g_assert_cmpfloat_with_epsilon (b->start_s + b->work_s + b->transfer_s + b->idle_s + b->stop_s,
                                  b->capacity_s, 1e-6);
}

/* A pool: workers start, jobs wait in a pipe, results come back, a lane
 * that has nothing left idles until the other is done. */
static void
test_breakdown_pool (void)
{
  const Shape shape = { "primes", "process-pool", 2, .wall = 10 };
  const Job jobs[] = {
    { 0, 1.0, 1.5, 5.5, 6.0 },
    { 1, 2.0, 2.0, 9.0, 9.0 },
  };
  const LabWorkerRecord workers[] = {
    { 0, ns (1.0), ns (7.0), 50, 0 },
    { 0, ns (2.0), ns (9.5), 51, 1 },
  };
  g_autoptr(LabRun) run = make_run (&shape, jobs, 2, workers, 2);

  g_assert_cmpfloat (lab_run_get_breakdown (run)->capacity_s, ==, 20.0);
  /* Lane 0: start 1, transfer 0.5 + 0.5, work 4, stop 1, idle 3.
   * Lane 1: start 2, work 7, stop 0.5, idle 0.5. */
  assert_parts (run, 3.0, 11.0, 1.0, 3.5, 1.5);
}

/* A process worker's READY is timed when the app reads it: on a busy
 * machine, after the worker began its first job. The worker was ready by
 * then, and nothing is counted twice. */
static void
test_breakdown_ready_read_late (void)
{
  const Shape shape = { "primes", "process-pool", 1, .wall = 10 };
  const Job jobs[] = {
    { 0, 0.1, 1.5, 8.0, 8.2 },
  };
  const LabWorkerRecord workers[] = {
    { 0, ns (2.0), ns (10.0), 100, 0 },
  };
  g_autoptr(LabRun) run = make_run (&shape, jobs, 1, workers, 1);

  assert_parts (run, 1.5, 6.5, 0.2, 0.0, 1.8);
}

/* A thread per job: creating it is start, joining it is stop; between
 * two jobs of a slot while jobs wait is hand-over. */
static void
test_breakdown_per_job (void)
{
  const Shape shape = { "sleep", "threads", 2, .wall = 4 };
  const Job jobs[] = {
    { 0, 0.0, 0.1, 1.1, 1.2 },
    { 1, 0.0, 0.1, 3.1, 3.2 },
    { 0, 1.3, 1.4, 2.4, 2.5 },
  };
  g_autoptr(LabRun) run = make_run (&shape, jobs, 3, NULL, 0);

  /* Lane 0: start 0.2, work 2, stop 0.2, transfer 0.1, idle 1.5.
   * Lane 1: start 0.1, work 3, stop 0.1, idle 0.8. */
  assert_parts (run, 0.3, 5.0, 0.1, 2.3, 0.3);
}

static const LabFinding *
find (LabRun     *run,
      const char *code)
{
  guint n;
  const LabFinding *findings = lab_run_get_findings (run, &n);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (findings[i].code, code))
      return &findings[i];
  return NULL;
}

/* Reads @run as the engine does, and checks the verdict's code and that
 * its sentence holds each of the figures given. */
static void
assert_verdict (LabRun     *run,
                LabRun     *loop,
                guint       cores,
                const char *code,
                ...)
{
  const LabFinding *finding;
  const char *needle;
  va_list args;
  guint n;

  lab_run_set_findings (run, lab_findings_compute (run, loop, cores));
  finding = lab_run_get_findings (run, &n);
  g_assert_cmpuint (n, >, 0);
  g_test_message ("%s: %s", finding->code, finding->text);
  g_assert_cmpstr (finding->code, ==, code);
  g_assert_cmpstr (lab_run_get_verdict (run), ==, finding->text);

  va_start (args, code);
  while ((needle = va_arg (args, const char *)) != NULL)
    if (strstr (finding->text, needle) == NULL)
      g_error ("“%s” does not say “%s”", finding->text, needle);
  va_end (args);
}

static void
test_waiting (void)
{
  const Shape shape = { "sleep", "threads", 4, "{'seconds': <[1.0]>, 'jobs': <uint32 4>}", .wall = 1.0, .cpu = 0.002 };
  g_autoptr(LabRun) run = even_run (&shape, 4, 1.0, 0.0005);

  assert_verdict (run, NULL, 2, "waiting", "4 workers", "1.00 s wall", "2.0 ms CPU", "4.00 s of job time", NULL);
}

static void
test_scaled (void)
{
  const Shape loop_shape = { "primes", "sequential", 1, .wall = 2.0, .cpu = 2.0 };
  const Shape shape = { "primes", "thread-pool", 2, .wall = 1.02, .cpu = 2.0 };
  g_autoptr(LabRun) loop = even_run (&loop_shape, 8, 0.25, 1.0);
  g_autoptr(LabRun) run = even_run (&shape, 8, 0.255, 0.98);

  assert_verdict (run, loop, 2, "scaled", "2 workers on 2 usable cores", "1.96×", "limit of 2×", NULL);
  /* Without a loop, the cores it kept busy say the same. */
  assert_verdict (run, NULL, 2, "scaled", "about 2.0 cores busy", NULL);
  assert_verdict (loop, NULL, 2, "loop", "2.00 s", "CPU/wall 1.00", NULL);
}

static void
test_limited (void)
{
  const Shape loop_shape = { "primes", "sequential", 1, .wall = 2.0, .cpu = 2.0 };
  const Shape shape = { "primes", "thread-pool", 2, .wall = 1.6, .cpu = 2.0 };
  g_autoptr(LabRun) loop = even_run (&loop_shape, 8, 0.25, 1.0);
  g_autoptr(LabRun) run = even_run (&shape, 8, 0.4, 0.62);

  assert_verdict (run, loop, 2, "limited", "1.25×", "2× is possible", NULL);
}

static void
test_gil (void)
{
  const Shape loop_shape = { "primes", "sequential", 1, .wall = 2.0, .cpu = 2.0 };
  const Shape shape = { "primes", "threads", 4, .gil = TRUE, .wall = 1.96, .cpu = 1.96 };
  g_autoptr(LabRun) loop = even_run (&loop_shape, 4, 0.5, 1.0);
  g_autoptr(LabRun) run = even_run (&shape, 4, 1.96, 0.25);

  assert_verdict (run, loop, 2, "gil", "the 4 threads took turns", "1.02×", "CPU/wall 1.00", "2× on 2 cores", NULL);
  /* The GIL does not touch processes, nor waiting jobs. */
  g_assert_null (find (loop, "gil"));
}

static void
test_oversubscribed (void)
{
  const Shape loop_shape = { "primes", "sequential", 1, .wall = 4.0, .cpu = 4.0 };
  const Shape shape = { "primes", "thread-pool", 8, .wall = 2.05, .cpu = 4.0 };
  g_autoptr(LabRun) loop = even_run (&loop_shape, 8, 0.5, 1.0);
  g_autoptr(LabRun) run = even_run (&shape, 8, 2.05, 0.24);

  assert_verdict (run, loop, 2, "oversubscribed", "8 workers on 2 usable cores", "1.95×", "the 6 extra workers", NULL);
}

/* 2 000 empty jobs, each in a process of its own: forking costs a
 * millisecond, the job a few microseconds. */
static void
test_overhead (void)
{
  const guint n = 2000, lanes = 256;
  const Shape shape = { "sleep", "processes", lanes, "{'seconds': <[0.0]>, 'jobs': <uint32 2000>}",
                        .wall = 8 * 1.2e-3, .cpu = 2.0 };
  g_autofree Job *jobs = g_new0 (Job, n);
  g_autoptr(LabRun) run = NULL;
  const LabBreakdown *b;

  for (guint i = 0; i < n; i++)
    {
      double t = (i / lanes) * 1.2e-3;
      jobs[i] = (Job) { i % lanes, t, t + 1e-3, t + 1.002e-3, t + 1.1e-3, 2e-6 };
    }
  run = make_run (&shape, jobs, n, NULL, 0);
  b = lab_run_get_breakdown (run);
  g_assert_cmpfloat (b->start_s, >, b->work_s);
  assert_verdict (run, NULL, 2, "overhead", "Processes", "2.0 µs", "A process pool starts its workers once", NULL);
}

/* The seed's 5, 4, 3, 2, 1 s on a pool of 2: the last job runs alone. */
static void
test_imbalance (void)
{
  const Shape shape = { "sleep", "thread-pool", 2, "{'seconds': <[5.0, 4.0, 3.0, 2.0, 1.0]>}", .wall = 8, .cpu = 0.01 };
  const Job jobs[] = {
    { 0, 0, 0, 5, 5 }, { 1, 0, 0, 4, 4 }, { 1, 4, 4, 7, 7 }, { 0, 5, 5, 7, 7 }, { 0, 7, 7, 8, 8 },
  };
  g_autoptr(LabRun) run = make_run (&shape, jobs, 5, NULL, 0);
  const LabFinding *imbalance;

  assert_parts (run, 0, 15, 0, 1, 0);
  lab_run_set_findings (run, lab_findings_compute (run, NULL, 2));
  if ((imbalance = find (run, "imbalance")) == NULL)
    g_assert_not_reached ();
  g_assert_nonnull (strstr (imbalance->text, "job 5 (1.00 s)"));
  g_assert_nonnull (strstr (imbalance->text, "ran on for 1.00 s"));
  g_assert_nonnull (strstr (imbalance->text, "6 %"));
  /* The jobs waited: that reading is there too. */
  g_assert_nonnull (find (run, "waiting"));

  /* Even lanes have no imbalance. */
  {
    const Shape even = { "sleep", "thread-pool", 2, NULL, .wall = 2, .cpu = 0.01 };
    g_autoptr(LabRun) balanced = even_run (&even, 4, 1.0, 0.001);

    lab_run_set_findings (balanced, lab_findings_compute (balanced, NULL, 2));
    g_assert_null (find (balanced, "imbalance"));
  }
}

static void
test_busy_machine (void)
{
  const Shape shape = { "primes", "thread-pool", 2, .wall = 2.0, .cpu = 2.0, .busy = 0.5 };
  g_autoptr(LabRun) run = even_run (&shape, 4, 1.0, 0.5);
  const Shape quiet_shape = { "primes", "thread-pool", 2, .wall = 1.0, .cpu = 2.0, .busy = 0.05 };
  g_autoptr(LabRun) quiet = even_run (&quiet_shape, 4, 0.5, 1.0);

  assert_verdict (run, NULL, 2, "busy-machine", "50 %", "quiet machine", NULL);
  lab_run_set_findings (quiet, lab_findings_compute (quiet, NULL, 2));
  g_assert_null (find (quiet, "busy-machine"));

  /* Computing jobs that got a tenth of the CPU on a machine others kept
   * 80 % busy were not waiting: the CPU they lacked was not there. */
  {
    const Shape starved_shape = { "primes", "thread-pool", 2, .wall = 2.0, .cpu = 0.4, .busy = 0.8 };
    g_autoptr(LabRun) starved = even_run (&starved_shape, 4, 1.0, 0.1);
    const Shape idle_shape = { "primes", "thread-pool", 2, .wall = 2.0, .cpu = 0.4, .busy = 0.0 };
    g_autoptr(LabRun) idle = even_run (&idle_shape, 4, 1.0, 0.1);

    lab_run_set_findings (starved, lab_findings_compute (starved, NULL, 2));
    g_assert_nonnull (find (starved, "busy-machine"));
    g_assert_null (find (starved, "waiting"));
    /* On a quiet machine the same records are jobs that waited. */
    lab_run_set_findings (idle, lab_findings_compute (idle, NULL, 2));
    g_assert_nonnull (find (idle, "waiting"));
  }
}

static void
test_failures (void)
{
  const Shape failed_jobs = { "sleep", "threads", 2, .wall = 1.0, .cpu = 0.001 };
  const Shape cancelled = { "sleep", "threads", 2, .state = LAB_RUN_CANCELLED, .wall = 1.5, .cpu = 0.001 };
  const Job jobs[] = {
    { 0, 0, 0, 1, 1, 0, TRUE }, { 1, 0, 0, 1, 1 }, { 0, 0, 0, 0.5, 0.5, 0, TRUE },
  };
  g_autoptr(LabRun) run = make_run (&failed_jobs, jobs, 3, NULL, 0);
  g_autoptr(LabRun) stopped = make_run (&cancelled, jobs, 2, NULL, 0);

  assert_verdict (run, NULL, 2, "failed", "2 of 3 jobs failed", "boom", NULL);
  assert_verdict (stopped, NULL, 2, "cancelled", "1.50 s", "1 of 2 jobs finished", NULL);
}

/* A real run while other processes keep every usable core busy: the
 * runner reads it in /proc/stat (the machine's busy time, minus the
 * app's own), and the findings say the figures are not reliable. */
static void
test_busy_machine_real (void)
{
  guint n = lab_usable_cores ();
  g_autofree pid_t *burners = g_new0 (pid_t, n);
  g_autoptr(LabRunConfig) config = lab_test_config ("sleep", "sequential", 1,
                                                    g_variant_new_parsed ("{'seconds': <[0.6]>, 'jobs': <uint32 1>}"));
  g_autoptr(LabRun) run = lab_run_new (config, NULL);
  LabRunSummary sum;

  for (guint i = 0; i < n; i++)
    {
      burners[i] = fork ();
      g_assert_cmpint (burners[i], >=, 0);
      if (burners[i] == 0)
        {
          volatile guint64 x = 0;

          prctl (PR_SET_PDEATHSIG, SIGKILL);
          for (;;)
            x++;
        }
    }

  g_assert_true (lab_run_execute (run, NULL, NULL));
  for (guint i = 0; i < n; i++)
    {
      kill (burners[i], SIGKILL);
      waitpid (burners[i], NULL, 0);
    }

  lab_run_get_summary (run, &sum);
  g_test_message ("others' share of the machine: %.2f", sum.machine_busy);
  g_assert_cmpfloat (sum.machine_busy, >=, LAB_FINDING_BUSY_SHARE);
  lab_run_set_findings (run, lab_findings_compute (run, NULL, n));
  g_assert_nonnull (find (run, "busy-machine"));
}

int
main (int argc, char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/breakdown/pool", test_breakdown_pool);
  g_test_add_func ("/breakdown/per-job", test_breakdown_per_job);
  g_test_add_func ("/breakdown/ready-read-late", test_breakdown_ready_read_late);
  g_test_add_func ("/findings/waiting", test_waiting);
  g_test_add_func ("/findings/scaled", test_scaled);
  g_test_add_func ("/findings/limited", test_limited);
  g_test_add_func ("/findings/gil", test_gil);
  g_test_add_func ("/findings/oversubscribed", test_oversubscribed);
  g_test_add_func ("/findings/overhead", test_overhead);
  g_test_add_func ("/findings/imbalance", test_imbalance);
  g_test_add_func ("/findings/busy-machine", test_busy_machine);
  g_test_add_func ("/findings/busy-machine-real", test_busy_machine_real);
  g_test_add_func ("/findings/failures", test_failures);

  return g_test_run ();
}
