/* lab-test-png.c — a widget as drawn, saved as a PNG (screenshots, ui tests)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lab-test-png.h"

/**
 * lab_test_save_png:
 *
 * Renders @widget with its window's renderer into @dir/@name.
 *
 * Returns: %FALSE when there was nothing to draw yet (mid-frame: try on
 *   the next tick) or the file could not be written (said on stderr)
 */
gboolean
lab_test_save_png (GtkWidget  *widget,
                   const char *dir,
                   const char *name)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  if (!(node = gtk_snapshot_free_to_node (snapshot)))
    return FALSE;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (texture == NULL)
    return FALSE;
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_printerr ("Could not write %s\n", path);
      return FALSE;
    }
  g_print ("%s (%d×%d)\n", path, w, h);
  return TRUE;
}
