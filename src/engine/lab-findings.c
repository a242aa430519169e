/* lab-findings.c — what a run's figures mean, in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pure function of a run's records: its figures, where its time went
 * (lab-breakdown.c), and the plain loop over the same work when there is
 * one. Each finding has a stable code, a sentence with the figures that
 * support it, a severity and a weight; the heaviest is the run's verdict.
 * The command line, the JSON and the window all show these sentences.
 */
#define G_LOG_DOMAIN "lab-findings"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-findings.h"
#include "lab-format.h"

typedef struct {
  LabRun             *run;
  LabRun             *loop;
  const LabRunConfig *config;
  LabRunSummary       sum;
  const LabBreakdown *b;
  guint               cores;
  double              wall_s;
  double              cpu_s;
  double              speedup;      /* against the loop, or 0 */
  double              cores_busy;   /* CPU seconds per second of wall */
  gboolean            computes;     /* the jobs computed rather than waited */
  GArray             *findings;
} Reading;

static void
add (Reading     *r,
     const char  *code,
     LabSeverity  severity,
     double       weight,
     char        *text)
{
  LabFinding finding = { code, severity, weight, text };

  g_array_append_val (r->findings, finding);
}

/* "1.96× the loop", or without a loop "about 1.9 cores busy". */
static char *
describe_speed (const Reading *r)
{
  if (r->speedup > 0)
    /* Translators: a speed-up against a plain loop over the same jobs */
    return g_strdup_printf (_("%.2f× the loop"), r->speedup);
  /* Translators: CPU seconds per second of elapsed time */
  return g_strdup_printf (_("about %.1f cores busy"), r->cores_busy);
}

static double
effective_speedup (const Reading *r)
{
  return r->speedup > 0 ? r->speedup : r->cores_busy;
}

static gboolean
find_failures (Reading *r)
{
  LabRunState state = lab_run_get_state (r->run);
  g_autofree char *wall = lab_format_seconds (r->sum.wall_ns);
  guint ok = r->sum.n_done - r->sum.n_failed;

  if (state == LAB_RUN_FAILED)
    {
      add (r, "failed", LAB_SEVERITY_WARNING, 100,
           g_strdup_printf (_("The run could not go on: %s"), lab_run_get_error (r->run)));
      return TRUE;
    }
  if (state == LAB_RUN_CANCELLED)
    {
      add (r, "cancelled", LAB_SEVERITY_WARNING, 95,
           g_strdup_printf (ngettext ("Cancelled after %s: %u of %u job finished.",
                                      "Cancelled after %s: %u of %u jobs finished.", r->sum.n_jobs),
                            wall, ok, r->sum.n_jobs));
      return TRUE;
    }
  if (r->sum.n_failed > 0)
    {
      const char *first = NULL;

      for (guint i = 0; lab_run_has_jobs (r->run) && i < r->sum.n_jobs && first == NULL; i++)
        if (lab_run_get_job (r->run, i)->state == LAB_JOB_FAILED)
          first = lab_run_get_job (r->run, i)->error;
      add (r, "failed", LAB_SEVERITY_WARNING, 85,
           g_strdup_printf (ngettext ("%u of %u job failed; the first: %s",
                                      "%u of %u jobs failed; the first: %s", r->sum.n_jobs),
                            r->sum.n_failed, r->sum.n_jobs, first ? first : _("no message")));
    }
  return FALSE;
}

static void
find_busy_machine (Reading *r)
{
  g_autofree char *share = NULL;

  if (r->sum.machine_busy < LAB_FINDING_BUSY_SHARE || r->sum.wall_ns < 50 * G_GINT64_CONSTANT (1000000))
    return;
  share = lab_format_percent (r->sum.machine_busy);
  add (r, "busy-machine", LAB_SEVERITY_WARNING, 80,
       g_strdup_printf (_("Other programs used %s of the machine’s CPU during the run, so these figures "
                          "are not reliable: repeat it on a quiet machine."), share));
}

static gboolean
find_gil (Reading *r)
{
  g_autofree char *speed = NULL;

  if (!lab_run_config_uses_gil (r->config) || !r->config->task->holds_gil || r->sum.workers < 2)
    return FALSE;
  speed = describe_speed (r);
  add (r, "gil", LAB_SEVERITY_NOTICE, 70,
       g_strdup_printf (ngettext ("With the GIL, the %u thread took turns to compute: %s, CPU/wall %.2f. "
                                  "Processes, each with its own interpreter and lock, would get up to %u× on %u cores.",
                                  "With the GIL, the %u threads took turns to compute: %s, CPU/wall %.2f. "
                                  "Processes, each with its own interpreter and lock, would get up to %u× on %u cores.",
                                  r->sum.workers),
                        r->sum.workers, speed, r->cores_busy, MIN (r->sum.workers, r->cores), r->cores));
  return TRUE;
}

static const char *
overhead_advice (const LabStrategy *strategy)
{
  if (strategy->worker_per_job && strategy->processes)
    return _("A process pool starts its workers once; a thread pool or the plain loop costs less still.");
  if (strategy->processes)
    return _("A thread pool hands jobs over without pipes; or make each job take longer.");
  if (strategy->worker_per_job)
    return _("A thread pool starts its threads once.");
  return _("Bigger jobs, or the plain loop, do better.");
}

static gboolean
find_overhead (Reading *r)
{
  const LabBreakdown *b = r->b;
  double overhead = b->start_s + b->transfer_s + b->stop_s;
  g_autofree char *cost = NULL, *work = NULL, *per_job = NULL, *job_size = NULL;
  g_autofree char *cost_share = NULL, *work_share = NULL;
  guint n = MAX (r->sum.n_done, 1);

  if (lab_strategy_is_loop (r->config->strategy) || b->capacity_s <= 0 ||
      overhead < b->work_s || overhead < LAB_FINDING_OVERHEAD_SHARE * b->capacity_s)
    return FALSE;

  cost = lab_format_seconds (overhead * 1e9);
  work = lab_format_seconds (b->work_s * 1e9);
  cost_share = lab_format_percent (overhead / b->capacity_s);
  work_share = lab_format_percent (b->work_s / b->capacity_s);
  per_job = lab_format_seconds (overhead / n * 1e9);
  job_size = lab_format_seconds (b->work_s / n * 1e9);
  add (r, "overhead", LAB_SEVERITY_NOTICE, 65,
       /* Translators: e.g. "Starting workers and handing jobs over took 85 % of the capacity (2.05 s),
        * the jobs' code 1 % (0.02 s): jobs of 10.0 µs are too small for Processes, which cost
        * about 1.0 ms each. A process pool starts…" */
       g_strdup_printf (_("Starting workers and handing jobs over took %s of the capacity (%s), the jobs’ code %s (%s): "
                          "jobs of %s are too small for %s, which cost about %s each. %s"),
                        cost_share, cost, work_share, work, job_size,
                        lab_strategy_get_title (r->config->strategy), per_job,
                        overhead_advice (r->config->strategy)));
  return TRUE;
}

static gboolean
find_oversubscribed (Reading *r)
{
  g_autofree char *speed = NULL;
  guint extra;

  if (!r->computes || r->config->strategy->event_loop || r->sum.workers <= r->cores)
    return FALSE;
  speed = describe_speed (r);
  extra = r->sum.workers - r->cores;
  add (r, "oversubscribed", LAB_SEVERITY_NOTICE, 60,
       g_strdup_printf (ngettext ("%u workers on %u usable cores: %s — the %u extra worker added no speed, "
                                  "only switching between them.",
                                  "%u workers on %u usable cores: %s — the %u extra workers added no speed, "
                                  "only switching between them.", extra),
                        r->sum.workers, r->cores, speed, extra));
  return TRUE;
}

/* The lanes' last results: when the first lane ran out of work, and
 * which job ended last. */
static gboolean
find_tail (Reading *r,
           gint64  *first_out,
           guint   *straggler,
           gint64  *longest)
{
  g_autofree gint64 *lane_end = g_new0 (gint64, MAX (r->sum.workers, 1));
  gint64 last = -1;

  *longest = 0;
  for (guint i = 0; i < r->sum.n_jobs; i++)
    {
      const LabJobRecord *job = lab_run_get_job (r->run, i);

      if (job->state < LAB_JOB_OK || job->lane >= r->sum.workers)
        continue;
      lane_end[job->lane] = MAX (lane_end[job->lane], job->back_ns);
      *longest = MAX (*longest, job->end_ns - job->start_ns);
      if (job->back_ns > last)
        {
          last = job->back_ns;
          *straggler = i;
        }
    }
  *first_out = G_MAXINT64;
  for (guint lane = 0; lane < r->sum.workers; lane++)
    *first_out = MIN (*first_out, lane_end[lane]);
  return last >= 0;
}

static gboolean
find_imbalance (Reading *r)
{
  const LabBreakdown *b = r->b;
  g_autofree char *ran = NULL, *alone = NULL, *idle = NULL;
  const LabJobRecord *job;
  gint64 first_out, longest, tail;
  guint straggler = 0;

  if (r->sum.workers < 2 || r->sum.n_jobs <= r->sum.workers || !lab_run_has_jobs (r->run) ||
      b->capacity_s <= 0 || b->idle_s < LAB_FINDING_IDLE_SHARE * b->capacity_s ||
      !find_tail (r, &first_out, &straggler, &longest))
    return FALSE;

  job = lab_run_get_job (r->run, straggler);
  tail = job->back_ns - first_out;
  if (tail < LAB_FINDING_TAIL_SHARE * r->sum.wall_ns)
    return FALSE;

  ran = lab_format_seconds (job->end_ns - job->start_ns);
  alone = lab_format_seconds (tail);
  idle = lab_format_percent (b->idle_s / b->capacity_s);
  add (r, "imbalance", LAB_SEVERITY_NOTICE, 50,
       /* Translators: "At the end, job 5 (1.00 s) ran on for 1.00 s after the first worker had
        * nothing left: 6 % of the capacity stood idle. …" */
       g_strdup_printf (_("At the end, job %u (%s) ran on for %s after the first worker had nothing left: "
                          "%s of the capacity stood idle. %s"),
                        straggler + 1, ran, alone, idle,
                        job->end_ns - job->start_ns >= longest
                        ? _("Start the longest jobs first, or split them.")
                        : _("Smaller, more even jobs spread the work better.")));
  return TRUE;
}

static void
find_waiting (Reading *r)
{
  g_autofree char *wall = lab_format_seconds (r->sum.wall_ns);
  g_autofree char *cpu = lab_format_seconds (r->sum.user_ns + r->sum.sys_ns);
  g_autofree char *job_time = lab_format_seconds (r->b->work_s * 1e9);

  if (lab_strategy_is_loop (r->config->strategy))
    add (r, "waiting", LAB_SEVERITY_INFO, 40,
         g_strdup_printf (_("One job after another, %s wall and %s CPU: the jobs were waiting, not computing. "
                            "Threads or async would overlap the waits."), wall, cpu));
  else
    add (r, "waiting", LAB_SEVERITY_INFO, 40,
         g_strdup_printf (ngettext ("%u worker, %s wall, %s CPU for %s of job time: the jobs were waiting, "
                                    "not computing (I/O-bound). Threads or async are enough; more workers "
                                    "help until the server or the link is the limit.",
                                    "%u workers, %s wall, %s CPU for %s of job time: the jobs were waiting, "
                                    "not computing (I/O-bound). Threads or async are enough; more workers "
                                    "help until the server or the link is the limit.", r->sum.workers),
                          r->sum.workers, wall, cpu, job_time));
}

static void
find_computing (Reading *r)
{
  g_autofree char *speed = describe_speed (r);
  guint limit = MIN (r->sum.workers, r->cores);

  if (lab_strategy_is_loop (r->config->strategy) || r->sum.workers < 2)
    {
      g_autofree char *wall = lab_format_seconds (r->sum.wall_ns);

      add (r, "loop", LAB_SEVERITY_INFO, 30,
           g_strdup_printf (_("One job after another on one core: %s, CPU/wall %.2f. "
                              "The reference the other strategies are measured against."),
                            wall, r->cores_busy));
    }
  else if (effective_speedup (r) >= LAB_FINDING_SCALED_SHARE * limit)
    add (r, "scaled", LAB_SEVERITY_INFO, 40,
         g_strdup_printf (ngettext ("%u worker on %u usable cores: %s, close to the limit of %u× — "
                                    "CPU-bound work spread over the cores.",
                                    "%u workers on %u usable cores: %s, close to the limit of %u× — "
                                    "CPU-bound work spread over the cores.", r->sum.workers),
                          r->sum.workers, r->cores, speed, limit));
  else
    add (r, "limited", LAB_SEVERITY_NOTICE, 45,
         g_strdup_printf (ngettext ("%u worker on %u usable cores: %s where %u× is possible — something "
                                    "kept the jobs from computing at once; see where the time went.",
                                    "%u workers on %u usable cores: %s where %u× is possible — something "
                                    "kept the jobs from computing at once; see where the time went.",
                                    r->sum.workers),
                          r->sum.workers, r->cores, speed, limit));
}

static int
compare_weight (gconstpointer a,
                gconstpointer b)
{
  const LabFinding *x = a, *y = b;

  return (x->weight < y->weight) - (x->weight > y->weight);
}

/* Needs r->b and r->cores. */
static void
read_figures (Reading *r)
{
  double job_time = r->b->work_s;
  double jobs_cpu = lab_run_get_jobs_cpu_ns (r->run) / 1e9;
  LabTaskKind kind = r->config->task->kind;

  lab_run_get_summary (r->run, &r->sum);
  r->wall_s = r->sum.wall_ns / 1e9;
  r->cpu_s = (r->sum.user_ns + r->sum.sys_ns) / 1e9;
  r->cores_busy = r->wall_s > 0 ? r->cpu_s / r->wall_s : 0;
  if (r->loop != NULL && lab_run_get_elapsed_ns (r->run) > 0)
    r->speedup = (double) lab_run_get_elapsed_ns (r->loop) / lab_run_get_elapsed_ns (r->run);
  /* The task's kind says whether its jobs compute. When the jobs' code
   * had a fair share of the capacity, the CPU it used tells better (a
   * sleep of 0 s is not computing, whatever starting a process for it
   * costs): against the time it ran, or what the cores could give in the
   * wall time when more jobs ran than cores (they waited for a core, as
   * threads under the GIL wait for the lock). What other programs used
   * of the cores was not theirs to have. */
  r->computes = kind == LAB_TASK_KIND_CPU || kind == LAB_TASK_KIND_MIXED;
  if (job_time >= 0.1 * r->b->capacity_s && job_time > 0 && !r->config->strategy->event_loop)
    r->computes = jobs_cpu >= LAB_FINDING_WAIT_SHARE * MIN (job_time, r->wall_s * r->cores *
                                                            MAX (0.05, 1 - r->sum.machine_busy));
}

/**
 * lab_findings_compute:
 * @run: an ended run, with its job records (or one that failed before it had any)
 * @loop: (nullable): the plain loop over the same work, for speed-ups
 * @usable_cores: the cores the run could use
 *
 * Reads @run (see the top of this file).
 *
 * Returns: (transfer full) (element-type LabFinding): its findings,
 *   heaviest first; there is always one
 */
GArray *
lab_findings_compute (LabRun *run,
                      LabRun *loop,
                      guint   usable_cores)
{
  Reading r = { run, loop, lab_run_get_config (run) };

  g_return_val_if_fail (LAB_IS_RUN (run), NULL);

  r.b = lab_run_get_breakdown (run);
  r.cores = MAX (usable_cores, 1);
  r.findings = g_array_new (FALSE, FALSE, sizeof (LabFinding));
  g_array_set_clear_func (r.findings, (GDestroyNotify) lab_finding_clear);
  /* A run that failed before its jobs had any: only why. */
  if (!lab_run_has_jobs (run))
    {
      lab_run_get_summary (run, &r.sum);
      if (!find_failures (&r))
        add (&r, "failed", LAB_SEVERITY_WARNING, 100, g_strdup (_("The run has no job records to read.")));
      return r.findings;
    }
  read_figures (&r);

  if (!find_failures (&r))
    {
      gboolean explained;

      find_busy_machine (&r);
      explained = find_gil (&r);
      explained |= find_overhead (&r);
      explained |= find_oversubscribed (&r);
      find_imbalance (&r);
      if (!r.computes)
        find_waiting (&r);
      else if (!explained)
        find_computing (&r);
    }

  g_array_sort (r.findings, compare_weight);
  return r.findings;
}
