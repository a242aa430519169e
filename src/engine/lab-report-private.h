/* lab-report-private.h — what the table, CSV and JSON reports share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lab-machine-costs.h"
#include "lab-report.h"

G_BEGIN_DECLS

static inline double
s (gint64 ns)
{
  return ns / 1e9;
}

/* Throughput of the bytes the jobs moved (downloads), 0 without any. */
static inline double
mb_per_s (const LabRunSummary *sum)
{
  return sum->wall_ns > 0 ? sum->bytes / 1e6 / s (sum->wall_ns) : 0;
}

/* In the engine's other half (lab-report-json.c). */
char *_lab_report_format_json     (LabAnalysis             *analysis,
                                   const LabReportBaseline *baseline);
char *_lab_report_add_granularity (char                    *text,
                                   LabAnalysis             *analysis,
                                   LabReportFormat          format,
                                   const LabMachineCosts   *costs);

G_END_DECLS
