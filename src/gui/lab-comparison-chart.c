/* lab-comparison-chart.c — elapsed and CPU time of several runs side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-comparison-chart"

#include "config.h"

#include <glib/gi18n.h>

#include "lab-comparison-chart.h"
#include "lab-run.h"

struct _LabComparisonChart
{
  GtkWidget   parent_instance;

  GListModel *runs;
  guint       selected;
};

enum {
  PROP_0,
  PROP_RUNS,
  PROP_SELECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LabComparisonChart, lab_comparison_chart, GTK_TYPE_WIDGET)

static void
lab_comparison_chart_dispose (GObject *object)
{
  LabComparisonChart *self = (LabComparisonChart *) object;

  g_clear_object (&self->runs);

  G_OBJECT_CLASS (lab_comparison_chart_parent_class)->dispose (object);
}

static void
lab_comparison_chart_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LabComparisonChart *self = LAB_COMPARISON_CHART (object);

  switch (prop_id)
    {
    case PROP_RUNS:
      g_value_set_object (value, self->runs);
      break;
    case PROP_SELECTED:
      g_value_set_uint (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_comparison_chart_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  LabComparisonChart *self = LAB_COMPARISON_CHART (object);

  switch (prop_id)
    {
    case PROP_RUNS:
      lab_comparison_chart_set_runs (self, g_value_get_object (value));
      break;
    case PROP_SELECTED:
      lab_comparison_chart_set_selected (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_comparison_chart_class_init (LabComparisonChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_comparison_chart_dispose;
  object_class->get_property = lab_comparison_chart_get_property;
  object_class->set_property = lab_comparison_chart_set_property;

  properties[PROP_RUNS] =
    g_param_spec_object ("runs", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] =
    g_param_spec_uint ("selected", NULL, NULL, 0, G_MAXUINT, GTK_INVALID_LIST_POSITION,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "labcomparisonchart");
}

static void
lab_comparison_chart_init (LabComparisonChart *self)
{
  self->selected = GTK_INVALID_LIST_POSITION;
}

GtkWidget *
lab_comparison_chart_new (void)
{
  return g_object_new (LAB_TYPE_COMPARISON_CHART, NULL);
}

void
lab_comparison_chart_set_runs (LabComparisonChart *self,
                               GListModel         *runs)
{
  g_return_if_fail (LAB_IS_COMPARISON_CHART (self));
  g_return_if_fail (runs == NULL || G_IS_LIST_MODEL (runs));

  if (!g_set_object (&self->runs, runs))
    return;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNS]);
}

GListModel *
lab_comparison_chart_get_runs (LabComparisonChart *self)
{
  g_return_val_if_fail (LAB_IS_COMPARISON_CHART (self), NULL);
  return self->runs;
}

void
lab_comparison_chart_set_selected (LabComparisonChart *self,
                                   guint               position)
{
  g_return_if_fail (LAB_IS_COMPARISON_CHART (self));

  if (self->selected == position)
    return;
  self->selected = position;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

guint
lab_comparison_chart_get_selected (LabComparisonChart *self)
{
  g_return_val_if_fail (LAB_IS_COMPARISON_CHART (self), GTK_INVALID_LIST_POSITION);
  return self->selected;
}
