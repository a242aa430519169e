/* lab-granularity.h — how big a job must be before a strategy pays off
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "lab-analysis.h"
#include "lab-machine-costs.h"

G_BEGIN_DECLS

/* Job sizes a sweep may ask for, in seconds of CPU work per job. */
#define LAB_JOB_SIZE_MIN_S 2e-6
#define LAB_JOB_SIZE_MAX_S 1.0
#define LAB_MAX_JOB_SIZES  24

/**
 * LabBreakEven:
 * @break_even_s: the smallest job (seconds of work) for which the
 *   strategy beats a plain loop: 0 when it always does, INFINITY when
 *   it never does (one core)
 * @ninety_s: the job size where it reaches 90 % of its best speed-up
 * @best_speedup: its speed-up on endless jobs: the workers it can keep busy
 */
typedef struct {
  double break_even_s;
  double ninety_s;
  double best_speedup;
} LabBreakEven;

void     lab_break_even_compute   (const LabStrategyCost *loop,
                                   const LabStrategyCost *strategy,
                                   guint                  usable_cores,
                                   guint                  n_jobs,
                                   LabBreakEven          *out);
double   lab_break_even_speedup   (const LabStrategyCost *loop,
                                   const LabStrategyCost *strategy,
                                   guint                  usable_cores,
                                   guint                  n_jobs,
                                   double                 job_s);
gboolean lab_machine_costs_break_even (const LabMachineCosts *costs,
                                   const LabStrategy     *strategy,
                                   guint                  n_jobs,
                                   LabBreakEven          *out);
double   lab_break_even_predict_sweep (const LabStrategyCost *loop,
                                   const LabStrategyCost *strategy,
                                   guint                  usable_cores);

gboolean lab_job_sizes_parse      (const char            *text,
                                   GArray               **sizes,
                                   GError               **error);
gboolean lab_job_sizes_is_list    (const char            *text);
GArray  *lab_job_sizes_default    (void);
guint    lab_job_sizes_n_jobs     (double                 job_s);
double   lab_primes_seconds_per_number (void);
guint64  lab_primes_size_for      (double                 job_s);

/**
 * LabGranularityPoint:
 * @job_s: the work per job: the loop's measured CPU time per job
 * @speedup: the strategy's speed-up over the loop on that work
 * @size: the task's size parameter that gave it
 */
typedef struct {
  double  job_s;
  double  speedup;
  guint64 size;
} LabGranularityPoint;

/**
 * LabGranularity:
 * @strategy: the strategy
 * @points: (element-type LabGranularityPoint): by job size
 * @break_even_s: where the measured speed-up crosses 1 (interpolated on
 *   the log scale), the smallest size when it is above 1 everywhere,
 *   NAN when it never gets there
 * @predicted_s: what the measured costs predict, NAN without costs
 * @machine_busy: the mean share of the machine's CPU other programs used
 *   during its runs, 0–1: the model assumes a quiet machine
 */
typedef struct {
  const LabStrategy *strategy;
  GArray            *points;
  double             break_even_s;
  double             predicted_s;
  double             machine_busy;
} LabGranularity;

GPtrArray *lab_granularity_compute      (LabAnalysis           *analysis,
                                         const LabMachineCosts *costs);
double     lab_granularity_find_break_even (const LabGranularityPoint *points,
                                         guint                  n_points);
void       lab_granularity_add_json     (JsonBuilder           *builder,
                                         GPtrArray             *granularity);
char      *_lab_granularity_describe   (LabAnalysis           *analysis);
char      *lab_granularity_format_table (GPtrArray             *granularity,
                                         guint                  usable_cores);

G_END_DECLS
