/* lab-cli-extras.c — the commands' parts in the lab-extras module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gmodule.h>

#include "lab-cli.h"

/* Looked up by name (lab_cli_extras() in lab-cli.c). */
G_MODULE_EXPORT const LabCliExtras lab_cli_extras_table = {
  .history = lab_cli_history,
  .export = lab_cli_export,
  .machine = lab_cli_machine,
  .measure_costs = lab_cli_measure_costs,
  .free_costs = lab_machine_costs_free,
  .save_run = lab_cli_save_run,
  .load_baseline = lab_cli_load_baseline,
};
