/* lab-run-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-run-row"

#include "config.h"

#include <glib/gi18n.h>

#include "lab-format.h"
#include "lab-run-row.h"

struct _LabRunRow
{
  AdwActionRow  parent_instance;

  GtkStack     *state_stack;
  GtkLabel     *wall_label;
  GtkLabel     *speedup_label;

  LabRun       *run;
  guint         number;
  double        speedup;
  char         *baseline;    /* the change against its task's baseline, or NULL */
};

G_DEFINE_FINAL_TYPE (LabRunRow, lab_run_row, ADW_TYPE_ACTION_ROW)

static const char *
state_page (LabRun *run)
{
  switch (lab_run_get_state (run))
    {
    case LAB_RUN_READY:
    case LAB_RUN_PREPARING:
    case LAB_RUN_RUNNING:   return "running";
    case LAB_RUN_FAILED:    return "error";
    case LAB_RUN_CANCELLED: return "warning";
    case LAB_RUN_FINISHED:
    default:                return lab_run_get_n_failed (run) > 0 ? "warning" : "ok";
    }
}

static char *
describe (LabRunRow *self)
{
  LabRunSummary s;
  g_autofree char *cpu = NULL;
  g_autofree char *workers = NULL;
  g_autofree char *failed = NULL;

  lab_run_get_summary (self->run, &s);
  cpu = lab_format_seconds (s.user_ns + s.sys_ns);
  workers = g_strdup_printf (ngettext ("%u worker", "%u workers", s.workers), s.workers);
  failed = g_strdup_printf (ngettext ("%u failed", "%u failed", s.n_failed), s.n_failed);

  if (lab_run_get_state (self->run) == LAB_RUN_PREPARING)
    return g_strdup (_("Setting the task up…"));
  if (lab_run_get_state (self->run) <= LAB_RUN_RUNNING)
    return g_strdup_printf (_("%s · %u of %u jobs"), workers, s.n_done, s.n_jobs);
  if (lab_run_get_state (self->run) == LAB_RUN_FAILED)
    return g_strdup (lab_run_get_error (self->run));
  /* Finished jobs, as the verdict counts them: failed ones are not. */
  if (lab_run_get_state (self->run) == LAB_RUN_CANCELLED)
    return g_strdup_printf (_("%s · cancelled: %u of %u jobs finished"), workers,
                            s.n_done - s.n_failed, s.n_jobs);
  /* Translators: workers · jobs · CPU time of the run · failed jobs */
  return g_strdup_printf (_("%s · %u jobs · %s CPU · %s"), workers, s.n_jobs, cpu, failed);
}

static void
lab_run_row_dispose (GObject *object)
{
  LabRunRow *self = (LabRunRow *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), LAB_TYPE_RUN_ROW);
  g_clear_object (&self->run);
  g_clear_pointer (&self->baseline, g_free);

  G_OBJECT_CLASS (lab_run_row_parent_class)->dispose (object);
}

static void
lab_run_row_class_init (LabRunRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_run_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/lab-run-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LabRunRow, state_stack);
  gtk_widget_class_bind_template_child (widget_class, LabRunRow, wall_label);
  gtk_widget_class_bind_template_child (widget_class, LabRunRow, speedup_label);
}

static void
lab_run_row_init (LabRunRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
lab_run_row_new (LabRun *run,
                 guint   number)
{
  LabRunRow *self;

  g_return_val_if_fail (LAB_IS_RUN (run), NULL);

  self = g_object_new (LAB_TYPE_RUN_ROW, NULL);
  self->run = g_object_ref (run);
  self->number = number;
  g_signal_connect_object (run, "progress", G_CALLBACK (lab_run_row_update), self, G_CONNECT_SWAPPED);
  lab_run_row_update (self);

  return GTK_WIDGET (self);
}

LabRun *
lab_run_row_get_run (LabRunRow *self)
{
  g_return_val_if_fail (LAB_IS_RUN_ROW (self), NULL);
  return self->run;
}

/**
 * lab_run_row_set_baseline:
 * @text: (nullable): the run's change against its task's pinned baseline,
 *   e.g. "1.87× faster than the baseline (−46 %)"
 */
void
lab_run_row_set_baseline (LabRunRow  *self,
                          const char *text)
{
  g_return_if_fail (LAB_IS_RUN_ROW (self));

  if (g_strcmp0 (self->baseline, text) == 0)
    return;
  g_free (self->baseline);
  self->baseline = g_strdup (text);
  lab_run_row_update (self);
}

const char *
lab_run_row_get_baseline (LabRunRow *self)
{
  g_return_val_if_fail (LAB_IS_RUN_ROW (self), NULL);
  return self->baseline;
}

/* @speedup: against the last sequential run of the same task and
 * parameters; 0 for none */
void
lab_run_row_set_speedup (LabRunRow *self,
                         double     speedup)
{
  g_autofree char *text = NULL;

  g_return_if_fail (LAB_IS_RUN_ROW (self));

  self->speedup = speedup;
  if (speedup > 0 && !lab_strategy_is_loop (lab_run_get_config (self->run)->strategy))
    text = g_strdup_printf (_("%.1f×"), speedup);
  gtk_label_set_text (self->speedup_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->speedup_label), text != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->speedup_label),
                               text ? _("Speed-up against the plain loop over the same jobs") : NULL);
  if (speedup >= 1.2)
    gtk_widget_add_css_class (GTK_WIDGET (self->speedup_label), "faster");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->speedup_label), "faster");
}

void
lab_run_row_update (LabRunRow *self)
{
  g_autofree char *run_title = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *wall = NULL;
  const char *page;

  g_return_if_fail (LAB_IS_RUN_ROW (self));

  run_title = lab_run_dup_title (self->run);
  title = g_strdup_printf ("%u. %s", self->number, run_title);
  subtitle = describe (self);
  if (self->baseline != NULL && lab_run_get_state (self->run) >= LAB_RUN_FINISHED)
    {
      char *with_baseline = g_strdup_printf ("%s · %s", subtitle, self->baseline);

      g_free (subtitle);
      subtitle = with_baseline;
    }
  wall = lab_format_seconds (lab_run_get_elapsed_ns (self->run));
  page = state_page (self->run);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
  gtk_label_set_text (self->wall_label, wall);
  gtk_stack_set_visible_child_name (self->state_stack, page);
}
