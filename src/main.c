/* main.c — the window by default, `run` for headless experiments
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "concurrency-lab"

#include "config.h"

#include <glib/gi18n.h>

#include "lab-cli.h"
#include "lab-i18n.h"

#ifdef LAB_HAVE_GUI
# include "lab-application.h"
#endif

int
main (int    argc,
      char **argv)
{
  lab_i18n_init ();
  textdomain (GETTEXT_PACKAGE);

  /* The headless paths never initialise GTK: they work with no display. */
  if (argc >= 2 && g_str_equal (argv[1], "run"))
    return lab_cli_run (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "history"))
    return lab_cli_history (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "export"))
    return lab_cli_export (argc - 1, argv + 1);

  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      lab_cli_print_help ();
      return LAB_EXIT_OK;
    }

  if (argc >= 2 && g_str_equal (argv[1], "--version"))
    {
      g_print ("concurrency-lab %s\n", PACKAGE_VERSION);
      return LAB_EXIT_OK;
    }

  /* The window takes no arguments but the one its D-Bus service file
   * passes: anything else is a mistyped command, not a window to open. */
  if (argc >= 2 && !g_str_equal (argv[1], "--gapplication-service"))
    {
      g_printerr (argv[1][0] == '-'
                  ? _("concurrency-lab: unknown option “%s”; see concurrency-lab --help\n")
                  : _("concurrency-lab: unknown command “%s”; see concurrency-lab --help\n"),
                  argv[1]);
      return LAB_EXIT_USAGE;
    }

#ifdef LAB_HAVE_GUI
  {
    g_autoptr(LabApplication) app = lab_application_new ();
    return g_application_run (G_APPLICATION (app), argc, argv);
  }
#else
  g_printerr (_("This build has no window; use “concurrency-lab run”. See --help.\n"));
  return LAB_EXIT_USAGE;
#endif
}
