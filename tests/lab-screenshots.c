/* lab-screenshots.c — drives the real window through a start state, a
 * lesson going on and the finished lesson with its comparison, saving each
 * as a PNG (for the AppStream metadata; build-aux/screenshots runs it
 * under Xvfb). With the scenario "startup" it shows instead what starting
 * processes costs: 300 waits of 0.3 s on a pool of 256 processes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <adwaita.h>

#include "lab-application.h"
#include "lab-experiment-panel.h"
#include "lab-test-png.h"
#include "lab-window.h"

#define WIDTH  1280
#define HEIGHT 800

typedef struct {
  int         width;
  int         height;
  LabWindow  *window;
  const char *dir;
  const char *scenario;
  guint       step;
  gint64      step_start;
} Driver;

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

/* Scrolls the results so that @card ends at the bottom of the view. */
static void
scroll_to_bottom_of (GtkWidget *card)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (card, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  GtkWidget *content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller));
  graphene_point_t bottom;

  if (!gtk_widget_compute_point (card, content, &GRAPHENE_POINT_INIT (0, gtk_widget_get_height (card)), &bottom))
    return;
  gtk_adjustment_set_value (adjustment, bottom.y + 12 - gtk_adjustment_get_page_size (adjustment));
}

/* 300 waits of 0.3 s on 256 processes: most of the run is starting them. */
static void
run_startup (Driver *d)
{
  LabExperimentPanel *panel = lab_window_get_experiment_panel (d->window);

  lab_experiment_panel_set_task (panel, "sleep");
  lab_experiment_panel_set_seconds (panel, "0.3");
  lab_experiment_panel_set_jobs (panel, 300);
  lab_experiment_panel_set_strategy (panel, "process-pool");
  lab_experiment_panel_set_workers (panel, 256);
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

  if (g_strcmp0 (d->scenario, "startup") == 0)
    switch (d->step)
      {
      case 0: run_startup (d); next = TRUE; break;
      case 1: next = idle && elapsed_ms (d, 1500); break;
      case 2: lab_window_dismiss_toast (d->window); next = TRUE; break;
      case 3: next = elapsed_ms (d, 800) && lab_test_save_png (w, d->dir, "startup.png"); break;
      default:
        g_application_quit (g_application_get_default ());
        return G_SOURCE_REMOVE;
      }
  else switch (d->step)
    {
    case 0: next = elapsed_ms (d, 1500) && lab_test_save_png (w, d->dir, "main-window.png"); break;
    case 1: run_lesson (d, "ten-threads"); next = TRUE; break;
    case 2: next = jobs_done (d) >= 4 && lab_test_save_png (w, d->dir, "running.png"); break;
    /* Dismiss the last toast only once it has finished sliding in. */
    case 3: next = idle && elapsed_ms (d, 1500); break;
    case 4: lab_window_dismiss_toast (d->window); next = TRUE; break;
    /* The comparison at the bottom of the view, the timeline above it. */
    case 5: scroll_to_bottom_of (lab_window_get_chart_card (d->window, LAB_CHART_COMPARISON)); next = TRUE; break;
    case 6: next = elapsed_ms (d, 800) && lab_test_save_png (w, d->dir, "comparison.png"); break;
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

  if (argc < 2 || argc > 4 ||
      (argc >= 3 && sscanf (argv[2], "%dx%d", &d.width, &d.height) != 2) ||
      (argc == 4 && !g_str_equal (argv[3], "startup")))
    {
      g_printerr ("usage: lab-screenshots OUTPUT-FOLDER [WIDTHxHEIGHT [startup]]\n");
      return 2;
    }
  d.scenario = argc == 4 ? argv[3] : NULL;

  d.dir = argv[1];
  g_mkdir_with_parents (d.dir, 0755);
  app = lab_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (activate_cb), &d);

  return g_application_run (G_APPLICATION (app), 1, argv);
}
