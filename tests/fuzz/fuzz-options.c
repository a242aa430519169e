/* fuzz-options.c — libFuzzer target: the options of `concurrency-lab run`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a command line, one argument a line, after `run`. It goes
 * through the parser and the checks the command makes before it runs
 * anything (lab_cli_parse_run_options()), and what they promise is
 * checked: no crash and no GLib warning; an experiment with at least one
 * planned run, or an error that is bad usage (a GOptionError, a value
 * that is not text, a LabError), with a message in UTF-8.
 *
 * Paths in the input cannot leave an empty folder the target works in:
 * an argument with a slash is dropped, so that no input can make the
 * parser read a device or a file of the machine.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "lab-cli.h"
#include "lab-error.h"

#define MAX_ARGS 24
#define MAX_ARG  4096

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
enter_empty_folder (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      g_autofree char *dir = g_dir_make_tmp ("fuzz-options-XXXXXX", NULL);

      g_assert_nonnull (dir);
      g_assert_cmpint (chdir (dir), ==, 0);
      g_once_init_leave (&done, 1);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto(GStrv) lines = g_strsplit (text, "\n", MAX_ARGS);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(LabExperiment) experiment = NULL;
  g_autoptr(GError) error = NULL;

  enter_empty_folder ();
  g_ptr_array_add (args, (gpointer) "run");
  for (guint i = 0; lines[i] != NULL; i++)
    if (strlen (lines[i]) <= MAX_ARG && strchr (lines[i], '/') == NULL)
      g_ptr_array_add (args, lines[i]);
  g_ptr_array_add (args, NULL);

  experiment = lab_cli_parse_run_options (args->len - 1, (char **) args->pdata, &error);
  if (experiment != NULL)
    {
      g_assert_no_error (error);
      g_assert_cmpuint (lab_experiment_get_n_planned (experiment), >=, 1);
    }
  else
    {
      g_assert_nonnull (error);
      /* A value that is not text in the locale's encoding is a
       * GConvertError of GOptionContext's. */
      if (!(error->domain == G_OPTION_ERROR || error->domain == LAB_ERROR || error->domain == G_CONVERT_ERROR))
        g_error ("%s: %s", g_quark_to_string (error->domain), error->message);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
  return 0;
}
