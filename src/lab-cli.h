/* lab-cli.h — the headless commands: `run`, `history`, `export`, `machine`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lab-experiment.h"
#include "lab-machine-costs.h"
#include "lab-report.h"

G_BEGIN_DECLS

#define LAB_EXIT_OK     0
#define LAB_EXIT_FAILED 1
#define LAB_EXIT_USAGE  2

int   lab_cli_run        (int    argc,
                          char **argv);
LabExperiment *lab_cli_parse_run_options (int      argc,
                                          char   **argv,
                                          GError **error);
int   lab_cli_history    (int    argc,
                          char **argv);
int   lab_cli_export     (int    argc,
                          char **argv);
int   lab_cli_machine    (int    argc,
                          char **argv);
LabMachineCosts *lab_cli_measure_costs (GError **error);
char *lab_cli_list_tasks_and_strategies (void);
gboolean lab_cli_write_stdout (const char  *text,
                               GError     **error);
void  lab_cli_print_help (void);
gboolean lab_cli_parse_run_id (const char  *option,
                               const char  *text,
                               gint64      *id,
                               GError     **error);
gboolean lab_cli_save_run     (GObject           **history,
                               LabRun             *run,
                               GError            **error);
gboolean lab_cli_load_baseline (const char        *task,
                                gint64             id,
                                LabReportBaseline *baseline,
                                GError           **error);

/**
 * LabCliExtras:
 *
 * The commands' parts that need the history, JSON or GIO: in the
 * lab-extras module (lab-cli-extras.c), which the program loads when a
 * command needs them, so that `run` alone loads none of those libraries.
 */
typedef struct {
  int               (*history)       (int                 argc,
                                      char              **argv);
  int               (*export)        (int                 argc,
                                      char              **argv);
  int               (*machine)       (int                 argc,
                                      char              **argv);
  LabMachineCosts  *(*measure_costs) (GError            **error);
  void              (*free_costs)    (LabMachineCosts    *costs);
  gboolean          (*save_run)      (GObject           **history,
                                      LabRun             *run,
                                      GError            **error);
  gboolean          (*load_baseline) (const char         *task,
                                      gint64              id,
                                      LabReportBaseline  *baseline,
                                      GError            **error);
} LabCliExtras;

const LabCliExtras *lab_cli_extras (GError **error);

G_END_DECLS
