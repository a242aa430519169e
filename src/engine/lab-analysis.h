/* lab-analysis.h — runs grouped into experiments: medians, outliers, speed-ups
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lab-run.h"

G_BEGIN_DECLS

typedef struct {
  guint  n;
  double min;
  double median;
  double max;
} LabStats;

void     lab_stats_compute        (const double  *values,
                                   guint          n,
                                   LabStats      *stats);
guint    lab_stats_find_outliers  (const double  *values,
                                   guint          n,
                                   gboolean      *outlier);
double   lab_amdahl_fit           (const guint   *workers,
                                   const double  *speedup,
                                   guint          n,
                                   guint          max_workers,
                                   guint         *n_fitted);

/**
 * LabRunGroup:
 * @first: its first run: task, parameters, strategy, workers
 * @runs: (element-type LabRun): every repeat, in the order they ran
 * @n_jobs_failed: failed jobs over every repeat
 * @wall: elapsed seconds of the finished repeats
 * @cpu: CPU seconds of the finished repeats
 * @mb_per_s: the median throughput
 * @speedup: the loop's median wall over this median, when the same work
 *   ran as a plain loop too (the loop's own group has 1), else 0
 * @loop: that loop's group, or %NULL
 *
 * The repeats of one configuration: same task, parameters, strategy and
 * workers, with or without the GIL.
 */
typedef struct _LabRunGroup LabRunGroup;
struct _LabRunGroup {
  LabRun      *first;
  GPtrArray   *runs;
  guint        n_jobs_failed;
  gint64       peak_rss_kb;
  LabStats     wall;
  LabStats     cpu;
  double       mb_per_s;
  double       speedup;
  LabRunGroup *loop;
};

/**
 * LabScaling:
 * @first: one of its runs: task, strategy, GIL
 * @reference: "sequential", or "1 worker" (its own run on one worker)
 * @workers: (element-type guint): the worker counts, in the order they ran
 * @speedup: (element-type double): the speed-up of the median at each count
 * @runs: (element-type LabRun): the run each count is told by (its median repeat)
 * @serial_fraction: Amdahl's s, or NAN when it cannot be fitted
 * @n_fitted: worker counts the fit used
 *
 * One strategy run with several worker counts (a sweep).
 */
typedef struct {
  LabRun     *first;
  const char *reference;
  GArray     *workers;
  GArray     *speedup;
  GPtrArray  *runs;
  double      serial_fraction;
  guint       n_fitted;
} LabScaling;

typedef struct _LabAnalysis LabAnalysis;

LabAnalysis       *lab_analysis_new             (LabRun       **runs,
                                                 guint          n_runs);
LabAnalysis       *lab_analysis_ref             (LabAnalysis   *self);
void               lab_analysis_unref           (LabAnalysis   *self);
guint              lab_analysis_get_n_runs      (LabAnalysis   *self);
LabRun            *lab_analysis_get_run         (LabAnalysis   *self,
                                                 guint          i);
guint              lab_analysis_get_n_groups    (LabAnalysis   *self);
const LabRunGroup *lab_analysis_get_group       (LabAnalysis   *self,
                                                 guint          g);
const LabRunGroup *lab_analysis_get_group_of    (LabAnalysis   *self,
                                                 guint          i);
guint              lab_analysis_get_repeat      (LabAnalysis   *self,
                                                 guint          i);
gboolean           lab_analysis_is_outlier      (LabAnalysis   *self,
                                                 guint          i);
double             lab_analysis_get_speedup     (LabAnalysis   *self,
                                                 guint          i);
LabRun            *lab_analysis_get_loop_run    (LabAnalysis   *self,
                                                 guint          i);
gboolean           lab_analysis_has_repeats     (LabAnalysis   *self);
guint              lab_analysis_get_n_scalings  (LabAnalysis   *self);
LabRun            *lab_run_group_get_median_run (const LabRunGroup *group);
const LabScaling  *lab_analysis_get_scaling     (LabAnalysis   *self,
                                                 guint          s);

GPtrArray         *lab_analysis_split_experiments (LabRun  **runs,
                                                   guint     n_runs);
gboolean           lab_analysis_is_sweep        (LabAnalysis   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabAnalysis, lab_analysis_unref)

G_END_DECLS
