/* lab-about.c — the About window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-about"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "lab-about.h"

#define LAB_WEBSITE "https://github.com/concurrencylab/ConcurrencyLab"

static const char *developers[] = {
  "The Concurrency Lab developers " LAB_WEBSITE,
  NULL
};

static const char *lessons[] = {
  "Run Code Concurrently Using the Threading Module https://www.youtube.com/watch?v=IEEhzQoKtQU",
  "Run Code in Parallel Using the Multiprocessing Module https://www.youtube.com/watch?v=fKl2JW_qrso",
  NULL
};

static const char *libraries[] = {
  "GTK https://gtk.org",
  "libadwaita https://gnome.pages.gitlab.gnome.org/libadwaita/",
  "libsoup https://libsoup.org",
  "libvips https://www.libvips.org",
  "JSON-GLib https://gnome.pages.gitlab.gnome.org/json-glib/",
  "SQLite https://sqlite.org",
  NULL
};

/**
 * lab_show_about_window:
 * @parent: (nullable): the window it belongs to
 *
 * Shows the About window: version, website, license and credits.
 */
void
lab_show_about_window (GtkWindow *parent)
{
  AdwAboutWindow *about;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  g_object_set (about,
                "transient-for", parent,
                "application-name", _("Concurrency Lab"),
                "application-icon", APPLICATION_ID,
                "developer-name", _("The Concurrency Lab developers"),
                "version", PACKAGE_VERSION,
                "website", LAB_WEBSITE,
                "issue-url", LAB_WEBSITE "/issues",
                "license-type", GTK_LICENSE_GPL_3_0,
                "copyright", "© 2026 The Concurrency Lab developers",
                "comments", _("Threads win on I/O-bound work, processes on CPU-bound work: "
                              "run a task with several strategies and compare elapsed time and CPU time."),
                "developers", developers,
                /* Translators: put your names here, one a line, to be credited in the About window */
                "translator-credits", _("translator-credits"),
                NULL);
  adw_about_window_add_credit_section (about, _("Lessons it is based on"), lessons);
  adw_about_window_add_acknowledgement_section (about, _("Built with"), libraries);

  gtk_window_present (GTK_WINDOW (about));
}
