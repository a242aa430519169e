/* lab-engine-extras.c — the engine's other half introduces itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-extras"

#include "config.h"

#include "lab-extras-private.h"
#include "lab-granularity.h"
#include "lab-report-private.h"
#include "lab-strategy-private.h"

static const LabEngineExtras extras = {
  .python_strategy = &_lab_strategy_python,
  .format_json = _lab_report_format_json,
  .add_granularity = _lab_report_add_granularity,
  .describe_granularity = _lab_granularity_describe,
};

/* Runs as a program linked with this half starts (the tests), or as the
 * lab-extras module is loaded (the program, see lab-extras.c). */
__attribute__ ((constructor)) static void
register_extras (void)
{
  _lab_engine_extras_register (&extras);
}
