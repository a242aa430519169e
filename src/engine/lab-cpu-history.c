/* lab-cpu-history.c — the CPU samples taken while one run went on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Samples are kept in one block each (cores, then the workers that used
 * some CPU), at most LAB_CPU_HISTORY_SECONDS of them: a long run keeps its
 * last ten minutes.
 */
#define G_LOG_DOMAIN "lab-cpu-history"

#include "config.h"

#include "lab-cpu-history.h"

#include "lab-cpu-history-private.h"

#define MAX_SAMPLES (LAB_CPU_SAMPLE_HZ * LAB_CPU_HISTORY_SECONDS)

typedef struct {
  gint64             time_ns;      /* CLOCK_MONOTONIC */
  float              app;
  guint              n_workers;
  LabCpuWorkerUsage *workers;      /* points into the same block */
  float              cores[];
} Sample;

struct _LabCpuHistory
{
  gatomicrefcount  ref_count;
  guint            n_cores;
  gboolean         sealed;
  gint64           origin_ns;      /* time 0 of the axis */
  GPtrArray       *samples;        /* Sample* */
  GArray          *worker_ids;     /* gint64 */
  GPtrArray       *worker_labels;  /* "thread 1234", "process 1234" */
  GHashTable      *worker_index;   /* id -> index + 1 */
};

G_DEFINE_BOXED_TYPE (LabCpuHistory, lab_cpu_history, lab_cpu_history_ref, lab_cpu_history_unref)

/**
 * lab_cpu_history_new:
 * @n_cores: cores per sample
 *
 * An empty history, e.g. to fill by hand with lab_cpu_history_append().
 */
LabCpuHistory *
lab_cpu_history_new (guint n_cores)
{
  LabCpuHistory *self = g_new0 (LabCpuHistory, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->n_cores = n_cores;
  self->samples = g_ptr_array_new_with_free_func (g_free);
  self->worker_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->worker_labels = g_ptr_array_new_with_free_func (g_free);
  self->worker_index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  return self;
}

LabCpuHistory *
lab_cpu_history_ref (LabCpuHistory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
lab_cpu_history_unref (LabCpuHistory *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_ptr_array_unref (self->samples);
  g_hash_table_unref (self->worker_index);
  g_array_unref (self->worker_ids);
  g_ptr_array_unref (self->worker_labels);
  g_free (self);
}

guint
lab_cpu_history_get_n_cores (LabCpuHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_cores;
}

guint
lab_cpu_history_get_n_samples (LabCpuHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->samples->len;
}

static inline const Sample *
get_sample (LabCpuHistory *self,
            guint          sample)
{
  return g_ptr_array_index (self->samples, sample);
}

gint64
lab_cpu_history_get_time (LabCpuHistory *self,
                          guint          sample)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (sample < self->samples->len, 0);
  return get_sample (self, sample)->time_ns - self->origin_ns;
}

/* Time of the last sample, or 0 when there is none. */
gint64
lab_cpu_history_get_duration (LabCpuHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->samples->len == 0)
    return 0;
  return MAX (0, lab_cpu_history_get_time (self, self->samples->len - 1));
}

double
lab_cpu_history_get_core_usage (LabCpuHistory *self,
                                guint          sample,
                                guint          core)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (sample < self->samples->len, 0);
  g_return_val_if_fail (core < self->n_cores, 0);
  return get_sample (self, sample)->cores[core];
}

/* The whole app, its threads and worker processes, in cores. */
double
lab_cpu_history_get_app_usage (LabCpuHistory *self,
                               guint          sample)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (sample < self->samples->len, 0);
  return get_sample (self, sample)->app;
}

guint
lab_cpu_history_get_n_workers (LabCpuHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->worker_ids->len;
}

/* The thread id or process id the run reported for the worker. */
gint64
lab_cpu_history_get_worker_id (LabCpuHistory *self,
                               guint          worker)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (worker < self->worker_ids->len, 0);
  return g_array_index (self->worker_ids, gint64, worker);
}

/* How the run names the worker: "thread 1234" or "process 1234". */
const char *
lab_cpu_history_get_worker_label (LabCpuHistory *self,
                                  guint          worker)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (worker < self->worker_ids->len, NULL);
  return g_ptr_array_index (self->worker_labels, worker);
}

/* The workers that used some CPU during the sample, by worker index. */
const LabCpuWorkerUsage *
lab_cpu_history_get_sample_workers (LabCpuHistory *self,
                                    guint          sample,
                                    guint         *n_workers)
{
  const Sample *s;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (sample < self->samples->len, NULL);
  g_return_val_if_fail (n_workers != NULL, NULL);

  s = get_sample (self, sample);
  *n_workers = s->n_workers;
  return s->workers;
}

double
lab_cpu_history_get_worker_usage (LabCpuHistory *self,
                                  guint          sample,
                                  guint          worker)
{
  const LabCpuWorkerUsage *usage;
  guint n;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (sample < self->samples->len, 0);

  usage = lab_cpu_history_get_sample_workers (self, sample, &n);
  for (guint i = 0; i < n; i++)
    if (usage[i].worker == worker)
      return usage[i].usage;
  return 0;
}

/* The index of the worker with thread or process id @id, if it appears. */
gboolean
lab_cpu_history_find_worker (LabCpuHistory *self,
                             gint64         id,
                             guint         *worker)
{
  gpointer value;

  g_return_val_if_fail (self != NULL, FALSE);

  if ((value = g_hash_table_lookup (self->worker_index, &id)) == NULL)
    return FALSE;
  *worker = GPOINTER_TO_UINT (value) - 1;
  return TRUE;
}

/* A sealed history gets no more samples: its run has ended. */
gboolean
lab_cpu_history_is_sealed (LabCpuHistory *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->sealed;
}

static guint
history_intern_worker (LabCpuHistory *self,
                       LabRun        *run,
                       gint64         id)
{
  gpointer value = g_hash_table_lookup (self->worker_index, &id);
  gint64 *key;

  if (value != NULL)
    return GPOINTER_TO_UINT (value) - 1;

  g_array_append_val (self->worker_ids, id);
  g_ptr_array_add (self->worker_labels,
                   run ? lab_run_describe_worker (run, id)
                       : g_strdup_printf ("%" G_GINT64_FORMAT, id));
  key = &g_array_index (self->worker_ids, gint64, self->worker_ids->len - 1);
  /* The array may move its storage: the table keeps its own copy. */
  key = g_memdup2 (key, sizeof *key);
  g_hash_table_insert (self->worker_index, key, GUINT_TO_POINTER (self->worker_ids->len));
  return self->worker_ids->len - 1;
}

void
_lab_cpu_history_append_at (LabCpuHistory *self,
                            LabRun        *run,
                            gint64         time_ns,
                            const double  *cores,
                            double         app_usage,
                            const gint64  *worker_ids,
                            const double  *worker_usage,
                            guint          n_workers)
{
  gsize size = sizeof (Sample) + self->n_cores * sizeof (float);
  Sample *s;

  size = (size + 7) & ~(gsize) 7;
  s = g_malloc0 (size + n_workers * sizeof (LabCpuWorkerUsage));
  s->time_ns = time_ns;
  s->app = app_usage;
  s->n_workers = n_workers;
  s->workers = (LabCpuWorkerUsage *) ((char *) s + size);
  for (guint i = 0; i < self->n_cores; i++)
    s->cores[i] = CLAMP (cores[i], 0.0, 1.0);
  for (guint i = 0; i < n_workers; i++)
    s->workers[i] = (LabCpuWorkerUsage) {
      .worker = history_intern_worker (self, run, worker_ids[i]),
      .usage = MAX (worker_usage[i], 0.0),
    };

  g_ptr_array_add (self->samples, s);
  /* Drop the oldest tenth at once rather than one sample each time. */
  if (self->samples->len > MAX_SAMPLES + MAX_SAMPLES / 10)
    g_ptr_array_remove_range (self->samples, 0, self->samples->len - MAX_SAMPLES);
}

void
lab_cpu_history_append (LabCpuHistory *self,
                        gint64         time_ns,
                        const double  *cores,
                        double         app_usage,
                        const gint64  *worker_ids,
                        const double  *worker_usage,
                        guint          n_workers)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (cores != NULL || self->n_cores == 0);
  g_return_if_fail (n_workers == 0 || (worker_ids != NULL && worker_usage != NULL));
  g_return_if_fail (!self->sealed);

  _lab_cpu_history_append_at (self, NULL, time_ns + self->origin_ns, cores, app_usage,
                              worker_ids, worker_usage, n_workers);
}


void
_lab_cpu_history_seal (LabCpuHistory *self)
{
  self->sealed = TRUE;
}

void
_lab_cpu_history_set_origin (LabCpuHistory *self,
                             gint64         origin_ns)
{
  self->origin_ns = origin_ns;
}
