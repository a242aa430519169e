/* lab-breakdown.c — where a run's time went, from its records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each of the run's lanes (a pool's worker, a slot of `threads` or
 * `processes`, an event loop's slot) is followed over the wall time, and
 * every moment of it is put in one part:
 *
 *   start     a worker starting: from 0 (or its start, for a worker that
 *             replaced another) until it was ready; for a thread or
 *             process made for one job, from dispatch until the job's code
 *             started (thread creation, fork)
 *   work      the job's code running, start to end
 *   transfer  the job handed over but not running: in a pipe or a queue
 *             after dispatch, its result on the way back; and a lane
 *             between two jobs while jobs still waited to be dispatched
 *   stop      after the lane's last result, until its worker was gone
 *             (joined, reaped); for a thread or process made for one job,
 *             from the end of its code until it was joined or reaped
 *   idle      nothing of the above, once every job had been dispatched:
 *             starved, or waiting for the last straggler elsewhere
 *
 * The parts of a lane are disjoint and fill it, so they add up to
 * lanes × wall. A pure function of the records: tests build made-up runs.
 */
#define G_LOG_DOMAIN "lab-breakdown"

#include "config.h"

#include <stdlib.h>

#include "lab-breakdown.h"

typedef struct {
  gint64 start, work, transfer, idle, stop;
} LaneParts;

typedef struct {
  LabRun   *run;
  gint64    wall;
  gint64    last_dispatch;  /* when the last job was handed over */
  gint64    last_back;      /* when the last result was back */
  gboolean  per_job;        /* a thread or process per job */
  guint     n_lanes;
  GArray  **ready;          /* per lane: when its workers were ready, rising */
  gint64   *ready_of;       /* per worker record: when it was ready, or -1 */
} Context;

static gint64
clip (gint64 t,
      gint64 wall)
{
  return CLAMP (t, 0, wall);
}

/* |[a, b) ∩ [0, limit)| */
static gint64
before (gint64 a,
        gint64 b,
        gint64 limit)
{
  return MAX (0, MIN (b, limit) - a);
}

static const LabJobRecord *
job (const Context *c,
     guint          index)
{
  return lab_run_get_job (c->run, index);
}

static int
compare_times (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* When each worker was ready. A process worker's READY is timed when the
 * app reads it, and on a busy machine that can be after the worker began
 * its first job (timed by the worker): no job starts before its worker
 * is ready, so a worker was ready by its first job's start at the latest. */
static void
collect_worker_ready (Context *c)
{
  guint n = lab_run_get_n_worker_records (c->run);
  g_autoptr(GHashTable) by_id = g_hash_table_new (NULL, NULL);

  c->ready_of = g_new (gint64, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      const LabWorkerRecord *w = lab_run_get_worker_record (c->run, i);

      c->ready_of[i] = w->ready_ns;
      if (w->ready_ns >= 0 && w->id > 0)
        g_hash_table_insert (by_id, GINT_TO_POINTER (w->id), &c->ready_of[i]);
    }
  for (guint i = 0; g_hash_table_size (by_id) > 0 && i < lab_run_get_n_jobs (c->run); i++)
    {
      const LabJobRecord *j = job (c, i);
      gint64 *ready;

      if (j->state >= LAB_JOB_OK && j->worker > 0 &&
          (ready = g_hash_table_lookup (by_id, GINT_TO_POINTER (j->worker))) != NULL)
        *ready = MIN (*ready, MAX (j->start_ns, 0));
    }
}

/* Each lane's ready times, those of workers serving every lane included. */
static void
collect_ready (Context *c)
{
  guint n = lab_run_get_n_worker_records (c->run);

  collect_worker_ready (c);
  c->ready = g_new0 (GArray *, c->n_lanes);
  for (guint lane = 0; lane < c->n_lanes; lane++)
    {
      c->ready[lane] = g_array_new (FALSE, FALSE, sizeof (gint64));
      for (guint i = 0; i < n; i++)
        {
          const LabWorkerRecord *w = lab_run_get_worker_record (c->run, i);

          if ((w->lane == lane || w->lane == LAB_LANE_ALL) && c->ready_of[i] >= 0)
            g_array_append_val (c->ready[lane], c->ready_of[i]);
        }
      g_array_sort (c->ready[lane], compare_times);
    }
}

static void
free_ready (Context *c)
{
  for (guint lane = 0; c->ready != NULL && lane < c->n_lanes; lane++)
    g_array_unref (c->ready[lane]);
  g_clear_pointer (&c->ready, g_free);
  g_clear_pointer (&c->ready_of, g_free);
}

/* When the worker that ran a job on @lane could take it: jobs written to
 * a pipe before their worker said READY wait for it as it starts. */
static gint64
lane_ready_before (const Context *c,
                   guint          lane,
                   gint64         t)
{
  GArray *ready = lane < c->n_lanes ? c->ready[lane] : NULL;

  for (guint i = ready ? ready->len : 0; i > 0; i--)
    if (g_array_index (ready, gint64, i - 1) <= t)
      return g_array_index (ready, gint64, i - 1);
  return 0;
}

static gint64
busy_start (const Context *c,
            guint          index)
{
  const LabJobRecord *j = job (c, index);

  return clip (MAX (j->dispatch_ns, lane_ready_before (c, j->lane, j->start_ns)), c->wall);
}

/* Jobs sorted by lane, then by the start of their busy interval. */
static int
compare_jobs (const void *a,
              const void *b,
              void       *data)
{
  const Context *c = data;
  guint i = *(const guint *) a, k = *(const guint *) b;
  gint64 x, y;

  if (job (c, i)->lane != job (c, k)->lane)
    return job (c, i)->lane < job (c, k)->lane ? -1 : 1;
  x = busy_start (c, i);
  y = busy_start (c, k);
  return (x > y) - (x < y);
}

/* Adds a covered interval [a, b) of one part to @parts, keeping apart
 * what lies before the last dispatch (see add_gaps()). */
static void
cover (gint64        *part,
       gint64        *covered,
       gint64        *covered_early,
       gint64         a,
       gint64         b,
       const Context *c)
{
  if (b <= a)
    return;
  *part += b - a;
  *covered += b - a;
  *covered_early += before (a, b, c->last_dispatch);
}

/* The lane's jobs: busy intervals merged, with work inside them. */
static void
add_jobs (const Context *c,
          const guint   *order,
          guint          n,
          LaneParts     *parts,
          gint64        *covered,
          gint64        *covered_early,
          gint64        *last_back)
{
  gint64 seg_a = -1, seg_b = -1, busy = 0, busy_early = 0, work = 0;

  for (guint k = 0; k < n; k++)
    {
      const LabJobRecord *j = job (c, order[k]);
      gint64 a = busy_start (c, order[k]);
      gint64 b = clip (MAX (j->back_ns, j->end_ns), c->wall);

      if (j->state < LAB_JOB_OK)
        continue;
      work += MAX (0, clip (j->end_ns, c->wall) - clip (j->start_ns, c->wall));
      if (c->per_job)
        {
          parts->start += MAX (0, clip (j->start_ns, c->wall) - a);
          parts->stop += MAX (0, b - clip (j->end_ns, c->wall));
        }
      *last_back = MAX (*last_back, b);
      if (a > seg_b)
        {
          busy += seg_b - seg_a;
          busy_early += seg_a >= 0 ? before (seg_a, seg_b, c->last_dispatch) : 0;
          seg_a = a;
          seg_b = b;
        }
      else
        seg_b = MAX (seg_b, b);
    }
  busy += seg_b - seg_a;
  busy_early += seg_a >= 0 ? before (seg_a, seg_b, c->last_dispatch) : 0;

  parts->work += work;
  if (!c->per_job)
    parts->transfer += MAX (0, busy - work);
  *covered += busy;
  *covered_early += busy_early;
}

/* The lane's long-lived workers: starting until ready, and after the
 * lane's last result until gone. */
static void
add_workers (const Context *c,
             guint          lane,
             gint64         last_back,
             LaneParts     *parts,
             gint64        *covered,
             gint64        *covered_early)
{
  guint n = lab_run_get_n_worker_records (c->run);
  gboolean first = TRUE;

  for (guint i = 0; i < n; i++)
    {
      const LabWorkerRecord *w = lab_run_get_worker_record (c->run, i);
      gint64 gone = w->gone_ns >= 0 ? clip (w->gone_ns, c->wall) : c->wall;
      gint64 ready = c->ready_of[i] >= 0 ? clip (c->ready_of[i], c->wall) : gone;
      gint64 begin = first || w->lane == LAB_LANE_ALL ? 0 : clip (w->begin_ns, c->wall);

      if (w->lane != lane && w->lane != LAB_LANE_ALL)
        continue;
      cover (&parts->start, covered, covered_early, begin, ready, c);
      /* A worker of every lane stops after the run's last result; one
       * of this lane after the lane's. */
      if (w->gone_ns >= 0)
        cover (&parts->stop, covered, covered_early,
               MAX (ready, MIN (w->lane == LAB_LANE_ALL ? c->last_back : last_back, gone)), gone, c);
      if (w->lane != LAB_LANE_ALL)
        first = FALSE;
    }
}

/* What no part covers is a hand-over while jobs still waited, idle after. */
static void
add_gaps (const Context *c,
          gint64         covered,
          gint64         covered_early,
          LaneParts     *parts)
{
  gint64 early = MIN (c->last_dispatch, c->wall);

  parts->transfer += MAX (0, early - covered_early);
  parts->idle += MAX (0, (c->wall - early) - (covered - covered_early));
}

static guint
count_lanes (const Context *c,
             guint          n_jobs)
{
  guint lanes = lab_run_get_workers (c->run);

  for (guint i = 0; i < n_jobs; i++)
    lanes = MAX (lanes, (guint) job (c, i)->lane + 1);
  for (guint i = 0; i < lab_run_get_n_worker_records (c->run); i++)
    {
      guint lane = lab_run_get_worker_record (c->run, i)->lane;
      if (lane != LAB_LANE_ALL)
        lanes = MAX (lanes, lane + 1);
    }
  return lanes;
}

/**
 * lab_breakdown_compute:
 *
 * Works out where @run's capacity went (see the top of this file) from
 * its job and worker records; @run must still have its jobs.
 */
void
lab_breakdown_compute (LabRun       *run,
                       LabBreakdown *breakdown)
{
  LabRunSummary sum;
  Context c = { run };
  g_autofree guint *order = NULL;
  LaneParts total = { 0 };
  guint n_jobs, k = 0;

  g_return_if_fail (lab_run_has_jobs (run));

  lab_run_get_summary (run, &sum);
  *breakdown = (LabBreakdown) { .setup_s = sum.setup_ns / 1e9 };
  n_jobs = lab_run_get_n_jobs (run);
  c.wall = sum.wall_ns;
  c.per_job = lab_run_get_config (run)->strategy->worker_per_job;
  c.n_lanes = count_lanes (&c, n_jobs);
  if (c.wall <= 0 || c.n_lanes == 0)
    return;

  collect_ready (&c);
  order = g_new (guint, MAX (n_jobs, 1));
  for (guint i = 0; i < n_jobs; i++)
    {
      order[i] = i;
      if (job (&c, i)->state >= LAB_JOB_OK)
        {
          c.last_dispatch = MAX (c.last_dispatch, busy_start (&c, i));
          c.last_back = MAX (c.last_back, clip (job (&c, i)->back_ns, c.wall));
        }
    }
  qsort_r (order, n_jobs, sizeof (guint), compare_jobs, &c);

  for (guint lane = 0; lane < c.n_lanes; lane++)
    {
      LaneParts parts = { 0 };
      gint64 covered = 0, covered_early = 0, last_back = 0;
      guint first = k;

      while (k < n_jobs && job (&c, order[k])->lane == lane)
        k++;
      add_jobs (&c, order + first, k - first, &parts, &covered, &covered_early, &last_back);
      add_workers (&c, lane, last_back, &parts, &covered, &covered_early);
      add_gaps (&c, covered, covered_early, &parts);
      total.start += parts.start;
      total.work += parts.work;
      total.transfer += parts.transfer;
      total.idle += parts.idle;
      total.stop += parts.stop;
    }
  free_ready (&c);

  breakdown->capacity_s = c.n_lanes * (c.wall / 1e9);
  breakdown->start_s = total.start / 1e9;
  breakdown->work_s = total.work / 1e9;
  breakdown->transfer_s = total.transfer / 1e9;
  breakdown->idle_s = total.idle / 1e9;
  breakdown->stop_s = total.stop / 1e9;
}
