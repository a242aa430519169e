/* lab-format.h — durations and shares as the command line and the window write them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *lab_format_seconds (gint64  ns);
char *lab_format_percent (double  share);

G_END_DECLS
