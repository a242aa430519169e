/* lab-report.h — runs as a table, JSON or CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lab-analysis.h"
#include "lab-run.h"

G_BEGIN_DECLS

typedef enum {
  LAB_REPORT_TABLE,
  LAB_REPORT_JSON,
  LAB_REPORT_CSV,
} LabReportFormat;

/**
 * LabReportBaseline:
 * @id: the run's number in the history
 * @task: its task: only runs of that task are compared with it
 * @wall_s: its wall time
 * @same_machine: whether it ran on this machine
 * @machine_unknown: it was kept before machines were
 *
 * A pinned run the report compares each run with.
 */
typedef struct {
  gint64      id;
  const char *task;
  double      wall_s;
  gboolean    same_machine;
  gboolean    machine_unknown;
} LabReportBaseline;

gboolean lab_report_format_from_string (const char       *name,
                                        LabReportFormat  *format);
char    *lab_report_format             (LabRun          **runs,
                                        guint             n_runs,
                                        LabReportFormat   format);
char    *lab_report_format_analysis    (LabAnalysis      *analysis,
                                        LabReportFormat   format);
char    *lab_report_format_with_baseline (LabAnalysis     *analysis,
                                         LabReportFormat  format,
                                         const LabReportBaseline *baseline);
double   lab_report_baseline_speedup   (const LabReportBaseline *baseline,
                                        LabRun           *run);
char    *lab_report_describe_delta     (double            speedup);
char    *lab_report_describe_breakdown (const LabBreakdown *breakdown);

G_END_DECLS
