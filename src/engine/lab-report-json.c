/* lab-report-json.c — runs as JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * In the engine's other half, with json-glib: the command line loads it
 * for --format=json (lab-extras-private.h). Numbers are written the same
 * in every locale.
 */
#define G_LOG_DOMAIN "lab-report"

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include <glib/gi18n-lib.h>

#include "lab-format.h"
#include "lab-granularity.h"
#include "lab-machine-costs.h"
#include "lab-report-private.h"

/* One member of the JSON object being built by the JsonBuilder `b`. */
#define MEMBER(name, kind, value) \
  G_STMT_START { \
    json_builder_set_member_name (b, name); \
    json_builder_add_##kind##_value (b, value); \
  } G_STMT_END

/* --- JSON ----------------------------------------------------------------- */

/* Text from a file, a URL or another program may be any bytes: JSON
 * carries valid UTF-8 only. */
static void
add_text (JsonBuilder *b,
          const char  *name,
          const char  *text)
{
  json_builder_set_member_name (b, name);
  if (text == NULL)
    json_builder_add_null_value (b);
  else if (g_utf8_validate (text, -1, NULL))
    json_builder_add_string_value (b, text);
  else
    {
      g_autofree char *valid = g_utf8_make_valid (text, -1);
      json_builder_add_string_value (b, valid);
    }
}

static void
add_job (JsonBuilder        *b,
         LabRun             *run,
         guint               index,
         const LabJobRecord *job)
{
  g_autofree char *worker = lab_run_describe_worker (run, job->worker);

  json_builder_begin_object (b);
  MEMBER ("index", int, index);
  MEMBER ("worker", string, worker);
  MEMBER ("lane", int, job->lane);
  MEMBER ("dispatch_s", double, s (job->dispatch_ns));
  MEMBER ("start_s", double, s (job->start_ns));
  MEMBER ("end_s", double, s (job->end_ns));
  MEMBER ("back_s", double, s (job->back_ns));
  /* A job of two phases (a pipeline): where its first ended. */
  if (lab_job_record_get_phase (job) >= 0)
    MEMBER ("phase_s", double, s (lab_job_record_get_phase (job)));
  MEMBER ("cpu_s", double, s (job->cpu_ns));
  MEMBER ("ok", boolean, job->error == NULL);
  add_text (b, "error", job->error);
  MEMBER ("value", int, job->value);
  MEMBER ("bytes", int, job->bytes);
  MEMBER ("status", int, job->status);
  json_builder_end_object (b);
}

static void
add_breakdown (JsonBuilder        *b,
               const LabBreakdown *breakdown)
{
  json_builder_set_member_name (b, "breakdown");
  json_builder_begin_object (b);
  MEMBER ("capacity_s", double, breakdown->capacity_s);
  MEMBER ("setup_s", double, breakdown->setup_s);
  MEMBER ("start_s", double, breakdown->start_s);
  MEMBER ("work_s", double, breakdown->work_s);
  MEMBER ("transfer_s", double, breakdown->transfer_s);
  MEMBER ("idle_s", double, breakdown->idle_s);
  MEMBER ("stop_s", double, breakdown->stop_s);
  json_builder_end_object (b);
}

static const char *
severity_name (LabSeverity severity)
{
  switch (severity)
    {
    case LAB_SEVERITY_WARNING: return "warning";
    case LAB_SEVERITY_NOTICE:  return "notice";
    case LAB_SEVERITY_INFO:
    default:                   return "info";
    }
}

static void
add_findings (JsonBuilder *b,
              LabRun      *run)
{
  guint n;
  const LabFinding *findings = lab_run_get_findings (run, &n);

  add_text (b, "verdict", lab_run_get_verdict (run));
  json_builder_set_member_name (b, "findings");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      json_builder_begin_object (b);
      MEMBER ("code", string, findings[i].code);
      MEMBER ("severity", string, severity_name (findings[i].severity));
      add_text (b, "text", findings[i].text);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* "baseline": {"id", "speedup", "same_machine"}; speedup null for a run
 * of another task. */
static void
add_baseline (JsonBuilder             *b,
              const LabReportBaseline *baseline,
              LabRun                  *run)
{
  double speedup = lab_report_baseline_speedup (baseline, run);

  json_builder_set_member_name (b, "baseline");
  json_builder_begin_object (b);
  MEMBER ("id", int, baseline->id);
  json_builder_set_member_name (b, "speedup");
  if (isnan (speedup))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, speedup);
  MEMBER ("same_machine", boolean, baseline->same_machine);
  json_builder_end_object (b);
}

static void
add_run (JsonBuilder             *b,
         LabAnalysis             *analysis,
         guint                    i,
         const LabReportBaseline *baseline)
{
  LabRun *run = lab_analysis_get_run (analysis, i);
  const LabRunConfig *config = lab_run_get_config (run);
  LabRunSummary sum;

  lab_run_get_summary (run, &sum);

  json_builder_begin_object (b);
  MEMBER ("task", string, config->task->name);
  MEMBER ("strategy", string, config->strategy->name);
  MEMBER ("runtime", string, lab_runtime_get_name (config->runtime));
  MEMBER ("workers", int, sum.workers);
  MEMBER ("jobs", int, sum.n_jobs);
  MEMBER ("done", int, sum.n_done);
  MEMBER ("failed", int, sum.n_failed);
  MEMBER ("cancelled", boolean, lab_run_get_state (run) == LAB_RUN_CANCELLED);
  MEMBER ("wall_s", double, s (sum.wall_ns));
  MEMBER ("user_s", double, s (sum.user_ns));
  MEMBER ("sys_s", double, s (sum.sys_ns));
  MEMBER ("cpu_s", double, s (sum.user_ns + sum.sys_ns));
  MEMBER ("speedup", double, lab_analysis_get_speedup (analysis, i));
  MEMBER ("peak_rss_kb", int, sum.peak_rss_kb);
  MEMBER ("peak_rss_children_kb", int, sum.peak_rss_children_kb);
  MEMBER ("bytes", int, sum.bytes);
  MEMBER ("mb_per_s", double, mb_per_s (&sum));
  MEMBER ("repeat", int, lab_analysis_get_repeat (analysis, i));
  MEMBER ("outlier", boolean, lab_analysis_is_outlier (analysis, i));
  MEMBER ("gil", boolean, lab_run_config_uses_gil (config));
  /* A Python run has CPython's own lock: the imitation's switch does
   * not apply, and the report says so rather than drop it silently. */
  if (lab_run_config_gil_ignored (config))
    MEMBER ("gil_note", string, "the GIL switch does not apply: CPython has its own GIL");
  MEMBER ("machine_busy", double, sum.machine_busy);
  add_text (b, "error", lab_run_get_state (run) == LAB_RUN_FAILED ? lab_run_get_error (run) : NULL);
  add_breakdown (b, lab_run_get_breakdown (run));
  add_findings (b, run);
  if (baseline != NULL)
    add_baseline (b, baseline, run);

  json_builder_end_object (b);
}

static void
add_stats (JsonBuilder    *b,
           const char     *name,
           const LabStats *stats)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  MEMBER ("min", double, stats->min);
  MEMBER ("median", double, stats->median);
  MEMBER ("max", double, stats->max);
  json_builder_end_object (b);
}

/* One entry per configuration: its repeats' figures. */
static void
add_summary (JsonBuilder       *b,
             const LabRunGroup *group)
{
  const LabRunConfig *config = lab_run_get_config (group->first);
  LabRunSummary sum;

  lab_run_get_summary (group->first, &sum);
  json_builder_begin_object (b);
  MEMBER ("task", string, config->task->name);
  MEMBER ("strategy", string, config->strategy->name);
  MEMBER ("runtime", string, lab_runtime_get_name (config->runtime));
  MEMBER ("workers", int, sum.workers);
  MEMBER ("jobs", int, sum.n_jobs);
  MEMBER ("gil", boolean, lab_run_config_uses_gil (config));
  MEMBER ("runs", int, group->runs->len);
  MEMBER ("finished", int, group->wall.n);
  MEMBER ("failed", int, group->n_jobs_failed);
  MEMBER ("speedup", double, group->speedup);
  MEMBER ("peak_rss_kb", int, group->peak_rss_kb);
  MEMBER ("mb_per_s", double, group->mb_per_s);
  add_stats (b, "wall_s", &group->wall);
  add_stats (b, "cpu_s", &group->cpu);
  json_builder_end_object (b);
}

static void
add_scaling (JsonBuilder      *b,
             const LabScaling *scaling)
{
  const LabRunConfig *config = lab_run_get_config (scaling->first);

  json_builder_begin_object (b);
  MEMBER ("task", string, config->task->name);
  MEMBER ("strategy", string, config->strategy->name);
  MEMBER ("runtime", string, lab_runtime_get_name (config->runtime));
  MEMBER ("gil", boolean, lab_run_config_uses_gil (config));
  MEMBER ("reference", string, scaling->reference);
  json_builder_set_member_name (b, "points");
  json_builder_begin_array (b);
  for (guint i = 0; i < scaling->workers->len; i++)
    {
      json_builder_begin_object (b);
      MEMBER ("workers", int, g_array_index (scaling->workers, guint, i));
      MEMBER ("speedup", double, g_array_index (scaling->speedup, double, i));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "serial_fraction");
  if (isnan (scaling->serial_fraction))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, scaling->serial_fraction);
  json_builder_end_object (b);
}

/* The JSON document is written piece by piece, each piece (a run without
 * its jobs, one job, the summary) built and generated on its own and put
 * where the pretty generator would have put it in a document written
 * whole: the text is the same, byte for byte (/report/json-pieces checks
 * it), but a run of a million jobs never has a million JSON objects in
 * memory at once (3 GB), only their text. */

/* @node as the pretty generator writes it, each line after the first
 * moved @indent columns right, as it is at that depth of a whole
 * document; the last @cut bytes left out. Lines break only between JSON
 * tokens (a newline in a string is written \n), so this is exact. */
static void
append_generated (GString       *out,
                  JsonGenerator *gen,
                  JsonNode      *node,
                  guint          indent,
                  gsize          cut)
{
  static const char spaces[] = "        ";   /* the deepest piece: a job */
  g_autofree char *text = NULL;
  gsize length;
  const char *p;

  g_assert (indent < sizeof spaces);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, &length);
  length -= MIN (cut, length);
  for (p = text; p < text + length; )
    {
      const char *nl = memchr (p, '\n', text + length - p);
      const char *end = nl != NULL ? nl + 1 : text + length;

      g_string_append_len (out, p, end - p);
      if (nl != NULL)
        g_string_append_len (out, spaces, indent);
      p = end;
    }
}

/* What @b built since its last reset, generated into @out. */
static void
append_built (GString       *out,
              JsonGenerator *gen,
              JsonBuilder   *b,
              guint          indent,
              gsize          cut)
{
  g_autoptr(JsonNode) node = json_builder_get_root (b);

  append_generated (out, gen, node, indent, cut);
  json_builder_reset (b);
}

/* Run @i at depth 2 of the document ("runs" : [ here ]), its jobs last. */
static void
append_run (GString                 *out,
            JsonGenerator           *gen,
            JsonBuilder             *b,
            LabAnalysis             *analysis,
            guint                    i,
            const LabReportBaseline *baseline)
{
  LabRun *run = lab_analysis_get_run (analysis, i);
  LabRunSummary sum;
  gboolean first = TRUE;

  lab_run_get_summary (run, &sum);
  add_run (b, analysis, i, baseline);
  append_built (out, gen, b, 4, strlen ("\n}"));
  g_string_append (out, ",\n      \"job_results\" : [");
  for (guint k = 0; lab_run_has_jobs (run) && k < sum.n_jobs; k++)
    {
      const LabJobRecord *job = lab_run_get_job (run, k);

      if (job->state < LAB_JOB_OK)
        continue;
      g_string_append (out, first ? "\n        " : ",\n        ");
      first = FALSE;
      add_job (b, run, k, job);
      append_built (out, gen, b, 8, 0);
    }
  g_string_append (out, first ? "]\n    }" : "\n      ]\n    }");
}

char *
_lab_report_format_json (LabAnalysis             *analysis,
                         const LabReportBaseline *baseline)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  GString *out = g_string_new ("{\n  \"runs\" : [");
  guint n_runs = lab_analysis_get_n_runs (analysis);

  json_generator_set_pretty (gen, TRUE);
  for (guint i = 0; i < n_runs; i++)
    {
      g_string_append (out, i == 0 ? "\n    " : ",\n    ");
      append_run (out, gen, b, analysis, i, baseline);
    }
  g_string_append (out, n_runs > 0 ? "\n  ],\n  \"summary\" : " : "],\n  \"summary\" : ");

  json_builder_begin_array (b);
  for (guint g = 0; g < lab_analysis_get_n_groups (analysis); g++)
    add_summary (b, lab_analysis_get_group (analysis, g));
  json_builder_end_array (b);
  append_built (out, gen, b, 2, 0);

  g_string_append (out, ",\n  \"scaling\" : ");
  json_builder_begin_array (b);
  for (guint i = 0; i < lab_analysis_get_n_scalings (analysis); i++)
    add_scaling (b, lab_analysis_get_scaling (analysis, i));
  json_builder_end_array (b);
  append_built (out, gen, b, 2, 0);

  g_string_append (out, "\n}\n");
  return g_string_free (out, FALSE);
}

/* --- A job-size sweep ------------------------------------------------------ */

static void
add_seconds (JsonBuilder *b,
             const char  *name,
             double       s)
{
  json_builder_set_member_name (b, name);
  if (isfinite (s))
    json_builder_add_double_value (b, s);
  else
    json_builder_add_null_value (b);
}

/* Adds "granularity": [{strategy, points: [{job_s, speedup, size}],
 * break_even_job_s, predicted_break_even_job_s}] to an object being built. */
void
lab_granularity_add_json (JsonBuilder *b,
                          GPtrArray   *granularity)
{
  g_return_if_fail (JSON_IS_BUILDER (b) && granularity != NULL);

  json_builder_set_member_name (b, "granularity");
  json_builder_begin_array (b);
  for (guint i = 0; i < granularity->len; i++)
    {
      LabGranularity *g = g_ptr_array_index (granularity, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "strategy");
      json_builder_add_string_value (b, g->strategy->name);
      json_builder_set_member_name (b, "points");
      json_builder_begin_array (b);
      for (guint k = 0; k < g->points->len; k++)
        {
          LabGranularityPoint *p = &g_array_index (g->points, LabGranularityPoint, k);

          json_builder_begin_object (b);
          add_seconds (b, "job_s", p->job_s);
          json_builder_set_member_name (b, "speedup");
          json_builder_add_double_value (b, p->speedup);
          json_builder_set_member_name (b, "size");
          json_builder_add_int_value (b, p->size);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      add_seconds (b, "break_even_job_s", g->break_even_s);
      add_seconds (b, "predicted_break_even_job_s", g->predicted_s);
      json_builder_set_member_name (b, "machine_busy");
      json_builder_add_double_value (b, g->machine_busy);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
copy_member_cb (JsonObject  *from,
                const char  *name,
                JsonNode    *node,
                gpointer     data)
{
  json_object_set_member (data, name, json_node_copy (node));
}

/* The report of a job-size sweep: the runs' report, and the speed-up by
 * job size ("granularity" in JSON, a table below the runs' one). */
char *
_lab_report_add_granularity (char                  *text,
                             LabAnalysis           *analysis,
                             LabReportFormat        format,
                             const LabMachineCosts *costs)
{
  g_autoptr(GPtrArray) granularity = lab_granularity_compute (analysis, costs);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) extra = NULL;
  g_autofree char *data = NULL;
  JsonObject *root;

  if (format == LAB_REPORT_TABLE)
    {
      g_autofree char *table = lab_granularity_format_table (granularity, lab_usable_cores ());
      g_autofree char *owned = text;

      return g_strconcat (owned, "\n", table, NULL);
    }
  if (format != LAB_REPORT_JSON || !json_parser_load_from_data (parser, text, -1, NULL))
    return text;

  json_builder_begin_object (b);
  lab_granularity_add_json (b, granularity);
  if (costs != NULL)
    {
      json_builder_set_member_name (b, "machine_costs");
      json_builder_add_value (b, lab_machine_costs_to_json (costs));
    }
  json_builder_end_object (b);
  extra = json_builder_get_root (b);
  root = json_node_get_object (json_parser_get_root (parser));
  json_object_foreach_member (json_node_get_object (extra), copy_member_cb, root);

  json_generator_set_root (gen, json_parser_get_root (parser));
  json_generator_set_pretty (gen, TRUE);
  data = json_generator_to_data (gen, NULL);
  g_free (text);
  return g_strconcat (data, "\n", NULL);
}
