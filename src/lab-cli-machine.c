/* lab-cli-machine.c — `concurrency-lab machine`: what things cost on this computer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints the hardware and its limits, what a thread, a process and an
 * empty job cost here (measured now, in about two seconds) beside the
 * reference figures, and the job size from which each strategy beats a
 * plain loop. Exit status: 0, 1 when the measurement failed or was
 * interrupted, 2 for bad usage.
 */
#define G_LOG_DOMAIN "lab-cli"

#include "config.h"

#include <math.h>
#include <signal.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "lab-cli.h"
#include "lab-error.h"
#include "lab-format.h"
#include "lab-granularity.h"
#include "lab-machine-costs.h"

typedef struct {
  GMainLoop       *loop;
  GCancellable    *cancellable;
  LabMachineCosts *costs;
  GError          *error;
} Measure;

static gboolean
interrupt_cb (gpointer data)
{
  g_cancellable_cancel (((Measure *) data)->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
measured_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Measure *m = data;

  m->costs = lab_machine_costs_measure_finish (result, &m->error);
  g_main_loop_quit (m->loop);
}

/**
 * lab_cli_measure_costs:
 *
 * The costs of this computer, measured off the main thread while Ctrl+C
 * can still stop it.
 *
 * Returns: (transfer full): the costs, or %NULL with @error
 */
LabMachineCosts *
lab_cli_measure_costs (GError **error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Measure m = { loop, cancellable, NULL, NULL };
  guint sigint = g_unix_signal_add (SIGINT, interrupt_cb, &m);
  guint sigterm = g_unix_signal_add (SIGTERM, interrupt_cb, &m);

  lab_machine_costs_measure_async (NULL, NULL, NULL, cancellable, measured_cb, &m);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  /* The command line's callers need not know GIO's errors. */
  if (g_error_matches (m.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&m.error);
      g_set_error_literal (&m.error, LAB_ERROR, LAB_ERROR_CANCELLED, _("Cancelled"));
    }
  if (m.error != NULL)
    g_propagate_error (error, m.error);
  return m.costs;
}

static char *
format_job (double s)
{
  if (isinf (s))
    return g_strdup (_("never"));
  return lab_machine_costs_format_seconds (s);
}

static void
add_break_even_json (JsonBuilder           *b,
                     const LabMachineCosts *costs)
{
  const LabStrategy * const *strategies = lab_strategy_list (NULL);

  json_builder_set_member_name (b, "break_even");
  json_builder_begin_array (b);
  for (guint i = 0; strategies[i] != NULL; i++)
    {
      LabStrategyCost cost;
      LabBreakEven be;

      if (!lab_machine_costs_break_even (costs, strategies[i], 0, &be) ||
          !lab_machine_costs_get_strategy_cost (costs, strategies[i], &cost))
        continue;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "strategy");
      json_builder_add_string_value (b, strategies[i]->name);
      json_builder_set_member_name (b, "per_job_s");
      json_builder_add_double_value (b, cost.per_job_s);
      json_builder_set_member_name (b, "fixed_s");
      json_builder_add_double_value (b, cost.fixed_s);
      json_builder_set_member_name (b, "break_even_job_s");
      if (isfinite (be.break_even_s))
        json_builder_add_double_value (b, be.break_even_s);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "ninety_percent_job_s");
      json_builder_add_double_value (b, be.ninety_s);
      json_builder_set_member_name (b, "best_speedup");
      json_builder_add_double_value (b, be.best_speedup);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static char *
format_json (const LabMachineCosts *costs)
{
  g_autoptr(JsonNode) root = lab_machine_costs_to_json (costs);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) extra = NULL;
  JsonObject *object = json_node_get_object (root);
  g_autofree char *data = NULL;

  json_builder_begin_object (b);
  add_break_even_json (b, costs);
  json_builder_end_object (b);
  extra = json_builder_get_root (b);
  json_object_set_member (object, "break_even",
                          json_node_copy (json_object_get_member (json_node_get_object (extra), "break_even")));

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  data = json_generator_to_data (gen, NULL);
  return g_strconcat (data, "\n", NULL);
}

static char *
format_table (const LabMachineCosts *costs)
{
  const LabStrategy * const *strategies = lab_strategy_list (NULL);
  g_autofree char *summary = lab_machine_info_dup_summary (costs->machine);
  g_autofree char *table = lab_machine_costs_format_table (costs);
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, _("This computer: %s\n"), summary);
  g_string_append_printf (out, _("Cores online: %u; usable by this process (affinity, CPU quota): %u — "
                                 "the default worker count of the pools\n"),
                          costs->machine->cores_online, costs->usable_cores);
  g_string_append_printf (out, _("Measured in %.2f s.\n\n"), costs->elapsed_s);
  g_string_append (out, table);

  g_string_append_printf (out, _("\nBreak-even against a plain loop, on %u usable cores and many jobs:\n"),
                          costs->usable_cores);
  g_string_append_printf (out, "%-14s %14s %20s %8s\n", _("strategy"), _("beats the loop"),
                          _("90 percent of best"), _("best"));
  for (guint i = 0; strategies[i] != NULL; i++)
    {
      LabBreakEven be;
      g_autofree char *from = NULL, *ninety = NULL;

      if (!lab_machine_costs_break_even (costs, strategies[i], 0, &be))
        continue;
      from = format_job (be.break_even_s);
      ninety = format_job (be.ninety_s);
      g_string_append_printf (out, "%-14s %14s %20s %7.1f×\n", strategies[i]->name, from, ninety,
                              be.best_speedup);
    }
  g_string_append (out, _("Sizes are seconds of CPU work per job. Check them with "
                          "“concurrency-lab run --task=primes --size=sweep --strategy=thread-pool,process-pool,processes”.\n"));
  return g_string_free (out, FALSE);
}

int
lab_cli_machine (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("— what threads and processes cost on this computer"));
  g_autoptr(LabMachineCosts) costs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;
  g_autofree char *text = NULL;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("Output: table (default) or json"), N_("FORMAT") },
    { NULL }
  };

  signal (SIGPIPE, SIG_IGN);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context, _("Measures, in about two seconds, what a thread, a process and an "
                                                "empty job cost here, next to reference figures, and the job size "
                                                "from which each strategy pays off.\n\n"
                                                "Exit status: 0 on success, 1 when the measurement failed or was "
                                                "interrupted, 2 for bad usage."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("concurrency-lab machine: %s\n", error->message);
      return LAB_EXIT_USAGE;
    }
  if (argc > 1 || (format != NULL && !g_str_equal (format, "table") && !g_str_equal (format, "json")))
    {
      g_autofree char *what = g_utf8_make_valid (argc > 1 ? argv[1] : format, -1);

      g_printerr (argc > 1 ? _("concurrency-lab machine: unexpected argument “%s”\n")
                           : _("concurrency-lab machine: --format must be table or json, not “%s”\n"), what);
      return LAB_EXIT_USAGE;
    }

  if (!(costs = lab_cli_measure_costs (&error)))
    {
      g_printerr ("concurrency-lab machine: %s\n", error->message);
      return LAB_EXIT_FAILED;
    }
  text = format != NULL && g_str_equal (format, "json") ? format_json (costs) : format_table (costs);
  if (!lab_cli_write_stdout (text, &error))
    {
      g_printerr ("concurrency-lab: %s\n", error->message);
      return LAB_EXIT_FAILED;
    }
  return LAB_EXIT_OK;
}
