/* lab-history-records.c — a run's records as the history keeps them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A stored run must come back as it was drawn: its jobs (timeline), its
 * long-lived workers (breakdown), its figures and findings. They are kept
 * as one GVariant (compact, and checked as a whole when read back: a
 * value from a damaged file is refused, never half used). Runs stored
 * before these records existed are read back from their JSON, which has
 * every figure the charts need but the workers' start and end.
 */
#define G_LOG_DOMAIN "lab-history"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-history-private.h"

#define RECORDS_VERSION 1
#define CONFIG_TYPE   "(ssuvb)"
#define SUMMARY_TYPE  "(xxxxxxuuuutd)"
#define JOB_TYPE      "(xxxxxtiiqnyqms)"
#define WORKER_TYPE   "(xxxiq)"
#define FINDING_TYPE  "(sdus)"
#define RECORDS_TYPE  "(u" CONFIG_TYPE "u" SUMMARY_TYPE "a" JOB_TYPE "a" WORKER_TYPE "a" FINDING_TYPE ")"
G_STATIC_ASSERT (sizeof RECORDS_TYPE == sizeof _LAB_HISTORY_RECORDS_TYPE);

/* A run of a million jobs is 72 MB of records: more is no run this app made. */
#define MAX_JOBS 10000000

static GVariant *
config_to_variant (const LabRunConfig *config)
{
  return g_variant_new ("(ssu@vb)", config->task->name, config->strategy->name, config->workers,
                        g_variant_new_variant (config->params), config->gil);
}

static GVariant *
summary_to_variant (const LabRunSummary *s)
{
  return g_variant_new (SUMMARY_TYPE, s->wall_ns, s->user_ns, s->sys_ns, s->setup_ns, s->peak_rss_kb,
                        s->peak_rss_children_kb, s->n_jobs, s->n_done, s->n_failed, s->workers,
                        (guint64) s->bytes, s->machine_busy);
}

static void
add_jobs (GVariantBuilder *b,
          LabRun          *run,
          guint            n_jobs)
{
  g_variant_builder_open (b, G_VARIANT_TYPE ("a" JOB_TYPE));
  for (guint i = 0; lab_run_has_jobs (run) && i < n_jobs; i++)
    {
      const LabJobRecord *j = lab_run_get_job (run, i);
      g_autofree char *valid = j->error && !g_utf8_validate (j->error, -1, NULL)
                               ? g_utf8_make_valid (j->error, -1) : NULL;

      g_variant_builder_add (b, JOB_TYPE, j->dispatch_ns, j->start_ns, j->end_ns, j->back_ns, j->cpu_ns,
                             (guint64) j->bytes, j->value, j->worker, j->lane, j->status, j->state, j->phase,
                             valid ? valid : j->error);
    }
  g_variant_builder_close (b);
}

static void
add_workers_and_findings (GVariantBuilder *b,
                          LabRun          *run)
{
  const LabFinding *findings;
  guint n_findings;

  g_variant_builder_open (b, G_VARIANT_TYPE ("a" WORKER_TYPE));
  for (guint i = 0; i < lab_run_get_n_worker_records (run); i++)
    {
      const LabWorkerRecord *w = lab_run_get_worker_record (run, i);
      g_variant_builder_add (b, WORKER_TYPE, w->begin_ns, w->ready_ns, w->gone_ns, w->id, w->lane);
    }
  g_variant_builder_close (b);

  findings = lab_run_get_findings (run, &n_findings);
  g_variant_builder_open (b, G_VARIANT_TYPE ("a" FINDING_TYPE));
  for (guint i = 0; i < n_findings; i++)
    {
      g_autofree char *text = g_utf8_make_valid (findings[i].text ? findings[i].text : "", -1);
      g_variant_builder_add (b, FINDING_TYPE, findings[i].code, findings[i].weight,
                             (guint32) findings[i].severity, text);
    }
  g_variant_builder_close (b);
}

/**
 * _lab_history_run_to_variant:
 *
 * Everything lab_run_new_from_records() needs to make @run again, and its
 * findings. Texts that are not UTF-8 (a job's error may quote any bytes)
 * are made valid: a GVariant string must be.
 *
 * Returns: (transfer floating): the records
 */
GVariant *
_lab_history_run_to_variant (LabRun *run)
{
  LabRunSummary sum;
  GVariantBuilder b;

  lab_run_get_summary (run, &sum);
  g_variant_builder_init (&b, G_VARIANT_TYPE (RECORDS_TYPE));
  g_variant_builder_add (&b, "u", RECORDS_VERSION);
  g_variant_builder_add_value (&b, config_to_variant (lab_run_get_config (run)));
  g_variant_builder_add (&b, "u", (guint32) lab_run_get_state (run));
  g_variant_builder_add_value (&b, summary_to_variant (&sum));
  add_jobs (&b, run, sum.n_jobs);
  add_workers_and_findings (&b, run);
  return g_variant_builder_end (&b);
}

static gboolean
damaged (GError **error)
{
  g_set_error (error, LAB_ERROR, LAB_ERROR_CORRUPT, _("The stored records of the run are damaged"));
  return FALSE;
}

static LabRunConfig *
config_from_variant (GVariant   *value,
                     LabRuntime  runtime,
                     GError    **error)
{
  g_autoptr(GVariant) params = NULL;
  LabRunConfig *config;
  const char *task, *strategy;
  guint workers;
  gboolean gil;

  g_variant_get (value, "(&s&suvb)", &task, &strategy, &workers, &params, &gil);
  if (!g_variant_is_of_type (params, G_VARIANT_TYPE_VARDICT))
    return damaged (error), NULL;
  if (!(config = lab_run_config_new_by_name (task, strategy, workers, params, error)))
    return NULL;
  config->gil = gil;
  config->runtime = runtime;
  return config;
}

static GArray *
findings_from_variant (GVariant *value)
{
  GArray *findings = g_array_new (FALSE, FALSE, sizeof (LabFinding));
  GVariantIter iter;
  const char *code, *text;
  double weight;
  guint32 severity;

  g_array_set_clear_func (findings, (GDestroyNotify) lab_finding_clear);
  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "(&sdu&s)", &code, &weight, &severity, &text))
    {
      LabFinding f = {
        .code = g_intern_string (code),
        .severity = MIN (severity, LAB_SEVERITY_WARNING),
        .weight = isfinite (weight) ? weight : 0,
        .text = g_strdup (text),
      };
      g_array_append_val (findings, f);
    }
  return findings;
}

static gboolean
jobs_from_variant (GVariant  *value,
                   guint      n_jobs,
                   GArray    *jobs,
                   GError   **error)
{
  GVariantIter iter;
  LabJobRecord r;
  guint64 bytes;
  guint8 state;
  char *error_text;

  if (g_variant_n_children (value) != n_jobs)
    return damaged (error);

  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, JOB_TYPE, &r.dispatch_ns, &r.start_ns, &r.end_ns, &r.back_ns, &r.cpu_ns,
                              &bytes, &r.value, &r.worker, &r.lane, &r.status, &state, &r.phase, &error_text))
    {
      r.bytes = bytes;
      r.state = MIN (state, LAB_JOB_FAILED);
      r.error = error_text;   /* owned by the array until the run copies it */
      g_array_append_val (jobs, r);
    }
  return TRUE;
}

static void
clear_job (LabJobRecord *record)
{
  g_clear_pointer (&record->error, g_free);
}

/**
 * _lab_history_run_from_variant:
 * @value: records as _lab_history_run_to_variant() made them, read from a
 *   file: any value
 * @runtime: what the jobs were written in (the row's own column)
 *
 * Returns: (transfer full): the run, or %NULL with @error set:
 *   %LAB_ERROR_CORRUPT for a value that is not such records,
 *   %LAB_ERROR_INVALID_ARGUMENT for a task or strategy this build lacks
 */
LabRun *
_lab_history_run_from_variant (GVariant   *value,
                               LabRuntime  runtime,
                               GError    **error)
{
  g_autoptr(GVariant) config_v = NULL, summary_v = NULL, jobs_v = NULL, workers_v = NULL, findings_v = NULL;
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GArray) jobs = NULL;
  g_autoptr(GArray) workers = g_array_new (FALSE, FALSE, sizeof (LabWorkerRecord));
  LabRunSummary sum = { 0 };
  guint64 bytes;
  guint32 version, state;
  GVariantIter iter;
  LabWorkerRecord w;
  LabRun *run;

  if (!g_variant_is_of_type (value, G_VARIANT_TYPE (RECORDS_TYPE)) || !g_variant_is_normal_form (value))
    return damaged (error), NULL;
  g_variant_get (value, "(u@" CONFIG_TYPE "u@" SUMMARY_TYPE "@a" JOB_TYPE "@a" WORKER_TYPE "@a" FINDING_TYPE ")",
                 &version, &config_v, &state, &summary_v, &jobs_v, &workers_v, &findings_v);
  if (version != RECORDS_VERSION || state < LAB_RUN_FINISHED || state > LAB_RUN_FAILED)
    return damaged (error), NULL;
  g_variant_get (summary_v, SUMMARY_TYPE, &sum.wall_ns, &sum.user_ns, &sum.sys_ns, &sum.setup_ns, &sum.peak_rss_kb,
                 &sum.peak_rss_children_kb, &sum.n_jobs, &sum.n_done, &sum.n_failed, &sum.workers, &bytes,
                 &sum.machine_busy);
  sum.bytes = bytes;
  if (sum.n_jobs > MAX_JOBS || !isfinite (sum.machine_busy))
    return damaged (error), NULL;
  if (!(config = config_from_variant (config_v, runtime, error)))
    return NULL;

  jobs = g_array_sized_new (FALSE, FALSE, sizeof (LabJobRecord), sum.n_jobs);
  g_array_set_clear_func (jobs, (GDestroyNotify) clear_job);
  if (!jobs_from_variant (jobs_v, sum.n_jobs, jobs, error))
    return NULL;
  g_variant_iter_init (&iter, workers_v);
  while (g_variant_iter_next (&iter, WORKER_TYPE, &w.begin_ns, &w.ready_ns, &w.gone_ns, &w.id, &w.lane))
    g_array_append_val (workers, w);

  run = lab_run_new_from_records (config, state, &sum, (LabJobRecord *) jobs->data, jobs->len,
                                  (LabWorkerRecord *) workers->data, workers->len);
  lab_run_set_findings (run, findings_from_variant (findings_v));
  return run;
}

/* ---- Runs stored before their records ------------------------------------ */

static double
member_double (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE && isfinite (json_node_get_double (node)))
    return json_node_get_double (node);
  return 0;
}

static gint64
member_ns (JsonObject *object,
           const char *name)
{
  return (gint64) CLAMP (member_double (object, name) * 1e9, -1e18, 1e18);
}

/* "thread 1234", "process 1234" (in any language): the number in it. */
static gint32
worker_id_of (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      return (gint32) CLAMP (g_ascii_strtoll (p, NULL, 10), 0, G_MAXINT32);
  return 0;
}

static void
job_from_json (JsonObject   *job,
               LabJobRecord *r)
{
  JsonNode *error = json_object_get_member (job, "error");

  *r = (LabJobRecord) {
    .dispatch_ns = member_ns (job, "dispatch_s"),
    .start_ns = member_ns (job, "start_s"),
    .end_ns = member_ns (job, "end_s"),
    .back_ns = member_ns (job, "back_s"),
    .cpu_ns = member_ns (job, "cpu_s"),
    .bytes = (guint64) CLAMP (member_double (job, "bytes"), 0, 1e18),
    .value = (gint32) CLAMP (member_double (job, "value"), G_MININT32, G_MAXINT32),
    .worker = worker_id_of (json_object_get_string_member_with_default (job, "worker", NULL)),
    .lane = (guint16) CLAMP (member_double (job, "lane"), 0, G_MAXUINT16),
    .status = (gint16) CLAMP (member_double (job, "status"), G_MININT16, G_MAXINT16),
  };
  if (error != NULL && JSON_NODE_HOLDS_VALUE (error) && json_node_get_value_type (error) == G_TYPE_STRING)
    r->error = g_strdup (json_node_get_string (error));
  r->state = json_object_get_boolean_member_with_default (job, "ok", r->error == NULL) ? LAB_JOB_OK : LAB_JOB_FAILED;
  if (json_object_has_member (job, "phase_s"))
    lab_job_record_set_phase (r, member_ns (job, "phase_s"));
}

static GArray *
findings_from_json (JsonArray *array)
{
  GArray *findings = g_array_new (FALSE, FALSE, sizeof (LabFinding));
  guint n = array ? json_array_get_length (array) : 0;

  g_array_set_clear_func (findings, (GDestroyNotify) lab_finding_clear);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *severity = o ? json_object_get_string_member_with_default (o, "severity", "info") : "info";
      LabFinding f = { 0 };

      if (o == NULL)
        continue;
      f.code = g_intern_string (json_object_get_string_member_with_default (o, "code", ""));
      f.severity = g_strcmp0 (severity, "warning") == 0 ? LAB_SEVERITY_WARNING
                 : g_strcmp0 (severity, "notice") == 0 ? LAB_SEVERITY_NOTICE : LAB_SEVERITY_INFO;
      f.weight = n - i;   /* they were stored heaviest first */
      f.text = g_strdup (json_object_get_string_member_with_default (o, "text", ""));
      g_array_append_val (findings, f);
    }
  return findings;
}

static JsonArray *
array_member (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/**
 * _lab_history_run_from_json:
 * @run: a stored run object, as lab_history_entry_to_json() gives it
 * @params: (nullable): the run's parameters, from its row
 *
 * A run stored before its records were: its jobs as the JSON has them
 * (the timeline, the comparison and the findings come back; the CPU chart
 * has no samples and the breakdown no long-lived workers).
 *
 * Returns: (transfer full): the run, or %NULL with @error set
 */
LabRun *
_lab_history_run_from_json (JsonObject  *run,
                            GVariant    *params,
                            LabRuntime   runtime,
                            GError     **error)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GArray) jobs = g_array_new (FALSE, TRUE, sizeof (LabJobRecord));
  JsonArray *results = array_member (run, "job_results");
  LabRunSummary sum = { 0 };
  LabRun *self;

  g_array_set_clear_func (jobs, (GDestroyNotify) clear_job);
  config = lab_run_config_new_by_name (json_object_get_string_member_with_default (run, "task", ""),
                                       json_object_get_string_member_with_default (run, "strategy", ""),
                                       (guint) CLAMP (member_double (run, "workers"), 0, 256),
                                       params ? params : g_variant_new ("a{sv}", NULL), error);
  if (config == NULL)
    return NULL;
  config->gil = json_object_get_boolean_member_with_default (run, "gil", FALSE);
  config->runtime = runtime;

  sum.wall_ns = member_ns (run, "wall_s");
  sum.user_ns = member_ns (run, "user_s");
  sum.sys_ns = member_ns (run, "sys_s");
  sum.peak_rss_kb = (gint64) member_double (run, "peak_rss_kb");
  sum.peak_rss_children_kb = (gint64) member_double (run, "peak_rss_children_kb");
  sum.workers = (guint) CLAMP (member_double (run, "workers"), 0, G_MAXUINT16);
  sum.machine_busy = member_double (run, "machine_busy");
  sum.n_jobs = (guint) CLAMP (member_double (run, "jobs"), 0, MAX_JOBS);

  /* The JSON lists the jobs that ended, each with its index. */
  g_array_set_size (jobs, sum.n_jobs);
  for (guint i = 0; results != NULL && i < json_array_get_length (results); i++)
    {
      JsonNode *node = json_array_get_element (results, i);
      JsonObject *job = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      double index = job ? member_double (job, "index") : -1;

      if (job == NULL || index < 0 || index >= sum.n_jobs)
        continue;
      clear_job (&g_array_index (jobs, LabJobRecord, (guint) index));
      job_from_json (job, &g_array_index (jobs, LabJobRecord, (guint) index));
    }

  self = lab_run_new_from_records (config,
                                   json_object_get_boolean_member_with_default (run, "cancelled", FALSE)
                                     ? LAB_RUN_CANCELLED : LAB_RUN_FINISHED,
                                   &sum, (LabJobRecord *) jobs->data, jobs->len, NULL, 0);
  lab_run_set_findings (self, findings_from_json (array_member (run, "findings")));
  return self;
}
