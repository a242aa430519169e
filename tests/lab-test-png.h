/* lab-test-png.h — a widget as drawn, saved as a PNG (screenshots, ui tests)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean lab_test_save_png (GtkWidget  *widget,
                            const char *dir,
                            const char *name);

G_END_DECLS
