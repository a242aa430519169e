/* main.c — the window by default, `run` for headless experiments
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "concurrency-lab"

#include "config.h"

#include <glib/gi18n.h>
#include <gmodule.h>

#include "lab-cli.h"
#include "lab-extras-private.h"
#include "lab-i18n.h"
#include "lab-paths-private.h"

#ifdef LAB_HAVE_GUI
typedef int (*LabGuiMain) (int argc, char **argv);

/* The window lives in a module (lab-gui-module.c) so that the command
 * line never loads GTK; it is found like the task modules. */
static int
open_window (int    argc,
             char **argv)
{
  g_autofree char *dir = _lab_locate ("LAB_GUI_MODULE_DIR", LAB_BUILD_DIR "/gui", LAB_MODULE_DIR);
  g_autofree char *path = g_module_build_path (dir, "lab-gui");
  g_autoptr(GError) error = NULL;
  GModule *module;
  LabGuiMain gui_main = NULL;

  /* The window uses the history and the GIO forms of the engine: the
   * lab-extras module is loaded first, its symbols global. */
  if (_lab_engine_extras (&error) == NULL)
    {
      g_printerr (_("concurrency-lab: could not load the window: %s\n"), error->message);
      return LAB_EXIT_FAILED;
    }
  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL || !g_module_symbol (module, "lab_gui_main", (gpointer *) &gui_main))
    {
      /* g_module_error() may quote the path: keep the message valid UTF-8. */
      g_autofree char *reason = g_utf8_make_valid (g_module_error (), -1);

      g_printerr (_("concurrency-lab: could not load the window: %s\n"), reason);
      return LAB_EXIT_FAILED;
    }
  g_module_make_resident (module);

  return gui_main (argc, argv);
}
#endif

/* `history`, `export` and `machine` are in the lab-extras module, with
 * the libraries they need (SQLite, json-glib, GIO). */
static int
other_command (int    argc,
               char **argv)
{
  g_autoptr(GError) error = NULL;
  const LabCliExtras *extras = lab_cli_extras (&error);

  if (extras == NULL)
    {
      g_printerr ("concurrency-lab %s: %s\n", argv[0], error->message);
      return LAB_EXIT_FAILED;
    }
  if (g_str_equal (argv[0], "history"))
    return extras->history (argc, argv);
  if (g_str_equal (argv[0], "export"))
    return extras->export (argc, argv);
  return extras->machine (argc, argv);
}

int
main (int    argc,
      char **argv)
{
  _lab_prepare_environment ();
  lab_i18n_init ();
  textdomain (GETTEXT_PACKAGE);

  /* The headless paths never initialise GTK: they work with no display. */
  if (argc >= 2 && g_str_equal (argv[1], "run"))
    return lab_cli_run (argc - 1, argv + 1);
  if (argc >= 2 && (g_str_equal (argv[1], "history") || g_str_equal (argv[1], "export") ||
                    g_str_equal (argv[1], "machine")))
    return other_command (argc - 1, argv + 1);

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
  return open_window (argc, argv);
#else
  g_printerr (_("This build has no window; use “concurrency-lab run”. See --help.\n"));
  return LAB_EXIT_USAGE;
#endif
}
