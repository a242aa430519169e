/* test-history.c — runs kept in SQLite; a damaged file is moved aside
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "lab-error.h"
#include "lab-history.h"
#include "lab-test-util.h"

static LabRun *
finished_run (const char  *strategy_name)
{
  g_autoptr(LabRunConfig) config = NULL;
  LabRun *run;

  config = lab_test_config ("sleep", strategy_name, 0, g_variant_new_parsed ("{'seconds': <[0.0]>, 'jobs': <uint32 3>}"));
  run = lab_run_new (config, NULL);
  g_assert_true (lab_run_execute (run, NULL, NULL));
  return run;
}

static char *
temp_db (char **dir)
{
  *dir = g_dir_make_tmp ("lab-history-XXXXXX", NULL);
  return g_build_filename (*dir, "sub", "history.db", NULL);
}

static void
remove_tree (const char *dir)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (cmd), ==, 0);
}

static void
test_add_list_delete (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_db (&dir);
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(LabRun) a = finished_run ("sequential");
  g_autoptr(LabRun) b = finished_run ("thread-pool");
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  gint64 id_a, id_b;
  LabHistoryEntry *e;

  history = lab_history_open (path, &error);
  g_assert_no_error (error);
  g_assert_null (lab_history_get_notice (history));
  id_a = lab_history_add_run (history, a, &error);
  id_b = lab_history_add_run (history, b, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id_b, >, id_a);

  /* Reopened, the runs are still there, newest first. */
  g_clear_object (&history);
  history = lab_history_open (path, &error);
  entries = lab_history_list (history, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  e = g_ptr_array_index (entries, 0);
  g_assert_cmpint (e->id, ==, id_b);
  g_assert_cmpstr (e->strategy, ==, "thread-pool");
  g_assert_cmpstr (e->task, ==, "sleep");
  g_assert_cmpuint (e->jobs, ==, 3);
  g_assert_cmpuint (e->failed, ==, 0);
  node = json_from_string (e->json, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (node), "runs")), ==, 1);
  g_clear_pointer (&entries, g_ptr_array_unref);

  entries = lab_history_list (history, 1, &error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_clear_pointer (&entries, g_ptr_array_unref);

  g_assert_true (lab_history_delete (history, id_a, &error));
  g_assert_false (lab_history_delete (history, id_a, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
  entries = lab_history_list (history, 0, NULL);
  g_assert_cmpuint (entries->len, ==, 1);

  g_clear_object (&history);
  remove_tree (dir);
}

static void
test_corrupt_moved_aside (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_db (&dir);
  g_autofree char *sub = g_path_get_dirname (path);
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(LabRun) run = finished_run ("threads");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  const char *name;
  gboolean found_aside = FALSE;
  g_autofree char *kept = NULL;

  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "this is not a database, it is a note", -1, NULL));

  history = lab_history_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lab_history_get_notice (history));
  g_assert_nonnull (strstr (lab_history_get_notice (history), "moved"));
  g_assert_cmpint (lab_history_add_run (history, run, &error), >, 0);

  /* Nothing is lost: the old file is kept beside the new one. */
  listing = g_dir_open (sub, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "history.db.corrupt-"))
      {
        g_autofree char *aside = g_build_filename (sub, name, NULL);
        g_assert_true (g_file_get_contents (aside, &kept, NULL, NULL));
        found_aside = TRUE;
      }
  g_assert_true (found_aside);
  g_assert_cmpstr (kept, ==, "this is not a database, it is a note");

  g_clear_object (&history);
  remove_tree (dir);
}

static void
test_unwritable (void)
{
  g_autoptr(GError) error = NULL;

  /* /proc cannot hold a folder: a clear error, no crash. */
  g_assert_null (lab_history_open ("/proc/lab-history/history.db", &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "/proc/lab-history"));
}

static void
test_cli_save (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lab-history-XXXXXX", NULL);
  g_autofree char *env = g_strconcat ("XDG_DATA_HOME=", dir, NULL);
  g_autofree char *db = g_build_filename (dir, "concurrency-lab", "history.db", NULL);
  const char * const envv[] = { env, NULL };
  g_autofree char *out = NULL, *json = NULL, *err = NULL;

  g_assert_cmpint (lab_test_run_cli ((const char * const[]) { "run", "--task=sleep", "--seconds=0", "--strategy=sequential,threads", "--save", NULL },
                                     envv, NULL, NULL), ==, 0);
  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));
  g_assert_cmpint (lab_test_run_cli ((const char * const[]) { "history", NULL }, envv, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "sequential"));
  g_assert_nonnull (strstr (out, "threads"));
  g_assert_cmpint (lab_test_run_cli ((const char * const[]) { "history", "--format=json", NULL }, envv, &json, NULL), ==, 0);
  g_assert_nonnull (json_from_string (json, NULL));
  g_assert_nonnull (strstr (json, "\"history_id\" : 2"));
  g_assert_cmpint (lab_test_run_cli ((const char * const[]) { "history", "--delete=2", NULL }, envv, NULL, NULL), ==, 0);
  g_assert_cmpint (lab_test_run_cli ((const char * const[]) { "history", "--delete=2", NULL }, envv, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "No run 2"));

  remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/history/add-list-delete", test_add_list_delete);
  g_test_add_func ("/history/corrupt-moved-aside", test_corrupt_moved_aside);
  g_test_add_func ("/history/unwritable", test_unwritable);
  g_test_add_func ("/history/cli-save", test_cli_save);

  return g_test_run ();
}
