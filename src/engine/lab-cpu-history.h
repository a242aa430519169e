/* lab-cpu-history.h — the CPU samples taken while one run went on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Samples a second, and how long a history keeps them (10 minutes). */
#define LAB_CPU_SAMPLE_HZ        10
#define LAB_CPU_HISTORY_SECONDS  600

/**
 * LabCpuHistory:
 *
 * The samples taken while one run went on: usage of every core, of the
 * whole app (its threads and child processes) and of each worker of the
 * run. Usage is a fraction of one core (0..1 per core; a worker may use
 * up to 1, the app up to the number of cores). Times are nanoseconds
 * relative to the start of the run (negative before it started).
 *
 * A history is only changed on the main context of its sampler; read it
 * there. Keep a reference to re-display a run after later runs.
 */
typedef struct _LabCpuHistory LabCpuHistory;

typedef struct {
  guint  worker;   /* index for lab_cpu_history_get_worker_id() */
  float  usage;    /* fraction of one core */
} LabCpuWorkerUsage;

#define LAB_TYPE_CPU_HISTORY (lab_cpu_history_get_type ())

GType                    lab_cpu_history_get_type          (void) G_GNUC_CONST;
LabCpuHistory           *lab_cpu_history_new               (guint           n_cores);
LabCpuHistory           *lab_cpu_history_ref               (LabCpuHistory  *self);
void                     lab_cpu_history_unref             (LabCpuHistory  *self);
guint                    lab_cpu_history_get_n_cores       (LabCpuHistory  *self);
guint                    lab_cpu_history_get_n_samples     (LabCpuHistory  *self);
gint64                   lab_cpu_history_get_time          (LabCpuHistory  *self,
                                                            guint           sample);
gint64                   lab_cpu_history_get_duration      (LabCpuHistory  *self);
double                   lab_cpu_history_get_core_usage    (LabCpuHistory  *self,
                                                            guint           sample,
                                                            guint           core);
double                   lab_cpu_history_get_app_usage     (LabCpuHistory  *self,
                                                            guint           sample);
guint                    lab_cpu_history_get_n_workers     (LabCpuHistory  *self);
gint64                   lab_cpu_history_get_worker_id     (LabCpuHistory  *self,
                                                            guint           worker);
const char              *lab_cpu_history_get_worker_label  (LabCpuHistory  *self,
                                                            guint           worker);
gboolean                 lab_cpu_history_find_worker       (LabCpuHistory  *self,
                                                            gint64          id,
                                                            guint          *worker);
double                   lab_cpu_history_get_worker_usage  (LabCpuHistory  *self,
                                                            guint           sample,
                                                            guint           worker);
const LabCpuWorkerUsage *lab_cpu_history_get_sample_workers (LabCpuHistory *self,
                                                            guint           sample,
                                                            guint          *n_workers);
gboolean                 lab_cpu_history_is_sealed         (LabCpuHistory  *self);

/* For tests and for feeding a history by hand: appends one sample taken
 * at @time_ns (relative to the run's start). @cores has n_cores values;
 * @worker_ids / @worker_usage have @n_workers values. */
void                     lab_cpu_history_append            (LabCpuHistory  *self,
                                                            gint64          time_ns,
                                                            const double   *cores,
                                                            double          app_usage,
                                                            const gint64   *worker_ids,
                                                            const double   *worker_usage,
                                                            guint           n_workers);

/* Kept with a run in the history, and read back sealed. */
#define LAB_CPU_HISTORY_VARIANT_TYPE "(uaxasa(xdada(ud)))"

GVariant                *lab_cpu_history_to_variant        (LabCpuHistory  *self);
LabCpuHistory           *lab_cpu_history_new_from_variant  (GVariant       *variant,
                                                            GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabCpuHistory, lab_cpu_history_unref)

G_END_DECLS
