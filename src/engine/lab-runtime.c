/* lab-runtime.c — the table of runtimes, and whether Python can run here
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-runtime"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-paths-private.h"
#include "lab-runtime.h"

/* The runtimes, in the order the window and --help list them. */
static const LabRuntimeInfo runtimes[LAB_N_RUNTIMES] = {
  {
    LAB_RUNTIME_C, "c", N_("C"),
    N_("The engine’s own code: native threads and worker processes"),
  },
  {
    LAB_RUNTIME_PYTHON, "python", N_("Python"),
    N_("The seed’s Python code in CPython: threading, concurrent.futures, multiprocessing, asyncio"),
  },
};

/* The tasks the harness has the seed's code for. */
static const char * const python_tasks[] = { "sleep", "primes", "download", "blur", NULL };

const LabRuntimeInfo *
lab_runtime_get_info (LabRuntime runtime)
{
  g_return_val_if_fail ((guint) runtime < LAB_N_RUNTIMES, &runtimes[0]);
  return &runtimes[runtime];
}

gboolean
lab_runtime_from_name (const char *name,
                       LabRuntime *runtime)
{
  for (guint i = 0; name != NULL && i < LAB_N_RUNTIMES; i++)
    if (g_str_equal (runtimes[i].name, name))
      {
        *runtime = runtimes[i].runtime;
        return TRUE;
      }
  return FALSE;
}

const char *
lab_runtime_get_name (LabRuntime runtime)
{
  return lab_runtime_get_info (runtime)->name;
}

const char *
lab_runtime_get_title (LabRuntime runtime)
{
  return g_dgettext (GETTEXT_PACKAGE, lab_runtime_get_info (runtime)->title);
}

const char *
lab_runtime_get_summary (LabRuntime runtime)
{
  return g_dgettext (GETTEXT_PACKAGE, lab_runtime_get_info (runtime)->summary);
}

/* Whether @runtime has code for @task. */
gboolean
lab_runtime_has_task (LabRuntime         runtime,
                      const LabTaskInfo *task)
{
  if (runtime == LAB_RUNTIME_C)
    return TRUE;
  return g_strv_contains (python_tasks, task->name);
}

/**
 * lab_runtime_dup_harness:
 *
 * $LAB_PYTHON_HARNESS when set (tests), the source tree's harness when
 * the program runs from the build tree, else the installed one.
 *
 * Returns: (transfer full): its path
 */
char *
lab_runtime_dup_harness (void)
{
  return _lab_locate ("LAB_PYTHON_HARNESS", LAB_PYTHON_SOURCE_DIR "/concurrency_lab_harness.py",
                      LAB_PYTHON_DIR "/concurrency_lab_harness.py");
}

/**
 * lab_runtime_dup_python:
 *
 * The interpreter Python runs use: $LAB_PYTHON when set (a path, or a
 * name looked up in PATH), else python3 from PATH.
 *
 * Returns: (transfer full) (nullable): its path, or %NULL with @error
 *   (%LAB_ERROR_UNSUPPORTED) naming what is missing
 */
char *
lab_runtime_dup_python (GError **error)
{
  const char *wanted = g_getenv ("LAB_PYTHON");
  char *path;

  if (wanted == NULL || wanted[0] == '\0')
    wanted = "python3";
  path = strchr (wanted, '/') ? g_strdup (wanted) : g_find_program_in_path (wanted);
  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) || g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *display = g_filename_display_name (wanted);

      g_free (path);
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED,
                   _("Python runs need the Python interpreter %s, which is not installed "
                     "(or not on PATH); install python3 or choose the C runtime"), display);
      return NULL;
    }
  return path;
}

/* What `harness --check` said of an interpreter: asked once per
 * interpreter path, as the window asks often. */
typedef struct {
  char     *python;
  char     *harness;
  char     *version;
  char     *failure;
  gboolean  pil;
  gboolean  requests;
} Probe;

static GMutex probe_mutex;
static Probe  probe;

static void
probe_clear (Probe *p)
{
  g_clear_pointer (&p->python, g_free);
  g_clear_pointer (&p->harness, g_free);
  g_clear_pointer (&p->version, g_free);
  g_clear_pointer (&p->failure, g_free);
  p->pil = p->requests = FALSE;
}

/* Forgets what the interpreter could import (a test changes $LAB_PYTHON). */
void
lab_runtime_forget_probe (void)
{
  g_mutex_lock (&probe_mutex);
  probe_clear (&probe);
  g_mutex_unlock (&probe_mutex);
}

static void
probe_run (Probe      *p,
           const char *python)
{
  g_autofree char *harness = lab_runtime_dup_harness ();
  const char *argv[] = { python, harness, "--check", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  int status = 0;

  p->python = g_strdup (python);
  p->harness = g_strdup (harness);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                     &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      p->failure = g_utf8_make_valid (error->message, -1);
      return;
    }
  lines = g_strsplit (out, "\n", 16);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "python ") && p->version == NULL)
        p->version = g_utf8_make_valid (lines[i] + 7, MIN (strlen (lines[i] + 7), 32));
      else if (g_str_equal (lines[i], "module PIL yes"))
        p->pil = TRUE;
      else if (g_str_equal (lines[i], "module requests yes"))
        p->requests = TRUE;
    }
  if (p->version == NULL)
    p->failure = g_strdup (_("it did not say which version it is"));
}

/**
 * lab_runtime_check:
 *
 * Whether @runtime can run @task here: the C runtime always can; Python
 * needs its interpreter, the harness, code for the task, and Pillow for
 * blur (requests is optional: downloads use urllib without it).
 *
 * Returns: %FALSE with @error (%LAB_ERROR_UNSUPPORTED) naming what is
 *   missing, a sentence for the command line and the window's tooltip
 */
gboolean
lab_runtime_check (LabRuntime          runtime,
                   const LabTaskInfo  *task,
                   GError            **error)
{
  g_autofree char *python = NULL;
  g_autofree char *harness = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (task != NULL, FALSE);

  if (runtime == LAB_RUNTIME_C)
    return TRUE;
  if (!lab_runtime_has_task (runtime, task))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED,
                   _("The Python runtime has no code for the %s task; choose the C runtime"),
                   lab_task_info_get_title (task));
      return FALSE;
    }
  if (!(python = lab_runtime_dup_python (error)))
    return FALSE;
  harness = lab_runtime_dup_harness ();
  if (!g_file_test (harness, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *display = g_filename_display_name (harness);
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED,
                   _("The Python harness %s is missing; reinstall Concurrency Lab"), display);
      return FALSE;
    }

  g_mutex_lock (&probe_mutex);
  if (probe.python == NULL || !g_str_equal (probe.python, python) || !g_str_equal (probe.harness, harness))
    {
      probe_clear (&probe);
      probe_run (&probe, python);
    }
  if (probe.failure != NULL)
    {
      g_autofree char *display = g_filename_display_name (python);
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED,
                   _("The Python interpreter %s does not work: %s"), display, probe.failure);
      ok = FALSE;
    }
  else if (g_str_equal (task->name, "blur") && !probe.pil)
    {
      g_autofree char *display = g_filename_display_name (python);
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED,
                   _("Blur in Python needs Pillow (the python3-pil package), which %s cannot import"),
                   display);
      ok = FALSE;
    }
  g_mutex_unlock (&probe_mutex);
  return ok;
}
