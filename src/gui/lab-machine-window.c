/* lab-machine-window.c — This Computer: what a thread and a process cost here
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows the hardware and its limits, measures what threads, processes
 * and empty jobs cost (off the main thread, with progress, cancellable),
 * draws them beside their references, works out the break-even job size
 * of each strategy, and runs the job-size sweep of the lesson "When Do
 * Processes Pay Off?" to check it. Everything it says comes from the
 * engine (lab-machine-costs.h, lab-granularity.h), as `concurrency-lab
 * machine` prints it.
 */
#define G_LOG_DOMAIN "lab-machine-window"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lab-cost-chart.h"
#include "lab-granularity.h"
#include "lab-job-size-chart.h"
#include "lab-lessons.h"
#include "lab-machine-window.h"

struct _LabMachineWindow
{
  AdwWindow            parent_instance;

  AdwToastOverlay     *toast_overlay;
  GtkLabel            *status_label;
  GtkProgressBar      *progress_bar;
  AdwActionRow        *cpu_row;
  AdwActionRow        *cores_row;
  AdwActionRow        *memory_row;
  AdwActionRow        *kernel_row;
  LabCostChart        *cost_chart;
  GtkLabel            *sources_label;
  AdwPreferencesGroup *break_even_group;
  LabJobSizeChart     *job_size_chart;
  GtkLabel            *sweep_label;

  LabMachineCosts     *costs;
  GCancellable        *cancellable;   /* the measurement or sweep going on */
  LabExperiment       *sweep;
  GPtrArray           *break_even_rows;
  gboolean             measuring;
  gboolean             sweep_pending; /* run the sweep once the costs are in */
};

G_DEFINE_FINAL_TYPE (LabMachineWindow, lab_machine_window, ADW_TYPE_WINDOW)

static void
toast (LabMachineWindow *self,
       const char       *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static gboolean
is_busy (LabMachineWindow *self)
{
  return self->measuring || self->sweep != NULL;
}

static void
update_actions (LabMachineWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "machine.measure", !is_busy (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "machine.sweep", !is_busy (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "machine.cancel", is_busy (self));
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), is_busy (self));
}

static void
set_status (LabMachineWindow *self,
            double            fraction,
            const char       *text)
{
  gtk_label_set_text (self->status_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0, 1));
}

static void
show_hardware (LabMachineWindow     *self,
               const LabMachineInfo *info)
{
  g_autofree char *cores = NULL;
  g_autofree char *memory = NULL;

  adw_action_row_set_subtitle (self->cpu_row, info->cpu_model && *info->cpu_model ? info->cpu_model : _("Unknown"));
  /* Translators: "2 online, 2 usable by Concurrency Lab (affinity and CPU quota)" */
  cores = g_strdup_printf (_("%u online, %u usable by Concurrency Lab (affinity and CPU quota): the pools’ "
                             "default worker count"), info->cores_online, info->usable_cores);
  adw_action_row_set_subtitle (self->cores_row, cores);
  memory = info->memory_bytes > 0 ? g_format_size_full (info->memory_bytes, G_FORMAT_SIZE_IEC_UNITS)
                                  : g_strdup (_("Unknown"));
  adw_action_row_set_subtitle (self->memory_row, memory);
  adw_action_row_set_subtitle (self->kernel_row, info->kernel ? info->kernel : _("Unknown"));
}

static void
show_sources (LabMachineWindow *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();

  for (guint k = 0; k < LAB_N_COSTS; k++)
    {
      const LabCostReference *ref = self->costs->costs[k].reference;

      if (ref == NULL || g_ptr_array_find_with_equal_func (seen, ref->source, g_str_equal, NULL))
        continue;
      g_ptr_array_add (seen, (gpointer) ref->source);
      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* Translators: where the reference figures come from */
      g_string_append_printf (text, _("References: %s"), _(ref->source));
    }
  gtk_label_set_text (self->sources_label, text->str);
}

static void
show_break_even (LabMachineWindow *self)
{
  const LabStrategy * const *strategies = lab_strategy_list (NULL);

  for (guint i = 0; i < self->break_even_rows->len; i++)
    adw_preferences_group_remove (self->break_even_group, g_ptr_array_index (self->break_even_rows, i));
  g_ptr_array_set_size (self->break_even_rows, 0);

  for (guint i = 0; strategies[i] != NULL; i++)
    {
      g_autofree char *from = NULL, *ninety = NULL, *subtitle = NULL;
      GtkWidget *row;
      LabBreakEven be;

      if (!lab_machine_costs_break_even (self->costs, strategies[i], 0, &be))
        continue;
      from = isinf (be.break_even_s) ? g_strdup (_("never")) : lab_machine_costs_format_seconds (be.break_even_s);
      ninety = lab_machine_costs_format_seconds (be.ninety_s);
      /* Translators: "beats the loop from 52 µs jobs; 90 % of its best (2×) from 514 µs" */
      subtitle = g_strdup_printf (_("beats the loop from %s jobs; 90 %% of its best (%.0f×) from %s"),
                                  from, be.best_speedup, ninety);
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), lab_strategy_get_title (strategies[i]));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_preferences_group_add (self->break_even_group, row);
      g_ptr_array_add (self->break_even_rows, row);
    }
}

static void
show_costs (LabMachineWindow *self)
{
  show_hardware (self, self->costs->machine);
  lab_cost_chart_set_costs (self->cost_chart, self->costs);
  lab_job_size_chart_set_costs (self->job_size_chart, self->costs);
  show_sources (self);
  show_break_even (self);
}

/* --- Measuring ------------------------------------------------------------ */

static void
progress_cb (double      fraction,
             const char *what,
             gpointer    data)
{
  LabMachineWindow *self = data;
  /* Translators: "Measuring: Fork + wait…" */
  g_autofree char *text = g_strdup_printf (_("Measuring: %s…"), what);

  set_status (self, fraction, text);
}

static void start_sweep (LabMachineWindow *self);

static void
measured_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(LabMachineWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LabMachineCosts) costs = lab_machine_costs_measure_finish (result, &error);

  self->measuring = FALSE;
  g_clear_object (&self->cancellable);
  if (costs == NULL)
    {
      self->sweep_pending = FALSE;
      set_status (self, 0, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                           ? _("Measurement cancelled.") : error->message);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      update_actions (self);
      return;
    }

  g_clear_pointer (&self->costs, lab_machine_costs_free);
  self->costs = g_steal_pointer (&costs);
  show_costs (self);
  {
    g_autofree char *text = g_strdup_printf (_("Measured in %.1f s. Run the job-size sweep to check the "
                                               "break-even sizes."), self->costs->elapsed_s);
    set_status (self, 1, text);
  }
  update_actions (self);
  if (self->sweep_pending)
    start_sweep (self);
}

/**
 * lab_machine_window_measure:
 *
 * Measures the costs again, off the main thread; nothing when a
 * measurement or a sweep is going on.
 */
void
lab_machine_window_measure (LabMachineWindow *self)
{
  g_return_if_fail (LAB_IS_MACHINE_WINDOW (self));

  if (is_busy (self))
    return;
  self->measuring = TRUE;
  self->cancellable = g_cancellable_new ();
  set_status (self, 0, _("Measuring…"));
  update_actions (self);
  lab_machine_costs_measure_async (progress_cb, g_object_ref (self), g_object_unref, self->cancellable,
                                   measured_cb, g_object_ref (self));
}

/* --- The job-size sweep ----------------------------------------------------- */

static void
sweep_run_started_cb (LabMachineWindow *self,
                      LabRun           *run,
                      gboolean          warmup,
                      LabExperiment    *experiment)
{
  guint n = lab_experiment_get_n_started (experiment);
  guint total = lab_experiment_get_n_planned (experiment);
  g_autofree char *title = lab_run_dup_title (run);
  /* Translators: "Job-size sweep: run 5 of 52 — Process Pool, primes…" */
  g_autofree char *text = g_strdup_printf (_("Job-size sweep: run %u of %u — %s"), n, total, title);

  set_status (self, (double) (n - 1) / MAX (total, 1), text);
}

static char *
describe_sweep (LabMachineWindow *self,
                GPtrArray        *granularity)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < granularity->len; i++)
    {
      LabGranularity *g = g_ptr_array_index (granularity, i);
      g_autofree char *measured = isfinite (g->break_even_s) ? lab_machine_costs_format_seconds (g->break_even_s)
                                                             : g_strdup (_("not within these sizes"));
      g_autofree char *predicted = isinf (g->predicted_s) ? g_strdup (_("never"))
                                                          : lab_machine_costs_format_seconds (g->predicted_s);

      if (out->len > 0)
        g_string_append_c (out, '\n');
      /* Translators: "Process Pool: pays off from 120 µs jobs (predicted 90 µs)" */
      g_string_append_printf (out, _("%s: pays off from %s (predicted %s)"),
                              lab_strategy_get_title (g->strategy), measured, predicted);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
sweep_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(LabMachineWindow) self = data;
  g_autoptr(LabExperiment) sweep = g_steal_pointer (&self->sweep);
  g_autoptr(GError) error = NULL;
  g_autoptr(LabAnalysis) analysis = NULL;
  g_autoptr(GPtrArray) granularity = NULL;
  g_autofree char *text = NULL;
  gboolean cancelled = g_cancellable_is_cancelled (self->cancellable);

  g_clear_object (&self->cancellable);
  if (!lab_experiment_run_finish (sweep, result, &error))
    {
      set_status (self, 0, error->message);
      toast (self, error->message);
      update_actions (self);
      return;
    }
  analysis = lab_experiment_dup_analysis (sweep);
  granularity = lab_granularity_compute (analysis, self->costs);
  lab_job_size_chart_set_granularity (self->job_size_chart, granularity);
  text = describe_sweep (self, granularity);
  gtk_label_set_text (self->sweep_label, text);
  set_status (self, 1, cancelled ? _("Job-size sweep cancelled: the sizes that ran are shown.")
                                 : _("Job-size sweep done."));
  update_actions (self);
}

static void
start_sweep (LabMachineWindow *self)
{
  const LabLesson *lesson = lab_lesson_lookup ("granularity");

  self->sweep_pending = FALSE;
  if (is_busy (self))
    return;
  self->sweep = lab_lesson_new_experiment (lesson);
  lab_experiment_set_keep_jobs (self->sweep, FALSE);
  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->sweep, "run-started", G_CALLBACK (sweep_run_started_cb), self,
                           G_CONNECT_SWAPPED);
  set_status (self, 0, _("Job-size sweep…"));
  gtk_label_set_text (self->sweep_label, lab_lesson_get_text (lesson));
  update_actions (self);
  lab_experiment_run_async (self->sweep, self->cancellable, sweep_done_cb, g_object_ref (self));
}

/**
 * lab_machine_window_run_sweep:
 *
 * Runs the job-size sweep, once the costs are measured when a
 * measurement is going on.
 */
void
lab_machine_window_run_sweep (LabMachineWindow *self)
{
  g_return_if_fail (LAB_IS_MACHINE_WINDOW (self));

  if (self->measuring)
    self->sweep_pending = TRUE;
  else
    start_sweep (self);
}

/* --- Actions and life ------------------------------------------------------- */

static void
measure_action (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  lab_machine_window_measure (LAB_MACHINE_WINDOW (widget));
}

static void
sweep_action (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  lab_machine_window_run_sweep (LAB_MACHINE_WINDOW (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  LabMachineWindow *self = LAB_MACHINE_WINDOW (widget);

  self->sweep_pending = FALSE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/* Closing the window stops what it does; the callbacks hold it until then. */
static gboolean
lab_machine_window_close_request (GtkWindow *window)
{
  LabMachineWindow *self = LAB_MACHINE_WINDOW (window);

  self->sweep_pending = FALSE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (lab_machine_window_parent_class)->close_request (window);
}

static void
lab_machine_window_dispose (GObject *object)
{
  LabMachineWindow *self = (LabMachineWindow *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_MACHINE_WINDOW);

  G_OBJECT_CLASS (lab_machine_window_parent_class)->dispose (object);
}

static void
lab_machine_window_finalize (GObject *object)
{
  LabMachineWindow *self = (LabMachineWindow *) object;

  g_clear_pointer (&self->costs, lab_machine_costs_free);
  g_clear_pointer (&self->break_even_rows, g_ptr_array_unref);
  g_assert (self->cancellable == NULL && self->sweep == NULL);

  G_OBJECT_CLASS (lab_machine_window_parent_class)->finalize (object);
}

static void
lab_machine_window_class_init (LabMachineWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = lab_machine_window_dispose;
  object_class->finalize = lab_machine_window_finalize;
  window_class->close_request = lab_machine_window_close_request;

  g_type_ensure (LAB_TYPE_COST_CHART);
  g_type_ensure (LAB_TYPE_JOB_SIZE_CHART);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/concurrencylab/ConcurrencyLab/lab-machine-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LabMachineWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LabMachineWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, LabMachineWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LabMachineWindow, cpu_row);
  gtk_widget_class_bind_template_child (widget_class, LabMachineWindow, cores_row);
  gtk_widget_class_bind_template_child (widget_class, LabMachineWindow, memory_row);
  gtk_widget_class_bind_template_child (widget_class, LabMachineWindow, kernel_row);
  gtk_widget_class_bind_template_child (widget_class, LabMachineWindow, cost_chart);
  gtk_widget_class_bind_template_child (widget_class, LabMachineWindow, sources_label);
  gtk_widget_class_bind_template_child (widget_class, LabMachineWindow, break_even_group);
  gtk_widget_class_bind_template_child (widget_class, LabMachineWindow, job_size_chart);
  gtk_widget_class_bind_template_child (widget_class, LabMachineWindow, sweep_label);

  gtk_widget_class_install_action (widget_class, "machine.measure", NULL, measure_action);
  gtk_widget_class_install_action (widget_class, "machine.sweep", NULL, sweep_action);
  gtk_widget_class_install_action (widget_class, "machine.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "machine.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
lab_machine_window_init (LabMachineWindow *self)
{
  g_autoptr(LabMachineInfo) info = lab_machine_info_get_current ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->break_even_rows = g_ptr_array_new ();
  show_hardware (self, info);
  update_actions (self);
}

/**
 * lab_machine_window_new:
 * @parent: (nullable): the window it belongs to
 *
 * This Computer, measuring as it opens.
 */
LabMachineWindow *
lab_machine_window_new (GtkWindow *parent)
{
  LabMachineWindow *self = g_object_new (LAB_TYPE_MACHINE_WINDOW,
                                         "transient-for", parent,
                                         "application", parent ? gtk_window_get_application (parent) : NULL,
                                         NULL);

  lab_machine_window_measure (self);
  return self;
}

/* The figures shown, or %NULL until measured. */
const LabMachineCosts *
lab_machine_window_get_costs (LabMachineWindow *self)
{
  g_return_val_if_fail (LAB_IS_MACHINE_WINDOW (self), NULL);
  return self->costs;
}

gboolean
lab_machine_window_is_busy (LabMachineWindow *self)
{
  g_return_val_if_fail (LAB_IS_MACHINE_WINDOW (self), FALSE);
  return is_busy (self);
}

LabCostChart *
lab_machine_window_get_cost_chart (LabMachineWindow *self)
{
  g_return_val_if_fail (LAB_IS_MACHINE_WINDOW (self), NULL);
  return self->cost_chart;
}

LabJobSizeChart *
lab_machine_window_get_job_size_chart (LabMachineWindow *self)
{
  g_return_val_if_fail (LAB_IS_MACHINE_WINDOW (self), NULL);
  return self->job_size_chart;
}

guint
lab_machine_window_get_n_break_even_rows (LabMachineWindow *self)
{
  g_return_val_if_fail (LAB_IS_MACHINE_WINDOW (self), 0);
  return self->break_even_rows->len;
}
