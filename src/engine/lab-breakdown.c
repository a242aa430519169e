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

/* The parts, in the order they win where they overlap: a moment of a
 * lane is work if any job's code runs then, else a hand-over, else a
 * worker starting, else one stopping. */
enum { PART_WORK, PART_TRANSFER, PART_START, PART_STOP, N_PARTS };

typedef struct {
  gint64 t;
  int    part;
  int    delta;    /* +1 opens, -1 closes */
} Edge;

static int
compare_edges (gconstpointer a,
               gconstpointer b)
{
  const Edge *x = a, *y = b;

  return (x->t > y->t) - (x->t < y->t);
}

/* Adds [a, b) of @part to @edges, as its two ends. */
static void
add_interval (GArray *edges,
              int     part,
              gint64  a,
              gint64  b)
{
  Edge open = { a, part, +1 }, close = { b, part, -1 };

  if (b <= a)
    return;
  g_array_append_val (edges, open);
  g_array_append_val (edges, close);
}

/* A min-heap of edges by time: the ends of the intervals of the jobs the
 * sweep has reached and not yet passed, as many as overlap on the lane. */
static void
heap_push (GArray     *heap,
           const Edge *edge)
{
  guint i = heap->len;

  g_array_append_val (heap, *edge);
  while (i > 0 && g_array_index (heap, Edge, (i - 1) / 2).t > g_array_index (heap, Edge, i).t)
    {
      Edge up = g_array_index (heap, Edge, (i - 1) / 2);

      g_array_index (heap, Edge, (i - 1) / 2) = g_array_index (heap, Edge, i);
      g_array_index (heap, Edge, i) = up;
      i = (i - 1) / 2;
    }
}

static Edge
heap_pop (GArray *heap)
{
  Edge top = g_array_index (heap, Edge, 0);
  guint i = 0;

  g_array_index (heap, Edge, 0) = g_array_index (heap, Edge, heap->len - 1);
  g_array_set_size (heap, heap->len - 1);
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;
      Edge swap;

      if (l < heap->len && g_array_index (heap, Edge, l).t < g_array_index (heap, Edge, m).t)
        m = l;
      if (r < heap->len && g_array_index (heap, Edge, r).t < g_array_index (heap, Edge, m).t)
        m = r;
      if (m == i)
        return top;
      swap = g_array_index (heap, Edge, m);
      g_array_index (heap, Edge, m) = g_array_index (heap, Edge, i);
      g_array_index (heap, Edge, i) = swap;
      i = m;
    }
}

/* Job @i's stretches: before its code ran (a hand-over, or for a thread or
 * process of its own its start), the code, and after it (the result on
 * its way back, or the thread or process ending). */
static void
job_stretches (const Context *c,
               guint          i,
               gint64        *a,
               gint64        *start,
               gint64        *end,
               gint64        *b)
{
  const LabJobRecord *j = job (c, i);

  *a = busy_start (c, i);
  *start = MAX (*a, clip (j->start_ns, c->wall));
  *end = MAX (*start, clip (j->end_ns, c->wall));
  *b = MAX (*end, clip (j->back_ns, c->wall));
}

/* Pushes both ends of [a, b) of @part, when it is not empty. */
static void
push_interval (GArray *heap,
               int     part,
               gint64  a,
               gint64  b)
{
  if (b <= a)
    return;
  heap_push (heap, &(Edge) { a, part, +1 });
  heap_push (heap, &(Edge) { b, part, -1 });
}

static void
push_job (const Context *c,
          guint          i,
          GArray        *heap)
{
  gint64 a, start, end, b;

  job_stretches (c, i, &a, &start, &end, &b);
  push_interval (heap, c->per_job ? PART_START : PART_TRANSFER, a, start);
  push_interval (heap, PART_WORK, start, end);
  push_interval (heap, c->per_job ? PART_STOP : PART_TRANSFER, end, b);
}

/* The lane's ended jobs in the order their stretches begin. */
static int
compare_busy_start (const void *x,
                    const void *y,
                    void       *data)
{
  gint64 a = busy_start (data, *(const guint *) x), b = busy_start (data, *(const guint *) y);

  return (a > b) - (a < b);
}

static guint
keep_ended (const Context *c,
            guint         *jobs,
            guint          n,
            gint64        *last_back)
{
  guint kept = 0;

  for (guint k = 0; k < n; k++)
    if (job (c, jobs[k])->state >= LAB_JOB_OK)
      {
        gint64 a, start, end, b;

        job_stretches (c, jobs[k], &a, &start, &end, &b);
        *last_back = MAX (*last_back, b);
        jobs[kept++] = jobs[k];
      }
  qsort_r (jobs, kept, sizeof (guint), compare_busy_start, (gpointer) c);
  return kept;
}

/* The lane's long-lived workers: starting until ready, and after the
 * lane's last result until gone. */
static void
add_workers (const Context *c,
             guint          lane,
             gint64         last_back,
             GArray        *edges)
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
      add_interval (edges, PART_START, begin, ready);
      /* A worker of every lane stops after the run's last result; one
       * of this lane after the lane's. */
      if (w->gone_ns >= 0)
        add_interval (edges, PART_STOP,
                      MAX (ready, MIN (w->lane == LAB_LANE_ALL ? c->last_back : last_back, gone)), gone);
      if (w->lane != LAB_LANE_ALL)
        first = FALSE;
    }
  g_array_sort (edges, compare_edges);
}

/* A stretch [a, b) that no part covers: a hand-over while jobs still
 * waited to be dispatched, idle after. */
static void
add_gap (const Context *c,
         gint64         a,
         gint64         b,
         LaneParts     *parts)
{
  gint64 early = MAX (0, MIN (b, c->last_dispatch) - a);

  parts->transfer += early;
  parts->idle += (b - a) - early;
}

/**
 * sweep_lane:
 * @jobs: the lane's ended jobs, in the order their stretches begin
 * @workers: the ends of its workers' stretches, in time order
 *
 * Sweeps the lane from 0 to the wall time, giving each stretch to the
 * first part that covers it: the parts are disjoint and fill the lane.
 * A job's ends join the sweep when it reaches the job, so the memory it
 * takes is that of the jobs that overlap, not of all of them.
 */
static void
sweep_lane (const Context *c,
            const guint   *jobs,
            guint          n_jobs,
            GArray        *workers,
            GArray        *heap,
            LaneParts     *parts)
{
  gint64 *slots[N_PARTS] = { &parts->work, &parts->transfer, &parts->start, &parts->stop };
  int open[N_PARTS] = { 0 };
  gint64 t = 0;
  guint k = 0, w = 0;

  g_array_set_size (heap, 0);
  for (;;)
    {
      gint64 next_job = k < n_jobs ? busy_start (c, jobs[k]) : G_MAXINT64;
      gint64 next_worker = w < workers->len ? g_array_index (workers, Edge, w).t : G_MAXINT64;
      gint64 next_heap = heap->len > 0 ? g_array_index (heap, Edge, 0).t : G_MAXINT64;
      gint64 next = MIN (next_job, MIN (next_worker, next_heap));
      Edge edge;
      int p = 0;

      if (next == G_MAXINT64)
        break;
      if (next == next_job)
        {
          push_job (c, jobs[k++], heap);
          continue;
        }
      edge = next == next_worker ? g_array_index (workers, Edge, w++) : heap_pop (heap);
      if (edge.t > t)
        {
          while (p < N_PARTS && open[p] == 0)
            p++;
          if (p < N_PARTS)
            *slots[p] += edge.t - t;
          else
            add_gap (c, t, edge.t, parts);
          t = edge.t;
        }
      open[edge.part] += edge.delta;
    }
  if (c->wall > t)
    add_gap (c, t, c->wall, parts);
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
  g_autoptr(GArray) edges = NULL;
  g_autoptr(GArray) heap = NULL;
  g_autofree guint *first = NULL, *fill = NULL, *order = NULL;
  LaneParts total = { 0 };
  guint n_jobs;

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
  for (guint i = 0; i < n_jobs; i++)
    if (job (&c, i)->state >= LAB_JOB_OK)
      {
        c.last_dispatch = MAX (c.last_dispatch, busy_start (&c, i));
        c.last_back = MAX (c.last_back, clip (job (&c, i)->back_ns, c.wall));
      }

  /* The jobs by lane: lane L's are order[first[L]] to order[first[L + 1]]. */
  first = g_new0 (guint, c.n_lanes + 1);
  order = g_new (guint, MAX (n_jobs, 1));
  for (guint i = 0; i < n_jobs; i++)
    first[job (&c, i)->lane + 1]++;
  for (guint lane = 0; lane < c.n_lanes; lane++)
    first[lane + 1] += first[lane];
  fill = g_memdup2 (first, sizeof (guint) * c.n_lanes);
  for (guint i = 0; i < n_jobs; i++)
    order[fill[job (&c, i)->lane]++] = i;

  edges = g_array_new (FALSE, FALSE, sizeof (Edge));
  heap = g_array_new (FALSE, FALSE, sizeof (Edge));
  for (guint lane = 0; lane < c.n_lanes; lane++)
    {
      LaneParts parts = { 0 };
      gint64 last_back = 0;
      guint n_ended;

      n_ended = keep_ended (&c, order + first[lane], first[lane + 1] - first[lane], &last_back);
      g_array_set_size (edges, 0);
      add_workers (&c, lane, last_back, edges);
      sweep_lane (&c, order + first[lane], n_ended, edges, heap, &parts);
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
