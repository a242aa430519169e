/* lab-experiment-panel.c — the side pane: lessons, task, parameters, strategies, workers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pane shows what the engine's tables say: the tasks, the strategies
 * and the lessons, with what applies to each. Its controls describe an
 * experiment (lab-experiment.h); a lesson sets every one of them, and
 * until one is changed, Run runs the lesson's whole experiment.
 */
#define G_LOG_DOMAIN "lab-experiment-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "lab-experiment-panel.h"

#define MAX_SECONDS 3600.0

struct _LabExperimentPanel
{
  GtkWidget     parent_instance;

  GtkScrolledWindow *scroller;
  AdwPreferencesGroup *lessons_group;
  GtkWidget    *lesson_card;
  GtkLabel     *lesson_title;
  GtkLabel     *lesson_label;
  GtkLabel     *lesson_expected;
  GtkLabel     *lesson_outcome;
  GtkWidget    *lesson_mismatch;
  AdwPreferencesGroup *task_group;
  AdwComboRow  *task_row;
  AdwEntryRow  *seconds_row;
  GtkWidget    *seconds_error;
  AdwActionRow *jobs_row;
  GtkSpinButton *jobs_spin;
  AdwActionRow *size_row;
  GtkSpinButton *size_spin;
  AdwActionRow *urls_row;
  GtkWidget    *urls_button;
  GtkWidget    *urls_clear_button;
  AdwActionRow *images_row;
  GtkWidget    *images_button;
  GtkWidget    *images_clear_button;
  AdwActionRow *runtime_row;
  GtkCheckButton *runtime_c_check;
  GtkCheckButton *runtime_python_check;
  AdwPreferencesGroup *strategy_group;
  GtkLabel     *strategy_note;
  AdwActionRow *workers_row;
  GtkSpinButton *workers_spin;
  GtkSpinButton *repeats_spin;
  AdwActionRow *sweep_row;
  GtkSwitch    *sweep_switch;
  AdwActionRow *gil_row;
  GtkSwitch    *gil_switch;

  GPtrArray    *lesson_rows;       /* GtkWidget, one per lesson */
  GPtrArray    *strategy_rows;     /* GtkWidget, one per strategy */
  GPtrArray    *strategy_checks;   /* GtkCheckButton */

  char         *urls_file;
  char         *images_dir;
  GSettings    *settings;
  const LabLesson *lesson;         /* the lesson last applied, or NULL */
  gboolean      lesson_matches;    /* nothing changed since */
  gboolean      applying;          /* setting controls, not the user */
  char         *problem;           /* why Run cannot run, or NULL */
  char         *workers_hint;
};

enum {
  PROP_0,
  PROP_CAN_RUN,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LabExperimentPanel, lab_experiment_panel, GTK_TYPE_WIDGET)

static const LabTaskInfo *
current_task (LabExperimentPanel *self)
{
  guint n;
  const LabTaskInfo * const *tasks = lab_task_info_list (&n);
  guint i = adw_combo_row_get_selected (self->task_row);

  return i < n ? tasks[i] : NULL;
}

static const LabStrategy *
strategy_at (guint i)
{
  return lab_strategy_list (NULL)[i];
}

static gboolean
strategy_checked (LabExperimentPanel *self,
                  guint               i)
{
  return gtk_check_button_get_active (g_ptr_array_index (self->strategy_checks, i)) &&
         gtk_widget_get_sensitive (g_ptr_array_index (self->strategy_rows, i));
}

/* Parses "1.5" or "5, 4, 3, 2, 1"; NULL when it is not a list of numbers,
 * with the first word that is not a number in @bad. */
static GArray *
parse_seconds (const char  *text,
               char       **bad)
{
  g_auto(GStrv) parts = g_regex_split_simple ("[\\s,;]+", text, 0, 0);
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *end = NULL;
      double v;

      if (parts[i][0] == '\0')
        continue;
      v = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0' || !(v >= 0 && v <= MAX_SECONDS))
        {
          if (bad != NULL)
            *bad = g_utf8_make_valid (parts[i], -1);
          return NULL;
        }
      g_array_append_val (values, v);
    }

  return values->len > 0 ? g_steal_pointer (&values) : NULL;
}

static guint
n_checked (LabExperimentPanel *self)
{
  guint n = 0;

  for (guint i = 0; i < self->strategy_checks->len; i++)
    n += strategy_checked (self, i);
  return n;
}

/* A runtime is checked and can run the task here. */
static gboolean
runtime_checked (LabExperimentPanel *self,
                 LabRuntime          runtime)
{
  GtkCheckButton *check = runtime == LAB_RUNTIME_C ? self->runtime_c_check : self->runtime_python_check;

  return gtk_check_button_get_active (check) && gtk_widget_get_sensitive (GTK_WIDGET (check));
}

/* Python needs its interpreter (and Pillow for blur): without them its
 * choice cannot be made, and its tooltip says what is missing. */
static void
update_runtimes (LabExperimentPanel *self)
{
  const LabTaskInfo *task = current_task (self);
  g_autoptr(GError) error = NULL;
  gboolean ok = task != NULL && lab_runtime_check (LAB_RUNTIME_PYTHON, task, &error);

  gtk_widget_set_sensitive (GTK_WIDGET (self->runtime_python_check), ok);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->runtime_python_check),
                               ok ? lab_runtime_get_summary (LAB_RUNTIME_PYTHON) : error ? error->message : NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->runtime_c_check), lab_runtime_get_summary (LAB_RUNTIME_C));
}

/* What keeps Run from running, in words for its tooltip. */
static char *
find_problem (LabExperimentPanel *self)
{
  const LabTaskInfo *task = current_task (self);

  if (task == NULL)
    return g_strdup (_("Choose a task first"));
  if (lab_task_info_accepts (task, LAB_PARAM_SECONDS))
    {
      g_autofree char *bad = NULL;
      g_autoptr(GArray) values = parse_seconds (gtk_editable_get_text (GTK_EDITABLE (self->seconds_row)), &bad);

      if (values == NULL && bad != NULL)
        /* Translators: the seconds per job, where "%s" is what was written */
        return g_strdup_printf (_("Seconds per job: “%s” is not a number from 0 to 3600; write values like 1.5 or 5, 4, 3, 2, 1"), bad);
      if (values == NULL)
        return g_strdup (_("Seconds per job: write numbers from 0 to 3600, like 1.5 or 5, 4, 3, 2, 1"));
    }
  if (n_checked (self) == 0)
    return g_strdup (_("Check at least one strategy"));
  if (!runtime_checked (self, LAB_RUNTIME_C) && !runtime_checked (self, LAB_RUNTIME_PYTHON))
    return g_strdup (_("Check C, Python or both"));
  return NULL;
}

static void
update_can_run (LabExperimentPanel *self)
{
  gboolean could = self->problem == NULL;
  g_autofree char *problem = find_problem (self);
  g_autoptr(GArray) seconds = NULL;
  gboolean seconds_bad = problem != NULL && lab_task_info_accepts (current_task (self), LAB_PARAM_SECONDS) &&
                         (seconds = parse_seconds (gtk_editable_get_text (GTK_EDITABLE (self->seconds_row)), NULL)) == NULL;

  if (seconds_bad)
    gtk_widget_add_css_class (GTK_WIDGET (self->seconds_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->seconds_row), "error");
  gtk_widget_set_visible (self->seconds_error, seconds_bad);

  if (g_strcmp0 (problem, self->problem) == 0)
    return;
  g_free (self->problem);
  self->problem = g_steal_pointer (&problem);
  if (could != (self->problem == NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_RUN]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

/* The user changed a setting: the controls no longer are the lesson. */
static void
setting_changed (LabExperimentPanel *self)
{
  if (self->applying || self->lesson == NULL || !self->lesson_matches)
    return;
  self->lesson_matches = FALSE;
  gtk_widget_set_visible (self->lesson_mismatch, TRUE);
}

/* Ticked, whether or not the task can run it. */
static gboolean
any_ticked (LabExperimentPanel *self)
{
  for (guint i = 0; i < self->strategy_checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (self->strategy_checks, i)))
      return TRUE;
  return FALSE;
}

static gboolean
any_checked_where (LabExperimentPanel *self,
                   gboolean (*test) (const LabStrategy *strategy))
{
  for (guint i = 0; i < self->strategy_checks->len; i++)
    if (strategy_checked (self, i) && test (strategy_at (i)))
      return TRUE;
  return FALSE;
}

static gboolean
is_pool (const LabStrategy *s)
{
  return s->workers == LAB_WORKERS_PER_CORE;
}

static gboolean
is_per_job (const LabStrategy *s)
{
  return s->workers == LAB_WORKERS_PER_JOB;
}

static gboolean
shares_gil (const LabStrategy *s)
{
  return s->shares_gil;
}

static gboolean
is_not_loop (const LabStrategy *s)
{
  return !lab_strategy_is_loop (s);
}

/* The Workers row says what each checked strategy will really get. */
static char *
describe_workers (LabExperimentPanel *self)
{
  guint workers = lab_experiment_panel_get_workers (self);
  gboolean pools = any_checked_where (self, is_pool);
  gboolean per_job = any_checked_where (self, is_per_job);

  if (!any_checked_where (self, is_not_loop))
    return g_strdup (_("The loop always has one worker"));
  if (lab_experiment_panel_get_sweep (self))
    return g_strdup (_("Swept: see Sweep Workers below"));
  if (workers > 0)
    return g_strdup_printf (ngettext ("%u for each strategy but the loop, which has one",
                                      "%u for each strategy but the loop, which has one", workers), workers);
  if (pools && per_job)
    return g_strdup_printf (ngettext ("Auto: pools get one per usable core (%u here); threads, processes "
                                      "and async one per job, at most %u",
                                      "Auto: pools get one per usable core (%u here); threads, processes "
                                      "and async one per job, at most %u", lab_usable_cores ()),
                            lab_usable_cores (), LAB_MAX_WORKERS);
  if (pools)
    return g_strdup_printf (ngettext ("Auto: one per usable core, %u on this computer",
                                      "Auto: one per usable core, %u on this computer", lab_usable_cores ()),
                            lab_usable_cores ());
  return g_strdup_printf (_("Auto: one per job, at most %u"), LAB_MAX_WORKERS);
}

static void
update_workers (LabExperimentPanel *self)
{
  gboolean any = any_checked_where (self, is_not_loop);

  g_free (self->workers_hint);
  self->workers_hint = describe_workers (self);
  adw_action_row_set_subtitle (self->workers_row, self->workers_hint);
  gtk_widget_set_sensitive (GTK_WIDGET (self->workers_spin), any && !lab_experiment_panel_get_sweep (self));
  /* A loop has one worker: there is nothing to sweep. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->sweep_row), any);
  /* Each process has its own lock, as each Python process has its own interpreter. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->gil_row), any_checked_where (self, shares_gil));
}

static void
update_sweep_subtitle (LabExperimentPanel *self)
{
  g_autoptr(GArray) counts = lab_run_config_sweep_workers ();
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *subtitle = NULL;

  for (guint i = 0; i < counts->len; i++)
    g_string_append_printf (list, "%s%u", i > 0 ? ", " : "", g_array_index (counts, guint, i));
  /* Translators: %s is a list of worker counts, e.g. "1, 2, 4" */
  subtitle = g_strdup_printf (_("A plain loop, then each strategy on %s workers: how far more workers help"), list->str);
  adw_action_row_set_subtitle (self->sweep_row, subtitle);
}

/* What the table says applies to the task: async overlaps waiting only. */
static void
update_strategies (LabExperimentPanel *self)
{
  const LabTaskInfo *task = current_task (self);
  g_autofree char *note = NULL;

  for (guint i = 0; task != NULL && i < self->strategy_rows->len; i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = lab_strategy_can_run (strategy_at (i), task, &error);
      GtkWidget *row = g_ptr_array_index (self->strategy_rows, i);

      gtk_widget_set_sensitive (row, ok);
      gtk_widget_set_tooltip_text (row, ok ? strategy_at (i)->python : error->message);
      if (!ok && note == NULL)
        note = g_strdup (error->message);
    }
  update_runtimes (self);
  gtk_label_set_text (self->strategy_note, note ? note : "");
  gtk_widget_set_visible (GTK_WIDGET (self->strategy_note), note != NULL);
  /* A task that none of the ticked strategies can run starts from its loop. */
  if (task != NULL && n_checked (self) == 0 && any_ticked (self))
    lab_experiment_panel_set_strategy (self, lab_strategy_get_loop ()->name);
  update_workers (self);
  update_can_run (self);
}

static void
set_file_subtitle (AdwActionRow *row,
                   GtkWidget    *clear_button,
                   const char   *path,
                   const char   *fallback)
{
  g_autofree char *name = path ? g_filename_display_basename (path) : NULL;
  g_autofree char *display = path ? g_filename_display_name (path) : NULL;

  adw_action_row_set_subtitle (row, name ? name : fallback);
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), display);
  gtk_widget_set_visible (clear_button, path != NULL);
}

/* With a URL list, each line is a job: the count is not the user's to set. */
static gboolean
jobs_from_url_list (LabExperimentPanel *self)
{
  const LabTaskInfo *task = current_task (self);

  return task != NULL && self->urls_file != NULL && lab_task_info_accepts (task, LAB_PARAM_URLS_FILE);
}

static void
update_files (LabExperimentPanel *self)
{
  gboolean from_list = jobs_from_url_list (self);

  set_file_subtitle (self->urls_row, self->urls_clear_button, self->urls_file,
                     _("Built-in image server, works offline"));
  set_file_subtitle (self->images_row, self->images_clear_button, self->images_dir,
                     _("Generated sample photos"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->jobs_spin), !from_list);
  adw_action_row_set_subtitle (self->jobs_row, from_list ? _("One job per line of the URL list") : NULL);
}

static void
update_task (LabExperimentPanel *self)
{
  const LabTaskInfo *task = current_task (self);
  g_autofree char *kind = NULL;
  g_autofree char *subtitle = NULL;

  if (task == NULL)
    return;

  kind = g_strdup (lab_task_kind_to_string (task->kind));
  kind[0] = g_ascii_toupper (kind[0]);
  subtitle = g_strdup_printf ("%s — %s", kind, lab_task_info_get_summary (task));
  adw_preferences_group_set_description (self->task_group, subtitle);

  gtk_widget_set_visible (GTK_WIDGET (self->seconds_row), lab_task_info_accepts (task, LAB_PARAM_SECONDS));
  gtk_widget_set_visible (GTK_WIDGET (self->jobs_row), lab_task_info_accepts (task, LAB_PARAM_JOBS));
  gtk_widget_set_visible (GTK_WIDGET (self->size_row), lab_task_info_accepts (task, LAB_PARAM_SIZE));
  gtk_widget_set_visible (GTK_WIDGET (self->urls_row), lab_task_info_accepts (task, LAB_PARAM_URLS_FILE));
  gtk_widget_set_visible (GTK_WIDGET (self->images_row), lab_task_info_accepts (task, LAB_PARAM_IMAGES));

  update_strategies (self);
  update_files (self);
}

static void
save_settings (LabExperimentPanel *self)
{
  const LabTaskInfo *task = current_task (self);
  g_auto(GStrv) strategies = NULL;

  if (self->settings == NULL || task == NULL)
    return;

  strategies = lab_experiment_panel_dup_strategies (self);
  g_settings_set_string (self->settings, "task", task->name);
  g_settings_set_strv (self->settings, "strategies", (const char * const *) strategies);
  {
    const char *runtimes[LAB_N_RUNTIMES + 1] = { NULL };
    guint n = 0;

    if (gtk_check_button_get_active (self->runtime_c_check))
      runtimes[n++] = lab_runtime_get_name (LAB_RUNTIME_C);
    if (gtk_check_button_get_active (self->runtime_python_check))
      runtimes[n++] = lab_runtime_get_name (LAB_RUNTIME_PYTHON);
    g_settings_set_strv (self->settings, "runtimes", runtimes);
  }
  g_settings_set_uint (self->settings, "workers", lab_experiment_panel_get_workers (self));
  g_settings_set_uint (self->settings, "repeats", lab_experiment_panel_get_repeats (self));
}

static void
control_changed_cb (LabExperimentPanel *self)
{
  setting_changed (self);
  update_workers (self);
  update_can_run (self);
  save_settings (self);
}

static guint
default_jobs (const LabTaskInfo *task)
{
  /* 0 means one per input file (blur): the spin shows the sample count. */
  return task->default_jobs ? task->default_jobs : 8;
}

static void
task_selected_cb (LabExperimentPanel *self)
{
  const LabTaskInfo *task = current_task (self);

  if (task != NULL && !self->applying)
    gtk_spin_button_set_value (self->jobs_spin, default_jobs (task));
  update_task (self);
  control_changed_cb (self);
}

static void
seconds_changed_cb (LabExperimentPanel *self)
{
  g_autoptr(GArray) values = parse_seconds (gtk_editable_get_text (GTK_EDITABLE (self->seconds_row)), NULL);

  /* A list is one job per value, as in the seed. */
  if (values != NULL && values->len > 1)
    gtk_spin_button_set_value (self->jobs_spin, values->len);
  control_changed_cb (self);
}

static gboolean
workers_output_cb (GtkSpinButton *spin)
{
  if (gtk_spin_button_get_value_as_int (spin) == 0)
    {
      gtk_editable_set_text (GTK_EDITABLE (spin), C_("workers", "Auto"));
      return TRUE;
    }
  return FALSE;
}

static int
workers_input_cb (GtkSpinButton *spin,
                  double        *value)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));

  if (g_ascii_strcasecmp (text, C_("workers", "Auto")) == 0 || g_ascii_strcasecmp (text, "auto") == 0)
    {
      *value = 0;
      return TRUE;
    }
  return FALSE;
}

/* A spin button under the pointer would eat the wheel scrolling the
 * pane, changing its value unnoticed: it takes the wheel only once it
 * has the keyboard focus; otherwise the pane scrolls. */
static gboolean
spin_scroll_cb (GtkEventControllerScroll *controller,
                double                    dx,
                double                    dy,
                LabExperimentPanel       *self)
{
  GtkWidget *spin = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  GtkRoot *root = gtk_widget_get_root (spin);
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  GtkAdjustment *adjustment;

  if (focus != NULL && (focus == spin || gtk_widget_is_ancestor (focus, spin)))
    return FALSE;
  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) +
                            dy * gtk_adjustment_get_step_increment (adjustment) * 4);
  return TRUE;
}

static void
guard_scroll (LabExperimentPanel *self,
              GtkSpinButton      *spin)
{
  GtkEventController *controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "scroll", G_CALLBACK (spin_scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (spin), controller);
}

typedef struct {
  LabExperimentPanel *self;
  gboolean            folder;
} ChooserData;

static void
chooser_response_cb (GtkNativeDialog *native,
                     int              response,
                     gpointer         user_data)
{
  g_autofree ChooserData *data = user_data;
  LabExperimentPanel *self = data->self;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (data->folder)
        lab_experiment_panel_set_images_dir (self, path);
      else
        lab_experiment_panel_set_urls_file (self, path);
    }

  g_object_unref (native);
  g_object_unref (self);
}

/* GtkFileChooserNative goes through the file chooser portal in a Flatpak. */
static void
choose_file (LabExperimentPanel *self,
             gboolean            folder)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *native;
  ChooserData *data = g_new0 (ChooserData, 1);

  native = gtk_file_chooser_native_new (folder ? _("Choose a Folder of Images") : _("Choose a List of URLs"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  if (!folder)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _("Text files"));
      gtk_file_filter_add_mime_type (filter, "text/plain");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
    }

  data->self = g_object_ref (self);
  data->folder = folder;
  g_signal_connect (native, "response", G_CALLBACK (chooser_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
urls_clicked_cb (LabExperimentPanel *self)
{
  choose_file (self, FALSE);
}

static void
images_clicked_cb (LabExperimentPanel *self)
{
  choose_file (self, TRUE);
}

static void
urls_clear_cb (LabExperimentPanel *self)
{
  lab_experiment_panel_set_urls_file (self, NULL);
}

static void
images_clear_cb (LabExperimentPanel *self)
{
  lab_experiment_panel_set_images_dir (self, NULL);
}

static void
lesson_activated_cb (AdwActionRow       *row,
                     LabExperimentPanel *self)
{
  lab_experiment_panel_apply_lesson (self, g_object_get_data (G_OBJECT (row), "lab-lesson"));
}

static void
add_lesson_rows (LabExperimentPanel *self)
{
  guint n;
  const LabLesson * const *lessons = lab_lesson_list (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      GtkWidget *row = adw_action_row_new ();
      gboolean available = lab_lesson_is_available (lessons[i], &error);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), lab_lesson_get_title (lessons[i]));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), lab_lesson_get_setup (lessons[i]));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_widget_set_sensitive (row, available);
      gtk_widget_set_tooltip_text (row, available ? lab_lesson_get_text (lessons[i]) : error->message);
      g_object_set_data (G_OBJECT (row), "lab-lesson", (gpointer) lessons[i]->id);
      g_signal_connect (row, "activated", G_CALLBACK (lesson_activated_cb), self);
      adw_preferences_group_add (self->lessons_group, row);
      g_ptr_array_add (self->lesson_rows, row);
    }

  /* Keep the lesson card below the rows. */
  g_object_ref (self->lesson_card);
  adw_preferences_group_remove (self->lessons_group, self->lesson_card);
  adw_preferences_group_add (self->lessons_group, self->lesson_card);
  g_object_unref (self->lesson_card);
}

static void
add_strategy_rows (LabExperimentPanel *self)
{
  guint n;
  const LabStrategy * const *strategies = lab_strategy_list (&n);

  for (guint i = 0; i < n; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), lab_strategy_get_title (strategies[i]));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), lab_strategy_get_summary (strategies[i]));
      gtk_widget_set_tooltip_text (row, strategies[i]->python);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (control_changed_cb), self);
      adw_preferences_group_add (self->strategy_group, row);
      g_ptr_array_add (self->strategy_rows, row);
      g_ptr_array_add (self->strategy_checks, check);
    }

  g_object_ref (self->strategy_note);
  adw_preferences_group_remove (self->strategy_group, GTK_WIDGET (self->strategy_note));
  adw_preferences_group_add (self->strategy_group, GTK_WIDGET (self->strategy_note));
  g_object_unref (self->strategy_note);
}

static void
fill_tasks (LabExperimentPanel *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  const LabTaskInfo * const *tasks = lab_task_info_list (NULL);

  for (guint i = 0; tasks[i] != NULL; i++)
    gtk_string_list_append (names, lab_task_info_get_title (tasks[i]));
  adw_combo_row_set_model (self->task_row, G_LIST_MODEL (names));
}

static void
lab_experiment_panel_dispose (GObject *object)
{
  LabExperimentPanel *self = (LabExperimentPanel *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_EXPERIMENT_PANEL);

  G_OBJECT_CLASS (lab_experiment_panel_parent_class)->dispose (object);
}

static void
lab_experiment_panel_finalize (GObject *object)
{
  LabExperimentPanel *self = (LabExperimentPanel *) object;

  g_ptr_array_unref (self->lesson_rows);
  g_ptr_array_unref (self->strategy_rows);
  g_ptr_array_unref (self->strategy_checks);
  g_free (self->urls_file);
  g_free (self->images_dir);
  g_free (self->problem);
  g_free (self->workers_hint);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lab_experiment_panel_parent_class)->finalize (object);
}

static void
lab_experiment_panel_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LabExperimentPanel *self = LAB_EXPERIMENT_PANEL (object);

  switch (prop_id)
    {
    case PROP_CAN_RUN:
      g_value_set_boolean (value, self->problem == NULL);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_experiment_panel_class_init (LabExperimentPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_experiment_panel_dispose;
  object_class->finalize = lab_experiment_panel_finalize;
  object_class->get_property = lab_experiment_panel_get_property;

  properties[PROP_CAN_RUN] =
    g_param_spec_boolean ("can-run", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Why Run cannot run, or %NULL. */
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lab-experiment-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, scroller);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, lessons_group);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, lesson_card);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, lesson_title);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, lesson_label);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, lesson_expected);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, lesson_outcome);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, lesson_mismatch);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, task_group);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, task_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, seconds_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, seconds_error);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, jobs_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, jobs_spin);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, size_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, size_spin);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, urls_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, urls_button);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, urls_clear_button);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, images_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, images_button);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, images_clear_button);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, runtime_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, runtime_c_check);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, runtime_python_check);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, strategy_group);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, strategy_note);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, workers_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, repeats_spin);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, sweep_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, sweep_switch);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, gil_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, gil_switch);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "labexperimentpanel");
}

static void
connect_controls (LabExperimentPanel *self)
{
  GtkSpinButton *spins[] = { self->jobs_spin, self->size_spin, self->workers_spin, self->repeats_spin };

  g_signal_connect_swapped (self->task_row, "notify::selected", G_CALLBACK (task_selected_cb), self);
  g_signal_connect_swapped (self->seconds_row, "changed", G_CALLBACK (seconds_changed_cb), self);
  g_signal_connect (self->workers_spin, "output", G_CALLBACK (workers_output_cb), NULL);
  g_signal_connect (self->workers_spin, "input", G_CALLBACK (workers_input_cb), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    {
      guard_scroll (self, spins[i]);
      /* Repeats run the same experiment more often: still the lesson. */
      if (spins[i] != self->repeats_spin)
        g_signal_connect_swapped (spins[i], "value-changed", G_CALLBACK (control_changed_cb), self);
      else
        g_signal_connect_swapped (spins[i], "value-changed", G_CALLBACK (save_settings), self);
    }
  g_signal_connect_swapped (self->sweep_switch, "notify::active", G_CALLBACK (control_changed_cb), self);
  g_signal_connect_swapped (self->gil_switch, "notify::active", G_CALLBACK (control_changed_cb), self);
  g_signal_connect_swapped (self->runtime_c_check, "toggled", G_CALLBACK (control_changed_cb), self);
  g_signal_connect_swapped (self->runtime_python_check, "toggled", G_CALLBACK (control_changed_cb), self);
  g_signal_connect_swapped (self->urls_button, "clicked", G_CALLBACK (urls_clicked_cb), self);
  g_signal_connect_swapped (self->images_button, "clicked", G_CALLBACK (images_clicked_cb), self);
  g_signal_connect_swapped (self->urls_clear_button, "clicked", G_CALLBACK (urls_clear_cb), self);
  g_signal_connect_swapped (self->images_clear_button, "clicked", G_CALLBACK (images_clear_cb), self);
}

static void
lab_experiment_panel_init (LabExperimentPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->lesson_rows = g_ptr_array_new ();
  self->strategy_rows = g_ptr_array_new ();
  self->strategy_checks = g_ptr_array_new ();
  gtk_spin_button_set_range (self->workers_spin, 0, LAB_MAX_WORKERS);
  gtk_spin_button_set_range (self->repeats_spin, 1, LAB_MAX_REPEATS);
  gtk_spin_button_set_range (self->jobs_spin, 1, LAB_MAX_JOBS);
  add_lesson_rows (self);
  add_strategy_rows (self);
  fill_tasks (self);
  update_sweep_subtitle (self);

  self->applying = TRUE;
  lab_experiment_panel_set_strategy (self, "threads");
  self->applying = FALSE;
  connect_controls (self);
  update_files (self);
  update_task (self);
}

static GVariant *
build_params (LabExperimentPanel *self,
              const LabTaskInfo  *task)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  if (lab_task_info_accepts (task, LAB_PARAM_SECONDS))
    {
      g_autoptr(GArray) values = parse_seconds (gtk_editable_get_text (GTK_EDITABLE (self->seconds_row)), NULL);

      g_assert (values != NULL);
      g_variant_dict_insert_value (&dict, LAB_PARAM_SECONDS,
                                   g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, values->data,
                                                              values->len, sizeof (double)));
    }
  if (lab_task_info_accepts (task, LAB_PARAM_JOBS) && !jobs_from_url_list (self))
    g_variant_dict_insert (&dict, LAB_PARAM_JOBS, "u", (guint32) gtk_spin_button_get_value_as_int (self->jobs_spin));
  if (lab_task_info_accepts (task, LAB_PARAM_SIZE))
    g_variant_dict_insert (&dict, LAB_PARAM_SIZE, "t", (guint64) gtk_spin_button_get_value (self->size_spin));
  if (lab_task_info_accepts (task, LAB_PARAM_URLS_FILE) && self->urls_file != NULL)
    g_variant_dict_insert_value (&dict, LAB_PARAM_URLS_FILE, g_variant_new_bytestring (self->urls_file));
  if (lab_task_info_accepts (task, LAB_PARAM_IMAGES) && self->images_dir != NULL)
    g_variant_dict_insert_value (&dict, LAB_PARAM_IMAGES, g_variant_new_bytestring (self->images_dir));

  return g_variant_dict_end (&dict);
}

/**
 * lab_experiment_panel_dup_experiment:
 *
 * The experiment the controls describe: the lesson's whole experiment
 * while nothing was changed since it was chosen, with the repeats asked
 * for. A sweep runs the plain loop first, for the speed-ups.
 *
 * Returns: (transfer full): the experiment, or %NULL with @error saying
 *   which control to fix
 */
LabExperiment *
lab_experiment_panel_dup_experiment (LabExperimentPanel  *self,
                                     GError             **error)
{
  g_autoptr(LabExperiment) experiment = NULL;
  guint workers;

  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), NULL);

  if (self->problem != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, self->problem);
      return NULL;
    }

  if (lab_experiment_panel_lesson_matches (self))
    experiment = lab_lesson_new_experiment (self->lesson);
  else
    {
      const LabTaskInfo *task = current_task (self);

      experiment = lab_experiment_new (task, build_params (self, task));
      if (lab_experiment_panel_get_sweep (self))
        lab_experiment_add_strategy (experiment, lab_strategy_get_loop ());
      for (guint i = 0; i < self->strategy_checks->len; i++)
        if (strategy_checked (self, i))
          lab_experiment_add_strategy (experiment, strategy_at (i));
      workers = lab_experiment_panel_get_workers (self);
      if (lab_experiment_panel_get_sweep (self))
        lab_experiment_set_sweep (experiment);
      else
        lab_experiment_set_workers (experiment, &workers, 1);
      lab_experiment_set_gil (experiment, lab_experiment_panel_get_gil (self));
      for (LabRuntime r = LAB_RUNTIME_C; r < LAB_N_RUNTIMES; r++)
        if (runtime_checked (self, r))
          lab_experiment_add_runtime (experiment, r);
    }
  lab_experiment_set_repeat (experiment, lab_experiment_panel_get_repeats (self), 0);
  if (!lab_experiment_check (experiment, error))
    return NULL;
  return g_steal_pointer (&experiment);
}

gboolean
lab_experiment_panel_get_can_run (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);
  return self->problem == NULL;
}

/* Checks or unchecks a runtime, as a click on its button would. */
void
lab_experiment_panel_set_runtime (LabExperimentPanel *self,
                                  LabRuntime          runtime,
                                  gboolean            active)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (lab_experiment_panel_get_runtime_button (self, runtime)), active);
}

/**
 * lab_experiment_panel_get_runtime_button:
 *
 * Returns: (transfer none): the runtime's check button (insensitive, with
 *   the reason as its tooltip, where the runtime cannot run the task)
 */
GtkWidget *
lab_experiment_panel_get_runtime_button (LabExperimentPanel *self,
                                         LabRuntime          runtime)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), NULL);
  return GTK_WIDGET (runtime == LAB_RUNTIME_C ? self->runtime_c_check : self->runtime_python_check);
}

/* Why Run cannot run, or %NULL. */
const char *
lab_experiment_panel_get_problem (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), NULL);
  return self->problem;
}

/* Restores the last experiment, then remembers every change. */
void
lab_experiment_panel_set_settings (LabExperimentPanel *self,
                                   GSettings          *settings)
{
  g_autofree char *task = NULL;
  g_auto(GStrv) strategies = NULL;

  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));

  g_clear_object (&self->settings);
  if (settings == NULL)
    return;

  task = g_settings_get_string (settings, "task");
  strategies = g_settings_get_strv (settings, "strategies");
  lab_experiment_panel_set_task (self, task);
  if (strategies[0] != NULL)
    lab_experiment_panel_set_strategies (self, (const char * const *) strategies);
  lab_experiment_panel_set_workers (self, g_settings_get_uint (settings, "workers"));
  lab_experiment_panel_set_repeats (self, g_settings_get_uint (settings, "repeats"));
  {
    g_auto(GStrv) runtimes = g_settings_get_strv (settings, "runtimes");

    gtk_check_button_set_active (self->runtime_c_check, g_strv_contains ((const char * const *) runtimes, "c"));
    gtk_check_button_set_active (self->runtime_python_check, g_strv_contains ((const char * const *) runtimes, "python"));
  }
  g_settings_bind (settings, "sweep", self->sweep_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "gil", self->gil_switch, "active", G_SETTINGS_BIND_DEFAULT);

  self->settings = g_object_ref (settings);
}

gboolean
lab_experiment_panel_lesson_is_available (LabExperimentPanel *self,
                                          const char         *id)
{
  const LabLesson *lesson = lab_lesson_lookup (id);

  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);
  return lesson != NULL && lab_lesson_is_available (lesson, NULL);
}

static void
show_lesson (LabExperimentPanel *self)
{
  g_autofree char *expected = lab_lesson_describe_expected (self->lesson);

  gtk_label_set_text (self->lesson_title, lab_lesson_get_title (self->lesson));
  gtk_label_set_text (self->lesson_label, lab_lesson_get_text (self->lesson));
  gtk_label_set_text (self->lesson_expected, expected);
  gtk_widget_set_visible (GTK_WIDGET (self->lesson_outcome), FALSE);
  gtk_widget_set_visible (self->lesson_mismatch, FALSE);
  gtk_widget_set_visible (self->lesson_card, TRUE);
}

/**
 * lab_experiment_panel_apply_lesson:
 *
 * Sets every control as the lesson wants (its task and parameters, its
 * strategies, workers and GIL switch; no sweep) and shows what it is
 * about and what to expect.
 *
 * Returns: %FALSE when the lesson is unknown or its task is missing
 */
gboolean
lab_experiment_panel_apply_lesson (LabExperimentPanel *self,
                                   const char         *id)
{
  const LabLesson *lesson = lab_lesson_lookup (id);
  const LabTaskInfo *task;
  g_auto(GStrv) strategies = NULL;

  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);

  if (lesson == NULL || !lab_lesson_is_available (lesson, NULL))
    return FALSE;

  task = lab_task_info_lookup (lesson->task);
  strategies = g_strsplit (lesson->strategies, ",", -1);
  self->applying = TRUE;
  lab_experiment_panel_set_task (self, lesson->task);
  if (lesson->seconds != NULL)
    lab_experiment_panel_set_seconds (self, lesson->seconds);
  lab_experiment_panel_set_jobs (self, lesson->jobs ? lesson->jobs : default_jobs (task));
  lab_experiment_panel_set_size (self, 0);
  lab_experiment_panel_set_urls_file (self, NULL);
  lab_experiment_panel_set_images_dir (self, NULL);
  lab_experiment_panel_set_strategies (self, (const char * const *) strategies);
  lab_experiment_panel_set_workers (self, lesson->workers);
  lab_experiment_panel_set_gil (self, lesson->gil);
  gtk_check_button_set_active (self->runtime_c_check, TRUE);
  gtk_check_button_set_active (self->runtime_python_check,
                               lesson->runtimes != NULL && strstr (lesson->runtimes, "python") != NULL);
  lab_experiment_panel_set_sweep (self, FALSE);
  self->applying = FALSE;

  self->lesson = lesson;
  self->lesson_matches = TRUE;
  show_lesson (self);
  return TRUE;
}

/* The lesson last chosen, whether or not the controls still match it. */
const LabLesson *
lab_experiment_panel_get_lesson (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), NULL);
  return self->lesson;
}

gboolean
lab_experiment_panel_lesson_matches (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);
  return self->lesson != NULL && self->lesson_matches;
}

/* What the lesson's run showed: expected beside measured. */
void
lab_experiment_panel_show_outcome (LabExperimentPanel *self,
                                   const char         *outcome)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));

  gtk_label_set_text (self->lesson_outcome, outcome ? outcome : "");
  gtk_widget_set_visible (GTK_WIDGET (self->lesson_outcome), outcome != NULL && outcome[0] != '\0');
}

const char *
lab_experiment_panel_get_outcome (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->lesson_outcome)) ? gtk_label_get_text (self->lesson_outcome) : NULL;
}

const char *
lab_experiment_panel_get_task (LabExperimentPanel *self)
{
  const LabTaskInfo *task;

  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), NULL);

  task = current_task (self);
  return task ? task->name : NULL;
}

gboolean
lab_experiment_panel_set_task (LabExperimentPanel *self,
                               const char         *task)
{
  const LabTaskInfo * const *tasks = lab_task_info_list (NULL);

  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);

  for (guint i = 0; task != NULL && tasks[i] != NULL; i++)
    if (g_str_equal (tasks[i]->name, task))
      {
        adw_combo_row_set_selected (self->task_row, i);
        return TRUE;
      }
  return FALSE;
}

/* Returns: (transfer full): the names of the strategies checked */
GStrv
lab_experiment_panel_dup_strategies (LabExperimentPanel *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), NULL);

  for (guint i = 0; i < self->strategy_checks->len; i++)
    if (strategy_checked (self, i))
      g_strv_builder_add (builder, strategy_at (i)->name);
  return g_strv_builder_end (builder);
}

/* Checks the strategies named (those that apply to the task), unchecks
 * the others. */
void
lab_experiment_panel_set_strategies (LabExperimentPanel *self,
                                     const char * const *names)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));

  for (guint i = 0; i < self->strategy_checks->len; i++)
    gtk_check_button_set_active (g_ptr_array_index (self->strategy_checks, i),
                                 names != NULL && g_strv_contains (names, strategy_at (i)->name));
}

void
lab_experiment_panel_set_strategy (LabExperimentPanel *self,
                                   const char         *name)
{
  const char *names[] = { name, NULL };

  lab_experiment_panel_set_strategies (self, names);
}

gboolean
lab_experiment_panel_strategy_is_sensitive (LabExperimentPanel *self,
                                            const char         *name)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);

  for (guint i = 0; i < self->strategy_rows->len; i++)
    if (g_str_equal (strategy_at (i)->name, name))
      return gtk_widget_get_sensitive (g_ptr_array_index (self->strategy_rows, i));
  return FALSE;
}

guint
lab_experiment_panel_get_workers (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), 0);
  return gtk_spin_button_get_value_as_int (self->workers_spin);
}

void
lab_experiment_panel_set_workers (LabExperimentPanel *self,
                                  guint               workers)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));
  gtk_spin_button_set_value (self->workers_spin, MIN (workers, LAB_MAX_WORKERS));
}

/* What the Workers row says the strategies will get. */
const char *
lab_experiment_panel_get_workers_hint (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), NULL);
  return self->workers_hint;
}

/* The "Python GIL" switch (see lab-gil.c); it changes the thread strategies only. */
gboolean
lab_experiment_panel_get_gil (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);
  return gtk_switch_get_active (self->gil_switch);
}

void
lab_experiment_panel_set_gil (LabExperimentPanel *self,
                              gboolean            gil)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));
  gtk_switch_set_active (self->gil_switch, gil);
}

/* Whether Run sweeps the worker counts (lab_run_config_sweep_workers()),
 * after a plain loop for reference, instead of using Workers. */
gboolean
lab_experiment_panel_get_sweep (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);
  return gtk_switch_get_active (self->sweep_switch) && any_checked_where (self, is_not_loop);
}

void
lab_experiment_panel_set_sweep (LabExperimentPanel *self,
                                gboolean            sweep)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));
  gtk_switch_set_active (self->sweep_switch, sweep);
}

/* How many times Run runs the experiment, 1 to LAB_MAX_REPEATS. */
guint
lab_experiment_panel_get_repeats (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), 1);
  return gtk_spin_button_get_value_as_int (self->repeats_spin);
}

void
lab_experiment_panel_set_repeats (LabExperimentPanel *self,
                                  guint               repeats)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));
  gtk_spin_button_set_value (self->repeats_spin, CLAMP (repeats, 1, LAB_MAX_REPEATS));
}

guint
lab_experiment_panel_get_jobs (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), 0);
  return gtk_spin_button_get_value_as_int (self->jobs_spin);
}

void
lab_experiment_panel_set_jobs (LabExperimentPanel *self,
                               guint               jobs)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));
  gtk_spin_button_set_value (self->jobs_spin, jobs);
}

guint64
lab_experiment_panel_get_size (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), 0);
  return (guint64) gtk_spin_button_get_value (self->size_spin);
}

/* Numbers each primes job checks; 0 for the default. */
void
lab_experiment_panel_set_size (LabExperimentPanel *self,
                               guint64             size)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));
  gtk_spin_button_set_value (self->size_spin, size ? (double) size : 90000);
}

void
lab_experiment_panel_set_seconds (LabExperimentPanel *self,
                                  const char         *seconds)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));
  gtk_editable_set_text (GTK_EDITABLE (self->seconds_row), seconds);
}

gboolean
lab_experiment_panel_param_is_visible (LabExperimentPanel *self,
                                       const char         *param)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);

  if (g_str_equal (param, LAB_PARAM_SECONDS))
    return gtk_widget_get_visible (GTK_WIDGET (self->seconds_row));
  if (g_str_equal (param, LAB_PARAM_JOBS))
    return gtk_widget_get_visible (GTK_WIDGET (self->jobs_row));
  if (g_str_equal (param, LAB_PARAM_SIZE))
    return gtk_widget_get_visible (GTK_WIDGET (self->size_row));
  if (g_str_equal (param, LAB_PARAM_URLS_FILE))
    return gtk_widget_get_visible (GTK_WIDGET (self->urls_row));
  if (g_str_equal (param, LAB_PARAM_IMAGES))
    return gtk_widget_get_visible (GTK_WIDGET (self->images_row));
  return FALSE;
}

/* For tests: "jobs", "size", "workers" or "repeats". */
GtkWidget *
lab_experiment_panel_get_spin (LabExperimentPanel *self,
                               const char         *name)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), NULL);

  if (g_str_equal (name, "jobs"))
    return GTK_WIDGET (self->jobs_spin);
  if (g_str_equal (name, "size"))
    return GTK_WIDGET (self->size_spin);
  if (g_str_equal (name, "workers"))
    return GTK_WIDGET (self->workers_spin);
  if (g_str_equal (name, "repeats"))
    return GTK_WIDGET (self->repeats_spin);
  return NULL;
}

/* What the file choosers set; %NULL for the default (built-in server,
 * generated images). Paths are the file system's bytes. */
void
lab_experiment_panel_set_urls_file (LabExperimentPanel *self,
                                    const char         *path)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));

  if (g_strcmp0 (path, self->urls_file) != 0)
    {
      g_free (self->urls_file);
      self->urls_file = g_strdup (path);
      setting_changed (self);
    }
  update_files (self);
}

void
lab_experiment_panel_set_images_dir (LabExperimentPanel *self,
                                     const char         *path)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));

  if (g_strcmp0 (path, self->images_dir) != 0)
    {
      g_free (self->images_dir);
      self->images_dir = g_strdup (path);
      setting_changed (self);
    }
  update_files (self);
}
