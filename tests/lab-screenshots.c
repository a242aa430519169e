/* lab-screenshots.c — drives the real window through a start state, a
 * lesson going on and the finished lesson with its comparison, saving each
 * as a PNG (for the AppStream metadata; build-aux/screenshots runs it
 * under Xvfb).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <adwaita.h>

#include "lab-application.h"
#include "lab-experiment-panel.h"
#include "lab-window.h"

#define WIDTH  1280
#define HEIGHT 800

typedef struct {
  int         width;
  int         height;
  LabWindow  *window;
  const char *dir;
  guint       step;
  gint64      step_start;
} Driver;

static gboolean
save_png (GtkWidget  *widget,
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
  /* Mid-frame there may be nothing to draw yet: try on the next tick. */
  if (!(node = gtk_snapshot_free_to_node (snapshot)))
    return FALSE;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
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

/* The seed's "Ten Threads": a loop over ten waits of 1.5 s, then ten
 * threads, in one press of Run. */
static void
run_lesson (Driver     *d,
            const char *id)
{
  LabExperimentPanel *panel = lab_window_get_experiment_panel (d->window);

  lab_experiment_panel_apply_lesson (panel, id);
  gtk_widget_activate_action (GTK_WIDGET (d->window), "win.run", NULL);
}

static gboolean
elapsed_ms (Driver *d,
            guint   ms)
{
  return g_get_monotonic_time () - d->step_start >= ms * G_TIME_SPAN_MILLISECOND;
}

static guint
jobs_done (Driver *d)
{
  guint n = lab_window_get_n_runs (d->window);

  return n ? lab_run_get_n_done (lab_window_get_run (d->window, n - 1)) : 0;
}

/* One step per tick; a step returns once its condition holds. */
static gboolean
drive_cb (gpointer data)
{
  Driver *d = data;
  GtkWidget *w = GTK_WIDGET (d->window);
  gboolean idle = !lab_window_is_running (d->window);
  gboolean next = FALSE;

  switch (d->step)
    {
    case 0: next = elapsed_ms (d, 1500) && save_png (w, d->dir, "main-window.png"); break;
    case 1: run_lesson (d, "ten-threads"); next = TRUE; break;
    case 2: next = jobs_done (d) >= 4 && save_png (w, d->dir, "running.png"); break;
    /* Dismiss the last toast only once it has finished sliding in. */
    case 3: next = idle && elapsed_ms (d, 1500); break;
    case 4: lab_window_dismiss_toast (d->window); next = TRUE; break;
    case 5: next = elapsed_ms (d, 800) && save_png (w, d->dir, "comparison.png"); break;
    default:
      g_application_quit (g_application_get_default ());
      return G_SOURCE_REMOVE;
    }

  if (next)
    {
      d->step++;
      d->step_start = g_get_monotonic_time ();
    }
  return G_SOURCE_CONTINUE;
}

static void
activate_cb (GApplication *app,
             Driver       *d)
{
  d->window = LAB_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  gtk_window_set_default_size (GTK_WINDOW (d->window), d->width, d->height);
  d->step_start = g_get_monotonic_time ();
  g_timeout_add (50, drive_cb, d);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(LabApplication) app = NULL;
  Driver d = { .width = WIDTH, .height = HEIGHT };

  if (argc < 2 || argc > 3 ||
      (argc == 3 && sscanf (argv[2], "%dx%d", &d.width, &d.height) != 2))
    {
      g_printerr ("usage: lab-screenshots OUTPUT-FOLDER [WIDTHxHEIGHT]\n");
      return 2;
    }

  d.dir = argv[1];
  g_mkdir_with_parents (d.dir, 0755);
  app = lab_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (activate_cb), &d);

  return g_application_run (G_APPLICATION (app), 1, argv);
}
