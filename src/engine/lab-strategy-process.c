/* lab-strategy-process.c — one worker process per job, or a pool of them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One thread runs a poll() loop over every worker's pipes: it spawns
 * workers, keeps each one's input full with a window of job frames (a
 * single round trip per job would cost more than a tiny job), reads
 * results as they come, and on cancel sends SIGTERM, then SIGKILL after a
 * grace period, and reaps every child it started.
 *
 * process-pool: N workers, each running job after job.
 * processes: one worker started with --fork, a fork server that forks a
 * child per job. Each job still gets a process of its own, but a fork of a
 * set-up worker costs about a quarter of starting an executable (and the
 * task's libraries load once), so the lesson measures processes rather
 * than the dynamic loader. The window is then the cap on live children.
 */
#define G_LOG_DOMAIN "lab-strategy-process"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib-unix.h>

#include "lab-clock.h"
#include "lab-error.h"
#include "lab-protocol.h"
#include "lab-run-private.h"
#include "lab-worker-loop.h"

extern char **environ;

#define GRACE_MS         1000
/* A worker that has not said READY by then is taken as hung. */
#define READY_TIMEOUT_MS 10000
#define MAX_WINDOW       64
/* Jobs longer than this get a window of one, so that no worker sits on a
 * queue of long jobs while another is idle at the end of the run. */
#define WINDOW_TARGET_NS (2 * G_GINT64_CONSTANT (1000000))

typedef struct {
  GPid            pid;
  int             to_fd;
  int             from_fd;
  LabFrameReader *reader;
  LabFrameWriter *writer;
  guint          *inflight;        /* jobs sent, oldest first */
  guint           n_inflight;
  guint           jobs_left;       /* jobs this worker may still be sent */
  gboolean        stdin_closed;
  gboolean        ready;
  gboolean        eof;
  gint64          ready_deadline;  /* g_get_monotonic_time() */
  char           *fatal;
} Worker;

typedef struct {
  LabRun   *run;
  gboolean  pool;
  gboolean  forking;       /* processes: one fork server */
  guint     n_slots;
  Worker   *workers;       /* n_slots slots; pid 0 = free */
  GArray   *requeue;       /* jobs to hand out again after a worker crash */
  guint     next_job;
  guint     n_alive;
  guint     n_spawned;
  guint     n_ready;         /* workers that ever said READY */
  gboolean  broken;          /* a worker died before READY, none ever started */
  gint64    ready_timeout_us;
  gint64    job_ns_sum;
  guint     job_ns_count;
  GVariant *hello;
  int       cancel_fd;
} Pool;

static gboolean
is_cancelled (Pool *p)
{
  return lab_cancel_is_cancelled (p->run->cancel) ||
         g_cancellable_is_cancelled (p->run->cancellable);
}

static void
set_nonblocking (int fd)
{
  g_unix_set_fd_nonblocking (fd, TRUE, NULL);
}

static gboolean
spawn_worker (Pool    *p,
              Worker  *w,
              guint    jobs_left,
              GError **error)
{
  const char *path = lab_worker_get_path ();
  char *argv[] = { (char *) path, p->forking ? (char *) "--fork" : NULL, NULL };
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  int in_pipe[2], out_pipe[2];
  pid_t pid;
  int rc;

  if (pipe2 (in_pipe, O_CLOEXEC) != 0)
    goto pipe_failed;
  if (pipe2 (out_pipe, O_CLOEXEC) != 0)
    {
      close (in_pipe[0]);
      close (in_pipe[1]);
      goto pipe_failed;
    }

  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2 (&actions, out_pipe[1], STDOUT_FILENO);
  /* The fork server leads a process group, so cancel reaches its children. */
  posix_spawnattr_init (&attr);
  if (p->forking)
    {
      posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETPGROUP);
      posix_spawnattr_setpgroup (&attr, 0);
    }
  rc = posix_spawn (&pid, path, &actions, &attr, argv, environ);
  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&actions);
  close (in_pipe[0]);
  close (out_pipe[1]);

  if (rc != 0)
    {
      close (in_pipe[1]);
      close (out_pipe[0]);
      g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER,
                   _("Could not start the worker %s: %s"), path, g_strerror (rc));
      return FALSE;
    }

  *w = (Worker) { 0 };
  w->pid = pid;
  w->to_fd = in_pipe[1];
  w->from_fd = out_pipe[0];
  set_nonblocking (w->to_fd);
  set_nonblocking (w->from_fd);
  w->reader = lab_frame_reader_new (w->from_fd);
  w->writer = lab_frame_writer_new (w->to_fd);
  w->jobs_left = jobs_left;
  w->inflight = g_new (guint, p->forking ? p->run->workers : MAX_WINDOW);
  w->ready_deadline = g_get_monotonic_time () + p->ready_timeout_us;
  lab_frame_writer_append (w->writer, LAB_FRAME_HELLO, g_variant_ref (p->hello));
  p->n_alive++;
  p->n_spawned++;
  return TRUE;

pipe_failed:
  {
    int saved = errno;
    g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER,
                 _("Could not create a pipe: %s"), g_strerror (saved));
    return FALSE;
  }
}

static void
fail_job (Pool       *p,
          guint       index,
          const char *message)
{
  gint64 now = lab_clock_now_ns () - p->run->t0_ns;
  LabJobResult *job = &p->run->jobs[index];
  gint64 start = g_atomic_int_get (&job->state) == LAB_JOB_RUNNING ? job->start_ns : now;

  _lab_run_job_store (p->run, index, start, now, 0, job->worker, 0, 0, 0, g_strdup (message));
}

/* Frees a worker whose process has been reaped. The job it was running
 * fails with @why; the jobs queued behind it go back to the queue. */
static void
release_worker (Pool       *p,
                Worker     *w,
                const char *why)
{
  for (guint k = 0; k < w->n_inflight; k++)
    {
      guint index = w->inflight[k];

      /* Under a fork server every job sent was running. */
      if (k == 0 || p->forking || p->broken || lab_cancel_is_cancelled (p->run->cancel))
        fail_job (p, index, why);
      else
        g_array_append_val (p->requeue, index);
    }

  if (w->to_fd >= 0)
    close (w->to_fd);
  close (w->from_fd);
  lab_frame_reader_free (w->reader);
  lab_frame_writer_free (w->writer);
  g_free (w->fatal);
  g_free (w->inflight);
  *w = (Worker) { 0 };
  p->n_alive--;
}

static gboolean
take_job (Pool  *p,
          guint *index)
{
  if (p->requeue->len > 0)
    {
      *index = g_array_index (p->requeue, guint, p->requeue->len - 1);
      g_array_set_size (p->requeue, p->requeue->len - 1);
      return TRUE;
    }
  if (p->next_job < p->run->n_jobs)
    {
      *index = p->next_job++;
      return TRUE;
    }
  return FALSE;
}

static void
reap_worker (Pool   *p,
             Worker *w)
{
  g_autofree char *why = NULL;
  int status = 0;

  /* The worker closed its end: it has exited or is about to. */
  while (waitpid (w->pid, &status, 0) < 0 && errno == EINTR)
    ;

  if (w->fatal != NULL)
    why = g_strdup_printf (_("The worker process failed: %s"), w->fatal);
  else if (lab_cancel_is_cancelled (p->run->cancel))
    why = g_strdup (_("Cancelled"));
  else
    why = lab_worker_describe_exit (status);

  /* No worker ever started properly: the executable is broken, so the
   * jobs still waiting fail with the same reason instead of respawning
   * a broken worker for each of them. */
  p->broken = !w->ready && p->n_ready == 0;
  release_worker (p, w, why);
  if (p->broken)
    {
      guint index;
      while (take_job (p, &index))
        fail_job (p, index, why);
    }
}

static guint
window (Pool *p)
{
  gint64 mean;

  if (p->forking)
    return p->run->workers;
  /* Before any job has ended: two each, unless that would leave
   * workers without a job. */
  if (p->job_ns_count == 0)
    return p->run->n_jobs >= 2 * p->n_slots ? 2 : 1;
  mean = MAX (p->job_ns_sum / p->job_ns_count, 1);
  return CLAMP (WINDOW_TARGET_NS / mean, 1, MAX_WINDOW);
}

static void
feed_worker (Pool   *p,
             Worker *w)
{
  guint limit = window (p);
  guint index;

  while (!w->stdin_closed && w->jobs_left > 0 && w->n_inflight < limit && take_job (p, &index))
    {
      if (w->n_inflight == 0 || p->forking)
        _lab_run_job_started (p->run, index, w->pid);
      w->inflight[w->n_inflight++] = index;
      w->jobs_left--;
      lab_frame_writer_append_job (w->writer, index);
    }
}

static gboolean
handle_frame (Pool         *p,
              Worker       *w,
              LabFrameType  type,
              GVariant     *payload)
{
  LabJobResult r = { 0 };
  guint pos;

  switch (type)
    {
    case LAB_FRAME_READY:
      w->ready = TRUE;
      p->n_ready++;
      return TRUE;

    case LAB_FRAME_FATAL:
      g_free (w->fatal);
      w->fatal = g_variant_dup_string (payload, NULL);
      return TRUE;

    case LAB_FRAME_RESULT:
      lab_protocol_decode_result (payload, &r);
      /* Children of a fork server answer in any order. */
      for (pos = 0; pos < w->n_inflight && w->inflight[pos] != r.index; pos++)
        ;
      if (pos == w->n_inflight)
        {
          lab_job_result_clear (&r);
          break;
        }
      memmove (w->inflight + pos, w->inflight + pos + 1, (w->n_inflight - pos - 1) * sizeof (guint));
      w->n_inflight--;
      p->job_ns_sum += r.end_ns - r.start_ns;
      p->job_ns_count++;
      _lab_run_job_store (p->run, r.index, r.start_ns - p->run->t0_ns, r.end_ns - p->run->t0_ns,
                          r.cpu_ns, r.worker > 0 ? r.worker : w->pid,
                          r.bytes, r.value, r.status, r.error);
      /* In a pool, the next job in line is the one running now. */
      if (!p->forking && pos == 0 && w->n_inflight > 0)
        _lab_run_job_started (p->run, w->inflight[0], w->pid);
      return TRUE;

    case LAB_FRAME_HELLO:
    case LAB_FRAME_JOB:
    default:
      break;
    }

  g_free (w->fatal);
  w->fatal = g_strdup (_("it sent a frame out of turn"));
  return FALSE;
}

/* Reads what the worker sent; returns FALSE when it must be stopped. */
static gboolean
read_worker (Pool   *p,
             Worker *w)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) payload = NULL;
      LabFrameType type;
      gssize n;

      while (lab_frame_reader_next (w->reader, &type, &payload, &error))
        {
          if (!handle_frame (p, w, type, payload))
            return FALSE;
          g_clear_pointer (&payload, g_variant_unref);
        }
      if (error != NULL)
        {
          g_free (w->fatal);
          w->fatal = g_strdup (error->message);
          return FALSE;
        }

      n = lab_frame_reader_fill (w->reader, &error);
      if (n < 0 && error == NULL)
        return TRUE;            /* nothing more for now */
      if (n <= 0)
        {
          w->eof = TRUE;
          return TRUE;
        }
    }
}

static void
kill_worker (Pool   *p,
             Worker *w,
             int     sig)
{
  if (w->pid > 0)
    kill (p->forking ? -w->pid : w->pid, sig);
}

/* Cancel: SIGTERM, then SIGKILL for those still there after the grace
 * period; every child is reaped before this returns. */
static void
stop_all (Pool *p)
{
  guint n = p->n_slots;
  gint64 deadline = g_get_monotonic_time () + GRACE_MS * 1000;
  gboolean killed = FALSE;

  for (guint i = 0; i < n; i++)
    kill_worker (p, &p->workers[i], SIGTERM);

  while (p->n_alive > 0)
    {
      for (guint i = 0; i < n; i++)
        {
          Worker *w = &p->workers[i];
          int status;

          if (w->pid > 0 && waitpid (w->pid, &status, WNOHANG) == w->pid)
            release_worker (p, w, _("Cancelled"));
        }
      if (p->n_alive == 0)
        break;
      if (!killed && g_get_monotonic_time () >= deadline)
        {
          for (guint i = 0; i < n; i++)
            kill_worker (p, &p->workers[i], SIGKILL);
          killed = TRUE;
        }
      g_usleep (1000);
    }
}

static void
close_stdin (Worker *w)
{
  if (!w->stdin_closed && lab_frame_writer_pending (w->writer) == 0)
    {
      close (w->to_fd);
      w->to_fd = -1;
      w->stdin_closed = TRUE;
    }
}

/* Starts workers for the jobs still to hand out. Returns FALSE with
 * @error when the first worker cannot start at all (nothing can run). */
static gboolean
spawn_more (Pool    *p,
            GError **error)
{
  for (guint i = 0; i < p->n_slots; i++)
    {
      g_autoptr(GError) local_error = NULL;
      Worker *w = &p->workers[i];
      guint pending = p->run->n_jobs - p->next_job + p->requeue->len;
      guint index;

      if (w->pid != 0 || pending == 0)
        continue;
      if (spawn_worker (p, w, G_MAXUINT, &local_error))
        continue;
      if (p->n_spawned == 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      /* A later spawn failed (e.g. out of processes): fail one job, go on. */
      if (take_job (p, &index))
        fail_job (p, index, local_error->message);
    }

  return TRUE;
}

static guint
build_pollfds (Pool          *p,
               struct pollfd *fds,
               Worker       **owners)
{
  guint n = 0;

  fds[n++] = (struct pollfd) { .fd = p->cancel_fd, .events = POLLIN };
  owners[0] = NULL;

  for (guint i = 0; i < p->n_slots; i++)
    {
      Worker *w = &p->workers[i];

      if (w->pid == 0)
        continue;
      feed_worker (p, w);
      if (w->jobs_left == 0 || (p->next_job >= p->run->n_jobs && p->requeue->len == 0))
        w->jobs_left = 0;
      lab_frame_writer_flush (w->writer, FALSE, NULL);
      if (w->jobs_left == 0)
        close_stdin (w);

      owners[n] = w;
      fds[n++] = (struct pollfd) { .fd = w->from_fd, .events = POLLIN };
      if (!w->stdin_closed && lab_frame_writer_pending (w->writer) > 0)
        {
          owners[n] = w;
          fds[n++] = (struct pollfd) { .fd = w->to_fd, .events = POLLOUT };
        }
    }

  return n;
}

/* Milliseconds until the first READY deadline, or -1. */
static int
poll_timeout (Pool *p)
{
  gint64 now = g_get_monotonic_time ();
  gint64 first = G_MAXINT64;

  for (guint i = 0; i < p->n_slots; i++)
    if (p->workers[i].pid != 0 && !p->workers[i].ready)
      first = MIN (first, p->workers[i].ready_deadline);

  if (first == G_MAXINT64)
    return -1;
  return (int) CLAMP ((first - now + 999) / 1000, 0, p->ready_timeout_us / 1000);
}

static void
kill_hung (Pool *p)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < p->n_slots; i++)
    {
      Worker *w = &p->workers[i];

      if (w->pid == 0 || w->ready || now < w->ready_deadline)
        continue;
      g_free (w->fatal);
      w->fatal = g_strdup_printf (_("it did not answer within %.0f s"), p->ready_timeout_us / 1e6);
      kill_worker (p, w, SIGKILL);
      reap_worker (p, w);
    }
}

static gboolean
loop (Pool    *p,
      GError **error)
{
  g_autofree struct pollfd *fds = g_new (struct pollfd, 2 * p->n_slots + 1);
  g_autofree Worker **owners = g_new (Worker *, 2 * p->n_slots + 1);

  for (;;)
    {
      guint n;

      if (is_cancelled (p))
        {
          lab_cancel_cancel (p->run->cancel);
          stop_all (p);
          return TRUE;
        }
      if (!spawn_more (p, error))
        return FALSE;
      if (p->n_alive == 0)
        return TRUE;

      n = build_pollfds (p, fds, owners);
      if (poll (fds, n, poll_timeout (p)) < 0 && errno != EINTR)
        {
          int saved = errno;
          g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER, "poll: %s", g_strerror (saved));
          stop_all (p);
          return FALSE;
        }

      for (guint k = 1; k < n; k++)
        {
          Worker *w = owners[k];

          if (w->pid == 0 || fds[k].revents == 0)
            continue;
          if (fds[k].fd == w->to_fd)
            {
              if (!lab_frame_writer_flush (w->writer, FALSE, NULL))
                w->jobs_left = 0;   /* it went away; its EOF comes next */
              continue;
            }
          if (!read_worker (p, w))
            {
              kill_worker (p, w, SIGKILL);
              w->eof = TRUE;
            }
          if (w->eof)
            reap_worker (p, w);
        }
      kill_hung (p);
    }
}

gboolean
_lab_run_processes (LabRun    *self,
                    gboolean   pool,
                    GError   **error)
{
  static gsize sigpipe_ignored;
  Pool p = { 0 };
  gboolean ok;

  /* A worker that dies leaves a broken pipe: that must be an error from
   * write(), not a signal that ends the app. */
  if (g_once_init_enter (&sigpipe_ignored))
    {
      signal (SIGPIPE, SIG_IGN);
      g_once_init_leave (&sigpipe_ignored, 1);
    }

  p.run = self;
  p.pool = pool;
  p.forking = !pool;
  p.n_slots = pool ? self->workers : 1;
  p.workers = g_new0 (Worker, p.n_slots);
  p.requeue = g_array_new (FALSE, FALSE, sizeof (guint));
  p.hello = g_variant_ref_sink (g_variant_new ("(us@a{sv})", LAB_PROTOCOL_VERSION,
                                               self->config->task, self->worker_params));
  p.cancel_fd = self->cancellable ? g_cancellable_get_fd (self->cancellable) : -1;
  /* $LAB_WORKER_TIMEOUT_MS shortens the wait for a hung worker (tests). */
  p.ready_timeout_us = READY_TIMEOUT_MS * 1000;
  if (g_getenv ("LAB_WORKER_TIMEOUT_MS") != NULL)
    p.ready_timeout_us = CLAMP (g_ascii_strtoll (g_getenv ("LAB_WORKER_TIMEOUT_MS"), NULL, 10), 1, READY_TIMEOUT_MS) * 1000;

  ok = loop (&p, error);

  if (self->cancellable != NULL)
    g_cancellable_release_fd (self->cancellable);
  g_variant_unref (p.hello);
  g_array_unref (p.requeue);
  g_free (p.workers);

  return ok;
}
