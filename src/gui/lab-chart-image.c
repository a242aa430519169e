/* lab-chart-image.c — a chart as a PNG or SVG file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window draws a chart card into a render node; this turns the node
 * into the bytes of an image file: PNG through the window's own renderer,
 * SVG through cairo.
 */
#define G_LOG_DOMAIN "lab-chart-image"

#include "config.h"

#include <cairo-svg.h>
#include <math.h>
#include <glib/gi18n.h>

#include "lab-chart-image.h"
#include "lab-error.h"

/* Where an SVG must carry a drawing as an image, its pixels per point. */
#define SVG_RASTER_SCALE 4

/**
 * lab_chart_image_png:
 * @bounds: the area of @node to draw, at (0, 0)
 * @scale: pixels per point: 2 for an image that stays crisp on HiDPI
 *
 * Returns: (transfer full): @node as a PNG file, drawn by @renderer
 */
GBytes *
lab_chart_image_png (GskRenderer           *renderer,
                     GskRenderNode         *node,
                     const graphene_rect_t *bounds,
                     double                 scale_factor)
{
  g_autoptr(GskTransform) scale = gsk_transform_scale (NULL, scale_factor, scale_factor);
  g_autoptr(GskRenderNode) scaled = gsk_transform_node_new (node, scale);
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t viewport;

  graphene_rect_scale (bounds, scale_factor, scale_factor, &viewport);
  texture = gsk_renderer_render_texture (renderer, scaled, &viewport);
  return gdk_texture_save_to_png_bytes (texture);
}

/* The drawing as an image at a few times its size. */
static GskRenderNode *
cairo_node_as_texture (GskRenderNode *node)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) pixels = NULL;
  graphene_rect_t bounds;
  cairo_surface_t *image;
  cairo_t *cr;
  int width, height;

  gsk_render_node_get_bounds (node, &bounds);
  width = ceil (bounds.size.width * SVG_RASTER_SCALE);
  height = ceil (bounds.size.height * SVG_RASTER_SCALE);
  image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (image);
  cairo_scale (cr, SVG_RASTER_SCALE, SVG_RASTER_SCALE);
  cairo_translate (cr, -bounds.origin.x, -bounds.origin.y);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (image);

  pixels = g_bytes_new (cairo_image_surface_get_data (image), (gsize) cairo_image_surface_get_stride (image) * height);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_DEFAULT, pixels, cairo_image_surface_get_stride (image));
  cairo_surface_destroy (image);
  return gsk_texture_node_new (texture, &bounds);
}

static GskRenderNode *svg_safe_container (GskRenderNode *node);

/* cairo 1.16's SVG surface shifts the clip of a drawing recorded away from
 * the origin twice, cutting the charts' lines and areas off (fixed in
 * 1.17.2): there such drawings go in as images. The rest stays vector. */
static GskRenderNode *
svg_safe_node (GskRenderNode *node)
{
  g_autoptr(GskRenderNode) child = NULL;

  switch ((int) gsk_render_node_get_node_type (node))
    {
    case GSK_CAIRO_NODE:
      return cairo_node_as_texture (node);
    case GSK_CONTAINER_NODE:
      return svg_safe_container (node);
    case GSK_TRANSFORM_NODE:
      child = svg_safe_node (gsk_transform_node_get_child (node));
      return gsk_transform_node_new (child, gsk_transform_node_get_transform (node));
    case GSK_CLIP_NODE:
      child = svg_safe_node (gsk_clip_node_get_child (node));
      return gsk_clip_node_new (child, gsk_clip_node_get_clip (node));
    case GSK_ROUNDED_CLIP_NODE:
      child = svg_safe_node (gsk_rounded_clip_node_get_child (node));
      return gsk_rounded_clip_node_new (child, gsk_rounded_clip_node_get_clip (node));
    case GSK_OPACITY_NODE:
      child = svg_safe_node (gsk_opacity_node_get_child (node));
      return gsk_opacity_node_new (child, gsk_opacity_node_get_opacity (node));
    case GSK_DEBUG_NODE:
      return svg_safe_node (gsk_debug_node_get_child (node));
    default:
      return gsk_render_node_ref (node);
    }
}

static GskRenderNode *
svg_safe_container (GskRenderNode *node)
{
  guint n = gsk_container_node_get_n_children (node);
  g_autoptr(GPtrArray) children = g_ptr_array_new_full (n, (GDestroyNotify) gsk_render_node_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (children, svg_safe_node (gsk_container_node_get_child (node, i)));
  return gsk_container_node_new ((GskRenderNode **) children->pdata, n);
}

static cairo_status_t
append_bytes_cb (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/**
 * lab_chart_image_svg:
 * @bounds: the area of @node to draw, at (0, 0)
 *
 * Returns: (transfer full): @node as an SVG file, or %NULL with @error set
 */
GBytes *
lab_chart_image_svg (GskRenderNode          *node,
                     const graphene_rect_t  *bounds,
                     GError                **error)
{
  g_autoptr(GByteArray) svg = g_byte_array_new ();
  g_autoptr(GskRenderNode) safe = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  surface = cairo_svg_surface_create_for_stream (append_bytes_cb, svg, bounds->size.width, bounds->size.height);
  cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PX);
  cr = cairo_create (surface);
  safe = cairo_version () < CAIRO_VERSION_ENCODE (1, 17, 2) ? svg_safe_node (node) : gsk_render_node_ref (node);
  gsk_render_node_draw (safe, cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("Could not draw the chart as SVG: %s"),
                   cairo_status_to_string (status));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&svg));
}
