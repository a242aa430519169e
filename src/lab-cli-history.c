/* lab-cli-history.c — `concurrency-lab history`: the runs kept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "lab-cli.h"
#include "lab-error.h"
#include "lab-history.h"

static void
print_history (GPtrArray *entries)
{
  g_print ("%6s  %-16s  %-8s  %-12s  %7s  %6s  %10s  %10s\n",
           _("Run"), _("When"), _("Task"), _("Strategy"), _("Workers"), _("Failed"), _("Wall"), _("CPU"));
  for (guint i = 0; i < entries->len; i++)
    {
      LabHistoryEntry *e = g_ptr_array_index (entries, i);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (e->created);
      g_autofree char *stamp = g_date_time_format (when, "%Y-%m-%d %H:%M");

      g_print ("%6" G_GINT64_FORMAT "  %-16s  %-8s  %-12s  %7u  %6u  %8.3f s  %8.3f s%s\n",
               e->id, stamp, e->task, e->strategy, e->workers, e->failed, e->wall_s, e->cpu_s,
               e->cancelled ? _("  cancelled") : "");
    }
}

/* The runs of a history as one {"runs": [...]} document. */
static void
print_history_json (GPtrArray *entries)
{
  g_print ("{\n  \"runs\" : [\n");
  for (guint i = entries->len; i > 0; i--)
    {
      LabHistoryEntry *e = g_ptr_array_index (entries, i - 1);
      g_autoptr(JsonNode) node = json_from_string (e->json, NULL);
      JsonArray *runs = node ? json_object_get_array_member (json_node_get_object (node), "runs") : NULL;
      g_autofree char *text = NULL;

      if (runs == NULL || json_array_get_length (runs) == 0)
        continue;
      json_object_set_int_member (json_array_get_object_element (runs, 0), "history_id", e->id);
      text = json_to_string (json_array_get_element (runs, 0), TRUE);
      g_print ("%s%s\n", text, i > 1 ? "," : "");
    }
  g_print ("  ]\n}\n");
}

/**
 * lab_cli_history:
 *
 * `concurrency-lab history [--format=table|json] [--delete=ID]`
 */
int
lab_cli_history (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;
  gint64 delete_id = 0;
  const GOptionEntry entries_def[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("Output: table (default) or json"), N_("FORMAT") },
    { "delete", 0, 0, G_OPTION_ARG_INT64, &delete_id, N_("Delete the run with this number"), "ID" },
    { NULL }
  };

  context = g_option_context_new (_("— list the runs kept in the history"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries_def, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto usage;
  if (argc > 1 || (format && !g_str_equal (format, "table") && !g_str_equal (format, "json")))
    {
      g_set_error (&error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("Usage: concurrency-lab history [--format=table|json] [--delete=ID]"));
      goto usage;
    }

  if (!(history = lab_history_open (NULL, &error)))
    goto failed;
  if (lab_history_get_notice (history))
    g_printerr ("concurrency-lab: %s\n", lab_history_get_notice (history));

  if (delete_id != 0)
    return lab_history_delete (history, delete_id, &error) ? LAB_EXIT_OK :
           (g_printerr ("concurrency-lab history: %s\n", error->message), LAB_EXIT_USAGE);

  if (!(entries = lab_history_list (history, 0, &error)))
    goto failed;
  if (format && g_str_equal (format, "json"))
    print_history_json (entries);
  else
    print_history (entries);
  return LAB_EXIT_OK;

usage:
  g_printerr ("concurrency-lab history: %s\n", error->message);
  return LAB_EXIT_USAGE;

failed:
  g_printerr ("concurrency-lab history: %s\n", error->message);
  return LAB_EXIT_FAILED;
}
