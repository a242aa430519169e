/* lab-format.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-format"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-format.h"

/* "2.0 µs", "3.4 ms", "1.50 s", "125 s": three figures at most. */
char *
lab_format_seconds (gint64 ns)
{
  double s = ns / 1e9;

  if (ns != 0 && ABS (s) < 0.00001)
    return g_strdup_printf (_("%.1f µs"), s * 1e6);
  if (ns != 0 && ABS (s) < 0.001)
    return g_strdup_printf (_("%.0f µs"), s * 1e6);
  if (ns != 0 && ABS (s) < 0.01)
    return g_strdup_printf (_("%.1f ms"), s * 1e3);
  if (ABS (s) < 100)
    return g_strdup_printf (_("%.2f s"), s);
  return g_strdup_printf (_("%.0f s"), s);
}

/* "48 %", "0.4 %": @share is 0 to 1. */
char *
lab_format_percent (double share)
{
  if (share != 0 && ABS (share) < 0.01)
    return g_strdup_printf (_("%.1f %%"), share * 100);
  return g_strdup_printf (_("%.0f %%"), share * 100);
}
