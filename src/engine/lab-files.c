/* lab-files.c — folders and file names that tasks make, and unmake
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A task leaves behind only what it was asked to make: the files of the
 * jobs that succeeded. What its setup made for itself (a folder that no
 * job filled, a temporary folder) goes when its plan is freed, and only
 * that: these helpers remember what they made.
 */
#define G_LOG_DOMAIN "lab-files"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "lab-files.h"

/**
 * lab_files_unique_name:
 * @taken: (element-type utf8): names already given; the new one is added
 * @name: the name wished for, without @suffix
 * @suffix: (nullable): e.g. ".jpg", or %NULL to keep @name's own
 *
 * @name + @suffix, or the first of NAME-2 SUFFIX, NAME-3 SUFFIX… not in
 * @taken, so that no two jobs of a run write the same file.
 *
 * Returns: (transfer full): the name
 */
char *
lab_files_unique_name (GHashTable *taken,
                       const char *name,
                       const char *suffix)
{
  const char *dot = strrchr (name, '.');
  gsize stem = suffix != NULL || dot == NULL || dot == name ? strlen (name) : (gsize) (dot - name);
  const char *tail = suffix != NULL ? suffix : name + stem;
  char *candidate = g_strdup_printf ("%.*s%s", (int) stem, name, tail);

  for (guint n = 2; g_hash_table_contains (taken, candidate); n++)
    {
      g_free (candidate);
      candidate = g_strdup_printf ("%.*s-%u%s", (int) stem, name, n, tail);
    }
  g_hash_table_add (taken, g_strdup (candidate));
  return candidate;
}

/**
 * lab_files_make_dir:
 * @made: (out) (transfer full) (nullable): the outermost folder this
 *   call made (@dir or one of its parents), or %NULL when @dir was there
 *
 * g_mkdir_with_parents(), saying what it made, for
 * lab_files_unmake_dir().
 *
 * Returns: 0, or -1 with errno set
 */
int
lab_files_make_dir (const char  *dir,
                    int          mode,
                    char       **made)
{
  g_autofree char *outermost = NULL;
  g_autofree char *path = g_strdup (dir);
  int status;

  while (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      char *parent = g_path_get_dirname (path);

      g_free (outermost);
      outermost = g_steal_pointer (&path);
      path = parent;
      if (g_str_equal (path, outermost))
        break;
    }

  status = g_mkdir_with_parents (dir, mode);
  *made = status == 0 ? g_steal_pointer (&outermost) : NULL;
  return status;
}

/**
 * lab_files_unmake_dir:
 * @made: (nullable): what lab_files_make_dir() said it made for @dir
 *
 * Removes @dir and its parents up to @made, as long as they are empty:
 * files that jobs saved there stay, and so do their folders.
 */
void
lab_files_unmake_dir (const char *dir,
                      const char *made)
{
  g_autofree char *path = g_strdup (dir);
  gsize made_len = made ? strlen (made) : 0;

  while (made != NULL && strlen (path) >= made_len && g_rmdir (path) == 0 && !g_str_equal (path, made))
    {
      char *parent = g_path_get_dirname (path);
      g_free (path);
      path = parent;
    }
}

/**
 * lab_files_remove_tree:
 *
 * rm -rf of a folder the app made for itself (a temporary folder): its
 * files, its folders, not what a symbolic link in it points to.
 */
void
lab_files_remove_tree (const char *dir)
{
  g_autoptr(GDir) gdir = dir ? g_dir_open (dir, 0, NULL) : NULL;
  const char *name;

  while (gdir != NULL && (name = g_dir_read_name (gdir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode))
        lab_files_remove_tree (path);
      else
        g_unlink (path);
    }
  if (dir != NULL)
    g_rmdir (dir);
}

/**
 * lab_files_dup_cache_dir:
 *
 * The app's cache folder, ~/.cache/concurrency-lab (or the sandbox's):
 * sample photos, and the photos runs write when no output folder was
 * given.
 */
char *
lab_files_dup_cache_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "concurrency-lab", NULL);
}

/**
 * lab_files_dup_cache_path:
 * @first: a name inside the cache folder, then more, %NULL-ended
 *
 * A path inside the app's cache folder.
 */
char *
lab_files_dup_cache_path (const char *first,
                          ...)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (parts, (gpointer) g_get_user_cache_dir ());
  g_ptr_array_add (parts, (gpointer) "concurrency-lab");
  va_start (args, first);
  for (const char *name = first; name != NULL; name = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) name);
  va_end (args);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

static void
measure (const char *dir,
         guint64    *bytes,
         guint      *files,
         guint       depth)
{
  g_autoptr(GDir) gdir = g_dir_open (dir, 0, NULL);
  const char *name;

  while (gdir != NULL && (name = g_dir_read_name (gdir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (g_lstat (path, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode) && depth < 32)
        measure (path, bytes, files, depth + 1);
      else if (S_ISREG (st.st_mode))
        {
          *bytes += (guint64) st.st_blocks * 512;
          *files += 1;
        }
    }
}

/**
 * lab_files_measure_tree:
 *
 * The room @dir's files take on the disk, and how many there are;
 * symbolic links are not followed. A folder that is not there is empty.
 */
void
lab_files_measure_tree (const char *dir,
                        guint64    *bytes,
                        guint      *files)
{
  *bytes = 0;
  *files = 0;
  measure (dir, bytes, files, 0);
}

/**
 * lab_files_clean_cache:
 *
 * Empties the app's cache folder (see lab_files_dup_cache_path()): sample
 * photos are made again when a run needs them.
 */
void
lab_files_clean_cache (void)
{
  g_autofree char *cache = lab_files_dup_cache_dir ();
  g_autoptr(GDir) gdir = g_dir_open (cache, 0, NULL);
  const char *name;

  while (gdir != NULL && (name = g_dir_read_name (gdir)) != NULL)
    {
      g_autofree char *path = g_build_filename (cache, name, NULL);
      GStatBuf st;

      if (g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode))
        lab_files_remove_tree (path);
      else
        g_unlink (path);
    }
}
