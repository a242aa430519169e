/* test-modules.c — task modules that are missing, or lack their task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs with LAB_MODULE_DIR set to a folder whose lab-tasks-net lacks
 * lab_task_download and which has no lab-tasks-vips (tests/meson.build);
 * in an ASan build, with LeakSanitizer on.
 */
#include "config.h"

#include "lab-error.h"
#include "lab-run.h"
#include "lab-task.h"
#include "lab-test-util.h"

/* Asked twice: the answer is kept, and said the same way. */
static void
test_missing_symbol (void)
{
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (lab_task_lookup ("download", &error));
      g_assert_error (error, LAB_ERROR, LAB_ERROR_UNKNOWN_TASK);
      g_assert_nonnull (strstr (error->message, "liblab-tasks-net.so has no download task "
                                                "(symbol lab_task_download): is it from another version?"));
    }
}

static void
test_missing_module (void)
{
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (lab_task_info_is_available (lab_task_info_lookup ("blur"), &error));
      g_assert_error (error, LAB_ERROR, LAB_ERROR_UNKNOWN_TASK);
      g_assert_nonnull (strstr (error->message, "Could not load the task module"));
      g_assert_nonnull (strstr (error->message, "liblab-tasks-vips.so"));
    }
}

/* The command line says so and stops, as for any unusable task; the
 * built-in tasks still run. */
static void
test_cli (void)
{
  const char *download[] = { "run", "--task=download", "--strategy=threads", NULL };
  const char *sleep[] = { "run", "--task=sleep", "--strategy=threads", "--seconds=0", NULL };
  g_autofree char *env_dir = g_strconcat ("LAB_MODULE_DIR=", g_getenv ("LAB_MODULE_DIR"), NULL);
  const char *env[] = { env_dir, NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status = lab_test_run_cli (download, env, &out, &err);

  g_test_message ("status %d: %s", status, err);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "has no download task (symbol lab_task_download)"));
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (lab_test_run_cli (sleep, env, &out, &err), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/modules/missing-symbol", test_missing_symbol);
  g_test_add_func ("/modules/missing-module", test_missing_module);
  g_test_add_func ("/modules/cli", test_cli);

  return g_test_run ();
}
