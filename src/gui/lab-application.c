/* lab-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-application"

#include "config.h"

#include <glib/gi18n.h>

#include "lab-about.h"
#include "lab-application.h"
#include "lab-window.h"

struct _LabApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (LabApplication, lab_application, ADW_TYPE_APPLICATION)

static void
lab_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (lab_window_new (LAB_APPLICATION (app)));

  gtk_window_present (window);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  lab_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (user_data)));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
};

/* The window's actions (see lab-window.c), as listed in gtk/help-overlay.ui. */
static void
lab_application_set_window_accels (GtkApplication *app)
{
  static const struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "win.run", { "<Control>Return", "<Control>KP_Enter", NULL } },
    { "win.cancel", { "Escape", NULL } },
    { "win.export", { "<Control>e", NULL } },
    { "win.toggle-sidebar", { "F9", NULL } },
    { "win.show-history", { "<Control>h", NULL } },
    { "win.preferences", { "<Control>comma", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (app, accels[i].action, accels[i].accels);
}

static void
lab_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (lab_application_parent_class)->startup (app);
  gtk_window_set_default_icon_name (APPLICATION_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  lab_application_set_window_accels (GTK_APPLICATION (app));
}

static void
lab_application_class_init (LabApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = lab_application_activate;
  app_class->startup = lab_application_startup;
}

static void
lab_application_init (LabApplication *self)
{
}

LabApplication *
lab_application_new (void)
{
  return g_object_new (LAB_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}
