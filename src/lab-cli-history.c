/* lab-cli-history.c — `concurrency-lab history` and `export`: the runs kept
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Listing and exporting open the history read-only: they work on a file or
 * a folder the user cannot write, and while another Concurrency Lab is
 * writing to it. Exit status: 0, 1 when the history cannot give what was
 * asked, 2 for bad usage; with 1 and 2, one line on stderr says why.
 */
#define G_LOG_DOMAIN "lab-cli"

#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "lab-cli.h"
#include "lab-error.h"
#include "lab-history.h"
#include "lab-report.h"
#include "lab-strategy.h"
#include "lab-task.h"

/* Says why on one line, and gives the exit status the error stands for. */
static int
fail (const char   *command,
      const GError *error)
{
  g_autofree char *message = g_strdelimit (g_strdup (error->message), "\r\n", ' ');

  g_printerr ("concurrency-lab %s: %s\n", command, message);
  if (error->domain == G_OPTION_ERROR || g_error_matches (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT))
    return LAB_EXIT_USAGE;
  return LAB_EXIT_FAILED;
}

static gboolean
check_no_arguments (int      argc,
                    char   **argv,
                    GError **error)
{
  if (argc <= 1)
    return TRUE;
  g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("Unexpected argument “%s”"), argv[1]);
  return FALSE;
}

/* The options of `history` and `export`, with their common exit statuses. */
static GOptionContext *
option_context_new (const char         *summary,
                    const GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (summary);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context, _("Exit status: 0 on success, 1 when the history cannot be read "
                                               "or has no such run, 2 for bad usage."));
  return context;
}

static gboolean
parse (GOptionContext  *context,
       int              argc,
       char           **argv,
       GError         **error)
{
  return g_option_context_parse (context, &argc, &argv, error) && check_no_arguments (argc, argv, error);
}

static char *
format_history (GPtrArray *entries)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%6s  %-16s  %-8s  %-12s  %7s  %6s  %10s  %10s\n",
           _("Run"), _("When"), _("Task"), _("Strategy"), _("Workers"), _("Failed"), _("Wall"), _("CPU"));
  for (guint i = 0; i < entries->len; i++)
    {
      LabHistoryEntry *e = g_ptr_array_index (entries, i);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (e->created);
      g_autofree char *stamp = when ? g_date_time_format (when, "%Y-%m-%d %H:%M") : g_strdup ("?");

      g_string_append_printf (out, "%6" G_GINT64_FORMAT "  %-16s  %-8s  %-12s  %7u  %6u  %8.3f s  %8.3f s%s%s\n",
               e->id, stamp, e->task, e->strategy, e->workers, e->failed, e->wall_s, e->cpu_s,
               e->cancelled ? _("  cancelled") : "", e->pinned ? _("  baseline") : "");
    }
  return g_string_free (out, FALSE);
}

/* The runs of a history as one {"runs": [...]} document, oldest first. A
 * run whose stored JSON cannot be read is listed from its columns: the
 * document stays whole, and stderr says which run it was. */
static char *
format_history_json (GPtrArray *entries)
{
  g_autoptr(JsonArray) runs = json_array_new ();
  g_autoptr(JsonObject) document = json_object_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  for (guint i = entries->len; i > 0; i--)
    {
      LabHistoryEntry *e = g_ptr_array_index (entries, i - 1);
      gboolean complete;

      JsonNode *run = lab_history_entry_to_json (e, &complete);
      JsonObject *object = json_node_get_object (run);
      g_autoptr(JsonNode) machine = NULL;

      /* What the history knows beside the run: its pin and its machine. */
      json_object_set_boolean_member (object, "pinned", e->pinned);
      if (e->machine && (machine = json_from_string (e->machine, NULL)) && JSON_NODE_HOLDS_OBJECT (machine))
        json_object_set_member (object, "machine", g_steal_pointer (&machine));
      else
        json_object_set_null_member (object, "machine");
      json_array_add_element (runs, run);
      if (!complete)
        g_printerr (_("concurrency-lab history: run %" PRId64 " is damaged; only its totals are listed\n"), e->id);
    }

  json_object_set_array_member (document, "runs", json_array_ref (runs));
  root = json_node_init_object (json_node_alloc (), document);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  return g_strconcat (text, "\n", NULL);
}

static int
list_runs (LabReportFormat        format,
           const LabHistoryQuery *query)
{
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!(history = lab_history_open_full (NULL, LAB_HISTORY_READ_ONLY, 0, &error)) ||
      !(entries = lab_history_query (history, query, &error)))
    return fail ("history", error);

  switch (format)
    {
    case LAB_REPORT_JSON:
      text = format_history_json (entries);
      break;
    case LAB_REPORT_CSV:
      text = lab_history_format_csv (entries);
      break;
    case LAB_REPORT_TABLE:
    default:
      text = format_history (entries);
      break;
    }
  if (!lab_cli_write_stdout (text, &error))
    return fail ("history", error);
  return LAB_EXIT_OK;
}

typedef enum {
  CHANGE_DELETE,
  CHANGE_PIN,
  CHANGE_UNPIN,
} Change;

static int
change_run (gint64 id,
            Change change)
{
  g_autofree char *path = lab_history_get_default_path ();
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(GError) error = NULL;

  /* There is nothing to change in no history, and none is created. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_set_error (&error, LAB_ERROR, LAB_ERROR_NOT_FOUND, _("No run %" PRId64 " in the history"), id);
  else if ((history = lab_history_open (path, &error)) != NULL)
    {
      if (lab_history_get_notice (history))
        g_printerr ("concurrency-lab: %s\n", lab_history_get_notice (history));
      if (change == CHANGE_DELETE)
        lab_history_delete (history, id, &error);
      else
        lab_history_set_pinned (history, id, change == CHANGE_PIN, &error);
    }

  return error ? fail ("history", error) : LAB_EXIT_OK;
}

/* At most one of --delete, --pin and --unpin, with a run's number. */
static gboolean
parse_change (const char * const  *texts,
              gint64              *id,
              Change              *change,
              gboolean            *any,
              GError             **error)
{
  static const char * const names[] = { "delete", "pin", "unpin" };

  *any = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (texts[i] == NULL)
        continue;
      if (*any)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("Only one of --delete, --pin and --unpin at a time"));
          return FALSE;
        }
      if (!lab_cli_parse_run_id (names[i], texts[i], id, error))
        return FALSE;
      *change = i;
      *any = TRUE;
    }
  return TRUE;
}

/**
 * lab_cli_history:
 *
 * `concurrency-lab history [--format=table|json|csv] [--task=T] [--strategy=S]
 * [--search=TEXT] [--delete=ID | --pin=ID | --unpin=ID]`
 */
int
lab_cli_history (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *delete_text = NULL, *pin_text = NULL, *unpin_text = NULL;
  g_autofree char *task = NULL, *strategy = NULL, *search = NULL;
  LabReportFormat format = LAB_REPORT_TABLE;
  gint64 id = 0;
  Change change = CHANGE_DELETE;
  gboolean changes;
  const GOptionEntry entries_def[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name, N_("Output: table (default), json or csv"), N_("FORMAT") },
    { "task", 't', 0, G_OPTION_ARG_STRING, &task, N_("List only the runs of this task"), N_("TASK") },
    { "strategy", 's', 0, G_OPTION_ARG_STRING, &strategy, N_("List only the runs of this strategy"), N_("NAME") },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search, N_("List only the runs whose task, strategy or machine contains this text"), N_("TEXT") },
    { "delete", 0, 0, G_OPTION_ARG_STRING, &delete_text, N_("Delete the run with this number"), "ID" },
    { "pin", 0, 0, G_OPTION_ARG_STRING, &pin_text, N_("Pin the run with this number as the baseline of its task"), "ID" },
    { "unpin", 0, 0, G_OPTION_ARG_STRING, &unpin_text, N_("Let the run with this number be a baseline no more"), "ID" },
    { NULL }
  };

  context = option_context_new (_("— list the runs kept in the history"), entries_def);
  if (!parse (context, argc, argv, &error))
    return fail ("history", error);
  if (format_name && !lab_report_format_from_string (format_name, &format))
    {
      g_set_error (&error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--format must be table, json or csv, not “%s”"), format_name);
      return fail ("history", error);
    }
  if (!parse_change ((const char * const[]) { delete_text, pin_text, unpin_text }, &id, &change, &changes, &error))
    return fail ("history", error);
  if (task && !lab_task_info_lookup (task))
    {
      g_set_error (&error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("Unknown task “%s” (see --help for the list)"), task);
      return fail ("history", error);
    }
  if (strategy && !lab_strategy_lookup (strategy))
    {
      g_set_error (&error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("Unknown strategy “%s” (see --help for the list)"), strategy);
      return fail ("history", error);
    }

  if (changes)
    return change_run (id, change);
  return list_runs (format, &(LabHistoryQuery) { .task = task, .strategy = strategy, .search = search });
}

static int
export_run (gint64          id,
            LabReportFormat format)
{
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(LabHistoryEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!(history = lab_history_open_full (NULL, LAB_HISTORY_READ_ONLY, 0, &error)) ||
      !(entry = lab_history_get_run (history, id, &error)) ||
      !(text = lab_history_entry_export (entry, format, &error)))
    return fail ("export", error);

  if (!lab_cli_write_stdout (text, &error))
    return fail ("export", error);
  return LAB_EXIT_OK;
}

/**
 * lab_cli_export:
 *
 * `concurrency-lab export --run=ID [--format=json|csv]`: one run of the
 * history, in JSON as `run --format=json` printed it, or its jobs in CSV.
 */
int
lab_cli_export (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *run_text = NULL;
  LabReportFormat format = LAB_REPORT_JSON;
  gint64 id = 0;
  const GOptionEntry entries_def[] = {
    { "run", 0, 0, G_OPTION_ARG_STRING, &run_text, N_("The number of the run, as “concurrency-lab history” lists it"), "ID" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name, N_("Output: json (default, the whole run) or csv (one line per job)"), N_("FORMAT") },
    { NULL }
  };

  context = option_context_new (_("— print one run kept in the history"), entries_def);
  if (!parse (context, argc, argv, &error))
    return fail ("export", error);
  if (run_text == NULL)
    {
      g_set_error (&error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--run is needed: the number of a run, as “concurrency-lab history” lists it"));
      return fail ("export", error);
    }
  if (!lab_cli_parse_run_id ("run", run_text, &id, &error))
    return fail ("export", error);
  if (format_name && (!lab_report_format_from_string (format_name, &format) || format == LAB_REPORT_TABLE))
    {
      g_set_error (&error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--format must be json or csv, not “%s”"), format_name);
      return fail ("export", error);
    }

  return export_run (id, format);
}

/**
 * lab_cli_save_run:
 * @history: (inout): the history, opened on first use
 *
 * `run --save`: each run is kept as soon as it ends, so an interrupted
 * command loses none of the runs that finished.
 */
gboolean
lab_cli_save_run (GObject  **history,
                  LabRun    *run,
                  GError   **error)
{
  if (*history == NULL)
    {
      LabHistory *opened = lab_history_open (NULL, error);

      if (opened == NULL)
        return FALSE;
      if (lab_history_get_notice (opened))
        g_printerr ("concurrency-lab: %s\n", lab_history_get_notice (opened));
      *history = G_OBJECT (opened);
    }
  return lab_history_add_run (LAB_HISTORY (*history), run, error) != 0;
}

/**
 * lab_cli_load_baseline:
 * @task: the experiment's task; @baseline's task is this string
 *
 * --baseline=ID: the run of the history each run is compared with. A run
 * that is not there, or of another task, is bad usage: nothing has run.
 */
gboolean
lab_cli_load_baseline (const char         *task,
                       gint64              id,
                       LabReportBaseline  *baseline,
                       GError            **error)
{
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(LabHistoryEntry) entry = NULL;
  g_autoptr(GError) local = NULL;

  if (!(history = lab_history_open_full (NULL, LAB_HISTORY_READ_ONLY, 0, error)))
    return FALSE;
  if (!(entry = lab_history_get_run (history, id, &local)))
    {
      if (!g_error_matches (local, LAB_ERROR, LAB_ERROR_NOT_FOUND))
        g_propagate_error (error, g_steal_pointer (&local));
      else
        g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                     _("--baseline: no run %" PRId64 " in the history (see “concurrency-lab history”)"), id);
      return FALSE;
    }
  if (g_strcmp0 (entry->task, task) != 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--baseline: run %" PRId64 " is a %s run; a baseline must be of the same task (%s)"),
                   id, entry->task, task);
      return FALSE;
    }

  *baseline = (LabReportBaseline) {
    .id = id, .task = task, .wall_s = entry->wall_s,
    .same_machine = lab_history_entry_ran_here (entry), .machine_unknown = entry->machine == NULL,
  };
  return TRUE;
}
