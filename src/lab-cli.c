/* lab-cli.c — `concurrency-lab run`: no display, no GTK
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-cli"

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "lab-cli.h"
#include "lab-error.h"
#include "lab-history.h"
#include "lab-report.h"
#include "lab-run.h"

typedef struct {
  char   *task;
  char   *strategy;
  char   *workers;
  char   *jobs;
  char   *seconds;
  char   *size;
  char   *format;
  char   *urls_file;
  char   *output;
  char   *timeout;
  char   *max_bytes;
  char   *images;
  char   *repeat;
  char   *warmup;
  gboolean save;
  gboolean gil;
} Options;

static void
options_clear (Options *o)
{
  g_free (o->task);
  g_free (o->strategy);
  g_free (o->workers);
  g_free (o->jobs);
  g_free (o->seconds);
  g_free (o->size);
  g_free (o->format);
  g_free (o->urls_file);
  g_free (o->output);
  g_free (o->timeout);
  g_free (o->max_bytes);
  g_free (o->images);
  g_free (o->repeat);
  g_free (o->warmup);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

char *
lab_cli_list_tasks_and_strategies (void)
{
  g_autofree const LabTaskClass **tasks = NULL;
  GString *out = g_string_new (_("Tasks:\n"));
  guint n_tasks;

  tasks = lab_task_list (&n_tasks);
  for (guint i = 0; i < n_tasks; i++)
    g_string_append_printf (out, "  %-13s %s (%s)\n", tasks[i]->name,
                            _(tasks[i]->summary), lab_task_kind_to_string (tasks[i]->kind));

  g_string_append (out, _("\nStrategies:\n"));
  for (guint i = 0; i < LAB_N_STRATEGIES; i++)
    g_string_append_printf (out, "  %-13s %s\n", lab_strategy_to_string (i),
                            lab_strategy_get_summary (i));

  return g_string_free (out, FALSE);
}

void
lab_cli_print_help (void)
{
  g_autofree char *list = lab_cli_list_tasks_and_strategies ();

  g_print (_("Usage:\n"
             "  concurrency-lab                 Open the Concurrency Lab window\n"
             "  concurrency-lab run [OPTION…]   Run an experiment headless and print the figures\n"
             "\n"
             "Threads win on I/O-bound work, processes on CPU-bound work: run a task\n"
             "with several strategies and compare elapsed time and CPU time.\n"
             "\n"));
  g_print ("%s\n", list);
  g_print (_("See “concurrency-lab run --help” for the options of a run.\n"));
  g_print (_("“concurrency-lab history” lists the runs kept in the history.\n"));
}

static gboolean
usage_error (GError     **error,
             const char  *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage_error (GError     **error,
             const char  *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, format, args));
  va_end (args);
  return FALSE;
}

static gboolean
parse_uint64 (const char  *option,
              const char  *text,
              guint64      max,
              guint64     *out,
              GError     **error)
{
  if (!g_ascii_string_to_unsigned (text, 10, 0, max, out, NULL))
    return usage_error (error, _("--%s must be a whole number between 0 and %" PRIu64 ", not “%s”"),
                        option, max, text);
  return TRUE;
}

static gboolean
parse_double (const char  *option,
              const char  *text,
              double      *out,
              GError     **error)
{
  char *end = NULL;

  errno = 0;
  *out = g_ascii_strtod (text, &end);
  if (text[0] == '\0' || end == NULL || *end != '\0' || errno != 0 || !isfinite (*out) || *out < 0)
    return usage_error (error, _("--%s must be a number of seconds, 0 or more, not “%s”"), option, text);
  return TRUE;
}

static gboolean
add_seconds (GVariantDict  *dict,
             const char    *text,
             GError       **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      double v;
      if (!parse_double ("seconds", g_strstrip (parts[i]), &v, error))
        return FALSE;
      g_array_append_val (values, v);
    }

  g_variant_dict_insert_value (dict, LAB_PARAM_SECONDS,
                               g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, values->data,
                                                          values->len, sizeof (double)));
  return TRUE;
}

static GVariant *
build_params (const Options  *o,
              GError        **error)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  guint64 n;
  double d;

  if (o->jobs)
    {
      if (!parse_uint64 ("jobs", o->jobs, LAB_MAX_JOBS, &n, error))
        return NULL;
      if (n == 0)
        return usage_error (error, _("--jobs must be at least 1")), NULL;
      g_variant_dict_insert (&dict, LAB_PARAM_JOBS, "u", (guint32) n);
    }
  if (o->seconds && !add_seconds (&dict, o->seconds, error))
    return NULL;
  if (o->size)
    {
      if (!parse_uint64 ("size", o->size, G_MAXUINT64, &n, error))
        return NULL;
      g_variant_dict_insert (&dict, LAB_PARAM_SIZE, "t", n);
    }
  if (o->max_bytes)
    {
      if (!parse_uint64 ("max-bytes", o->max_bytes, G_MAXUINT64, &n, error))
        return NULL;
      g_variant_dict_insert (&dict, LAB_PARAM_MAX_BYTES, "t", n);
    }
  if (o->timeout)
    {
      if (!parse_double ("timeout", o->timeout, &d, error))
        return NULL;
      g_variant_dict_insert (&dict, LAB_PARAM_TIMEOUT, "d", d);
    }
  if (o->urls_file)
    g_variant_dict_insert (&dict, LAB_PARAM_URLS_FILE, "s", o->urls_file);
  if (o->output)
    g_variant_dict_insert (&dict, LAB_PARAM_OUTPUT, "s", o->output);
  if (o->images)
    g_variant_dict_insert (&dict, LAB_PARAM_IMAGES, "s", o->images);

  return g_variant_dict_end (&dict);
}

/* A task that picked its own output folder (download without --output)
 * says where the files go. */
static void
print_output_folder (const Options *o,
                     LabRun        *run)
{
  const char *output;

  if (o->output == NULL &&
      g_variant_lookup (lab_run_get_resolved_params (run), LAB_PARAM_OUTPUT, "&s", &output))
    g_printerr (_("concurrency-lab: saving the files in %s\n"), output);
}

/* How many times each strategy runs: warm-up runs first (not reported),
 * then the measured repeats. */
static gboolean
parse_passes (const Options  *o,
              guint          *warmup,
              guint          *repeat,
              GError        **error)
{
  guint64 n;

  *warmup = 0;
  *repeat = 1;
  if (o->repeat)
    {
      if (!parse_uint64 ("repeat", o->repeat, G_MAXUINT32, &n, error))
        return FALSE;
      if (n < 1 || n > LAB_MAX_REPEATS)
        return usage_error (error, _("--repeat must be between 1 and %u"), LAB_MAX_REPEATS);
      *repeat = n;
    }
  if (o->warmup)
    {
      if (!parse_uint64 ("warmup", o->warmup, LAB_MAX_REPEATS, &n, error))
        return FALSE;
      *warmup = n;
    }
  return TRUE;
}

static void
add_workers (GArray *list,
             guint   workers)
{
  for (guint i = 0; i < list->len; i++)
    if (g_array_index (list, guint, i) == workers)
      return;
  g_array_append_val (list, workers);
}

/* --workers: one count, a comma list, or "sweep" (1, 2, 4… up to twice
 * the cores). Without it, one entry of 0: each strategy's default. */
static GArray *
parse_workers (const Options  *o,
               GError        **error)
{
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (guint));
  g_auto(GStrv) parts = NULL;

  if (o->workers == NULL)
    {
      add_workers (list, 0);
      return g_steal_pointer (&list);
    }
  if (g_str_equal (o->workers, "sweep"))
    return lab_run_config_sweep_workers ();

  parts = g_strsplit (o->workers, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 workers;

      if (!parse_uint64 ("workers", g_strstrip (parts[i]), G_MAXUINT32, &workers, error))
        return NULL;
      if (workers < 1 || workers > LAB_MAX_WORKERS)
        return usage_error (error, _("--workers must be between 1 and %u"), LAB_MAX_WORKERS), NULL;
      add_workers (list, workers);
    }
  return g_steal_pointer (&list);
}

/* Builds one run per strategy named (a comma list compares them) and per
 * worker count, for each pass. They take turns, so that a machine growing
 * busier or quieter during the experiment weighs on all of them alike.
 * The sequential strategy has one worker whatever --workers says: it runs
 * once a pass. */
static GPtrArray *
build_runs (const Options  *o,
            guint           n_passes,
            GError        **error)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GVariant) params = NULL;
  g_autoptr(GArray) workers = NULL;
  g_auto(GStrv) strategies = NULL;

  if (o->task == NULL)
    return usage_error (error, _("Missing --task (see --help for the list)")), NULL;
  if (o->strategy == NULL)
    return usage_error (error, _("Missing --strategy (see --help for the list)")), NULL;
  if (!(workers = parse_workers (o, error)) || !(params = build_params (o, error)))
    return NULL;
  g_variant_ref_sink (params);

  strategies = g_strsplit (o->strategy, ",", -1);
  for (guint pass = 0; pass < n_passes; pass++)
    for (guint i = 0; strategies[i] != NULL; i++)
      for (guint w = 0; w < workers->len; w++)
        {
          g_autoptr(LabRunConfig) config = NULL;
          LabStrategy strategy;
          LabRun *run;

          if (!lab_strategy_from_string (g_strstrip (strategies[i]), &strategy))
            return usage_error (error, _("Unknown strategy “%s” (see --help for the list)"), strategies[i]), NULL;
          if (strategy == LAB_STRATEGY_SEQUENTIAL && w > 0)
            continue;

          config = lab_run_config_new (o->task, strategy,
                                       strategy == LAB_STRATEGY_SEQUENTIAL ? 0 : g_array_index (workers, guint, w),
                                       params);
          config->gil = o->gil;
          if (!(run = lab_run_new (config, error)))
            return NULL;
          g_ptr_array_add (runs, run);
          print_output_folder (o, run);
        }

  return g_steal_pointer (&runs);
}

typedef struct {
  GMainLoop    *loop;
  GCancellable *cancellable;
  gboolean      interrupted;
} Session;

static gboolean
interrupt_cb (gpointer data)
{
  Session *session = data;

  session->interrupted = TRUE;
  g_cancellable_cancel (session->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  Session *session = data;
  g_autoptr(GError) error = NULL;

  if (!lab_run_start_finish (LAB_RUN (object), result, &error) &&
      !g_error_matches (error, LAB_ERROR, LAB_ERROR_CANCELLED))
    g_printerr ("concurrency-lab: %s\n", error->message);

  g_main_loop_quit (session->loop);
}

/* --save: keep the runs in the history, as the window does. */
static gboolean
save_runs (LabRun **runs,
           guint    n_runs)
{
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(GError) error = NULL;

  if (!(history = lab_history_open (NULL, &error)))
    goto failed;
  if (lab_history_get_notice (history))
    g_printerr ("concurrency-lab: %s\n", lab_history_get_notice (history));
  for (guint i = 0; i < n_runs; i++)
    if (!lab_history_add_run (history, runs[i], &error))
      goto failed;
  return TRUE;

failed:
  g_printerr ("concurrency-lab: %s\n", error->message);
  return FALSE;
}

/* A warm-up run is not reported, but its failed jobs still fail the
 * command: they are said on stderr (a run that could not work at all
 * has already said why). */
static void
warn_warmup_failures (LabRun *run)
{
  if (lab_run_get_state (run) == LAB_RUN_FINISHED && lab_run_get_n_failed (run) > 0)
    g_printerr (_("concurrency-lab: %u jobs failed in a warm-up run of %s\n"),
                lab_run_get_n_failed (run), lab_strategy_to_string (lab_run_get_config (run)->strategy));
}

static int
execute (GPtrArray       *runs,
         guint            n_warmup,
         LabReportFormat  format,
         gboolean         save)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *report = NULL;
  Session session = { loop, cancellable, FALSE };
  LabRun **measured = (LabRun **) runs->pdata + n_warmup;
  guint sigint, sigterm;
  guint n_run = 0;
  int status = LAB_EXIT_OK;

  sigint = g_unix_signal_add (SIGINT, interrupt_cb, &session);
  sigterm = g_unix_signal_add (SIGTERM, interrupt_cb, &session);

  for (guint i = 0; i < runs->len && !session.interrupted; i++, n_run++)
    {
      LabRun *run = g_ptr_array_index (runs, i);

      lab_run_start_async (run, cancellable, run_done_cb, &session);
      g_main_loop_run (loop);

      if (lab_run_get_state (run) != LAB_RUN_FINISHED || lab_run_get_n_failed (run) > 0)
        status = LAB_EXIT_FAILED;
      if (i < n_warmup)
        warn_warmup_failures (run);
    }

  g_source_remove (sigint);
  g_source_remove (sigterm);

  /* What finished is printed even after Ctrl+C. */
  n_run = n_run > n_warmup ? n_run - n_warmup : 0;
  report = lab_report_format (measured, n_run, format);
  g_print ("%s", report);
  if (save && !save_runs (measured, n_run))
    status = LAB_EXIT_FAILED;
  if (session.interrupted)
    g_printerr (_("concurrency-lab: interrupted; the jobs that finished are shown\n"));

  return status;
}

int
lab_cli_run (int    argc,
             char **argv)
{
  g_auto(Options) o = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *list = lab_cli_list_tasks_and_strategies ();
  g_autofree char *description = NULL;
  LabReportFormat format = LAB_REPORT_TABLE;
  guint warmup, repeat;
  const GOptionEntry entries[] = {
    { "task", 't', 0, G_OPTION_ARG_STRING, &o.task, N_("What each job does (see Tasks below)"), N_("TASK") },
    { "strategy", 's', 0, G_OPTION_ARG_STRING, &o.strategy, N_("Who runs the jobs; a comma list compares several"), N_("NAME[,NAME…]") },
    { "workers", 'w', 0, G_OPTION_ARG_STRING, &o.workers, N_("Threads or processes at once (default: one per core for pools, all jobs for threads and processes; at most 256); a comma list, or “sweep” for 1, 2, 4… up to twice the cores, compares several"), N_("N[,N…]") },
    { "jobs", 'j', 0, G_OPTION_ARG_STRING, &o.jobs, N_("Number of jobs"), "N" },
    { "seconds", 0, 0, G_OPTION_ARG_STRING, &o.seconds, N_("sleep: seconds per job; a list like 5,4,3,2,1 gives one job per value"), N_("S[,S…]") },
    { "size", 0, 0, G_OPTION_ARG_STRING, &o.size, N_("primes: numbers each job checks (default 90000, about 0.15 s here)"), "N" },
    { "urls", 0, 0, G_OPTION_ARG_FILENAME, &o.urls_file, N_("download, pipeline: a file with one URL a line"), N_("FILE") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, N_("download, blur, pipeline: where to save the files"), N_("DIR") },
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &o.timeout, N_("download, pipeline: seconds without an answer before a job fails"), "S" },
    { "max-bytes", 0, 0, G_OPTION_ARG_STRING, &o.max_bytes, N_("download, pipeline: the largest file accepted"), "N" },
    { "images", 0, 0, G_OPTION_ARG_FILENAME, &o.images, N_("blur: a folder of images"), N_("DIR") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &o.format, N_("Output: table (default), json or csv"), N_("FORMAT") },
    { "repeat", 'r', 0, G_OPTION_ARG_STRING, &o.repeat, N_("Run each strategy N times and report the median, minimum and maximum (at most 100)"), "N" },
    { "warmup", 0, 0, G_OPTION_ARG_STRING, &o.warmup, N_("Runs of each strategy done first and left out of the figures (default 0)"), "N" },
    { "gil", 0, 0, G_OPTION_ARG_NONE, &o.gil, N_("Threads take turns to compute, handing over every 5 ms, like CPython’s global interpreter lock (threads and thread-pool)"), NULL },
    { "save", 0, 0, G_OPTION_ARG_NONE, &o.save, N_("Keep the runs in the history, as the window does"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("— run an experiment headless"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  description = g_strdup_printf ("%s\n%s", list,
                                 _("Exit status: 0 when every job succeeded, 1 when a job failed or the run "
                                   "was cancelled (Ctrl+C), 2 for bad usage."));
  g_option_context_set_description (context, description);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto usage;
  if (argc > 1)
    {
      g_set_error (&error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("Unexpected argument “%s”"), argv[1]);
      goto usage;
    }
  if (o.format && !lab_report_format_from_string (o.format, &format))
    {
      g_set_error (&error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--format must be table, json or csv, not “%s”"), o.format);
      goto usage;
    }
  if (!parse_passes (&o, &warmup, &repeat, &error) ||
      !(runs = build_runs (&o, warmup + repeat, &error)))
    goto usage;

  return execute (runs, warmup * (runs->len / (warmup + repeat)), format, o.save);

usage:
  g_printerr ("concurrency-lab run: %s\n", error->message);
  return LAB_EXIT_USAGE;
}
