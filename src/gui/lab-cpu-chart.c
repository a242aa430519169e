/* lab-cpu-chart.c — per-core CPU lines and the app's share by worker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-cpu-chart"

#include "config.h"

#include <glib/gi18n.h>

#include "lab-cpu-chart.h"

struct _LabCpuChart
{
  GtkWidget      parent_instance;

  LabCpuSampler *sampler;
  LabCpuHistory *history;
};

enum {
  PROP_0,
  PROP_SAMPLER,
  PROP_HISTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LabCpuChart, lab_cpu_chart, GTK_TYPE_WIDGET)

static void
lab_cpu_chart_dispose (GObject *object)
{
  LabCpuChart *self = (LabCpuChart *) object;

  g_clear_object (&self->sampler);
  g_clear_pointer (&self->history, lab_cpu_history_unref);

  G_OBJECT_CLASS (lab_cpu_chart_parent_class)->dispose (object);
}

static void
lab_cpu_chart_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LabCpuChart *self = LAB_CPU_CHART (object);

  switch (prop_id)
    {
    case PROP_SAMPLER:
      g_value_set_object (value, self->sampler);
      break;
    case PROP_HISTORY:
      g_value_set_boxed (value, lab_cpu_chart_get_history (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_cpu_chart_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LabCpuChart *self = LAB_CPU_CHART (object);

  switch (prop_id)
    {
    case PROP_SAMPLER:
      lab_cpu_chart_set_sampler (self, g_value_get_object (value));
      break;
    case PROP_HISTORY:
      lab_cpu_chart_set_history (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_cpu_chart_class_init (LabCpuChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_cpu_chart_dispose;
  object_class->get_property = lab_cpu_chart_get_property;
  object_class->set_property = lab_cpu_chart_set_property;

  properties[PROP_SAMPLER] =
    g_param_spec_object ("sampler", NULL, NULL, LAB_TYPE_CPU_SAMPLER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_boxed ("history", NULL, NULL, LAB_TYPE_CPU_HISTORY,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "labcpuchart");
}

static void
lab_cpu_chart_init (LabCpuChart *self)
{
}

GtkWidget *
lab_cpu_chart_new (void)
{
  return g_object_new (LAB_TYPE_CPU_CHART, NULL);
}

void
lab_cpu_chart_set_sampler (LabCpuChart   *self,
                           LabCpuSampler *sampler)
{
  g_return_if_fail (LAB_IS_CPU_CHART (self));
  g_return_if_fail (sampler == NULL || LAB_IS_CPU_SAMPLER (sampler));

  if (!g_set_object (&self->sampler, sampler))
    return;
  g_clear_pointer (&self->history, lab_cpu_history_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

LabCpuSampler *
lab_cpu_chart_get_sampler (LabCpuChart *self)
{
  g_return_val_if_fail (LAB_IS_CPU_CHART (self), NULL);
  return self->sampler;
}

void
lab_cpu_chart_set_history (LabCpuChart   *self,
                           LabCpuHistory *history)
{
  g_return_if_fail (LAB_IS_CPU_CHART (self));

  if (history == self->history && self->sampler == NULL)
    return;
  g_clear_object (&self->sampler);
  g_clear_pointer (&self->history, lab_cpu_history_unref);
  self->history = history ? lab_cpu_history_ref (history) : NULL;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

/* Returns: (transfer none) (nullable): the history drawn */
LabCpuHistory *
lab_cpu_chart_get_history (LabCpuChart *self)
{
  g_return_val_if_fail (LAB_IS_CPU_CHART (self), NULL);

  if (self->sampler != NULL)
    return lab_cpu_sampler_get_history (self->sampler);
  return self->history;
}
