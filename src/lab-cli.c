/* lab-cli.c — `concurrency-lab run`: no display, no GTK
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-cli"

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <glib/gi18n.h>
#include <glib-unix.h>

#include "lab-cli.h"
#include "lab-error.h"
#include "lab-experiment.h"
#include "lab-extras-private.h"
#include "lab-granularity.h"
#include "lab-lessons.h"
#include "lab-report.h"
#include "lab-run.h"

typedef struct {
  char   *task;
  char   *strategy;
  char   *runtime;
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
  char   *lesson;
  char   *baseline;
  gboolean save;
  gboolean gil;
} Options;

static void
options_clear (Options *o)
{
  g_free (o->task);
  g_free (o->strategy);
  g_free (o->runtime);
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
  g_free (o->lesson);
  g_free (o->baseline);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

char *
lab_cli_list_tasks_and_strategies (void)
{
  const LabTaskInfo * const *tasks = lab_task_info_list (NULL);
  const LabStrategy * const *strategies = lab_strategy_list (NULL);
  const LabLesson * const *lessons = lab_lesson_list (NULL);
  GString *out = g_string_new (_("Tasks:\n"));

  for (guint i = 0; tasks[i] != NULL; i++)
    g_string_append_printf (out, "  %-13s %s (%s)\n", tasks[i]->name,
                            lab_task_info_get_summary (tasks[i]), lab_task_kind_to_string (tasks[i]->kind));

  g_string_append (out, _("\nStrategies:\n"));
  for (guint i = 0; strategies[i] != NULL; i++)
    g_string_append_printf (out, "  %-13s %s\n", strategies[i]->name, lab_strategy_get_summary (strategies[i]));

  g_string_append (out, _("\nLessons (run --lesson=NAME):\n"));
  for (guint i = 0; lessons[i] != NULL; i++)
    g_string_append_printf (out, "  %-13s %s — %s\n", lessons[i]->id,
                            lab_lesson_get_title (lessons[i]), lab_lesson_get_setup (lessons[i]));

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
  g_print (_("“concurrency-lab history” lists the runs kept in the history, and "
             "“concurrency-lab export --run=ID” prints one of them.\n"));
  g_print (_("“concurrency-lab machine [--format=table|json]” measures what a thread, a process and a job "
             "cost on this computer, and the job size from which each strategy pays off.\n"));
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

/* A whole number from @min to @max; the message names the range and what was written. */
static gboolean
parse_uint64 (const char  *option,
              const char  *text,
              guint64      min,
              guint64      max,
              guint64     *out,
              GError     **error)
{
  if (!g_ascii_string_to_unsigned (text, 10, min, max, out, NULL))
    return usage_error (error, _("--%s must be a whole number from %" PRIu64 " to %" PRIu64 ", not “%s”"),
                        option, min, max, text);
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
      if (!parse_uint64 ("jobs", o->jobs, 1, LAB_MAX_JOBS, &n, error))
        return NULL;
      g_variant_dict_insert (&dict, LAB_PARAM_JOBS, "u", (guint32) n);
    }
  if (o->seconds && !add_seconds (&dict, o->seconds, error))
    return NULL;
  if (o->size && !lab_job_sizes_is_list (o->size))
    {
      if (!parse_uint64 ("size", o->size, 0, G_MAXUINT64, &n, error))
        return NULL;
      g_variant_dict_insert (&dict, LAB_PARAM_SIZE, "t", n);
    }
  if (o->max_bytes)
    {
      if (!parse_uint64 ("max-bytes", o->max_bytes, 0, G_MAXUINT64, &n, error))
        return NULL;
      g_variant_dict_insert (&dict, LAB_PARAM_MAX_BYTES, "t", n);
    }
  if (o->timeout)
    {
      if (!parse_double ("timeout", o->timeout, &d, error))
        return NULL;
      g_variant_dict_insert (&dict, LAB_PARAM_TIMEOUT, "d", d);
    }
  /* Paths are bytes, as the file system has them (G_OPTION_ARG_FILENAME). */
  if (o->urls_file)
    g_variant_dict_insert_value (&dict, LAB_PARAM_URLS_FILE, g_variant_new_bytestring (o->urls_file));
  if (o->output)
    g_variant_dict_insert_value (&dict, LAB_PARAM_OUTPUT, g_variant_new_bytestring (o->output));
  if (o->images)
    g_variant_dict_insert_value (&dict, LAB_PARAM_IMAGES, g_variant_new_bytestring (o->images));

  return g_variant_dict_end (&dict);
}

static gboolean
is_blank (const char *text)
{
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

/* An option given with nothing after "=" is a mistake, not a default. */
static gboolean
check_not_empty (const Options  *o,
                 GError        **error)
{
  const struct { const char *name; const char *value; } options[] = {
    { "task", o->task }, { "strategy", o->strategy }, { "runtime", o->runtime }, { "workers", o->workers }, { "jobs", o->jobs },
    { "seconds", o->seconds }, { "size", o->size }, { "format", o->format }, { "urls", o->urls_file },
    { "output", o->output }, { "timeout", o->timeout }, { "max-bytes", o->max_bytes },
    { "images", o->images }, { "repeat", o->repeat }, { "warmup", o->warmup }, { "lesson", o->lesson },
  };

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    if (options[i].value != NULL && is_blank (options[i].value))
      return usage_error (error, _("--%s needs a value"), options[i].name);
  return TRUE;
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
      if (!parse_uint64 ("repeat", o->repeat, 1, LAB_MAX_REPEATS, &n, error))
        return FALSE;
      *repeat = n;
    }
  if (o->warmup)
    {
      if (!parse_uint64 ("warmup", o->warmup, 0, LAB_MAX_REPEATS, &n, error))
        return FALSE;
      *warmup = n;
    }
  return TRUE;
}

/* --workers: one count, a comma list, or "sweep" (1, 2, 4… up to twice
 * the cores). Without it, the strategies' defaults. */
static gboolean
set_workers (LabExperiment  *experiment,
             const Options  *o,
             GError        **error)
{
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (guint));
  g_auto(GStrv) parts = NULL;

  if (o->workers == NULL)
    return TRUE;
  if (g_str_equal (o->workers, "sweep"))
    {
      lab_experiment_set_sweep (experiment);
      return TRUE;
    }

  parts = g_strsplit (o->workers, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 workers;
      guint w;

      if (!parse_uint64 ("workers", g_strstrip (parts[i]), 1, LAB_MAX_WORKERS, &workers, error))
        return FALSE;
      w = workers;
      g_array_append_val (list, w);
    }
  lab_experiment_set_workers (experiment, (guint *) list->data, list->len);
  return TRUE;
}

static gboolean
add_strategies (LabExperiment  *experiment,
                const char     *names,
                GError        **error)
{
  g_auto(GStrv) parts = g_strsplit (names, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const LabStrategy *strategy = lab_strategy_lookup (g_strstrip (parts[i]));

      if (strategy == NULL)
        return usage_error (error, _("Unknown strategy “%s” (see --help for the list)"), parts[i]);
      lab_experiment_add_strategy (experiment, strategy);
    }
  return TRUE;
}

/* --runtime: c, python, or both as a comma list (one table compares them). */
static gboolean
add_runtimes (LabExperiment  *experiment,
              const char     *names,
              GError        **error)
{
  g_auto(GStrv) parts = NULL;

  if (names == NULL)
    return TRUE;
  /* --runtime says which runtimes, a lesson's own included. */
  lab_experiment_clear_runtimes (experiment);
  parts = g_strsplit (names, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      LabRuntime runtime;

      if (!lab_runtime_from_name (g_strstrip (parts[i]), &runtime))
        return usage_error (error, _("Unknown runtime “%s” (c or python)"), parts[i]);
      lab_experiment_add_runtime (experiment, runtime);
    }
  return TRUE;
}

/* --size=sweep, or a list of job sizes in seconds: a job-size sweep. */
static gboolean
set_job_sizes (LabExperiment  *experiment,
               const Options  *o,
               GError        **error)
{
  g_autoptr(GArray) sizes = NULL;

  if (o->size == NULL || !lab_job_sizes_is_list (o->size))
    return TRUE;
  if (!lab_job_sizes_parse (o->size, &sizes, error))
    return FALSE;
  lab_experiment_set_job_sizes (experiment, (double *) sizes->data, sizes->len);
  return TRUE;
}

/* --lesson sets everything the experiment is; only how often it runs and
 * how it is printed stay the user's. */
static LabExperiment *
lesson_experiment (const Options  *o,
                   GError        **error)
{
  const LabLesson *lesson = lab_lesson_lookup (o->lesson);

  if (lesson == NULL)
    return usage_error (error, _("Unknown lesson “%s” (see --help for the list)"), o->lesson), NULL;
  if (o->task || o->strategy || o->workers || o->jobs || o->seconds || o->size || o->urls_file ||
      o->output || o->timeout || o->max_bytes || o->images || o->gil)
    return usage_error (error, _("--lesson sets the task, its parameters and the strategies; "
                                 "only --runtime, --repeat, --warmup, --format and --save go with it")), NULL;
  if (!lab_lesson_is_available (lesson, error))
    return NULL;
  return lab_lesson_new_experiment (lesson);
}

/* The experiment the options describe: the runs it plans are made and set
 * up one at a time, when their turn comes. */
static LabExperiment *
build_experiment (const Options  *o,
                  GError        **error)
{
  g_autoptr(LabExperiment) experiment = NULL;
  g_autoptr(GVariant) params = NULL;
  const LabTaskInfo *task;
  guint warmup, repeat;

  if (!check_not_empty (o, error) || !parse_passes (o, &warmup, &repeat, error))
    return NULL;
  if (o->lesson != NULL)
    {
      experiment = lesson_experiment (o, error);
      if (experiment != NULL && !add_runtimes (experiment, o->runtime, error))
        g_clear_object (&experiment);
    }
  else if (o->task == NULL)
    return usage_error (error, _("Missing --task (see --help for the list)")), NULL;
  else if (o->strategy == NULL)
    return usage_error (error, _("Missing --strategy (see --help for the list)")), NULL;
  else if (!(task = lab_task_info_lookup (o->task)))
    return usage_error (error, _("Unknown task “%s” (see --help for the list)"), o->task), NULL;
  else if ((params = build_params (o, error)))
    {
      experiment = lab_experiment_new (task, g_steal_pointer (&params));
      lab_experiment_set_gil (experiment, o->gil);
      if (!add_strategies (experiment, o->strategy, error) || !add_runtimes (experiment, o->runtime, error) ||
          !set_workers (experiment, o, error) || !set_job_sizes (experiment, o, error))
        g_clear_object (&experiment);
    }
  if (experiment == NULL)
    return NULL;

  lab_experiment_set_repeat (experiment, repeat, warmup);
  if (!lab_experiment_check (experiment, error))
    return NULL;
  return g_steal_pointer (&experiment);
}

/* Standard output may be a full disk, a closed pipe: that is an error
 * the user must hear of, not a success. The text is UTF-8 whatever the
 * locale (g_print() would convert JSON and CSV). */
gboolean
lab_cli_write_stdout (const char  *text,
                      GError     **error)
{
  gsize len = strlen (text);

  if ((len > 0 && fwrite (text, 1, len, stdout) != len) || fflush (stdout) != 0)
    {
      int saved = errno;
      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("Could not write the output: %s"), g_strerror (saved));
      clearerr (stdout);
      return FALSE;
    }
  return TRUE;
}

/**
 * lab_cli_extras:
 *
 * The commands' parts in the lab-extras module, loaded when a command
 * needs them.
 *
 * Returns: (transfer none): the table, or %NULL with @error
 */
const LabCliExtras *
lab_cli_extras (GError **error)
{
  return _lab_engine_extras_symbol ("lab_cli_extras_table", error);
}

typedef struct {
  GMainLoop     *loop;
  LabCancel     *cancel;
  const Options *options;
  GObject       *history;    /* LabHistory, for --save */
  GError        *error;
  gboolean       interrupted;
  gboolean       said_output;
  gboolean       save_failed;
} Session;

static gboolean
interrupt_cb (gpointer data)
{
  Session *session = data;

  session->interrupted = TRUE;
  lab_cancel_cancel (session->cancel);
  return G_SOURCE_CONTINUE;
}

/* --save: each run is kept as soon as it ends, so an interrupted command
 * loses none of the runs that finished. The history that cannot be opened
 * is not tried again. */
static void
save_run (Session *session,
          LabRun  *run)
{
  g_autoptr(GError) error = NULL;
  const LabCliExtras *extras;

  if (session->history == NULL && session->save_failed)
    return;
  if (!(extras = lab_cli_extras (&error)) || !extras->save_run (&session->history, run, &error))
    {
      g_printerr ("concurrency-lab: %s\n", error->message);
      session->save_failed = TRUE;
    }
}

/* What the last run freed goes back to the system before the next one
 * starts, so --repeat=N peaks at one run's memory (bench/memory): the
 * heap otherwise keeps the freed pages of one run's blocks resident
 * under the next run's. Not glibc's M_MMAP_THRESHOLD: fixed, it gives
 * every large block fresh pages, and a thread-pool run 15 % more time per
 * job on this machine. */
static void
run_started_cb (LabExperiment *experiment,
                LabRun        *run,
                gboolean       warmup,
                Session       *session)
{
#ifdef __GLIBC__
  if (lab_experiment_get_n_started (experiment) > 1)
    malloc_trim (0);
#endif
}

static void
run_ended_cb (LabExperiment *experiment,
              LabRun        *run,
              gboolean       warmup,
              Session       *session)
{
  GVariant *resolved = lab_run_get_resolved_params (run);
  const char *output;

  /* A task that picked its own output folder says where the files went,
   * unless it was a temporary one, gone with the run. */
  if (!session->said_output && session->options->output == NULL && resolved != NULL &&
      g_variant_lookup (resolved, LAB_PARAM_OUTPUT, "^&ay", &output) &&
      g_file_test (output, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *display = g_filename_display_name (output);

      g_printerr (_("concurrency-lab: the files are in %s\n"), display);
      session->said_output = TRUE;
    }
  if (warmup && lab_run_get_state (run) == LAB_RUN_FINISHED && lab_run_get_n_failed (run) > 0)
    g_printerr (_("concurrency-lab: %u jobs failed in a warm-up run of %s\n"),
                lab_run_get_n_failed (run), lab_run_get_config (run)->strategy->name);
  if (!warmup && session->options->save)
    save_run (session, run);
}

static void
experiment_done_cb (LabExperiment *experiment,
                    GError        *error,
                    gpointer       data)
{
  Session *session = data;

  session->error = error;
  g_main_loop_quit (session->loop);
}

/* The lesson's title and text above its table, what it expects below. */
static char *
lesson_header (const LabLesson *lesson)
{
  g_autofree char *expected = lab_lesson_describe_expected (lesson);

  return g_strdup_printf ("%s — %s\n%s\n%s\n\n", lab_lesson_get_title (lesson), lab_lesson_get_setup (lesson),
                          lab_lesson_get_text (lesson), expected);
}

static char *
report (LabExperiment           *experiment,
        const Options           *o,
        LabReportFormat          format,
        const LabReportBaseline *baseline,
        const LabMachineCosts   *costs)
{
  g_autoptr(LabAnalysis) analysis = lab_experiment_dup_analysis (experiment);
  g_autofree char *text = lab_report_format_with_baseline (analysis, format, baseline);
  const LabLesson *lesson = o->lesson ? lab_lesson_lookup (o->lesson) : NULL;
  g_autofree char *header = NULL;
  g_autofree char *outcome = NULL;

  /* A sweep loaded the engine's other half to measure the costs. */
  if (lab_experiment_get_job_sizes (experiment) != NULL)
    text = _lab_engine_extras (NULL)->add_granularity (g_steal_pointer (&text), analysis, format, costs);
  if (lesson == NULL || format != LAB_REPORT_TABLE)
    return g_steal_pointer (&text);
  header = lesson_header (lesson);
  outcome = lab_lesson_describe_outcome (lesson, analysis);
  return g_strconcat (header, text, "\n", outcome, outcome[0] ? "\n" : "", NULL);
}

static int
execute (LabExperiment           *experiment,
         const Options           *o,
         LabReportFormat          format,
         const LabReportBaseline *baseline,
         const LabMachineCosts   *costs)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(LabCancel) cancel = lab_cancel_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  Session session = { loop, cancel, o };
  guint sigint, sigterm;
  int status = LAB_EXIT_OK;

  sigint = g_unix_signal_add (SIGINT, interrupt_cb, &session);
  sigterm = g_unix_signal_add (SIGTERM, interrupt_cb, &session);
  g_signal_connect (experiment, "run-started", G_CALLBACK (run_started_cb), &session);
  g_signal_connect (experiment, "run-ended", G_CALLBACK (run_ended_cb), &session);
  lab_experiment_start (experiment, cancel, experiment_done_cb, &session);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_clear_object (&session.history);

  if (session.error != NULL)
    {
      g_printerr ("concurrency-lab run: %s\n", session.error->message);
      g_clear_error (&session.error);
      return LAB_EXIT_USAGE;
    }

  /* What finished is printed even after Ctrl+C. */
  text = report (experiment, o, format, baseline, costs);
  if (!lab_cli_write_stdout (text, &error))
    {
      g_printerr ("concurrency-lab: %s\n", error->message);
      status = LAB_EXIT_FAILED;
    }
  if (!lab_experiment_all_succeeded (experiment) || session.save_failed)
    status = LAB_EXIT_FAILED;
  if (session.interrupted)
    g_printerr (_("concurrency-lab: interrupted; the jobs that finished are shown\n"));

  return status;
}

/* Parses `run`'s options into @o and the experiment they describe;
 * %NULL with @error (bad usage) otherwise. With @help, --help prints the
 * options and exits, as a command does. */
static LabExperiment *parse_run_options (int argc, char **argv, gboolean help, Options *o,
                                         LabReportFormat *format, GError **error);

/* Whether GOption will print help for @argv: -h, -? or --help… */
static gboolean
asks_for_help (int    argc,
               char **argv)
{
  for (int i = 1; i < argc && !g_str_equal (argv[i], "--"); i++)
    if (g_str_equal (argv[i], "-h") || g_str_equal (argv[i], "-?") || g_str_has_prefix (argv[i], "--help"))
      return TRUE;
  return FALSE;
}

/* The messages quote what was written, which may be any bytes: they are
 * printed, so they are made UTF-8 (an invalid byte shows as U+FFFD). */
static LabExperiment *
parse_run (int               argc,
           char            **argv,
           gboolean          help,
           Options          *o,
           LabReportFormat  *format,
           GError          **error)
{
  g_autoptr(GError) local = NULL;
  LabExperiment *experiment = parse_run_options (argc, argv, help, o, format, &local);

  if (local != NULL && !g_utf8_validate (local->message, -1, NULL))
    {
      char *valid = g_utf8_make_valid (local->message, -1);

      g_free (local->message);
      local->message = valid;
    }
  if (local != NULL)
    g_propagate_error (error, g_steal_pointer (&local));
  return experiment;
}

static LabExperiment *
parse_run_options (int               argc,
           char            **argv,
           gboolean          help,
           Options          *o,
           LabReportFormat  *format,
           GError          **error)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *list = NULL;
  g_autofree char *description = NULL;
  const GOptionEntry entries[] = {
    { "task", 't', 0, G_OPTION_ARG_STRING, &o->task, N_("What each job does (see Tasks below)"), N_("TASK") },
    { "strategy", 's', 0, G_OPTION_ARG_STRING, &o->strategy, N_("Who runs the jobs; a comma list compares several"), N_("NAME[,NAME…]") },
    { "runtime", 0, 0, G_OPTION_ARG_STRING, &o->runtime, N_("What the jobs are written in: c (the default) or python (the seed’s code in CPython); c,python compares both"), N_("c|python[,…]") },
    { "workers", 'w', 0, G_OPTION_ARG_STRING, &o->workers, N_("Threads or processes at once (default: one per core for pools, all jobs for threads and processes; at most 256); a comma list, or “sweep” for 1, 2, 4… up to twice the cores, compares several"), N_("N[,N…]") },
    { "jobs", 'j', 0, G_OPTION_ARG_STRING, &o->jobs, N_("Number of jobs"), "N" },
    { "seconds", 0, 0, G_OPTION_ARG_STRING, &o->seconds, N_("sleep: seconds per job; a list like 5,4,3,2,1 gives one job per value"), N_("S[,S…]") },
    { "size", 0, 0, G_OPTION_ARG_STRING, &o->size, N_("primes: numbers each job checks (default 90000, about 0.15 s here); or “sweep”, or a list of job sizes in seconds of work (1e-5,1e-3,0.1 or 10us,1ms,100ms), to find the job size where each strategy pays off"), N_("N|sweep|S[,S…]") },
    { "urls", 0, 0, G_OPTION_ARG_FILENAME, &o->urls_file, N_("download, pipeline: a file with one URL a line"), N_("FILE") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o->output, N_("download, blur, pipeline: where to save the files"), N_("DIR") },
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &o->timeout, N_("download, pipeline: seconds without an answer before a job fails"), "S" },
    { "max-bytes", 0, 0, G_OPTION_ARG_STRING, &o->max_bytes, N_("download, pipeline: the largest file accepted"), "N" },
    { "images", 0, 0, G_OPTION_ARG_FILENAME, &o->images, N_("blur: a folder of images"), N_("DIR") },
    { "lesson", 'l', 0, G_OPTION_ARG_STRING, &o->lesson, N_("Run one of the lessons below, and say what it expects"), N_("NAME") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &o->format, N_("Output: table (default), json or csv"), N_("FORMAT") },
    { "repeat", 'r', 0, G_OPTION_ARG_STRING, &o->repeat, N_("Run each strategy N times and report the median, minimum and maximum (at most 100)"), "N" },
    { "warmup", 0, 0, G_OPTION_ARG_STRING, &o->warmup, N_("Runs of each strategy done first and left out of the figures (default 0)"), "N" },
    { "gil", 0, 0, G_OPTION_ARG_NONE, &o->gil, N_("Threads take turns to compute, handing over every 5 ms, like CPython’s global interpreter lock (threads and thread-pool)"), NULL },
    { "save", 0, 0, G_OPTION_ARG_NONE, &o->save, N_("Keep the runs in the history, as the window does"), NULL },
    { "baseline", 0, 0, G_OPTION_ARG_STRING, &o->baseline, N_("Compare each run with this run of the history (of the same task), as “concurrency-lab history” numbers it"), "ID" },
    { NULL }
  };

  context = g_option_context_new (_("— run an experiment headless"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_help_enabled (context, help);
  /* The tasks, strategies and lessons below the options: only for --help
   * (the list asks every task module whether it can run). */
  if (help && asks_for_help (argc, argv))
    {
      list = lab_cli_list_tasks_and_strategies ();
      description = g_strdup_printf ("%s\n%s", list,
                                     _("Exit status: 0 when every job succeeded, 1 when a job failed or the run "
                                       "was cancelled (Ctrl+C), 2 for bad usage."));
      g_option_context_set_description (context, description);
    }

  if (!g_option_context_parse (context, &argc, &argv, error))
    return NULL;
  if (argc > 1)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("Unexpected argument “%s”"), argv[1]);
      return NULL;
    }
  if (o->format && !lab_report_format_from_string (o->format, format))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--format must be table, json or csv, not “%s”"), o->format);
      return NULL;
    }
  if (o->baseline && !lab_cli_parse_run_id ("baseline", o->baseline, NULL, error))
    return NULL;
  return build_experiment (o, error);
}

/**
 * lab_cli_parse_run_id:
 * @id: (out) (optional): the number
 *
 * The number of a run in the history, as an option gives it.
 */
gboolean
lab_cli_parse_run_id (const char  *option,
                      const char  *text,
                      gint64      *id,
                      GError     **error)
{
  gint64 value;

  if (g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      if (id)
        *id = value;
      return TRUE;
    }
  g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
               _("--%s needs the number of a run in the history (1 or more), not “%s”"), option, text);
  return FALSE;
}

/**
 * lab_cli_parse_run_options:
 * @argv: `run` and its options, as the command line gives them
 *
 * What `run` would run, without running it (and without --help): for
 * the option parser's fuzz target.
 *
 * Returns: (transfer full): the experiment, or %NULL with @error
 */
LabExperiment *
lab_cli_parse_run_options (int      argc,
                           char   **argv,
                           GError **error)
{
  g_auto(Options) o = { 0 };
  LabReportFormat format = LAB_REPORT_TABLE;

  return parse_run (argc, argv, FALSE, &o, &format, error);
}

static gboolean
uses_python (LabExperiment *experiment)
{
  for (guint i = 0; i < lab_experiment_get_n_runtimes (experiment); i++)
    if (lab_experiment_get_runtime (experiment, i) == LAB_RUNTIME_PYTHON)
      return TRUE;
  return FALSE;
}

int
lab_cli_run (int    argc,
             char **argv)
{
  g_auto(Options) o = { 0 };
  g_autoptr(LabExperiment) experiment = NULL;
  LabMachineCosts *costs = NULL;
  g_autoptr(GError) error = NULL;
  LabReportFormat format = LAB_REPORT_TABLE;
  LabReportBaseline baseline = { 0 };
  const LabCliExtras *extras = NULL;
  int status;

  /* A closed pipe or a full disk on standard output is an error to
   * report (see lab_cli_write_stdout()), not a signal that ends the command. */
  signal (SIGPIPE, SIG_IGN);

  if (!(experiment = parse_run (argc, argv, TRUE, &o, &format, &error)))
    {
      g_printerr ("concurrency-lab run: %s\n", error->message);
      return LAB_EXIT_USAGE;
    }
  /* The history, JSON, the Python runtime and the costs a sweep predicts
   * with are in the lab-extras module: loaded now, before anything runs,
   * when the command needs it. */
  if ((o.save || o.baseline || format == LAB_REPORT_JSON || lab_experiment_get_job_sizes (experiment) != NULL ||
       uses_python (experiment)) && !(extras = lab_cli_extras (&error)))
    {
      g_printerr ("concurrency-lab run: %s\n", error->message);
      return LAB_EXIT_FAILED;
    }
  if (o.baseline)
    {
      gint64 id = 0;

      lab_cli_parse_run_id ("baseline", o.baseline, &id, NULL);
      if (!extras->load_baseline (lab_experiment_get_task (experiment)->name, id, &baseline, &error))
        {
          g_printerr ("concurrency-lab run: %s\n", error->message);
          return g_error_matches (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT) ? LAB_EXIT_USAGE : LAB_EXIT_FAILED;
        }
    }

  /* Reports of figures alone let each run's job records go once it ended;
   * JSON lists every job, and a single short run's table shows them. */
  lab_experiment_set_keep_jobs (experiment, format == LAB_REPORT_JSON || o.save ||
                                            lab_experiment_get_n_planned (experiment) == 1);

  /* A job-size sweep says what the costs measured here predict. */
  if (lab_experiment_get_job_sizes (experiment) != NULL)
    {
      g_printerr (_("concurrency-lab: measuring what threads and processes cost here…\n"));
      if (!(costs = extras->measure_costs (&error)))
        {
          if (g_error_matches (error, LAB_ERROR, LAB_ERROR_CANCELLED))
            return LAB_EXIT_FAILED;
          g_printerr (_("concurrency-lab: no predicted break-even: %s\n"), error->message);
          g_clear_error (&error);
        }
    }
  status = execute (experiment, &o, format, o.baseline ? &baseline : NULL, costs);
  if (costs != NULL)
    extras->free_costs (costs);
  return status;
}
