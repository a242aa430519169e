/* lab-experiment-panel.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-experiment-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "lab-experiment-panel.h"
#include "lab-format.h"

typedef struct {
  const char  *title;
  const char  *setup;     /* what the preset sets, in a few words */
  const char  *lesson;    /* what to expect, and why */
  const char  *task;
  LabStrategy  strategy;
  guint        workers;   /* 0: the strategy's default */
  const char  *seconds;   /* NULL: leave the field as it is */
  guint        jobs;      /* 0: the task's default */
  gboolean     gil;       /* the "Python GIL" switch */
} LabPreset;

static const LabPreset presets[] = {
  { N_("Two Sleeping Threads"), N_("2 jobs × 1 s · threads"),
    N_("The seed’s first example: two threads each sleep for one second. Sleeping is waiting, not "
       "computing, so the two waits overlap and the run takes about 1 s instead of 2 s, with almost "
       "no CPU time."),
    "sleep", LAB_STRATEGY_THREADS, 0, "1", 2 },
  { N_("Ten Threads"), N_("10 jobs × 1.5 s · threads"),
    N_("Ten threads each wait 1.5 s. A waiting thread hands the CPU back, so all ten waits run at "
       "once: expect about 1.5 s in total, not 15 s, and ten lanes side by side in the timeline."),
    "sleep", LAB_STRATEGY_THREADS, 0, "1.5", 10 },
  { N_("Thread Pool With 5, 4, 3, 2, 1 s"), N_("5 jobs · thread pool of 5"),
    N_("ThreadPoolExecutor runs the seed’s list of waits on a pool of threads. Every job waits at "
       "the same time, so the run lasts as long as the longest job, 5 s. Try 2 workers to watch the "
       "pool queue the rest."),
    "sleep", LAB_STRATEGY_THREAD_POOL, 5, "5, 4, 3, 2, 1", 5 },
  { N_("Download Photos"), N_("I/O-bound · thread pool"),
    N_("Fetching photos is I/O-bound: most of the time goes to waiting for the network. A thread "
       "pool keeps several requests in flight, so the elapsed time falls while the CPU time stays "
       "small. Compare it with a sequential run."),
    "download", LAB_STRATEGY_THREAD_POOL, 8, NULL, 0 },
  { N_("Blur Photos"), N_("CPU-bound · process pool"),
    N_("Blurring and thumbnailing is CPU-bound: every job keeps a core busy. A process pool spreads "
       "the jobs over all cores, so expect a speedup close to the number of cores and CPU time well "
       "above the elapsed time."),
    "blur", LAB_STRATEGY_PROCESS_POOL, 0, NULL, 0 },
  { N_("Count Primes"), N_("CPU-bound · process pool"),
    N_("Trial division is pure computation with no waiting. Run it sequentially first, then with a "
       "process pool: with N cores the pool is almost N times faster, and the CPU chart shows every "
       "core busy."),
    "primes", LAB_STRATEGY_PROCESS_POOL, 0, NULL, 8 },
  { N_("Python Threads and the GIL"), N_("CPU-bound · 4 threads · GIL"),
    N_("The seed’s puzzle: Python threads do not speed up computation, because only the thread "
       "holding the global interpreter lock runs Python code. With the GIL switch on, four threads "
       "count primes no faster than a loop and about one core is busy. Turn the switch off to see "
       "C threads use every core."),
    "primes", LAB_STRATEGY_THREADS, 4, NULL, 8, TRUE },
};

struct _LabExperimentPanel
{
  GtkWidget     parent_instance;

  GtkWidget    *scroller;
  AdwPreferencesGroup *lessons_group;
  GtkLabel     *lesson_label;
  AdwPreferencesGroup *task_group;
  AdwComboRow  *task_row;
  AdwEntryRow  *seconds_row;
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
  AdwPreferencesGroup *strategy_group;
  GtkLabel     *strategy_note;
  AdwActionRow *workers_row;
  GtkSpinButton *workers_spin;
  GtkSpinButton *repeats_spin;
  AdwActionRow *sweep_row;
  GtkSwitch    *sweep_switch;
  AdwActionRow *gil_row;
  GtkSwitch    *gil_switch;

  GtkWidget    *preset_rows[G_N_ELEMENTS (presets)];
  GtkWidget    *strategy_rows[LAB_N_STRATEGIES];
  GtkCheckButton *strategy_checks[LAB_N_STRATEGIES];

  const LabTaskClass **tasks;
  guint         n_tasks;
  char         *urls_file;
  char         *images_dir;
  GSettings    *settings;
  gboolean      can_run;
};

enum {
  PROP_0,
  PROP_CAN_RUN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LabExperimentPanel, lab_experiment_panel, GTK_TYPE_WIDGET)

static const LabTaskClass *
current_task (LabExperimentPanel *self)
{
  guint i = adw_combo_row_get_selected (self->task_row);

  return i < self->n_tasks ? self->tasks[i] : NULL;
}

/* Parses "1.5" or "5, 4, 3, 2, 1"; NULL when it is not a list of numbers. */
static GArray *
parse_seconds (const char *text)
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
      if (end == parts[i] || *end != '\0' || !(v >= 0 && v <= 3600))
        return NULL;
      g_array_append_val (values, v);
    }

  return values->len > 0 ? g_steal_pointer (&values) : NULL;
}

static void
update_can_run (LabExperimentPanel *self)
{
  const LabTaskClass *klass = current_task (self);
  gboolean seconds_ok = TRUE;
  gboolean can_run;

  if (klass != NULL && lab_task_accepts (klass, LAB_PARAM_SECONDS))
    {
      g_autoptr(GArray) values = parse_seconds (gtk_editable_get_text (GTK_EDITABLE (self->seconds_row)));
      seconds_ok = values != NULL;
    }

  if (seconds_ok)
    gtk_widget_remove_css_class (GTK_WIDGET (self->seconds_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->seconds_row), "error");

  can_run = klass != NULL && seconds_ok;
  if (can_run != self->can_run)
    {
      self->can_run = can_run;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_RUN]);
    }
}

static gboolean
strategy_fits_task (LabStrategy         strategy,
                    const LabTaskClass *klass)
{
  return strategy != LAB_STRATEGY_ASYNC || klass == NULL ||
         (klass->kind != LAB_TASK_KIND_CPU && klass->kind != LAB_TASK_KIND_MIXED);
}

static void
update_workers (LabExperimentPanel *self)
{
  LabStrategy strategy = lab_experiment_panel_get_strategy (self);
  g_autofree char *subtitle = NULL;

  if (strategy == LAB_STRATEGY_SEQUENTIAL)
    subtitle = g_strdup (_("Always one: the jobs run one after another"));
  else if (strategy == LAB_STRATEGY_THREAD_POOL || strategy == LAB_STRATEGY_PROCESS_POOL)
    subtitle = g_strdup_printf (ngettext ("Auto: one per core, %u on this computer",
                                          "Auto: one per core, %u on this computer",
                                          g_get_num_processors ()), g_get_num_processors ());
  else
    subtitle = g_strdup_printf (_("Auto: one per job, at most %u"), LAB_MAX_WORKERS);

  adw_action_row_set_subtitle (self->workers_row, subtitle);
  gtk_widget_set_sensitive (GTK_WIDGET (self->workers_spin),
                            strategy != LAB_STRATEGY_SEQUENTIAL && !lab_experiment_panel_get_sweep (self));
  /* A loop has one worker: there is nothing to sweep. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->sweep_row), strategy != LAB_STRATEGY_SEQUENTIAL);
  /* Each process has its own lock, as each Python process has its own interpreter. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->gil_row),
                            strategy == LAB_STRATEGY_THREADS || strategy == LAB_STRATEGY_THREAD_POOL);
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
  subtitle = g_strdup_printf (_("A plain loop, then %s workers: how far more workers help"), list->str);
  adw_action_row_set_subtitle (self->sweep_row, subtitle);
}

/* Async runs one thread with an event loop; it cannot compute two things
 * at once, so it is offered for waits and I/O only. */
static void
update_strategies (LabExperimentPanel *self)
{
  const LabTaskClass *klass = current_task (self);
  gboolean async_ok = strategy_fits_task (LAB_STRATEGY_ASYNC, klass);
  const char *why = _("Async runs every job on one thread with an event loop: it can overlap waiting, "
                      "not computing, so it is off for CPU-bound tasks.");

  gtk_widget_set_sensitive (self->strategy_rows[LAB_STRATEGY_ASYNC], async_ok);
  gtk_widget_set_tooltip_text (self->strategy_rows[LAB_STRATEGY_ASYNC], async_ok ? NULL : why);
  gtk_label_set_text (self->strategy_note, why);
  gtk_widget_set_visible (GTK_WIDGET (self->strategy_note), !async_ok);

  if (!async_ok && gtk_check_button_get_active (self->strategy_checks[LAB_STRATEGY_ASYNC]))
    gtk_check_button_set_active (self->strategy_checks[LAB_STRATEGY_THREAD_POOL], TRUE);

  update_workers (self);
}

static void
set_file_subtitle (AdwActionRow *row,
                   GtkWidget    *clear_button,
                   const char   *path,
                   const char   *fallback)
{
  g_autofree char *name = path ? g_filename_display_basename (path) : NULL;

  adw_action_row_set_subtitle (row, name ? name : fallback);
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), path);
  gtk_widget_set_visible (clear_button, path != NULL);
}

/* With a URL list, each line is a job: the count is not the user's to set. */
static gboolean
jobs_from_url_list (LabExperimentPanel *self)
{
  const LabTaskClass *klass = current_task (self);

  return klass != NULL && self->urls_file != NULL && lab_task_accepts (klass, LAB_PARAM_URLS_FILE);
}

static void
update_files (LabExperimentPanel *self)
{
  gboolean from_list = jobs_from_url_list (self);

  set_file_subtitle (self->urls_row, self->urls_clear_button, self->urls_file,
                     _("Built-in image server, works offline"));
  set_file_subtitle (self->images_row, self->images_clear_button, self->images_dir,
                     _("Downloaded photos, or generated ones"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->jobs_spin), !from_list);
  adw_action_row_set_subtitle (self->jobs_row, from_list ? _("One job per line of the URL list") : NULL);
}

static guint
default_jobs (const char *task)
{
  if (g_str_equal (task, "primes"))
    return 8;
  if (g_str_equal (task, "sleep"))
    return 5;
  return 12;
}

static void
update_task (LabExperimentPanel *self)
{
  const LabTaskClass *klass = current_task (self);
  g_autofree char *kind = NULL;
  g_autofree char *subtitle = NULL;

  if (klass == NULL)
    return;

  kind = g_strdup (lab_task_kind_to_string (klass->kind));
  kind[0] = g_ascii_toupper (kind[0]);
  subtitle = g_strdup_printf ("%s — %s", kind, _(klass->summary));
  adw_preferences_group_set_description (self->task_group, subtitle);

  gtk_widget_set_visible (GTK_WIDGET (self->seconds_row), lab_task_accepts (klass, LAB_PARAM_SECONDS));
  gtk_widget_set_visible (GTK_WIDGET (self->jobs_row), lab_task_accepts (klass, LAB_PARAM_JOBS));
  gtk_widget_set_visible (GTK_WIDGET (self->size_row), lab_task_accepts (klass, LAB_PARAM_SIZE));
  gtk_widget_set_visible (GTK_WIDGET (self->urls_row), lab_task_accepts (klass, LAB_PARAM_URLS_FILE));
  gtk_widget_set_visible (GTK_WIDGET (self->images_row), lab_task_accepts (klass, LAB_PARAM_IMAGES));

  update_strategies (self);
  update_files (self);
  update_can_run (self);
}

static void
save_settings (LabExperimentPanel *self)
{
  const LabTaskClass *klass = current_task (self);

  if (self->settings == NULL || klass == NULL)
    return;

  g_settings_set_string (self->settings, "task", klass->name);
  g_settings_set_string (self->settings, "strategy",
                         lab_strategy_to_string (lab_experiment_panel_get_strategy (self)));
  g_settings_set_uint (self->settings, "workers", lab_experiment_panel_get_workers (self));
  g_settings_set_uint (self->settings, "repeats", lab_experiment_panel_get_repeats (self));
  g_settings_set_boolean (self->settings, "sweep", lab_experiment_panel_get_sweep (self));
  g_settings_set_boolean (self->settings, "gil", gtk_switch_get_active (self->gil_switch));
}

static void
sweep_changed_cb (LabExperimentPanel *self)
{
  update_workers (self);
  save_settings (self);
}

static void
task_selected_cb (LabExperimentPanel *self)
{
  const LabTaskClass *klass = current_task (self);

  if (klass != NULL)
    gtk_spin_button_set_value (self->jobs_spin, default_jobs (klass->name));
  update_task (self);
  save_settings (self);
}

static void
seconds_changed_cb (LabExperimentPanel *self)
{
  g_autoptr(GArray) values = parse_seconds (gtk_editable_get_text (GTK_EDITABLE (self->seconds_row)));

  /* A list is one job per value, as in the seed. */
  if (values != NULL && values->len > 1)
    gtk_spin_button_set_value (self->jobs_spin, values->len);
  update_can_run (self);
}

static void
strategy_toggled_cb (LabExperimentPanel *self)
{
  update_strategies (self);
  save_settings (self);
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
preset_activated_cb (AdwActionRow       *row,
                     LabExperimentPanel *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "lab-preset"));

  lab_experiment_panel_apply_preset (self, index);
}

static void
add_preset_rows (LabExperimentPanel *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      g_autoptr(GError) error = NULL;
      GtkWidget *row = adw_action_row_new ();
      gboolean available = lab_task_lookup (presets[i].task, &error) != NULL;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(presets[i].title));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(presets[i].setup));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_widget_set_sensitive (row, available);
      gtk_widget_set_tooltip_text (row, available ? _(presets[i].lesson) : error->message);
      g_object_set_data (G_OBJECT (row), "lab-preset", GUINT_TO_POINTER (i));
      g_signal_connect (row, "activated", G_CALLBACK (preset_activated_cb), self);
      adw_preferences_group_add (self->lessons_group, row);
      self->preset_rows[i] = row;
    }

  /* Keep the lesson text below the rows. */
  g_object_ref (self->lesson_label);
  adw_preferences_group_remove (self->lessons_group, GTK_WIDGET (self->lesson_label));
  adw_preferences_group_add (self->lessons_group, GTK_WIDGET (self->lesson_label));
  g_object_unref (self->lesson_label);
}

static void
add_strategy_rows (LabExperimentPanel *self)
{
  GtkCheckButton *group = NULL;

  for (guint i = 0; i < LAB_N_STRATEGIES; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), lab_format_strategy_title (i));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), lab_strategy_get_summary (i));
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
      group = GTK_CHECK_BUTTON (check);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (strategy_toggled_cb), self);
      adw_preferences_group_add (self->strategy_group, row);
      self->strategy_rows[i] = row;
      self->strategy_checks[i] = GTK_CHECK_BUTTON (check);
    }

  g_object_ref (self->strategy_note);
  adw_preferences_group_remove (self->strategy_group, GTK_WIDGET (self->strategy_note));
  adw_preferences_group_add (self->strategy_group, GTK_WIDGET (self->strategy_note));
  g_object_unref (self->strategy_note);
  gtk_check_button_set_active (self->strategy_checks[LAB_STRATEGY_THREADS], TRUE);
}

static void
fill_tasks (LabExperimentPanel *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  self->tasks = lab_task_list (&self->n_tasks);
  for (guint i = 0; i < self->n_tasks; i++)
    gtk_string_list_append (names, lab_format_task_title (self->tasks[i]->name));
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

  g_free (self->tasks);
  g_free (self->urls_file);
  g_free (self->images_dir);
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
      g_value_set_boolean (value, self->can_run);
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
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lab-experiment-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, scroller);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, lessons_group);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, lesson_label);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, task_group);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, task_row);
  gtk_widget_class_bind_template_child (widget_class, LabExperimentPanel, seconds_row);
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
lab_experiment_panel_init (LabExperimentPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_spin_button_set_range (self->workers_spin, 0, LAB_MAX_WORKERS);
  gtk_spin_button_set_range (self->repeats_spin, 1, LAB_MAX_REPEATS);
  gtk_spin_button_set_range (self->jobs_spin, 1, LAB_MAX_JOBS);
  add_preset_rows (self);
  add_strategy_rows (self);
  fill_tasks (self);

  g_signal_connect_swapped (self->task_row, "notify::selected", G_CALLBACK (task_selected_cb), self);
  g_signal_connect_swapped (self->seconds_row, "changed", G_CALLBACK (seconds_changed_cb), self);
  g_signal_connect (self->workers_spin, "output", G_CALLBACK (workers_output_cb), NULL);
  g_signal_connect (self->workers_spin, "input", G_CALLBACK (workers_input_cb), NULL);
  g_signal_connect_swapped (self->workers_spin, "value-changed", G_CALLBACK (save_settings), self);
  g_signal_connect_swapped (self->repeats_spin, "value-changed", G_CALLBACK (save_settings), self);
  g_signal_connect_swapped (self->sweep_switch, "notify::active", G_CALLBACK (sweep_changed_cb), self);
  g_signal_connect_swapped (self->gil_switch, "notify::active", G_CALLBACK (save_settings), self);
  update_sweep_subtitle (self);
  g_signal_connect_swapped (self->urls_button, "clicked", G_CALLBACK (urls_clicked_cb), self);
  g_signal_connect_swapped (self->images_button, "clicked", G_CALLBACK (images_clicked_cb), self);
  g_signal_connect_swapped (self->urls_clear_button, "clicked", G_CALLBACK (urls_clear_cb), self);
  g_signal_connect_swapped (self->images_clear_button, "clicked", G_CALLBACK (images_clear_cb), self);

  update_files (self);
  update_task (self);
}

static GVariant *
build_params (LabExperimentPanel *self,
              const LabTaskClass *klass)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  if (lab_task_accepts (klass, LAB_PARAM_SECONDS))
    {
      g_autoptr(GArray) values = parse_seconds (gtk_editable_get_text (GTK_EDITABLE (self->seconds_row)));

      g_assert (values != NULL);
      g_variant_dict_insert_value (&dict, LAB_PARAM_SECONDS,
                                   g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, values->data,
                                                              values->len, sizeof (double)));
    }
  if (lab_task_accepts (klass, LAB_PARAM_JOBS) && !jobs_from_url_list (self))
    g_variant_dict_insert (&dict, LAB_PARAM_JOBS, "u", (guint32) gtk_spin_button_get_value_as_int (self->jobs_spin));
  if (lab_task_accepts (klass, LAB_PARAM_SIZE))
    g_variant_dict_insert (&dict, LAB_PARAM_SIZE, "t", (guint64) gtk_spin_button_get_value (self->size_spin));
  if (lab_task_accepts (klass, LAB_PARAM_URLS_FILE) && self->urls_file != NULL)
    g_variant_dict_insert (&dict, LAB_PARAM_URLS_FILE, "s", self->urls_file);
  if (lab_task_accepts (klass, LAB_PARAM_IMAGES) && self->images_dir != NULL)
    g_variant_dict_insert (&dict, LAB_PARAM_IMAGES, "s", self->images_dir);

  return g_variant_dict_end (&dict);
}

/**
 * lab_experiment_panel_dup_config:
 *
 * Returns: (transfer full): the experiment the controls describe, or %NULL
 *   with @error saying which control to fix
 */
LabRunConfig *
lab_experiment_panel_dup_config (LabExperimentPanel  *self,
                                 GError             **error)
{
  const LabTaskClass *klass;
  LabRunConfig *config;

  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), NULL);

  if (!(klass = current_task (self)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Choose a task first"));
      return NULL;
    }
  if (!self->can_run)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Seconds per job: write numbers from 0 to 3600, like 1.5 or 5, 4, 3, 2, 1"));
      return NULL;
    }

  config = lab_run_config_new (klass->name, lab_experiment_panel_get_strategy (self),
                               lab_experiment_panel_get_workers (self), build_params (self, klass));
  config->gil = gtk_switch_get_active (self->gil_switch);
  return config;
}

gboolean
lab_experiment_panel_get_can_run (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);
  return self->can_run;
}

/* Restores the last experiment, then remembers every change. */
void
lab_experiment_panel_set_settings (LabExperimentPanel *self,
                                   GSettings          *settings)
{
  g_autofree char *task = NULL;
  g_autofree char *strategy_name = NULL;
  LabStrategy strategy;
  guint workers;

  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));

  g_clear_object (&self->settings);
  if (settings == NULL)
    return;

  task = g_settings_get_string (settings, "task");
  strategy_name = g_settings_get_string (settings, "strategy");
  workers = g_settings_get_uint (settings, "workers");
  lab_experiment_panel_set_task (self, task);
  if (lab_strategy_from_string (strategy_name, &strategy) &&
      lab_experiment_panel_strategy_is_sensitive (self, strategy))
    lab_experiment_panel_set_strategy (self, strategy);
  lab_experiment_panel_set_workers (self, workers);
  lab_experiment_panel_set_repeats (self, g_settings_get_uint (settings, "repeats"));
  lab_experiment_panel_set_sweep (self, g_settings_get_boolean (settings, "sweep"));
  lab_experiment_panel_set_gil (self, g_settings_get_boolean (settings, "gil"));

  self->settings = g_object_ref (settings);
}

guint
lab_experiment_panel_get_n_presets (LabExperimentPanel *self)
{
  return G_N_ELEMENTS (presets);
}

gboolean
lab_experiment_panel_preset_is_available (LabExperimentPanel *self,
                                          guint               index)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);
  g_return_val_if_fail (index < G_N_ELEMENTS (presets), FALSE);

  return gtk_widget_get_sensitive (self->preset_rows[index]);
}

/**
 * lab_experiment_panel_apply_preset:
 *
 * Sets every control as the lesson wants and shows its explanation.
 *
 * Returns: %FALSE when the lesson's task is not available
 */
gboolean
lab_experiment_panel_apply_preset (LabExperimentPanel *self,
                                   guint               index)
{
  const LabPreset *preset;

  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);
  g_return_val_if_fail (index < G_N_ELEMENTS (presets), FALSE);

  preset = &presets[index];
  if (!lab_experiment_panel_set_task (self, preset->task))
    return FALSE;

  if (preset->seconds != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->seconds_row), preset->seconds);
  if (preset->jobs != 0)
    gtk_spin_button_set_value (self->jobs_spin, preset->jobs);
  lab_experiment_panel_set_strategy (self, preset->strategy);
  lab_experiment_panel_set_workers (self, preset->workers);
  /* A lesson is one experiment as described: no sweep, its own GIL setting. */
  lab_experiment_panel_set_gil (self, preset->gil);
  lab_experiment_panel_set_sweep (self, FALSE);

  gtk_label_set_text (self->lesson_label, _(preset->lesson));
  gtk_widget_set_visible (GTK_WIDGET (self->lesson_label), TRUE);

  return TRUE;
}

const char *
lab_experiment_panel_get_task (LabExperimentPanel *self)
{
  const LabTaskClass *klass;

  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), NULL);

  klass = current_task (self);
  return klass ? klass->name : NULL;
}

gboolean
lab_experiment_panel_set_task (LabExperimentPanel *self,
                               const char         *task)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);

  for (guint i = 0; task != NULL && i < self->n_tasks; i++)
    {
      if (g_str_equal (self->tasks[i]->name, task))
        {
          adw_combo_row_set_selected (self->task_row, i);
          return TRUE;
        }
    }

  return FALSE;
}

LabStrategy
lab_experiment_panel_get_strategy (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), LAB_STRATEGY_SEQUENTIAL);

  for (guint i = 0; i < LAB_N_STRATEGIES; i++)
    if (gtk_check_button_get_active (self->strategy_checks[i]))
      return i;
  return LAB_STRATEGY_SEQUENTIAL;
}

void
lab_experiment_panel_set_strategy (LabExperimentPanel *self,
                                   LabStrategy         strategy)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));
  g_return_if_fail (strategy < LAB_N_STRATEGIES);

  if (!lab_experiment_panel_strategy_is_sensitive (self, strategy))
    return;
  gtk_check_button_set_active (self->strategy_checks[strategy], TRUE);
}

gboolean
lab_experiment_panel_strategy_is_sensitive (LabExperimentPanel *self,
                                            LabStrategy         strategy)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);
  g_return_val_if_fail (strategy < LAB_N_STRATEGIES, FALSE);

  return gtk_widget_get_sensitive (self->strategy_rows[strategy]);
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
 * after a sequential run for reference, instead of using Workers. */
gboolean
lab_experiment_panel_get_sweep (LabExperimentPanel *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT_PANEL (self), FALSE);
  return gtk_switch_get_active (self->sweep_switch) &&
         lab_experiment_panel_get_strategy (self) != LAB_STRATEGY_SEQUENTIAL;
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

/* What the file choosers set; %NULL for the default (built-in server,
 * generated images). */
void
lab_experiment_panel_set_urls_file (LabExperimentPanel *self,
                                    const char         *path)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));

  if (path != self->urls_file)
    {
      g_free (self->urls_file);
      self->urls_file = g_strdup (path);
    }
  update_files (self);
}

void
lab_experiment_panel_set_images_dir (LabExperimentPanel *self,
                                     const char         *path)
{
  g_return_if_fail (LAB_IS_EXPERIMENT_PANEL (self));

  if (path != self->images_dir)
    {
      g_free (self->images_dir);
      self->images_dir = g_strdup (path);
    }
  update_files (self);
}
