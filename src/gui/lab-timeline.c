/* lab-timeline.c — a Gantt chart of a run: one lane per worker, one bar per job
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-timeline"

#include "config.h"

#include <glib/gi18n.h>

#include "lab-timeline.h"

struct _LabTimeline
{
  GtkWidget  parent_instance;

  LabRun    *run;
};

enum {
  PROP_0,
  PROP_RUN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LabTimeline, lab_timeline, GTK_TYPE_WIDGET)

static void
lab_timeline_dispose (GObject *object)
{
  LabTimeline *self = (LabTimeline *) object;

  g_clear_object (&self->run);

  G_OBJECT_CLASS (lab_timeline_parent_class)->dispose (object);
}

static void
lab_timeline_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LabTimeline *self = LAB_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_RUN:
      g_value_set_object (value, self->run);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_timeline_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LabTimeline *self = LAB_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_RUN:
      lab_timeline_set_run (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_timeline_class_init (LabTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_timeline_dispose;
  object_class->get_property = lab_timeline_get_property;
  object_class->set_property = lab_timeline_set_property;

  properties[PROP_RUN] =
    g_param_spec_object ("run", NULL, NULL, LAB_TYPE_RUN,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "labtimeline");
}

static void
lab_timeline_init (LabTimeline *self)
{
}

GtkWidget *
lab_timeline_new (void)
{
  return g_object_new (LAB_TYPE_TIMELINE, NULL);
}

void
lab_timeline_set_run (LabTimeline *self,
                      LabRun      *run)
{
  g_return_if_fail (LAB_IS_TIMELINE (self));
  g_return_if_fail (run == NULL || LAB_IS_RUN (run));

  if (!g_set_object (&self->run, run))
    return;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN]);
}

LabRun *
lab_timeline_get_run (LabTimeline *self)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), NULL);
  return self->run;
}

guint
lab_timeline_get_n_lanes (LabTimeline *self)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), 0);
  return 0;
}

guint
lab_timeline_get_n_bars (LabTimeline *self)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), 0);
  return 0;
}

char *
lab_timeline_describe_job (LabTimeline *self,
                           guint        index)
{
  g_return_val_if_fail (LAB_IS_TIMELINE (self), NULL);
  return NULL;
}
