/* test-files.c — the app's cache folder: measured, and cleaned without harm
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "lab-files.h"
#include "lab-test-util.h"

static char *cache_home;

static void
write_file (const char *dir,
            const char *name,
            gsize       size)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *data = g_malloc0 (MAX (size, 1));

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, data, size, NULL));
}

static void
test_cache_paths (void)
{
  g_autofree char *expected = g_build_filename (cache_home, "concurrency-lab", NULL);
  g_autofree char *dir = lab_files_dup_cache_dir ();
  g_autofree char *photos = lab_files_dup_cache_path ("photos", "photo-1.jpg", NULL);
  g_autofree char *expected_photos = g_build_filename (expected, "photos", "photo-1.jpg", NULL);

  g_assert_cmpstr (dir, ==, expected);
  g_assert_cmpstr (photos, ==, expected_photos);
}

/* Files in nested folders count; what a symbolic link points to does not,
 * and cleaning leaves it alone. */
static void
test_cache_measure_and_clean (void)
{
  g_autofree char *cache = lab_files_dup_cache_dir ();
  g_autofree char *photos = g_build_filename (cache, "photos", NULL);
  g_autofree char *deep = g_build_filename (cache, "pipeline", "run-1", NULL);
  g_autofree char *outside = g_dir_make_tmp ("lab-files-outside-XXXXXX", NULL);
  g_autofree char *link = g_build_filename (cache, "outside", NULL);
  g_autofree char *kept = g_build_filename (outside, "keep.jpg", NULL);
  guint64 bytes, empty_bytes;
  guint files;

  lab_files_measure_tree (cache, &empty_bytes, &files);
  g_assert_cmpuint (files, ==, 0);
  g_assert_cmpuint (empty_bytes, ==, 0);

  write_file (photos, "photo-1.jpg", 100000);
  write_file (photos, "photo-2.jpg", 50000);
  write_file (deep, "a.jpg", 20000);
  write_file (outside, "keep.jpg", 400000);
  g_assert_cmpint (symlink (outside, link), ==, 0);

  lab_files_measure_tree (cache, &bytes, &files);
  g_assert_cmpuint (files, ==, 3);
  g_assert_cmpuint (bytes, >=, 170000);
  g_assert_cmpuint (bytes, <, 400000);

  lab_files_clean_cache ();
  lab_files_measure_tree (cache, &bytes, &files);
  g_assert_cmpuint (files, ==, 0);
  g_assert_cmpuint (lab_test_count_entries (cache), ==, 0);
  /* The folder stays; what the link pointed to is untouched. */
  g_assert_true (g_file_test (cache, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));

  lab_test_remove_tree (outside);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  /* Before GLib reads and keeps the user's folders. */
  cache_home = g_dir_make_tmp ("lab-files-cache-XXXXXX", NULL);
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  lab_test_init (&argc, &argv);

  g_test_add_func ("/files/cache-paths", test_cache_paths);
  g_test_add_func ("/files/cache-measure-and-clean", test_cache_measure_and_clean);

  rc = g_test_run ();
  lab_test_remove_tree (cache_home);
  g_free (cache_home);
  return rc;
}
