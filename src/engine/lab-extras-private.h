/* lab-extras-private.h — the engine's GIO, JSON and SQLite half, loaded when needed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lab-analysis.h"
#include "lab-machine-costs.h"
#include "lab-report.h"
#include "lab-strategy.h"

G_BEGIN_DECLS

/**
 * LabEngineExtras:
 * @python_strategy: every strategy in the Python runtime (its job list
 *   goes to the harness as JSON)
 * @format_json: the JSON report (lab_report_format_with_baseline())
 * @add_granularity: a job-size sweep's report: @text (taken) and the
 *   speed-up by job size in @format, with what @costs predict
 * @describe_granularity: a job-size sweep's outcome, for its lesson
 *
 * What the engine's core (GLib and GObject only, so that `run` starts in
 * a few milliseconds) reaches in its other half: the history (SQLite),
 * JSON, and the GIO wrappers the window uses (lab-async.c). That half is
 * linked into the tests and the window's module, and loaded as the
 * lab-extras module by the program when a command needs it. It registers
 * this table as it is loaded.
 */
typedef struct {
  const LabStrategyClass *python_strategy;
  char                 *(*format_json) (LabAnalysis             *analysis,
                                        const LabReportBaseline *baseline);
  char                 *(*add_granularity) (char                  *text,
                                            LabAnalysis           *analysis,
                                            LabReportFormat        format,
                                            const LabMachineCosts *costs);
  char                 *(*describe_granularity) (LabAnalysis *analysis);
} LabEngineExtras;

void                   _lab_engine_extras_register (const LabEngineExtras *extras);
const LabEngineExtras *_lab_engine_extras          (GError              **error);
gpointer               _lab_engine_extras_symbol   (const char            *name,
                                                    GError              **error);

G_END_DECLS
