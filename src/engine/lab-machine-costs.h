/* lab-machine-costs.h — what a thread, a process and a job cost on this computer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lab-machine-info.h"
#include "lab-strategy.h"

G_BEGIN_DECLS

typedef enum {
  LAB_COST_THREAD_CREATE,      /* GThread create + join */
  LAB_COST_POOL_HANDOVER,      /* GThreadPool, per queued empty job */
  LAB_COST_FORK_WAIT,          /* fork + wait of a process that exits at once */
  LAB_COST_WORKER_START,       /* concurrency-lab-worker spawned, HELLO, until READY */
  LAB_COST_FORK_SERVER_JOB,    /* a set-up process forks a child per job, reads its RESULT */
  LAB_COST_PIPE_ROUND_TRIP,    /* a small frame there and back between two processes */
  LAB_COST_JOB_SEQUENTIAL,     /* per empty job, each strategy run through LabRun */
  LAB_COST_JOB_THREADS,
  LAB_COST_JOB_THREAD_POOL,
  LAB_COST_JOB_PROCESSES,
  LAB_COST_JOB_PROCESS_POOL,
  LAB_N_COSTS
} LabCostKind;

/**
 * LabCostReference:
 * @label: what was measured (untranslated; see lab_cost_reference_get_label())
 * @seconds: its cost
 * @source: where the figure comes from: program, machine and date
 */
typedef struct {
  const char *label;
  double      seconds;
  const char *source;
} LabCostReference;

/**
 * LabCost:
 * @kind: which measurement
 * @id: stable, for JSON and tests ("thread-create-join", "job")
 * @strategy: (nullable): per-job rows: the strategy's name
 * @median_s: the median of the samples, seconds per operation
 * @low_s: the 10th percentile
 * @high_s: the 90th percentile
 * @n_samples: samples taken (each the mean of a batch)
 * @n_ops: operations measured in all
 * @reference: (nullable): a figure to compare with
 */
typedef struct {
  LabCostKind             kind;
  const char             *id;
  const char             *strategy;
  double                  median_s;
  double                  low_s;
  double                  high_s;
  guint                   n_samples;
  guint                   n_ops;
  const LabCostReference *reference;
} LabCost;

/**
 * LabStrategyCost:
 * @per_job_s: what each job adds, beyond its own work
 * @fixed_s: what a run pays once (pool threads, the fork server, workers)
 * @workers: the workers it runs with by default on the usable cores
 *
 * What the break-even computation needs of one strategy.
 */
typedef struct {
  double per_job_s;
  double fixed_s;
  guint  workers;
} LabStrategyCost;

/**
 * LabMachineCosts:
 * @machine: the computer it was measured on
 * @usable_cores: the cores this process may use
 * @elapsed_s: how long the measurement took
 * @costs: every figure, in #LabCostKind order
 */
typedef struct {
  LabMachineInfo *machine;
  guint           usable_cores;
  double          elapsed_s;
  LabCost         costs[LAB_N_COSTS];
} LabMachineCosts;

/* Called with how far the measurement is (0–1) and what it measures now
 * (translated). */
typedef void (*LabCostsProgressFunc) (double      fraction,
                                      const char *what,
                                      gpointer    user_data);

#define LAB_TYPE_MACHINE_COSTS (lab_machine_costs_get_type ())

GType            lab_machine_costs_get_type     (void) G_GNUC_CONST;
LabMachineCosts *lab_machine_costs_measure      (LabCostsProgressFunc  progress,
                                                 gpointer              progress_data,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
void             lab_machine_costs_measure_async (LabCostsProgressFunc progress,
                                                 gpointer              progress_data,
                                                 GDestroyNotify        progress_destroy,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
LabMachineCosts *lab_machine_costs_measure_finish (GAsyncResult        *result,
                                                 GError              **error);
LabMachineCosts *lab_machine_costs_new_fixed    (const double          *median_s,
                                                 guint                  usable_cores);
LabMachineCosts *lab_machine_costs_copy         (const LabMachineCosts *costs);
void             lab_machine_costs_free         (LabMachineCosts       *costs);
const LabCost   *lab_machine_costs_get_job_cost (const LabMachineCosts *costs,
                                                 const LabStrategy     *strategy);
gboolean         lab_machine_costs_get_strategy_cost (const LabMachineCosts *costs,
                                                 const LabStrategy     *strategy,
                                                 LabStrategyCost       *out);
JsonNode        *lab_machine_costs_to_json      (const LabMachineCosts *costs);
char            *lab_machine_costs_format_table (const LabMachineCosts *costs);

char            *lab_machine_costs_format_seconds (double s);
const char      *lab_cost_get_title             (const LabCost         *cost);
const char      *lab_cost_reference_get_label   (const LabCostReference *reference);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabMachineCosts, lab_machine_costs_free)

G_END_DECLS
