/* lab-cpu-sampler.c — CPU use per core and per worker, sampled off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A "lab-sampler" thread reads /proc/stat (per core), /proc/self/stat
 * (the app) and, for each worker the run has reported, the thread's
 * schedstat or the worker process's stat. Samples wait in a queue under
 * a mutex; one idle source on the caller's main context moves them into
 * the history, so the history itself is only touched on that context.
 */
#define G_LOG_DOMAIN "lab-cpu-sampler"

#include "config.h"

#include "lab-cpu-sampler.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab-clock.h"
#include "lab-cpu-history-private.h"

#define SAMPLE_INTERVAL_US    (G_USEC_PER_SEC / LAB_CPU_SAMPLE_HZ)

/* ------------------------------------------------------------------ */
/* What the sampler thread hands to the main context                    */

typedef struct {
  guint   generation;
  gint64  time_ns;
  double  app;
  double *cores;
  GArray *worker_ids;     /* gint64 */
  GArray *worker_usage;   /* double */
} RawSample;

static void
raw_sample_free (RawSample *raw)
{
  g_free (raw->cores);
  g_array_unref (raw->worker_ids);
  g_array_unref (raw->worker_usage);
  g_free (raw);
}

/* A worker the thread follows; it stops reading it once /proc forgets it. */
typedef struct {
  gint64   id;
  gint64   prev_ns;     /* -1 until the first reading */
  gboolean dead;
} Tracked;

/* Everything only the sampler thread touches. */
typedef struct {
  guint       n_cores;
  guint64    *prev_busy;
  guint64    *prev_total;
  gboolean    have_prev;
  gint64      prev_time_ns;
  gint64      prev_app_ns;
  guint       generation;
  LabRun     *run;
  gboolean    processes;
  gboolean    python;      /* the workers are the Python harness's threads and processes */
  GHashTable *tracked;    /* id -> Tracked */
  guint       scan_from;
} ThreadState;

struct _LabCpuSampler
{
  GObject        parent_instance;

  /* Main context only */
  LabRun        *run;
  LabCpuHistory *history;
  GMainContext  *context;
  GThread       *thread;
  guint          n_cores;

  /* Under mutex */
  GMutex         mutex;
  GCond          cond;
  gboolean       stopping;
  guint          generation;
  LabRun        *thread_run;
  GPtrArray     *pending;      /* RawSample* */
  GSource       *flush_source;
};

enum {
  PROP_0,
  PROP_RUN,
  PROP_HISTORY,
  PROP_RUNNING,
  N_PROPS
};

enum {
  UPDATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LabCpuSampler, lab_cpu_sampler, G_TYPE_OBJECT)

static gboolean
read_small_file (const char *path,
                 char       *buf,
                 gsize       size)
{
  FILE *fp = fopen (path, "re");
  gsize n;

  if (fp == NULL)
    return FALSE;
  n = fread (buf, 1, size - 1, fp);
  fclose (fp);
  buf[n] = '\0';
  return n > 0;
}

/* utime + stime of a /proc/.../stat file, in nanoseconds. */
static gboolean
read_stat_cpu_ns (const char *path,
                  gint64     *ns)
{
  static long ticks;
  unsigned long utime, stime;
  char buf[1024];
  const char *p;

  if (!read_small_file (path, buf, sizeof buf) || !(p = strrchr (buf, ')')))
    return FALSE;
  if (sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
              &utime, &stime) != 2)
    return FALSE;
  if (ticks == 0)
    ticks = sysconf (_SC_CLK_TCK);
  *ns = (gint64) (utime + stime) * (G_GINT64_CONSTANT (1000000000) / ticks);
  return TRUE;
}

/* A thread's time on a CPU in nanoseconds: finer than stat's ticks. */
static gboolean
read_thread_cpu_ns (gint64  tid,
                    gint64 *ns)
{
  char path[64];
  char buf[128];
  guint64 run_ns;

  g_snprintf (path, sizeof path, "/proc/self/task/%" G_GINT64_FORMAT "/schedstat", tid);
  if (read_small_file (path, buf, sizeof buf) &&
      sscanf (buf, "%" G_GUINT64_FORMAT, &run_ns) == 1)
    {
      *ns = (gint64) run_ns;
      return TRUE;
    }
  g_snprintf (path, sizeof path, "/proc/self/task/%" G_GINT64_FORMAT "/stat", tid);
  return read_stat_cpu_ns (path, ns);
}

static guint
count_cores (void)
{
  g_autofree char *contents = NULL;
  guint n = 0;

  if (!g_file_get_contents ("/proc/stat", &contents, NULL, NULL))
    return MAX (1, g_get_num_processors ());
  for (const char *line = contents; line != NULL && *line; line = strchr (line, '\n'))
    {
      if (*line == '\n')
        line++;
      if (g_str_has_prefix (line, "cpu") && g_ascii_isdigit (line[3]))
        n++;
    }
  return MAX (n, 1);
}

/* Per-core busy share since the previous reading. */
static void
sample_cores (ThreadState *ts,
              double      *usage)
{
  g_autofree char *contents = NULL;
  const char *line;

  memset (usage, 0, ts->n_cores * sizeof *usage);
  if (!g_file_get_contents ("/proc/stat", &contents, NULL, NULL))
    return;

  for (line = contents; line != NULL && *line; line = strchr (line + 1, '\n'))
    {
      guint64 v[8] = { 0 };
      guint64 busy, total;
      guint core;

      if (*line == '\n')
        line++;
      if (*line == '\0')   /* the last line's newline: strchr (line + 1) would overrun */
        break;
      if (!g_str_has_prefix (line, "cpu") || !g_ascii_isdigit (line[3]))
        continue;
      if (sscanf (line + 3, "%u %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                  " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                  " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                  &core, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 5 ||
          core >= ts->n_cores)
        continue;
      total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
      busy = total - v[3] - v[4];   /* idle and iowait */
      if (ts->have_prev && total > ts->prev_total[core])
        usage[core] = (double) (busy - MIN (busy, ts->prev_busy[core])) /
                      (double) (total - ts->prev_total[core]);
      ts->prev_busy[core] = busy;
      ts->prev_total[core] = total;
    }
}

static void
track_worker (ThreadState *ts,
              gint64       id)
{
  Tracked *t;

  if (id <= 0 || g_hash_table_contains (ts->tracked, &id))
    return;
  t = g_new0 (Tracked, 1);
  t->id = id;
  t->prev_ns = -1;
  g_hash_table_insert (ts->tracked, &t->id, t);
}

/* Follows the workers the run has seen since the last look. */
static void
discover_workers (ThreadState *ts)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  ts->scan_from = lab_run_get_worker_ids (ts->run, ts->scan_from, ids);
  for (guint i = 0; i < ids->len; i++)
    track_worker (ts, g_array_index (ids, gint64, i));
}

static gboolean
read_worker_ns (ThreadState *ts,
                gint64       id,
                gint64      *ns)
{
  char path[64];

  /* A Python worker is a thread of the harness or a process of its
   * own (whose job runs on its main thread): its own line either way. */
  if (ts->python)
    {
      g_snprintf (path, sizeof path, "/proc/%" G_GINT64_FORMAT "/task/%" G_GINT64_FORMAT "/stat", id, id);
      return read_stat_cpu_ns (path, ns);
    }
  if (!ts->processes)
    return read_thread_cpu_ns (id, ns);
  g_snprintf (path, sizeof path, "/proc/%" G_GINT64_FORMAT "/stat", id);
  return read_stat_cpu_ns (path, ns);
}

/* Usage of each live worker; returns what worker processes used, which
 * /proc/self/stat does not count until they are reaped. */
static double
sample_workers (ThreadState *ts,
                RawSample   *raw,
                gint64       dt_ns)
{
  GHashTableIter iter;
  Tracked *t;
  double children = 0;

  g_hash_table_iter_init (&iter, ts->tracked);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &t))
    {
      gint64 ns;
      double usage;

      if (t->dead)
        continue;
      if (!read_worker_ns (ts, t->id, &ns))
        {
          t->dead = TRUE;
          continue;
        }
      usage = (t->prev_ns >= 0 && dt_ns > 0) ? (double) (ns - t->prev_ns) / dt_ns : 0;
      t->prev_ns = ns;
      if (usage <= 0)
        continue;
      g_array_append_val (raw->worker_ids, t->id);
      g_array_append_val (raw->worker_usage, usage);
      if (ts->processes || ts->python)
        children += usage;
    }
  return children;
}

static void
thread_state_set_run (ThreadState *ts,
                      LabRun      *run,
                      guint        generation)
{
  g_set_object (&ts->run, run);
  g_hash_table_remove_all (ts->tracked);
  ts->generation = generation;
  ts->scan_from = 0;
  ts->processes = run != NULL && lab_run_get_config (run)->strategy->processes;
  ts->python = run != NULL && lab_run_get_config (run)->runtime == LAB_RUNTIME_PYTHON;
}

static RawSample *
take_sample (ThreadState *ts)
{
  RawSample *raw = g_new0 (RawSample, 1);
  gint64 now = lab_clock_now_ns ();
  gint64 dt_ns = ts->have_prev ? now - ts->prev_time_ns : 0;
  gint64 app_ns = 0;
  double children = 0;

  raw->generation = ts->generation;
  raw->time_ns = now;
  raw->cores = g_new0 (double, ts->n_cores);
  raw->worker_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  raw->worker_usage = g_array_new (FALSE, FALSE, sizeof (double));

  sample_cores (ts, raw->cores);
  if (ts->run != NULL)
    {
      discover_workers (ts);
      children = sample_workers (ts, raw, dt_ns);
    }
  if (read_stat_cpu_ns ("/proc/self/stat", &app_ns) && dt_ns > 0)
    raw->app = (double) (app_ns - ts->prev_app_ns) / dt_ns + children;

  ts->prev_app_ns = app_ns;
  ts->prev_time_ns = now;
  ts->have_prev = TRUE;
  return raw;
}

/* ------------------------------------------------------------------ */
/* LabCpuSampler                                                        */

static void
seal_history (LabCpuSampler *self)
{
  if (self->history != NULL)
    _lab_cpu_history_seal (self->history);
}

/* The run's start becomes time 0 once the run knows it. */
static void
update_origin (LabCpuSampler *self)
{
  gint64 start;

  if (self->run != NULL && (start = lab_run_get_start_time (self->run)) != 0)
    _lab_cpu_history_set_origin (self->history, start);
}

static gboolean
run_has_ended (LabRun *run)
{
  return run != NULL && lab_run_get_state (run) >= LAB_RUN_FINISHED;
}

static void
apply_pending (LabCpuSampler *self,
               GPtrArray     *pending)
{
  guint generation;

  g_mutex_lock (&self->mutex);
  generation = self->generation;
  g_mutex_unlock (&self->mutex);

  for (guint i = 0; i < pending->len; i++)
    {
      RawSample *raw = g_ptr_array_index (pending, i);

      if (raw->generation != generation || self->history == NULL ||
          lab_cpu_history_is_sealed (self->history))
        continue;
      _lab_cpu_history_append_at (self->history, self->run, raw->time_ns, raw->cores, raw->app,
                                  (const gint64 *) raw->worker_ids->data,
                                  (const double *) raw->worker_usage->data,
                                  raw->worker_ids->len);
    }
}

static gboolean
flush_cb (gpointer data)
{
  LabCpuSampler *self = data;
  g_autoptr(GPtrArray) pending = NULL;

  g_mutex_lock (&self->mutex);
  pending = g_steal_pointer (&self->pending);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) raw_sample_free);
  g_clear_pointer (&self->flush_source, g_source_unref);
  g_mutex_unlock (&self->mutex);

  if (self->history != NULL)
    {
      update_origin (self);
      apply_pending (self, pending);
    }
  if (run_has_ended (self->run))
    lab_cpu_sampler_stop (self);

  g_signal_emit (self, signals[UPDATED], 0);
  return G_SOURCE_REMOVE;
}

/* Called on the sampler thread with the mutex held. */
static void
queue_sample (LabCpuSampler *self,
              RawSample     *raw)
{
  g_ptr_array_add (self->pending, raw);
  if (self->flush_source != NULL)
    return;
  self->flush_source = g_idle_source_new ();
  /* Not an idle priority: while a window animates (spinners, charts)
   * under a slow renderer, frames keep the loop busy and idle sources
   * would starve until the run ends. At most 10 flushes a second. */
  g_source_set_priority (self->flush_source, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->flush_source, flush_cb, self, NULL);
  g_source_set_static_name (self->flush_source, "[lab-cpu-sampler] flush");
  g_source_attach (self->flush_source, self->context);
}

static gpointer
sampler_thread (gpointer data)
{
  LabCpuSampler *self = data;
  ThreadState ts = { 0 };
  gint64 deadline;

  ts.n_cores = self->n_cores;
  ts.prev_busy = g_new0 (guint64, ts.n_cores);
  ts.prev_total = g_new0 (guint64, ts.n_cores);
  ts.tracked = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  /* The first reading only sets the baseline. */
  raw_sample_free (take_sample (&ts));

  g_mutex_lock (&self->mutex);
  deadline = g_get_monotonic_time ();
  while (!self->stopping)
    {
      /* After a stall, go on from now rather than catch up in a burst. */
      deadline = MAX (deadline + SAMPLE_INTERVAL_US, g_get_monotonic_time ());
      if (g_cond_wait_until (&self->cond, &self->mutex, deadline) || self->stopping)
        continue;
      if (ts.generation != self->generation || ts.run != self->thread_run)
        thread_state_set_run (&ts, self->thread_run, self->generation);
      g_mutex_unlock (&self->mutex);

      RawSample *raw = take_sample (&ts);

      g_mutex_lock (&self->mutex);
      queue_sample (self, raw);
    }
  g_mutex_unlock (&self->mutex);

  g_clear_object (&ts.run);
  g_hash_table_unref (ts.tracked);
  g_free (ts.prev_busy);
  g_free (ts.prev_total);
  return NULL;
}

static void
lab_cpu_sampler_start_thread (LabCpuSampler *self)
{
  if (self->thread != NULL)
    return;
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  self->stopping = FALSE;
  self->thread = g_thread_new ("lab-sampler", sampler_thread, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
lab_cpu_sampler_stop_thread (LabCpuSampler *self)
{
  if (self->thread == NULL)
    return;

  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_clear_pointer (&self->thread, g_thread_join);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
begin_history (LabCpuSampler *self,
               LabRun        *run)
{
  seal_history (self);
  g_clear_pointer (&self->history, lab_cpu_history_unref);
  self->history = lab_cpu_history_new (self->n_cores);
  _lab_cpu_history_set_origin (self->history, lab_clock_now_ns ());
  g_set_object (&self->run, run);
  update_origin (self);

  g_mutex_lock (&self->mutex);
  self->generation++;
  g_set_object (&self->thread_run, run);
  g_ptr_array_set_size (self->pending, 0);
  g_mutex_unlock (&self->mutex);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

static void
lab_cpu_sampler_dispose (GObject *object)
{
  LabCpuSampler *self = (LabCpuSampler *) object;

  lab_cpu_sampler_stop_thread (self);
  if (self->flush_source != NULL)
    g_source_destroy (self->flush_source);
  g_clear_pointer (&self->flush_source, g_source_unref);
  g_clear_object (&self->thread_run);
  g_clear_object (&self->run);

  G_OBJECT_CLASS (lab_cpu_sampler_parent_class)->dispose (object);
}

static void
lab_cpu_sampler_finalize (GObject *object)
{
  LabCpuSampler *self = (LabCpuSampler *) object;

  g_clear_pointer (&self->history, lab_cpu_history_unref);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (lab_cpu_sampler_parent_class)->finalize (object);
}

static void
lab_cpu_sampler_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LabCpuSampler *self = LAB_CPU_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_RUN:
      g_value_set_object (value, self->run);
      break;
    case PROP_HISTORY:
      g_value_set_boxed (value, self->history);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, lab_cpu_sampler_is_running (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_cpu_sampler_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LabCpuSampler *self = LAB_CPU_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_RUN:
      lab_cpu_sampler_set_run (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_cpu_sampler_class_init (LabCpuSamplerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lab_cpu_sampler_dispose;
  object_class->finalize = lab_cpu_sampler_finalize;
  object_class->get_property = lab_cpu_sampler_get_property;
  object_class->set_property = lab_cpu_sampler_set_property;

  properties[PROP_RUN] =
    g_param_spec_object ("run", NULL, NULL, LAB_TYPE_RUN,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_boxed ("history", NULL, NULL, LAB_TYPE_CPU_HISTORY,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LabCpuSampler::updated:
   *
   * New samples are in the history. Emitted on the main context that
   * started sampling, at most LAB_CPU_SAMPLE_HZ times a second.
   */
  signals[UPDATED] = g_signal_new ("updated", G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
lab_cpu_sampler_init (LabCpuSampler *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) raw_sample_free);
  self->n_cores = count_cores ();
}

LabCpuSampler *
lab_cpu_sampler_new (void)
{
  return g_object_new (LAB_TYPE_CPU_SAMPLER, NULL);
}

/**
 * lab_cpu_sampler_set_run:
 * @run: (nullable): the run to follow
 *
 * Begins a new history for @run and samples until @run has ended; its
 * workers' usage is attributed to them. %NULL stops sampling and keeps
 * the last history.
 */
void
lab_cpu_sampler_set_run (LabCpuSampler *self,
                         LabRun        *run)
{
  g_return_if_fail (LAB_IS_CPU_SAMPLER (self));
  g_return_if_fail (run == NULL || LAB_IS_RUN (run));

  if (run == self->run)
    return;

  if (run == NULL)
    {
      lab_cpu_sampler_stop (self);
      g_clear_object (&self->run);
    }
  else
    {
      begin_history (self, run);
      lab_cpu_sampler_start_thread (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN]);
  g_signal_emit (self, signals[UPDATED], 0);
}

LabRun *
lab_cpu_sampler_get_run (LabCpuSampler *self)
{
  g_return_val_if_fail (LAB_IS_CPU_SAMPLER (self), NULL);
  return self->run;
}

/**
 * lab_cpu_sampler_start:
 *
 * Samples without a run (if the current history is sealed or there is
 * none, a new one begins, with time 0 now).
 */
void
lab_cpu_sampler_start (LabCpuSampler *self)
{
  g_return_if_fail (LAB_IS_CPU_SAMPLER (self));

  if (self->history == NULL || lab_cpu_history_is_sealed (self->history))
    begin_history (self, NULL);
  lab_cpu_sampler_start_thread (self);
}

/**
 * lab_cpu_sampler_stop:
 *
 * Stops the sampling thread and seals the history: it stays available.
 */
void
lab_cpu_sampler_stop (LabCpuSampler *self)
{
  g_return_if_fail (LAB_IS_CPU_SAMPLER (self));

  lab_cpu_sampler_stop_thread (self);
  seal_history (self);
  g_mutex_lock (&self->mutex);
  g_clear_object (&self->thread_run);
  g_mutex_unlock (&self->mutex);
}

gboolean
lab_cpu_sampler_is_running (LabCpuSampler *self)
{
  g_return_val_if_fail (LAB_IS_CPU_SAMPLER (self), FALSE);
  return self->thread != NULL;
}

/* Returns: (transfer none) (nullable): the history being filled, or the
 * last one. */
LabCpuHistory *
lab_cpu_sampler_get_history (LabCpuSampler *self)
{
  g_return_val_if_fail (LAB_IS_CPU_SAMPLER (self), NULL);
  return self->history;
}

guint
lab_cpu_sampler_get_n_cores (LabCpuSampler *self)
{
  g_return_val_if_fail (LAB_IS_CPU_SAMPLER (self), 0);
  return self->n_cores;
}
