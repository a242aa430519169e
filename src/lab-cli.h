/* lab-cli.h — the headless commands: `run`, `history`, `export`, `machine`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lab-experiment.h"
#include "lab-machine-costs.h"

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

G_END_DECLS
