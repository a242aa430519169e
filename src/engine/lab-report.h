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

gboolean lab_report_format_from_string (const char       *name,
                                        LabReportFormat  *format);
char    *lab_report_format             (LabRun          **runs,
                                        guint             n_runs,
                                        LabReportFormat   format);
char    *lab_report_format_analysis    (LabAnalysis      *analysis,
                                        LabReportFormat   format);
char    *lab_report_describe_breakdown (const LabBreakdown *breakdown);

G_END_DECLS
