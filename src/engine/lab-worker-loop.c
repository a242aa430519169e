/* lab-worker-loop.c — runs jobs sent over a pipe, in a worker process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-worker"

#include "config.h"

#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "lab-clock.h"
#include "lab-error.h"
#include "lab-protocol.h"
#include "lab-task.h"
#include "lab-worker-loop.h"

typedef struct {
  LabFrameReader     *reader;
  LabFrameWriter     *writer;
  const LabTaskClass *klass;
  gpointer            plan;
  gpointer            worker_state;
  guint               n_jobs;
  gint64              pid;
} Worker;

static int
fatal (Worker     *w,
       const char *message)
{
  g_printerr ("concurrency-lab-worker: %s\n", message);
  lab_frame_writer_append (w->writer, LAB_FRAME_FATAL, g_variant_new_string (message));
  lab_frame_writer_flush (w->writer, TRUE, NULL);
  return LAB_WORKER_EXIT_PROTOCOL;
}

static gboolean
hello (Worker  *w,
       GError **error)
{
  g_autoptr(GVariant) payload = NULL;
  g_autoptr(GVariant) params = NULL;
  LabFrameType type;
  GError *local_error = NULL;
  const char *task;
  guint version;

  if (!lab_frame_reader_read (w->reader, &type, &payload, &local_error))
    {
      if (local_error == NULL)
        local_error = g_error_new_literal (LAB_ERROR, LAB_ERROR_PROTOCOL,
                                           _("No HELLO frame before end of input"));
      g_propagate_error (error, local_error);
      return FALSE;
    }

  if (type != LAB_FRAME_HELLO)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   _("Expected a HELLO frame, got type %u"), type);
      return FALSE;
    }

  g_variant_get (payload, "(u&s@a{sv})", &version, &task, &params);
  if (version != LAB_PROTOCOL_VERSION)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   _("Protocol version %u is not supported (this worker speaks %u)"),
                   version, LAB_PROTOCOL_VERSION);
      return FALSE;
    }

  if (!(w->klass = lab_task_lookup (task, error)) ||
      !(w->plan = w->klass->setup (params, error)))
    return FALSE;

  w->n_jobs = w->klass->get_n_jobs (w->plan);
  if (w->klass->worker_init != NULL)
    w->worker_state = w->klass->worker_init (w->plan);

  lab_frame_writer_append (w->writer, LAB_FRAME_READY, g_variant_new_int64 (w->pid));
  return lab_frame_writer_flush (w->writer, TRUE, error);
}

static void
run_job (Worker *w,
         guint   index)
{
  g_autoptr(GError) error = NULL;
  LabJobResult result = { 0 };
  gint64 cpu0;

  result.index = index;
  result.worker = w->pid;
  result.start_ns = lab_clock_now_ns ();
  cpu0 = lab_clock_thread_cpu_ns ();

  if (!w->klass->run_job (w->plan, w->worker_state, index, &result, NULL, &error))
    result.error = g_strdup (error ? error->message : _("The job failed"));

  result.cpu_ns = lab_clock_thread_cpu_ns () - cpu0;
  result.end_ns = lab_clock_now_ns ();

  lab_frame_writer_append (w->writer, LAB_FRAME_RESULT, lab_protocol_encode_result (&result));
  lab_job_result_clear (&result);
}

/* Jobs run back to back from what is already buffered; results are
 * written in one batch whenever the worker would otherwise wait for
 * input, so a busy pool costs about one pipe write per batch. */
static int
serve_jobs (Worker *w)
{
  for (;;)
    {
      g_autoptr(GVariant) payload = NULL;
      g_autoptr(GError) error = NULL;
      LabFrameType type;
      gssize n;

      if (lab_frame_reader_next (w->reader, &type, &payload, &error))
        {
          guint index;

          if (type != LAB_FRAME_JOB)
            return fatal (w, _("Expected a JOB frame"));
          index = g_variant_get_uint32 (payload);
          if (index >= w->n_jobs)
            return fatal (w, _("Job index out of range"));
          run_job (w, index);
          continue;
        }
      if (error != NULL)
        return fatal (w, error->message);

      if (!lab_frame_writer_flush (w->writer, TRUE, &error))
        return LAB_WORKER_EXIT_PROTOCOL;

      n = lab_frame_reader_fill (w->reader, &error);
      if (n < 0)
        return fatal (w, error ? error->message : _("Read failed"));
      if (n == 0)
        {
          if (lab_frame_reader_get_buffered (w->reader) > 0)
            return fatal (w, _("The pipe closed in the middle of a frame"));
          return LAB_WORKER_EXIT_OK;
        }
    }
}

/**
 * lab_worker_serve:
 * @in_fd: where frames from the app arrive (the worker's stdin)
 * @out_fd: where results go (the worker's stdout)
 *
 * Returns: the worker's exit status
 */
int
lab_worker_serve (int in_fd,
                  int out_fd)
{
  g_autoptr(GError) error = NULL;
  Worker w = { 0 };
  int status;

  w.reader = lab_frame_reader_new (in_fd);
  w.writer = lab_frame_writer_new (out_fd);
  w.pid = getpid ();

  if (!hello (&w, &error))
    status = fatal (&w, error ? error->message : _("No HELLO frame before end of input"));
  else
    status = serve_jobs (&w);

  if (w.worker_state != NULL && w.klass->worker_free != NULL)
    w.klass->worker_free (w.worker_state);
  if (w.plan != NULL)
    w.klass->plan_free (w.plan);
  lab_frame_reader_free (w.reader);
  lab_frame_writer_free (w.writer);

  return status;
}
