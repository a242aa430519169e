/* lab-report.h — runs as a table, JSON or CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lab-run.h"

G_BEGIN_DECLS

typedef enum {
  LAB_REPORT_TABLE,
  LAB_REPORT_JSON,
  LAB_REPORT_CSV,
} LabReportFormat;

gboolean lab_report_format_from_string (const char       *name,
                                        LabReportFormat  *format);
char    *lab_report_format             (LabRun          **runs,
                                        guint             n_runs,
                                        LabReportFormat   format);
double   lab_report_speedup            (LabRun          **runs,
                                        guint             n_runs,
                                        guint             i);

typedef struct {
  guint  n;
  double min;
  double median;
  double max;
} LabReportStats;

void     lab_report_stats              (const double     *values,
                                        guint             n,
                                        LabReportStats   *stats);
guint    lab_report_find_outliers      (const double     *values,
                                        guint             n,
                                        gboolean         *outlier);
double   lab_report_amdahl_fit         (const guint      *workers,
                                        const double     *speedup,
                                        guint             n,
                                        guint             max_workers,
                                        guint            *n_fitted);

/* The speedups of one strategy over the worker counts it ran with. */
typedef struct {
  LabRun     *run;              /* one of its runs: task and strategy */
  const char *reference;        /* "sequential" or "1 worker" */
  GArray     *workers;          /* guint, in the order they ran */
  GArray     *speedup;          /* double, of the median run at each count */
  double      serial_fraction;  /* Amdahl's s, or NAN when it cannot be fitted */
  guint       n_fitted;         /* worker counts the fit used */
} LabReportScaling;

GPtrArray *lab_report_scaling          (LabRun          **runs,
                                        guint             n_runs);

G_END_DECLS
