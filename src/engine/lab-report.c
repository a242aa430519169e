/* lab-report.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-report"

#include "config.h"

#include <json-glib/json-glib.h>
#include <glib/gi18n-lib.h>

#include "lab-report.h"

/* Jobs are listed under a single run's table only when they fit on screen. */
#define TABLE_MAX_JOBS 20

gboolean
lab_report_format_from_string (const char      *name,
                               LabReportFormat *format)
{
  static const char * const names[] = { "table", "json", "csv" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *format = i;
        return TRUE;
      }
  return FALSE;
}

static double
s (gint64 ns)
{
  return ns / 1e9;
}

/**
 * lab_report_speedup:
 *
 * Returns: how many times faster run @i was than the last sequential run
 *   of the same task before it (or after it, when none came before), or
 *   0 when there is none
 */
double
lab_report_speedup (LabRun **runs,
                    guint    n_runs,
                    guint    i)
{
  const LabRunConfig *config = lab_run_get_config (runs[i]);
  LabRun *reference = NULL;

  for (guint k = 0; k < n_runs; k++)
    {
      const LabRunConfig *other = lab_run_get_config (runs[k]);

      if (other->strategy == LAB_STRATEGY_SEQUENTIAL &&
          g_str_equal (other->task, config->task) &&
          lab_run_get_state (runs[k]) == LAB_RUN_FINISHED &&
          (reference == NULL || k < i))
        reference = runs[k];
    }

  if (reference == NULL || lab_run_get_elapsed_ns (runs[i]) <= 0)
    return 0;

  return (double) lab_run_get_elapsed_ns (reference) / lab_run_get_elapsed_ns (runs[i]);
}

/* Throughput of the bytes the jobs moved (downloads), 0 without any. */
static double
mb_per_s (const LabRunSummary *sum)
{
  return sum->wall_ns > 0 ? sum->bytes / 1e6 / s (sum->wall_ns) : 0;
}

static void
add_job (JsonBuilder        *b,
         LabRun             *run,
         const LabJobResult *job)
{
  g_autofree char *worker = lab_run_describe_worker (run, job->worker);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, job->index);
  json_builder_set_member_name (b, "worker");
  json_builder_add_string_value (b, worker);
  json_builder_set_member_name (b, "start_s");
  json_builder_add_double_value (b, s (job->start_ns));
  json_builder_set_member_name (b, "end_s");
  json_builder_add_double_value (b, s (job->end_ns));
  json_builder_set_member_name (b, "cpu_s");
  json_builder_add_double_value (b, s (job->cpu_ns));
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, job->error == NULL);
  json_builder_set_member_name (b, "error");
  if (job->error)
    json_builder_add_string_value (b, job->error);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "value");
  json_builder_add_int_value (b, job->value);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, job->bytes);
  json_builder_set_member_name (b, "status");
  json_builder_add_int_value (b, job->status);
  json_builder_end_object (b);
}

static void
add_run (JsonBuilder *b,
         LabRun      *run,
         double       speedup)
{
  const LabRunConfig *config = lab_run_get_config (run);
  LabRunSummary sum;

  lab_run_get_summary (run, &sum);

  json_builder_begin_object (b);
#define MEMBER(name, kind, value) \
  json_builder_set_member_name (b, name); json_builder_add_##kind##_value (b, value)
  MEMBER ("task", string, config->task);
  MEMBER ("strategy", string, lab_strategy_to_string (config->strategy));
  MEMBER ("workers", int, sum.workers);
  MEMBER ("jobs", int, sum.n_jobs);
  MEMBER ("done", int, sum.n_done);
  MEMBER ("failed", int, sum.n_failed);
  MEMBER ("cancelled", boolean, lab_run_get_state (run) == LAB_RUN_CANCELLED);
  MEMBER ("wall_s", double, s (sum.wall_ns));
  MEMBER ("user_s", double, s (sum.user_ns));
  MEMBER ("sys_s", double, s (sum.sys_ns));
  MEMBER ("cpu_s", double, s (sum.user_ns + sum.sys_ns));
  MEMBER ("speedup", double, speedup);
  MEMBER ("peak_rss_kb", int, sum.peak_rss_kb);
  MEMBER ("peak_rss_children_kb", int, sum.peak_rss_children_kb);
  MEMBER ("bytes", int, sum.bytes);
  MEMBER ("mb_per_s", double, mb_per_s (&sum));
#undef MEMBER
  json_builder_set_member_name (b, "error");
  if (lab_run_get_error (run) && lab_run_get_state (run) == LAB_RUN_FAILED)
    json_builder_add_string_value (b, lab_run_get_error (run));
  else
    json_builder_add_null_value (b);

  json_builder_set_member_name (b, "job_results");
  json_builder_begin_array (b);
  for (guint i = 0; i < sum.n_jobs; i++)
    {
      const LabJobResult *job = lab_run_get_job (run, i);
      if (job->state >= LAB_JOB_OK)
        add_job (b, run, job);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static char *
format_json (LabRun **runs,
             guint    n_runs)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *data = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "runs");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_runs; i++)
    add_run (b, runs[i], lab_report_speedup (runs, n_runs, i));
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  data = json_generator_to_data (gen, NULL);
  return g_strconcat (data, "\n", NULL);
}

static char *
csv_field (const char *text)
{
  g_autoptr(GString) out = NULL;

  if (strpbrk (text, ",\"\n") == NULL)
    return g_strdup (text);

  out = g_string_new ("\"");
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
format_csv (LabRun **runs,
            guint    n_runs)
{
  GString *out = g_string_new ("task,strategy,workers,jobs,done,failed,cancelled,"
                               "wall_s,user_s,sys_s,cpu_s,speedup,peak_rss_kb,bytes\n");

  for (guint i = 0; i < n_runs; i++)
    {
      const LabRunConfig *config = lab_run_get_config (runs[i]);
      g_autofree char *task = csv_field (config->task);
      LabRunSummary sum;

      lab_run_get_summary (runs[i], &sum);
      g_string_append_printf (out, "%s,%s,%u,%u,%u,%u,%s,%.6f,%.6f,%.6f,%.6f,%.3f,%" G_GINT64_FORMAT ",%" G_GUINT64_FORMAT "\n",
                              task, lab_strategy_to_string (config->strategy),
                              sum.workers, sum.n_jobs, sum.n_done, sum.n_failed,
                              lab_run_get_state (runs[i]) == LAB_RUN_CANCELLED ? "true" : "false",
                              s (sum.wall_ns), s (sum.user_ns), s (sum.sys_ns),
                              s (sum.user_ns + sum.sys_ns),
                              lab_report_speedup (runs, n_runs, i),
                              sum.peak_rss_kb, sum.bytes);
    }

  return g_string_free (out, FALSE);
}

/* Pads @text to @width display columns (translations may be wide). */
/* The columns a terminal gives @text: Chinese characters take two. */
static int
display_width (const char *text)
{
  int width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      width += g_unichar_iszerowidth (c) ? 0 : g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

static void
append_cell (GString    *out,
             const char *text,
             int         width,
             gboolean    right)
{
  int pad = MAX (0, width - display_width (text));

  if (right)
    for (int i = 0; i < pad; i++)
      g_string_append_c (out, ' ');
  g_string_append (out, text);
  if (!right)
    for (int i = 0; i < pad; i++)
      g_string_append_c (out, ' ');
  g_string_append (out, "  ");
}

static void
append_run_row (GString  *out,
                LabRun   *run,
                double    speedup,
                gboolean  show_mb)
{
  const LabRunConfig *config = lab_run_get_config (run);
  LabRunSummary sum;
  char buf[8][32];
  double cpu;

  lab_run_get_summary (run, &sum);
  cpu = s (sum.user_ns + sum.sys_ns);

  g_snprintf (buf[0], sizeof buf[0], "%u", sum.workers);
  g_snprintf (buf[1], sizeof buf[1], "%u", sum.n_jobs);
  g_snprintf (buf[2], sizeof buf[2], "%u", sum.n_failed);
  g_snprintf (buf[3], sizeof buf[3], "%.3f s", s (sum.wall_ns));
  g_snprintf (buf[4], sizeof buf[4], "%.3f s", cpu);
  g_snprintf (buf[5], sizeof buf[5], "%.2f", sum.wall_ns > 0 ? cpu / s (sum.wall_ns) : 0);
  if (speedup > 0)
    g_snprintf (buf[6], sizeof buf[6], "%.2f×", speedup);
  else
    g_strlcpy (buf[6], "—", sizeof buf[6]);
  g_snprintf (buf[7], sizeof buf[7], "%.1f MB", MAX (sum.peak_rss_kb, sum.peak_rss_children_kb) / 1024.0);

  append_cell (out, config->task, 8, FALSE);
  append_cell (out, lab_strategy_to_string (config->strategy), 12, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (buf); i++)
    append_cell (out, buf[i], i >= 3 ? 10 : 7, TRUE);
  if (show_mb)
    {
      g_autofree char *mb = g_strdup_printf ("%.1f", mb_per_s (&sum));
      append_cell (out, mb, 10, TRUE);
    }
  if (lab_run_get_state (run) == LAB_RUN_CANCELLED)
    g_string_append (out, _("cancelled"));
  else if (lab_run_get_state (run) == LAB_RUN_FAILED)
    g_string_append (out, lab_run_get_error (run));
  g_string_append_c (out, '\n');
}

static void
append_jobs (GString *out,
             LabRun  *run)
{
  guint n = lab_run_get_n_jobs (run);

  g_string_append (out, "\n  ");
  append_cell (out, _("Job"), 5, FALSE);
  append_cell (out, _("Worker"), 16, FALSE);
  append_cell (out, _("Start"), 9, TRUE);
  append_cell (out, _("End"), 9, TRUE);
  append_cell (out, _("CPU"), 9, TRUE);
  g_string_append_printf (out, "%s\n", _("Result"));
  for (guint i = 0; i < n; i++)
    {
      const LabJobResult *job = lab_run_get_job (run, i);
      g_autofree char *worker = NULL;

      if (job->state < LAB_JOB_OK)
        continue;
      worker = lab_run_describe_worker (run, job->worker);
      g_string_append_printf (out, "  %-5u  ", job->index);
      append_cell (out, worker, 16, FALSE);
      g_string_append_printf (out, "%7.3f s  %7.3f s  %7.3f s  %s\n",
                              s (job->start_ns), s (job->end_ns),
                              s (job->cpu_ns), job->error ? job->error : _("ok"));
    }
}

static char *
format_table (LabRun **runs,
              guint    n_runs)
{
  GString *out = g_string_new (NULL);
  gboolean show_mb = FALSE;
  const char *headers[] = {
    N_("Task"), N_("Strategy"), N_("Workers"), N_("Jobs"), N_("Failed"),
    N_("Wall"), N_("CPU"), N_("CPU/Wall"), N_("Speedup"), N_("Peak RSS"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    append_cell (out, _(headers[i]), i == 0 ? 8 : i == 1 ? 12 : i >= 5 ? 10 : 7, i >= 2);
  /* MB/s only for tasks that move bytes (download). */
  for (guint i = 0; i < n_runs; i++)
    {
      LabRunSummary sum;
      lab_run_get_summary (runs[i], &sum);
      show_mb |= sum.bytes > 0;
    }
  if (show_mb)
    append_cell (out, _("MB/s"), 10, TRUE);
  g_string_append_c (out, '\n');

  for (guint i = 0; i < n_runs; i++)
    append_run_row (out, runs[i], lab_report_speedup (runs, n_runs, i), show_mb);

  if (n_runs == 1 && lab_run_get_n_jobs (runs[0]) <= TABLE_MAX_JOBS)
    append_jobs (out, runs[0]);

  return g_string_free (out, FALSE);
}

/**
 * lab_report_format:
 *
 * Returns: (transfer full): the runs in @format, ending with a newline
 */
char *
lab_report_format (LabRun          **runs,
                   guint             n_runs,
                   LabReportFormat   format)
{
  switch (format)
    {
    case LAB_REPORT_JSON: return format_json (runs, n_runs);
    case LAB_REPORT_CSV:  return format_csv (runs, n_runs);
    case LAB_REPORT_TABLE:
    default:              return format_table (runs, n_runs);
    }
}
