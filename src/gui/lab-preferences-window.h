/* lab-preferences-window.h — where the app keeps its files, and cleaning them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LAB_TYPE_PREFERENCES_WINDOW (lab_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (LabPreferencesWindow, lab_preferences_window, LAB, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget  *lab_preferences_window_new            (GtkWindow            *parent,
                                                   gboolean              running);

/* For tests. */
const char *lab_preferences_window_get_cache_text (LabPreferencesWindow *self);
gboolean    lab_preferences_window_is_measuring   (LabPreferencesWindow *self);
void        lab_preferences_window_clean          (LabPreferencesWindow *self);

G_END_DECLS
