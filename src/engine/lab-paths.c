/* lab-paths.c — where the program's companions are
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-paths"

#include "config.h"

#include "lab-paths-private.h"

/*
 * _lab_locate:
 * @env_var: a variable that overrides the rest when set and not empty (tests)
 * @build_path: where the file is in the build tree
 * @installed_path: where it is once installed
 *
 * The worker, the task modules and the translations are found the same way:
 * from the environment, else next to a program that runs from the build tree
 * (so that it works before installing), else where meson installed them.
 *
 * Returns: (transfer full): the path
 */
char *
_lab_locate (const char *env_var,
             const char *build_path,
             const char *installed_path)
{
  const char *env = g_getenv (env_var);
  g_autofree char *exe = NULL;
  g_autofree char *exe_dir = NULL;

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);

  exe = g_file_read_link ("/proc/self/exe", NULL);
  exe_dir = exe ? g_path_get_dirname (exe) : NULL;
  if (exe_dir != NULL && g_str_has_prefix (exe_dir, LAB_BUILD_DIR))
    return g_strdup (build_path);

  return g_strdup (installed_path);
}

/*
 * _lab_prepare_environment:
 *
 * Settings of the libraries the tasks use, made once, first thing in
 * main(): the environment is only safe to change before threads start.
 * Child processes (workers, fork servers) inherit them.
 *
 * libvips loads its optional loaders when it starts (HEIF, PDF, JPEG XL,
 * ImageMagick, OpenSlide: on Debian some 50 more libraries, about 40 ms,
 * paid again by every worker process that blurs) from
 * $VIPSHOME/<last part of its libdir>/vips-modules-X.Y. The blur opens
 * only the four photo formats, whose loaders are built into libvips, so
 * VIPSHOME names a folder with no modules. libvips then also finds no
 * translations of its own messages (it has German and British English
 * ones). A VIPSHOME the user set is left alone (libvips sets it too, in a
 * process that started it: a program started from there inherits the
 * real prefix).
 */
void
_lab_prepare_environment (void)
{
  const char *vipshome = g_getenv ("VIPSHOME");

  if (vipshome == NULL || vipshome[0] == '\0')
    g_setenv ("VIPSHOME", LAB_BUILTIN_VIPSHOME, TRUE);
}
