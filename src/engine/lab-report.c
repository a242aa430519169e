/* lab-report.c — runs as a table, JSON (lab-report-json.c) or CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Numbers in JSON and CSV are written the same in every locale (a dot,
 * no thousands separator); the table is for people and follows the same
 * rule, so that it can be pasted anywhere.
 */
#define G_LOG_DOMAIN "lab-report"

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "lab-extras-private.h"
#include "lab-format.h"
#include "lab-report-private.h"

/* Jobs are listed under a single run's table only when they fit on screen. */
#define TABLE_MAX_JOBS 20
/* Sentences below the table are wrapped to this many columns. */
#define TABLE_TEXT_WIDTH 96

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

/* --- Against a baseline --------------------------------------------------- */

/**
 * lab_report_baseline_speedup:
 *
 * Returns: how many times faster @run ran than the baseline (its wall
 *   time over the run's), or NAN when they cannot be compared (another
 *   task, or no time)
 */
double
lab_report_baseline_speedup (const LabReportBaseline *baseline,
                             LabRun                  *run)
{
  LabRunSummary sum;

  g_return_val_if_fail (baseline != NULL, NAN);

  lab_run_get_summary (run, &sum);
  if (g_strcmp0 (baseline->task, lab_run_get_config (run)->task->name) != 0 ||
      sum.wall_ns <= 0 || !(baseline->wall_s > 0) || !isfinite (baseline->wall_s))
    return NAN;
  return baseline->wall_s / s (sum.wall_ns);
}

/**
 * lab_report_describe_delta:
 * @speedup: the baseline's time over the run's
 *
 * The change against a baseline, for the table and the window:
 * "2.00× faster (−50 %)", "1.25× slower (+25 %)", "as fast (±0 %)".
 *
 * Returns: (transfer full): the text
 */
char *
lab_report_describe_delta (double speedup)
{
  double change;

  if (!isfinite (speedup) || speedup <= 0)
    return g_strdup ("—");
  /* The time's change, in percent of the baseline's. */
  change = 100 * (1 / speedup - 1);
  if (fabs (change) < 0.5)
    return g_strdup (_("as fast (±0 %)"));
  if (speedup > 1)
    /* Translators: a run against the baseline: "2.00× faster (−50 %)" */
    return g_strdup_printf (_("%.2f× faster (−%.0f %%)"), speedup, -change);
  /* Translators: a run against the baseline: "1.25× slower (+25 %)" */
  return g_strdup_printf (_("%.2f× slower (+%.0f %%)"), 1 / speedup, change);
}

/* --- CSV ------------------------------------------------------------------ */

static void
append_csv_field (GString    *out,
                  const char *text)
{
  if (strpbrk (text, ",\"\n\r") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* A number as C writes it, whatever the locale: "0.020508", never "0,020508". */
static void
append_number (GString    *out,
               const char *format,
               double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (out, ',');
  g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, value));
}

static void
append_csv_run (GString                 *out,
                LabAnalysis             *analysis,
                guint                    i,
                const LabReportBaseline *baseline)
{
  LabRun *run = lab_analysis_get_run (analysis, i);
  const LabRunConfig *config = lab_run_get_config (run);
  const LabBreakdown *b = lab_run_get_breakdown (run);
  LabRunSummary sum;

  lab_run_get_summary (run, &sum);
  append_csv_field (out, config->task->name);
  g_string_append_printf (out, ",%s,%u,%u,%u,%u,%s", config->strategy->name,
                          sum.workers, sum.n_jobs, sum.n_done, sum.n_failed,
                          lab_run_get_state (run) == LAB_RUN_CANCELLED ? "true" : "false");
  append_number (out, "%.6f", s (sum.wall_ns));
  append_number (out, "%.6f", s (sum.user_ns));
  append_number (out, "%.6f", s (sum.sys_ns));
  append_number (out, "%.6f", s (sum.user_ns + sum.sys_ns));
  append_number (out, "%.3f", lab_analysis_get_speedup (analysis, i));
  g_string_append_printf (out, ",%" G_GINT64_FORMAT ",%" G_GUINT64_FORMAT ",%u,%s",
                          sum.peak_rss_kb, sum.bytes, lab_analysis_get_repeat (analysis, i),
                          lab_analysis_is_outlier (analysis, i) ? "true" : "false");
  append_number (out, "%.6f", b->capacity_s);
  append_number (out, "%.6f", b->setup_s);
  append_number (out, "%.6f", b->start_s);
  append_number (out, "%.6f", b->work_s);
  append_number (out, "%.6f", b->transfer_s);
  append_number (out, "%.6f", b->idle_s);
  append_number (out, "%.6f", b->stop_s);
  append_number (out, "%.3f", sum.machine_busy);
  g_string_append_printf (out, ",%s", lab_runtime_get_name (config->runtime));
  if (baseline != NULL)
    {
      double speedup = lab_report_baseline_speedup (baseline, run);

      g_string_append_printf (out, ",%" G_GINT64_FORMAT, baseline->id);
      if (isnan (speedup))
        g_string_append_c (out, ',');
      else
        append_number (out, "%.3f", speedup);
    }
  g_string_append_c (out, '\n');
}

static char *
format_csv (LabAnalysis             *analysis,
            const LabReportBaseline *baseline)
{
  GString *out = g_string_new ("task,strategy,workers,jobs,done,failed,cancelled,"
                               "wall_s,user_s,sys_s,cpu_s,speedup,peak_rss_kb,bytes,repeat,outlier,"
                               "capacity_s,setup_s,start_s,work_s,transfer_s,idle_s,stop_s,machine_busy,runtime");

  /* Two columns more, only when there is a baseline. */
  g_string_append (out, baseline ? ",baseline_id,baseline_speedup\n" : "\n");
  for (guint i = 0; i < lab_analysis_get_n_runs (analysis); i++)
    append_csv_run (out, analysis, i, baseline);
  return g_string_free (out, FALSE);
}

/* --- table ---------------------------------------------------------------- */

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

/* Pads @text to @width display columns (translations may be wide). */
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

/* @text after @indent, wrapped at spaces to TABLE_TEXT_WIDTH columns. */
static void
append_wrapped (GString    *out,
                int         indent,
                const char *text)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  int column = indent;

  for (guint i = 0; words[i] != NULL; i++)
    {
      int width = display_width (words[i]);

      if (i > 0 && column + 1 + width > TABLE_TEXT_WIDTH)
        {
          g_string_append_printf (out, "\n%*s", indent, "");
          column = indent;
        }
      else if (i > 0)
        {
          g_string_append_c (out, ' ');
          column++;
        }
      g_string_append (out, words[i]);
      column += width;
    }
  g_string_append_c (out, '\n');
}

/* The strategy column: 12 wide, more when a label needs it. */
static int
strategy_width (LabAnalysis *analysis)
{
  int width = 12;

  for (guint i = 0; i < lab_analysis_get_n_runs (analysis); i++)
    {
      g_autofree char *label = lab_run_config_dup_label (lab_run_get_config (lab_analysis_get_run (analysis, i)));
      width = MAX (width, display_width (label));
    }
  return width;
}

/* What the table shares between its parts. */
typedef struct {
  LabAnalysis *analysis;
  gboolean     show_mb;
  int          sw;
} Table;

static void
append_headers (GString           *out,
                const Table       *t,
                const char * const *headers,
                guint              n,
                guint              first_wide)
{
  for (guint i = 0; i < n; i++)
    append_cell (out, _(headers[i]), i == 0 ? 8 : i == 1 ? t->sw : i >= first_wide ? 10 : 7, i >= 2);
  if (t->show_mb)
    append_cell (out, _("MB/s"), 10, TRUE);
  g_string_append_c (out, '\n');
}

static const char *
state_note (LabRun *run)
{
  LabRunSummary sum;

  if (lab_run_get_state (run) == LAB_RUN_CANCELLED)
    return _("cancelled");
  if (lab_run_get_state (run) == LAB_RUN_FAILED)
    return lab_run_get_error (run);
  lab_run_get_summary (run, &sum);
  if (sum.machine_busy >= 0.20)
    return _("busy machine");
  if (lab_run_config_gil_ignored (lab_run_get_config (run)))
    return _("CPython’s own GIL: the GIL switch does not apply");
  return "";
}

static void
append_run_row (GString     *out,
                const Table *t,
                guint        i)
{
  LabRun *run = lab_analysis_get_run (t->analysis, i);
  const LabRunConfig *config = lab_run_get_config (run);
  g_autofree char *label = lab_run_config_dup_label (config);
  double speedup = lab_analysis_get_speedup (t->analysis, i);
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

  append_cell (out, config->task->name, 8, FALSE);
  append_cell (out, label, t->sw, FALSE);
  for (guint k = 0; k < G_N_ELEMENTS (buf); k++)
    append_cell (out, buf[k], k >= 3 ? 10 : 7, TRUE);
  if (t->show_mb)
    {
      g_autofree char *mb = g_strdup_printf ("%.1f", mb_per_s (&sum));
      append_cell (out, mb, 10, TRUE);
    }
  g_string_append (out, state_note (run));
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
      const LabJobRecord *job = lab_run_get_job (run, i);
      g_autofree char *worker = NULL;
      g_autofree char *error = NULL;

      if (job->state < LAB_JOB_OK)
        continue;
      worker = lab_run_describe_worker (run, job->worker);
      error = job->error ? g_utf8_make_valid (job->error, -1) : NULL;
      g_string_append_printf (out, "  %-5u  ", i);
      append_cell (out, worker, 16, FALSE);
      g_string_append_printf (out, "%7.3f s  %7.3f s  %7.3f s  %s\n",
                              s (job->start_ns), s (job->end_ns),
                              s (job->cpu_ns), error ? error : _("ok"));
    }
}

static void
append_group_row (GString           *out,
                  const Table       *t,
                  const LabRunGroup *group)
{
  g_autofree char *label = lab_run_config_dup_label (lab_run_get_config (group->first));
  LabRunSummary sum;
  char buf[11][32];

  lab_run_get_summary (group->first, &sum);
  g_snprintf (buf[0], sizeof buf[0], "%u", sum.workers);
  g_snprintf (buf[1], sizeof buf[1], "%u", sum.n_jobs);
  g_snprintf (buf[2], sizeof buf[2], "%u", group->runs->len);
  g_snprintf (buf[3], sizeof buf[3], "%u", group->n_jobs_failed);
  g_snprintf (buf[4], sizeof buf[4], "%.3f s", group->wall.median);
  g_snprintf (buf[5], sizeof buf[5], "%.3f s", group->wall.min);
  g_snprintf (buf[6], sizeof buf[6], "%.3f s", group->wall.max);
  g_snprintf (buf[7], sizeof buf[7], "%.3f s", group->cpu.median);
  g_snprintf (buf[8], sizeof buf[8], "%.2f", group->wall.median > 0 ? group->cpu.median / group->wall.median : 0);
  if (group->speedup > 0)
    g_snprintf (buf[9], sizeof buf[9], "%.2f×", group->speedup);
  else
    g_strlcpy (buf[9], "—", sizeof buf[9]);
  g_snprintf (buf[10], sizeof buf[10], "%.1f MB", group->peak_rss_kb / 1024.0);

  append_cell (out, lab_run_get_config (group->first)->task->name, 8, FALSE);
  append_cell (out, label, t->sw, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (buf); i++)
    append_cell (out, buf[i], i >= 4 ? 10 : 8, TRUE);
  if (t->show_mb)
    {
      g_autofree char *mb = g_strdup_printf ("%.1f", group->mb_per_s);
      append_cell (out, mb, 10, TRUE);
    }
  g_string_append_c (out, '\n');
}

/* Repeated configurations: one row each, with the median and the spread,
 * then the repeats that stood out. */
static void
append_groups (GString     *out,
               const Table *t)
{
  static const char * const headers[] = {
    N_("Task"), N_("Strategy"), N_("Workers"), N_("Jobs"), N_("Repeats"), N_("Failed"),
    N_("Wall"), N_("Min"), N_("Max"), N_("CPU"), N_("CPU/Wall"), N_("Speedup"), N_("Peak RSS"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    append_cell (out, _(headers[i]), i == 0 ? 8 : i == 1 ? t->sw : i >= 6 ? 10 : 8, i >= 2);
  if (t->show_mb)
    append_cell (out, _("MB/s"), 10, TRUE);
  g_string_append_c (out, '\n');

  for (guint g = 0; g < lab_analysis_get_n_groups (t->analysis); g++)
    append_group_row (out, t, lab_analysis_get_group (t->analysis, g));

  g_string_append_printf (out, "\n%s\n", _("Wall and CPU are the medians of the finished runs; Min and Max bound their wall times."));
  for (guint i = 0; i < lab_analysis_get_n_runs (t->analysis); i++)
    if (lab_analysis_is_outlier (t->analysis, i))
      {
        LabRun *run = lab_analysis_get_run (t->analysis, i);
        g_autofree char *line = g_strdup_printf (_("Outlier: run %u of %s took %.3f s"),
                                                 lab_analysis_get_repeat (t->analysis, i),
                                                 lab_run_get_config (run)->strategy->name,
                                                 lab_run_get_elapsed_ns (run) / 1e9);
        g_string_append_printf (out, "%s\n", line);
      }
}

/**
 * lab_report_describe_breakdown:
 *
 * Returns: where the time went, as shares of the capacity: "start 2 %,
 *   work 95 %, transfer 1 %, idle 2 %"; parts under 0.05 % are left out
 */
char *
lab_report_describe_breakdown (const LabBreakdown *b)
{
  const struct { const char *name; double value; } parts[] = {
    { N_("start"), b->start_s }, { N_("work"), b->work_s }, { N_("transfer"), b->transfer_s },
    { N_("idle"), b->idle_s }, { N_("stop"), b->stop_s },
  };
  g_autoptr(GString) out = g_string_new (NULL);

  if (b->capacity_s <= 0)
    return g_strdup (_("nothing ran"));
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *share = NULL;

      if (parts[i].value / b->capacity_s < 0.0005)
        continue;
      share = lab_format_percent (parts[i].value / b->capacity_s);
      /* Translators: a part of the capacity and its share, e.g. "work 95 %" */
      g_string_append_printf (out, "%s%s %s", out->len ? ", " : "", _(parts[i].name), share);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}


/* Below the table: where each configuration's time went, and what the
 * engine reads in it. */
static void
append_readings (GString     *out,
                 const Table *t)
{
  guint n_groups = lab_analysis_get_n_groups (t->analysis);

  g_string_append_printf (out, "\n%s\n", _("Where the time went (shares of workers × wall):"));
  for (guint g = 0; g < n_groups; g++)
    {
      LabRun *run = lab_run_group_get_median_run (lab_analysis_get_group (t->analysis, g));
      g_autofree char *label = lab_run_config_dup_label (lab_run_get_config (run));
      g_autofree char *parts = lab_report_describe_breakdown (lab_run_get_breakdown (run));

      g_string_append (out, "  ");
      append_cell (out, label, t->sw, FALSE);
      g_string_append_printf (out, "%s\n", parts);
    }

  g_string_append_printf (out, "\n%s\n", _("Verdict:"));
  for (guint g = 0; g < n_groups; g++)
    {
      LabRun *run = lab_run_group_get_median_run (lab_analysis_get_group (t->analysis, g));
      g_autofree char *label = lab_run_config_dup_label (lab_run_get_config (run));
      const char *verdict = lab_run_get_verdict (run);

      if (verdict == NULL)
        continue;
      g_string_append (out, "  ");
      append_cell (out, label, t->sw, FALSE);
      append_wrapped (out, t->sw + 4, verdict);
    }
}

/* Below the table: each swept strategy's speedups, and what Amdahl's law
 * makes of them. */
static void
append_scaling (GString     *out,
                const Table *t)
{
  guint n = lab_analysis_get_n_scalings (t->analysis);

  if (n == 0)
    return;

  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Scaling: speedup by workers; Amdahl’s law fitted on up to %u workers (the cores)"),
                          lab_usable_cores ());
  g_string_append_c (out, '\n');
  for (guint i = 0; i < n; i++)
    {
      const LabScaling *scaling = lab_analysis_get_scaling (t->analysis, i);
      g_autofree char *label = lab_run_config_dup_label (lab_run_get_config (scaling->first));

      g_string_append (out, "  ");
      append_cell (out, label, t->sw, FALSE);
      for (guint k = 0; k < scaling->workers->len; k++)
        {
          g_autofree char *point = g_strdup_printf ("%u: %.2f×", g_array_index (scaling->workers, guint, k),
                                                    g_array_index (scaling->speedup, double, k));
          append_cell (out, point, 10, TRUE);
        }
      if (isnan (scaling->serial_fraction))
        g_string_append (out, _("serial fraction: needs a run on 2 or more workers, up to the cores"));
      else if (scaling->serial_fraction < 0.001)
        g_string_append (out, _("no serial part measured: no limit seen"));
      else if (scaling->n_fitted < 2)
        /* One point says little about the limit; the fraction is given alone. */
        g_string_append_printf (out, _("serial fraction %.1f %% (from one worker count)"),
                                100 * scaling->serial_fraction);
      else
        g_string_append_printf (out, _("serial fraction %.1f %%: at most %.0f× on any number of cores"),
                                100 * scaling->serial_fraction, 1 / scaling->serial_fraction);
      g_string_append_c (out, '\n');
    }
}

/* Below the table: each configuration's median run against the baseline. */
static void
append_baseline (GString                 *out,
                 const Table             *t,
                 const LabReportBaseline *baseline)
{
  guint n_groups = lab_analysis_get_n_groups (t->analysis);
  g_autofree char *wall = lab_format_seconds ((gint64) (baseline->wall_s * 1e9));

  g_string_append_c (out, '\n');
  if (baseline->same_machine)
    /* Translators: "Against the baseline, run 12 (1.50 s):" */
    g_string_append_printf (out, _("Against the baseline, run %" PRId64 " (%s):"), baseline->id, wall);
  else if (baseline->machine_unknown)
    g_string_append_printf (out, _("Against the baseline, run %" PRId64 " (%s, machine not recorded):"),
                            baseline->id, wall);
  else
    g_string_append_printf (out, _("Against the baseline, run %" PRId64 " (%s, on another machine):"),
                            baseline->id, wall);
  g_string_append_c (out, '\n');
  for (guint g = 0; g < n_groups; g++)
    {
      LabRun *run = lab_run_group_get_median_run (lab_analysis_get_group (t->analysis, g));
      g_autofree char *label = lab_run_config_dup_label (lab_run_get_config (run));
      g_autofree char *delta = lab_report_describe_delta (lab_report_baseline_speedup (baseline, run));

      g_string_append (out, "  ");
      append_cell (out, label, t->sw, FALSE);
      g_string_append_printf (out, "%s\n", delta);
    }
}

static char *
format_table (LabAnalysis             *analysis,
              const LabReportBaseline *baseline)
{
  static const char * const headers[] = {
    N_("Task"), N_("Strategy"), N_("Workers"), N_("Jobs"), N_("Failed"),
    N_("Wall"), N_("CPU"), N_("CPU/Wall"), N_("Speedup"), N_("Peak RSS"),
  };
  Table t = { analysis, FALSE, strategy_width (analysis) };
  GString *out = g_string_new (NULL);
  guint n_runs = lab_analysis_get_n_runs (analysis);

  /* MB/s only for tasks that move bytes (download). */
  for (guint i = 0; i < n_runs; i++)
    {
      LabRunSummary sum;
      lab_run_get_summary (lab_analysis_get_run (analysis, i), &sum);
      t.show_mb |= sum.bytes > 0;
    }

  if (lab_analysis_has_repeats (analysis))
    append_groups (out, &t);
  else
    {
      append_headers (out, &t, headers, G_N_ELEMENTS (headers), 5);
      for (guint i = 0; i < n_runs; i++)
        append_run_row (out, &t, i);
      if (n_runs == 1 && lab_run_has_jobs (lab_analysis_get_run (analysis, 0)) &&
          lab_run_get_n_jobs (lab_analysis_get_run (analysis, 0)) <= TABLE_MAX_JOBS)
        append_jobs (out, lab_analysis_get_run (analysis, 0));
    }
  if (n_runs > 0)
    append_readings (out, &t);
  append_scaling (out, &t);
  if (n_runs > 0 && baseline != NULL)
    append_baseline (out, &t, baseline);

  return g_string_free (out, FALSE);
}

/**
 * lab_report_format_analysis:
 *
 * Returns: (transfer full): the analysed runs in @format, ending with a
 *   newline
 */
char *
lab_report_format_analysis (LabAnalysis     *analysis,
                            LabReportFormat  format)
{
  return lab_report_format_with_baseline (analysis, format, NULL);
}

/**
 * lab_report_format_with_baseline:
 * @baseline: (nullable): a pinned run to compare each run with: the JSON
 *   gets `baseline: {id, speedup, same_machine}` in each run, the CSV two
 *   columns, the table a section
 *
 * Returns: (transfer full): the analysed runs in @format
 */
/* JSON comes from the engine's other half: a command that writes it
 * loads that first (lab_cli_extras()), and says so when it cannot. */
static char *
format_json (LabAnalysis             *analysis,
             const LabReportBaseline *baseline)
{
  g_autoptr(GError) error = NULL;
  const LabEngineExtras *extras = _lab_engine_extras (&error);

  if (extras == NULL)
    {
      g_warning ("%s", error->message);
      return g_strdup ("");
    }
  return extras->format_json (analysis, baseline);
}

char *
lab_report_format_with_baseline (LabAnalysis             *analysis,
                                 LabReportFormat          format,
                                 const LabReportBaseline *baseline)
{
  switch (format)
    {
    case LAB_REPORT_JSON: return format_json (analysis, baseline);
    case LAB_REPORT_CSV:  return format_csv (analysis, baseline);
    case LAB_REPORT_TABLE:
    default:              return format_table (analysis, baseline);
    }
}

/**
 * lab_report_format:
 * @runs: (array length=n_runs): runs, in the order they ran
 *
 * Returns: (transfer full): the runs in @format, ending with a newline
 */
char *
lab_report_format (LabRun          **runs,
                   guint             n_runs,
                   LabReportFormat   format)
{
  g_autoptr(LabAnalysis) analysis = lab_analysis_new (runs, n_runs);

  return lab_report_format_analysis (analysis, format);
}
