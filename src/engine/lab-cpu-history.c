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

#include <math.h>

#include <glib/gi18n-lib.h>

#include "lab-cpu-history.h"

#include "lab-cpu-history-private.h"
#include "lab-error.h"

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

/**
 * lab_cpu_history_to_variant:
 *
 * The samples as one value of type %LAB_CPU_HISTORY_VARIANT_TYPE: cores,
 * worker ids and labels, then each sample's time (relative to the start
 * of the run), app usage, core usage and workers' usage.
 *
 * Returns: (transfer floating): the samples
 */
GVariant *
lab_cpu_history_to_variant (LabCpuHistory *self)
{
  GVariantBuilder samples;
  GVariantBuilder cores;
  GVariantBuilder workers;

  g_return_val_if_fail (self != NULL, NULL);

  g_variant_builder_init (&samples, G_VARIANT_TYPE ("a(xdada(ud))"));
  for (guint i = 0; i < self->samples->len; i++)
    {
      const Sample *s = get_sample (self, i);

      g_variant_builder_init (&cores, G_VARIANT_TYPE ("ad"));
      for (guint c = 0; c < self->n_cores; c++)
        g_variant_builder_add (&cores, "d", (double) s->cores[c]);
      g_variant_builder_init (&workers, G_VARIANT_TYPE ("a(ud)"));
      for (guint w = 0; w < s->n_workers; w++)
        g_variant_builder_add (&workers, "(ud)", s->workers[w].worker, (double) s->workers[w].usage);
      g_variant_builder_add (&samples, "(xdada(ud))", s->time_ns - self->origin_ns, (double) s->app,
                             &cores, &workers);
    }

  return g_variant_new ("(u@ax@asa(xdada(ud)))", self->n_cores,
                        g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, self->worker_ids->data,
                                                   self->worker_ids->len, sizeof (gint64)),
                        g_variant_new_strv ((const char * const *) self->worker_labels->pdata,
                                            self->worker_labels->len),
                        &samples);
}

static gboolean
variant_error (GError **error)
{
  g_set_error (error, LAB_ERROR, LAB_ERROR_CORRUPT, _("The stored CPU samples are damaged"));
  return FALSE;
}

/* One stored sample, checked against the history it goes into. */
static gboolean
append_stored_sample (LabCpuHistory *self,
                      GVariant      *sample,
                      GError       **error)
{
  g_autoptr(GVariant) cores_v = NULL;
  g_autoptr(GVariant) workers_v = NULL;
  g_autofree gint64 *ids = NULL;
  g_autofree double *usage = NULL;
  const double *cores;
  gsize n_cores, n_workers;
  gint64 time_ns;
  double app;

  g_variant_get (sample, "(xd@ad@a(ud))", &time_ns, &app, &cores_v, &workers_v);
  cores = g_variant_get_fixed_array (cores_v, &n_cores, sizeof (double));
  n_workers = g_variant_n_children (workers_v);
  if (n_cores != self->n_cores || n_workers > self->worker_ids->len || !isfinite (app))
    return variant_error (error);

  ids = g_new0 (gint64, MAX (n_workers, 1));
  usage = g_new0 (double, MAX (n_workers, 1));
  for (gsize w = 0; w < n_workers; w++)
    {
      guint worker;

      g_variant_get_child (workers_v, w, "(ud)", &worker, &usage[w]);
      if (worker >= self->worker_ids->len || !isfinite (usage[w]))
        return variant_error (error);
      ids[w] = g_array_index (self->worker_ids, gint64, worker);
    }
  for (gsize c = 0; c < n_cores; c++)
    if (!isfinite (cores[c]))
      return variant_error (error);

  _lab_cpu_history_append_at (self, NULL, time_ns, n_cores ? cores : (const double[]) { 0 }, app,
                              ids, usage, n_workers);
  return TRUE;
}

/**
 * lab_cpu_history_new_from_variant:
 * @variant: as lab_cpu_history_to_variant() made it, read from a file:
 *   any value
 *
 * Returns: (transfer full): a sealed history with the same samples, or
 *   %NULL with @error set (%LAB_ERROR_CORRUPT) when @variant is not one
 */
LabCpuHistory *
lab_cpu_history_new_from_variant (GVariant  *variant,
                                  GError   **error)
{
  g_autoptr(LabCpuHistory) self = NULL;
  g_autoptr(GVariant) ids_v = NULL;
  g_autoptr(GVariant) samples_v = NULL;
  g_autofree const char **labels = NULL;
  const gint64 *ids;
  gsize n_ids;
  guint n_cores;

  g_return_val_if_fail (variant != NULL, NULL);

  /* Serialised data that GVariant would read with defaults in it is not
   * what lab_cpu_history_to_variant() wrote. */
  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE (LAB_CPU_HISTORY_VARIANT_TYPE)) ||
      !g_variant_is_normal_form (variant))
    return variant_error (error), NULL;

  g_variant_get (variant, "(u@ax^a&s@a(xdada(ud)))", &n_cores, &ids_v, &labels, &samples_v);
  ids = g_variant_get_fixed_array (ids_v, &n_ids, sizeof (gint64));
  /* No machine has more cores than this; a damaged value would make every
   * sample huge. */
  if (n_cores > 65536 || n_ids != g_strv_length ((char **) labels) ||
      g_variant_n_children (samples_v) > MAX_SAMPLES + MAX_SAMPLES / 10)
    return variant_error (error), NULL;

  self = lab_cpu_history_new (n_cores);
  for (gsize i = 0; i < n_ids; i++)
    {
      gint64 *key;

      if (g_hash_table_contains (self->worker_index, &ids[i]))
        return variant_error (error), NULL;
      g_array_append_val (self->worker_ids, ids[i]);
      g_ptr_array_add (self->worker_labels, g_utf8_make_valid (labels[i], -1));
      key = g_memdup2 (&ids[i], sizeof *key);
      g_hash_table_insert (self->worker_index, key, GUINT_TO_POINTER (self->worker_ids->len));
    }
  for (gsize i = 0; i < g_variant_n_children (samples_v); i++)
    {
      g_autoptr(GVariant) sample = g_variant_get_child_value (samples_v, i);

      if (!append_stored_sample (self, sample, error))
        return NULL;
    }
  self->sealed = TRUE;
  return g_steal_pointer (&self);
}
