/* lab-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-types"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-types.h"

G_DEFINE_QUARK (lab-error-quark, lab_error)

const char *
lab_task_kind_to_string (LabTaskKind kind)
{
  switch (kind)
    {
    case LAB_TASK_KIND_WAIT:  return _("waits");
    case LAB_TASK_KIND_IO:    return _("I/O-bound");
    case LAB_TASK_KIND_CPU:   return _("CPU-bound");
    case LAB_TASK_KIND_MIXED: return _("mixed I/O and CPU");
    default:                  g_return_val_if_reached (NULL);
    }
}

void
lab_job_result_clear (LabJobResult *result)
{
  g_clear_pointer (&result->error, g_free);
}
