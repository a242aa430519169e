/* lab-preferences-window.c — where the app keeps its files, and cleaning them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cache folder holds blur's sample photos and the photos runs write
 * when no output folder was chosen. The window says where it is and how
 * much it takes (measured on a thread: it may hold thousands of photos),
 * opens it, and empties it after asking. Not while a run is going on: the
 * run may be writing there.
 */
#define G_LOG_DOMAIN "lab-preferences"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "lab-files.h"
#include "lab-preferences-window.h"

struct _LabPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  AdwActionRow  *cache_row;
  GtkWidget     *open_button;
  GtkWidget     *clean_button;

  GCancellable  *cancellable;
  char          *cache_text;
  guint64        cache_bytes;
  gboolean       measuring;
  gboolean       running;
};

G_DEFINE_FINAL_TYPE (LabPreferencesWindow, lab_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

typedef struct {
  gboolean clean;
  guint64  bytes;
  guint    files;
} Measure;

/* The folder as the user knows it: ~ for the home folder, in UTF-8. */
static char *
display_folder (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize len = strlen (home);

  if (g_str_has_prefix (path, home) && path[len] == G_DIR_SEPARATOR)
    {
      g_autofree char *rest = g_filename_display_name (path + len);
      return g_strconcat ("~", rest, NULL);
    }
  return g_filename_display_name (path);
}

static void
measure_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Measure *m = task_data;
  g_autofree char *cache = lab_files_dup_cache_dir ();

  if (m->clean)
    lab_files_clean_cache ();
  lab_files_measure_tree (cache, &m->bytes, &m->files);
  g_task_return_boolean (task, TRUE);
}

static void
show_cache (LabPreferencesWindow *self,
            const Measure        *m)
{
  g_autofree char *cache = lab_files_dup_cache_dir ();
  g_autofree char *folder = display_folder (cache);
  g_autofree char *size = g_format_size (m->bytes);

  g_free (self->cache_text);
  if (m->files == 0)
    /* Translators: "~/.cache/concurrency-lab · empty" */
    self->cache_text = g_strdup_printf (_("%s · empty"), folder);
  else
    /* Translators: "~/.cache/concurrency-lab · 45.2 MB in 18 files" */
    self->cache_text = g_strdup_printf (ngettext ("%s · %s in %u file", "%s · %s in %u files", m->files),
                                        folder, size, m->files);
  self->cache_bytes = m->bytes;
  adw_action_row_set_subtitle (self->cache_row, self->cache_text);
  gtk_widget_set_sensitive (self->clean_button, m->files > 0);
}

static void
measured_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(LabPreferencesWindow) self = user_data;
  Measure *m = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    return;   /* the window closed */
  self->measuring = FALSE;
  show_cache (self, m);
}

static void
measure (LabPreferencesWindow *self,
         gboolean              clean)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, measured_cb, g_object_ref (self));
  Measure *m = g_new0 (Measure, 1);

  m->clean = clean;
  self->measuring = TRUE;
  gtk_widget_set_sensitive (self->clean_button, FALSE);
  g_task_set_source_tag (task, measure);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_task_data (task, m, g_free);
  g_task_run_in_thread (task, measure_thread);
}

static void
clean_response_cb (LabPreferencesWindow *self,
                   const char           *response)
{
  if (g_strcmp0 (response, "clean") == 0)
    lab_preferences_window_clean (self);
}

static void
clean_clicked_cb (LabPreferencesWindow *self)
{
  g_autofree char *size = g_format_size (self->cache_bytes);
  GtkWidget *dialog;

  if (self->running)
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("A run is going on: clean the cache folder once it has ended")));
      return;
    }
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Clean the Cache Folder?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("The %s of sample and output photos in it will be removed. Sample photos are "
                                    "made again when a run needs them."), size);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "clean", _("C_lean"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "clean", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (clean_response_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
open_clicked_cb (LabPreferencesWindow *self)
{
  g_autofree char *cache = lab_files_dup_cache_dir ();
  g_autoptr(GFile) folder = g_file_new_for_path (cache);
  g_autofree char *uri = g_file_get_uri (folder);

  g_mkdir_with_parents (cache, 0700);
#if GTK_CHECK_VERSION (4, 10, 0)
  {
    g_autoptr(GtkFileLauncher) launcher = gtk_file_launcher_new (folder);
    gtk_file_launcher_launch (launcher, GTK_WINDOW (self), NULL, NULL, NULL);
  }
#else
  gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
#endif
}

static void
lab_preferences_window_dispose (GObject *object)
{
  LabPreferencesWindow *self = LAB_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (lab_preferences_window_parent_class)->dispose (object);
}

static void
lab_preferences_window_finalize (GObject *object)
{
  LabPreferencesWindow *self = LAB_PREFERENCES_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_free (self->cache_text);
  G_OBJECT_CLASS (lab_preferences_window_parent_class)->finalize (object);
}

static void
lab_preferences_window_class_init (LabPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_preferences_window_dispose;
  object_class->finalize = lab_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lab-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LabPreferencesWindow, cache_row);
  gtk_widget_class_bind_template_child (widget_class, LabPreferencesWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, LabPreferencesWindow, clean_button);
}

static void
lab_preferences_window_init (LabPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->clean_button, "clicked", G_CALLBACK (clean_clicked_cb), self);
  g_signal_connect_swapped (self->open_button, "clicked", G_CALLBACK (open_clicked_cb), self);
  adw_action_row_set_subtitle (self->cache_row, _("Measuring…"));
  measure (self, FALSE);
}

/**
 * lab_preferences_window_new:
 * @running: whether a run is going on (cleaning then waits)
 */
GtkWidget *
lab_preferences_window_new (GtkWindow *parent,
                            gboolean   running)
{
  LabPreferencesWindow *self = g_object_new (LAB_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);

  self->running = running;
  return GTK_WIDGET (self);
}

/* "~/.cache/concurrency-lab · 45.2 MB in 18 files", once measured. */
const char *
lab_preferences_window_get_cache_text (LabPreferencesWindow *self)
{
  g_return_val_if_fail (LAB_IS_PREFERENCES_WINDOW (self), NULL);
  return self->cache_text;
}

gboolean
lab_preferences_window_is_measuring (LabPreferencesWindow *self)
{
  g_return_val_if_fail (LAB_IS_PREFERENCES_WINDOW (self), FALSE);
  return self->measuring;
}

/* Empties the cache folder (what the Clean response does), then measures it again. */
void
lab_preferences_window_clean (LabPreferencesWindow *self)
{
  g_return_if_fail (LAB_IS_PREFERENCES_WINDOW (self));

  if (!self->running)
    measure (self, TRUE);
}
