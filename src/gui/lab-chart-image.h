/* lab-chart-image.h — a chart as a PNG or SVG file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GBytes *lab_chart_image_png (GskRenderer            *renderer,
                             GskRenderNode          *node,
                             const graphene_rect_t  *bounds,
                             double                  scale_factor);
GBytes *lab_chart_image_svg (GskRenderNode          *node,
                             const graphene_rect_t  *bounds,
                             GError                **error);

G_END_DECLS
