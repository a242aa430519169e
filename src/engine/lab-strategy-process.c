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
 * Both strategies start one process, concurrency-lab-worker --fork: a
 * fork server, which loads the task's libraries and sets the task up
 * once, then forks what the strategy runs on. A fork of a set-up worker
 * costs a fraction of starting an executable (no dynamic loader, no
 * library set-up, no parameters to send again), so the lesson measures
 * processes rather than the dynamic loader.
 *
 * processes: the server forks a child per JOB frame, which runs that job
 * and exits. The window is then the cap on live children.
 * process-pool: the server forks N workers (WORKER frames, a few at a
 * time), each of which gets pipes of its own and runs job after job. The
 * first worker takes jobs while the server forks the others. The workers
 * are the server's children, not the app's: the server tells when one
 * exits (EXITED), and takes them all with it when it goes.
 */
#define G_LOG_DOMAIN "lab-strategy-process"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib-unix.h>

#include "lab-breakdown.h"
#include "lab-clock.h"
#include "lab-error.h"
#include "lab-protocol.h"
#include "lab-runner.h"
#include "lab-strategy-private.h"
#include "lab-worker-loop.h"

/* How long a worker gets to exit after SIGTERM (cancel), or after it
 * closed its output (its end of the run, a crash, a protocol error),
 * before SIGKILL. */
#define GRACE_MS         1000
/* Without a pidfd (kernels before 5.3), how often to look for workers
 * that exited while something else still holds their output pipe. */
#define REAP_POLL_MS     100
/* A worker that has not said READY by then is taken as hung; it gets a
 * second more for each MiB of parameters it reads and sets up (a million
 * URLs: 37 MB, some seconds of set-up on a busy machine). */
#define READY_TIMEOUT_MS 10000
#define READY_MS_PER_MIB 1000
#define MAX_WINDOW       64
/* WORKER frames the fork server has not answered yet, at most: each job
 * goes to a worker that is there before the rest are asked for, so the
 * first jobs start while the server forks the other workers. */
#define REQUEST_WINDOW   8
/* Jobs longer than this get a window of one, so that no worker sits on a
 * queue of long jobs while another is idle at the end of the run. */
#define WINDOW_TARGET_NS (2 * G_GINT64_CONSTANT (1000000))

/* A job written to a worker's pipe, not yet answered. */
typedef struct {
  guint   index;
  guint   lane;          /* processes: the slot of its child */
  gint64  dispatch_ns;
  gint64  start_ns;      /* as far as known: when the worker got to it */
} InFlight;

typedef struct {
  GPid            pid;
  int             pid_fd;          /* readable once it has exited; -1 without */
  int             to_fd;
  int             from_fd;
  LabFrameReader *reader;
  LabFrameWriter *writer;
  InFlight       *inflight;        /* jobs sent, oldest first */
  guint           n_inflight;
  guint           record;          /* its LabWorkerRecord */
  guint           jobs_left;       /* jobs this worker may still be sent */
  gsize           params_sent;     /* bytes of the task's parameters appended */
  gboolean        stdin_closed;
  gboolean        ready;
  gboolean        eof;             /* its output is closed or no longer read */
  gboolean        exited;          /* reaped: status is its wait status */
  gboolean        killed;          /* SIGKILL sent: only its exit is awaited */
  gboolean        forked;          /* a pool's worker, the fork server's child */
  gboolean        requested;       /* asked of the fork server, not there yet */
  int             status;
  gint64          ready_deadline;  /* g_get_monotonic_time() */
  gint64          linger_deadline; /* after eof: SIGKILL then; 0 before eof */
  char           *fatal;
} Worker;

typedef struct {
  LabRunner *runner;
  guint     n_jobs;
  guint     n_workers;
  gboolean  pool;
  gboolean  forking;       /* processes: the fork server runs the jobs */
  guint     n_slots;
  Worker   *workers;       /* the pool's workers, then the fork server; pid 0 = free */
  GArray   *requeue;       /* jobs to hand out again after a worker crash */
  GArray   *free_lanes;    /* processes: slots for children, guint */
  guint     next_job;
  guint     n_alive;
  guint     n_spawned;
  guint     n_ready;         /* workers that ever said READY */
  guint     n_forked_ready;  /* the present fork server's workers that did */
  guint     n_requested;     /* WORKER frames not answered */
  gboolean  broken;          /* a worker died before READY, none ever started */
  gint64    ready_timeout_us;
  gint64    job_ns_sum;
  guint     job_ns_count;
  GBytes   *params;        /* serialized, for every worker's PARAMS frames */
  GStrv     envp;          /* the app's environment, and its pid for the worker */
  int       wake_fds[2];   /* cancel writes a byte here */
} Pool;

static gboolean
is_cancelled (Pool *p)
{
  return lab_runner_is_cancelled (p->runner);
}

static Worker *
server_of (Pool *p)
{
  return &p->workers[p->n_slots - 1];
}

static gboolean
is_server (Pool   *p,
           Worker *w)
{
  return w == server_of (p);
}

/* Jobs not yet handed out. */
static guint
pending (Pool *p)
{
  return p->n_jobs - p->next_job + p->requeue->len;
}

static void
set_nonblocking (int fd)
{
  g_unix_set_fd_nonblocking (fd, TRUE, NULL);
}

/* Microseconds a new worker has to say READY. */
static gint64
ready_timeout (Pool *p)
{
  gint64 mib = g_bytes_get_size (p->params) / (1024 * 1024);

  return p->ready_timeout_us + mib * READY_MS_PER_MIB * 1000;
}

/* A worker starts with every signal it may get at its default action and
 * none blocked, whatever the spawning thread had: the app ignores SIGPIPE,
 * and the thread that runs the pool may have a mask of its own. SIGHUP is
 * left as it was, so that nohup still covers the workers. */
static void
set_spawn_signals (posix_spawnattr_t *attr,
                   gboolean           own_group)
{
  static const int reset[] = { SIGPIPE, SIGTERM, SIGINT, SIGQUIT, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2 };
  sigset_t none, defaults;
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;

  sigemptyset (&none);
  sigemptyset (&defaults);
  for (guint i = 0; i < G_N_ELEMENTS (reset); i++)
    sigaddset (&defaults, reset[i]);
  posix_spawnattr_setsigmask (attr, &none);
  posix_spawnattr_setsigdefault (attr, &defaults);
  /* The fork server leads a process group, so cancel reaches its children. */
  if (own_group)
    {
      flags |= POSIX_SPAWN_SETPGROUP;
      posix_spawnattr_setpgroup (attr, 0);
    }
  posix_spawnattr_setflags (attr, flags);
}

/* The fork server's output: a pipe, which the children of a processes
 * run share (a RESULT each, in one write), or a process pool's socket,
 * which carries each worker's pipes to the app. */
static gboolean
server_output (Pool *p,
               int   fds[2])
{
  if (p->pool)
    return socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0;
  return pipe2 (fds, O_CLOEXEC) == 0;
}

/* Starts the fork server in slot @w, and sends it HELLO; its parameters
 * go out as the pipe takes them (feed_params()). */
static gboolean
spawn_server (Pool    *p,
              Worker  *w,
              GError **error)
{
  const char *path = lab_worker_get_path ();
  char *argv[] = { (char *) path, (char *) "--fork", NULL };
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  int in_pipe[2], out_pipe[2];
  guint record;
  pid_t pid;
  int rc;

  if (pipe2 (in_pipe, O_CLOEXEC) != 0)
    goto pipe_failed;
  if (!server_output (p, out_pipe))
    {
      close (in_pipe[0]);
      close (in_pipe[1]);
      goto pipe_failed;
    }

  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2 (&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawnattr_init (&attr);
  set_spawn_signals (&attr, TRUE);
  record = lab_runner_worker_begin (p->runner, LAB_LANE_ALL);
  rc = posix_spawn (&pid, path, &actions, &attr, argv, p->envp);
  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&actions);
  close (in_pipe[0]);
  close (out_pipe[1]);

  if (rc != 0)
    {
      close (in_pipe[1]);
      close (out_pipe[0]);
      lab_runner_worker_gone (p->runner, record);
      g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER,
                   _("Could not start the worker %s: %s"), path, g_strerror (rc));
      return FALSE;
    }

  *w = (Worker) { 0 };
  w->pid = pid;
  w->pid_fd = lab_worker_open_pidfd (pid);
  w->to_fd = in_pipe[1];
  w->from_fd = out_pipe[0];
  set_nonblocking (w->to_fd);
  set_nonblocking (w->from_fd);
  w->reader = p->pool ? lab_frame_reader_new_for_socket (w->from_fd) : lab_frame_reader_new (w->from_fd);
  w->writer = lab_frame_writer_new (w->to_fd);
  w->jobs_left = G_MAXUINT;
  w->inflight = g_new (InFlight, p->forking ? p->n_workers : 1);
  w->record = record;
  w->ready_deadline = g_get_monotonic_time () + ready_timeout (p);
  lab_frame_writer_append_hello_start (w->writer, lab_runner_get_task (p->runner)->name, p->params);
  p->n_alive++;
  p->n_spawned++;
  p->n_forked_ready = 0;
  return TRUE;

pipe_failed:
  {
    int saved = errno;
    g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER,
                 _("Could not create a pipe: %s"), g_strerror (saved));
    return FALSE;
  }
}

/* The fork server forked the worker asked for in slot @w: @fds are the
 * app's ends of its stdin and stdout, and a pidfd of it or -1. Its task is
 * set up: no HELLO, no parameters; it begins with READY. */
static void
adopt_worker (Pool      *p,
              Worker    *w,
              pid_t      pid,
              const int  fds[3])
{
  guint record = w->record;

  *w = (Worker) { 0 };
  w->pid = pid;
  w->forked = TRUE;
  w->to_fd = fds[0];
  w->from_fd = fds[1];
  w->pid_fd = fds[2];
  set_nonblocking (w->to_fd);
  set_nonblocking (w->from_fd);
  w->reader = lab_frame_reader_new (w->from_fd);
  w->writer = lab_frame_writer_new (w->to_fd);
  w->jobs_left = G_MAXUINT;
  w->params_sent = g_bytes_get_size (p->params);
  w->inflight = g_new (InFlight, MAX_WINDOW);
  w->record = record;
  w->ready_deadline = g_get_monotonic_time () + ready_timeout (p);
  p->n_alive++;
  p->n_spawned++;
}

/* A job that will never have a result: its worker died, or none could
 * be started for it. */
static void
fail_job (Pool           *p,
          const InFlight *job,
          gint64          pid,
          const char     *message)
{
  LabJobRecord started = { job->dispatch_ns, job->start_ns, 0, 0, .worker = pid, .lane = job->lane };

  lab_runner_job_lost (p->runner, job->index, job->dispatch_ns >= 0 ? &started : NULL, message);
}

static void
fail_index (Pool       *p,
            guint       index,
            const char *message)
{
  InFlight never = { index, 0, -1, -1 };

  fail_job (p, &never, 0, message);
}

/* The fork server of a process pool is gone: its workers went with it
 * (each dies with its parent), and the workers asked of it will not come. */
static void
server_gone (Pool *p)
{
  for (guint i = 0; i + 1 < p->n_slots; i++)
    {
      Worker *w = &p->workers[i];

      if (w->requested)
        {
          lab_runner_worker_gone (p->runner, w->record);
          *w = (Worker) { 0 };
        }
      else if (w->pid > 0 && !w->exited)
        {
          w->exited = TRUE;
          w->status = SIGKILL;
          if (w->fatal == NULL && !is_cancelled (p))
            w->fatal = g_strdup (_("its fork server exited"));
        }
    }
  p->n_requested = 0;
}

/* Frees a worker whose process has been reaped. The job it was running
 * fails with @why; the jobs queued behind it go back to the queue. */
static void
release_worker (Pool       *p,
                Worker     *w,
                const char *why)
{
  if (p->pool && is_server (p, w))
    server_gone (p);

  for (guint k = 0; k < w->n_inflight; k++)
    {
      InFlight *job = &w->inflight[k];

      /* Under a fork server every job sent was running. */
      if (k == 0 || p->forking || p->broken || is_cancelled (p))
        fail_job (p, job, w->pid, why);
      else
        g_array_append_val (p->requeue, job->index);
      if (p->forking)
        g_array_append_val (p->free_lanes, job->lane);
    }
  lab_runner_worker_gone (p->runner, w->record);

  if (w->to_fd >= 0)
    close (w->to_fd);
  if (w->pid_fd >= 0)
    close (w->pid_fd);
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
  if (p->next_job < p->n_jobs)
    {
      *index = p->next_job++;
      return TRUE;
    }
  return FALSE;
}

/* Never blocks: a worker that closed its output may still be running (a
 * job's child holding the pipe, a hang in exit). Returns whether it has
 * been reaped now or before. */
static gboolean
try_reap (Worker *w)
{
  pid_t done;

  /* A pool's worker is the fork server's child: EXITED says it is gone. */
  if (w->exited || w->forked)
    return w->exited;
  while ((done = waitpid (w->pid, &w->status, WNOHANG)) < 0 && errno == EINTR)
    ;
  /* ECHILD: someone else reaped it; take it as gone. */
  w->exited = done == w->pid || (done < 0 && errno == ECHILD);
  return w->exited;
}

/* Frees a worker that has been reaped, with the reason why the jobs it
 * still had failed. */
static void
reap_worker (Pool   *p,
             Worker *w)
{
  g_autofree char *why = NULL;

  g_assert (w->exited);
  if (w->fatal != NULL)
    why = g_strdup_printf (_("The worker process failed: %s"), w->fatal);
  else if (is_cancelled (p))
    why = g_strdup (_("Cancelled"));
  else
    why = lab_worker_describe_exit (w->status);

  /* No worker ever started properly: the executable is broken, so the
   * jobs still waiting fail with the same reason instead of respawning
   * a broken worker for each of them. A process pool's fork server that
   * went before any worker of its was ready would be no better. */
  if (!w->forked)
    p->broken = (!w->ready && p->n_ready == 0) || (p->pool && p->n_forked_ready == 0);
  release_worker (p, w, why);
  if (p->broken)
    {
      guint index;
      while (take_job (p, &index))
        fail_index (p, index, why);
    }
}

static guint
window (Pool *p)
{
  gint64 mean;

  if (p->forking)
    return p->n_workers;
  /* Before any job has ended: two each, unless that would leave
   * workers without a job. */
  if (p->job_ns_count == 0)
    return p->n_jobs >= 2 * p->n_workers ? 2 : 1;
  mean = MAX (p->job_ns_sum / p->job_ns_count, 1);
  return CLAMP (WINDOW_TARGET_NS / mean, 1, MAX_WINDOW);
}

static guint
take_lane (Pool *p)
{
  guint lane = g_array_index (p->free_lanes, guint, p->free_lanes->len - 1);

  g_array_set_size (p->free_lanes, p->free_lanes->len - 1);
  return lane;
}

static void
job_started (Pool     *p,
             Worker   *w,
             InFlight *job)
{
  LabJobRecord record = { job->dispatch_ns, job->start_ns, .worker = w->pid, .lane = job->lane };

  lab_runner_job_started (p->runner, job->index, &record);
}

/* The parameters go out to the fork server a piece at a time as the pipe
 * takes them, not all at once into its buffer: a million URLs are 37 MB.
 * Returns whether they are all out. */
static gboolean
feed_params (Pool   *p,
             Worker *w)
{
  while (w->params_sent < g_bytes_get_size (p->params) &&
         lab_frame_writer_pending (w->writer) < LAB_PROTOCOL_PARAMS_CHUNK)
    w->params_sent = lab_frame_writer_append_params (w->writer, p->params, w->params_sent);
  return w->params_sent == g_bytes_get_size (p->params);
}

/* Hands jobs to a pool's worker, or to the processes' fork server; once
 * none is left to hand out, it gets no more (its input is closed). */
static void
feed_worker (Pool   *p,
             Worker *w)
{
  guint limit = window (p);
  guint index;

  while (feed_params (p, w) && !w->stdin_closed && w->jobs_left > 0 && w->n_inflight < limit &&
         (!p->forking || p->free_lanes->len > 0) && take_job (p, &index))
    {
      InFlight *job = &w->inflight[w->n_inflight];

      job->index = index;
      job->dispatch_ns = job->start_ns = lab_runner_now (p->runner);
      job->lane = p->forking ? take_lane (p) : (guint) (w - p->workers);
      /* What runs now, as far as the window can know before the result. */
      if (w->n_inflight == 0 || p->forking)
        job_started (p, w, job);
      w->n_inflight++;
      w->jobs_left--;
      lab_frame_writer_append_job (w->writer, index);
    }
  if (pending (p) == 0)
    w->jobs_left = 0;
}

/* A process pool's fork server, once it has the parameters, is asked for
 * a worker for each free slot while jobs wait, a few at a time. It is
 * fed after the workers (build_pollfds()), so each worker there gets its
 * jobs before more are asked for. Once no job waits and no worker is
 * left, it gets no more (its input is closed, and it exits). */
static void
feed_server (Pool   *p,
             Worker *w)
{
  gboolean workers_left = FALSE;

  if (!feed_params (p, w) || w->stdin_closed)
    return;
  for (guint i = 0; i < p->n_workers; i++)
    {
      Worker *slot = &p->workers[i];

      if (slot->pid == 0 && !slot->requested && pending (p) > 0 && p->n_requested < REQUEST_WINDOW)
        {
          slot->requested = TRUE;
          slot->record = lab_runner_worker_begin (p->runner, i);
          p->n_requested++;
          lab_frame_writer_append (w->writer, LAB_FRAME_WORKER, g_variant_new_uint32 (i));
        }
      workers_left |= slot->pid != 0 || slot->requested;
    }
  if (!workers_left && pending (p) == 0)
    w->jobs_left = 0;
}

/* The result of the job at @pos of the worker's queue is back. */
static void
job_answered (Pool         *p,
              Worker       *w,
              guint         pos,
              LabJobResult *r)
{
  gint64 t0 = lab_runner_get_t0 (p->runner);
  InFlight job = w->inflight[pos];
  LabJobRecord record = {
    .dispatch_ns = job.dispatch_ns,
    .start_ns = r->start_ns - t0,
    .end_ns = r->end_ns - t0,
    .back_ns = lab_runner_now (p->runner),
    .cpu_ns = r->cpu_ns,
    .bytes = r->bytes,
    .error = g_steal_pointer (&r->error),
    .value = (gint32) r->value,
    .worker = r->worker > 0 ? r->worker : w->pid,
    .lane = job.lane,
    .status = (gint16) r->status,
  };

  lab_job_record_set_phase (&record, r->phase_ns > 0 ? r->phase_ns - t0 : -1);
  memmove (w->inflight + pos, w->inflight + pos + 1, (w->n_inflight - pos - 1) * sizeof (InFlight));
  w->n_inflight--;
  p->job_ns_sum += r->end_ns - r->start_ns;
  p->job_ns_count++;
  lab_runner_job_done (p->runner, job.index, &record);
  if (p->forking)
    g_array_append_val (p->free_lanes, job.lane);
  /* In a pool, the next job in line is the one running now. */
  else if (pos == 0 && w->n_inflight > 0)
    {
      w->inflight[0].start_ns = MAX (w->inflight[0].dispatch_ns, record.end_ns);
      job_started (p, w, &w->inflight[0]);
    }
}

static gboolean
out_of_turn (Worker *w)
{
  g_free (w->fatal);
  w->fatal = g_strdup (_("it sent a frame out of turn"));
  return FALSE;
}

/* Returns FALSE when @r is for no job the worker has. */
static gboolean
handle_result (Pool         *p,
               Worker       *w,
               LabJobResult *r)
{
  gboolean found;
  guint pos;

  /* Children of a fork server answer in any order. */
  for (pos = 0; pos < w->n_inflight && w->inflight[pos].index != r->index; pos++)
    ;
  found = pos < w->n_inflight;
  if (found)
    job_answered (p, w, pos, r);
  lab_job_result_clear (r);
  return found || out_of_turn (w);
}

/* SPAWNED: the worker asked for in slot @tag, with its pipes and pidfd
 * attached; pid 0 when the server could not start it. Returns FALSE when
 * the frame answers no request. */
static gboolean
worker_spawned (Pool     *p,
                Worker   *server,
                GVariant *payload)
{
  int fds[3] = { -1, -1, -1 };
  guint32 tag, n_fds, got;
  Worker *w;
  gint64 pid;
  guint index;

  g_variant_get (payload, "(uxu)", &tag, &pid, &n_fds);
  got = lab_frame_reader_take_fds (server->reader, fds, MIN (n_fds, G_N_ELEMENTS (fds)));
  w = tag < p->n_workers ? &p->workers[tag] : NULL;
  if (w == NULL || !w->requested || pid < 0 || pid > G_MAXINT || got != n_fds ||
      (pid > 0 ? n_fds < 2 : n_fds != 0))
    {
      for (guint i = 0; i < got; i++)
        close (fds[i]);
      return FALSE;
    }

  p->n_requested--;
  if (pid > 0)
    {
      adopt_worker (p, w, pid, fds);
      return TRUE;
    }
  /* Out of processes, say: one job fails, and the slot is asked for again. */
  lab_runner_worker_gone (p->runner, w->record);
  *w = (Worker) { 0 };
  if (take_job (p, &index))
    fail_index (p, index, _("The fork server could not start a worker process"));
  return TRUE;
}

/* EXITED: a worker of the pool has exited, and its parent, the fork
 * server, has reaped it. */
static void
worker_exited (Pool     *p,
               GVariant *payload)
{
  gint64 pid;
  int status;

  g_variant_get (payload, "(xi)", &pid, &status);
  for (guint i = 0; i < p->n_workers; i++)
    {
      Worker *w = &p->workers[i];

      if (w->forked && w->pid == pid && !w->exited)
        {
          w->exited = TRUE;
          w->status = status;
        }
    }
}

static gboolean
handle_frame (Pool         *p,
              Worker       *w,
              LabFrameType  type,
              GVariant     *payload)
{
  LabJobResult r = { 0 };
  gboolean pool_server = p->pool && is_server (p, w);

  switch (type)
    {
    case LAB_FRAME_READY:
      w->ready = TRUE;
      p->n_ready++;
      if (w->forked)
        p->n_forked_ready++;
      lab_runner_worker_ready (p->runner, w->record, w->pid);
      return TRUE;

    case LAB_FRAME_SPAWNED:
      if (pool_server && worker_spawned (p, w, payload))
        return TRUE;
      break;

    case LAB_FRAME_EXITED:
      if (!pool_server)
        break;
      worker_exited (p, payload);
      return TRUE;

    case LAB_FRAME_FATAL:
      g_free (w->fatal);
      w->fatal = g_variant_dup_string (payload, NULL);
      return TRUE;

    case LAB_FRAME_RESULT:
      lab_protocol_decode_result (payload, &r);
      return handle_result (p, w, &r);

    case LAB_FRAME_HELLO:
    case LAB_FRAME_JOB:
    case LAB_FRAME_PARAMS:
    case LAB_FRAME_WORKER:
    default:
      break;
    }

  return out_of_turn (w);
}

/* The worker's output is closed, or is no longer to be read (a protocol
 * error, a hung worker): it has a grace period to exit, then SIGKILL. */
static void
stop_reading (Worker *w)
{
  if (w->eof)
    return;
  w->eof = TRUE;
  w->linger_deadline = g_get_monotonic_time () + GRACE_MS * 1000;
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
      LabJobResult result = { 0 };
      LabFrameType type;
      gssize n;

      /* Results, the bulk of what comes, are read without a GVariant. */
      for (;;)
        {
          if (lab_frame_reader_next_result (w->reader, &result, &error))
            {
              if (!handle_result (p, w, &result))
                return FALSE;
            }
          else if (error == NULL && lab_frame_reader_next (w->reader, &type, &payload, &error))
            {
              if (!handle_frame (p, w, type, payload))
                return FALSE;
              g_clear_pointer (&payload, g_variant_unref);
            }
          else
            break;
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
          stop_reading (w);
          return TRUE;
        }
    }
}

static int
pidfd_signal (int pid_fd,
              int sig)
{
#ifdef SYS_pidfd_send_signal
  return (int) syscall (SYS_pidfd_send_signal, pid_fd, sig, NULL, 0);
#else
  errno = ENOSYS;
  return -1;
#endif
}

static void
kill_worker (Pool   *p,
             Worker *w,
             int     sig)
{
  if (w->pid <= 0 || w->exited)
    return;
  /* A pool's worker is reaped by the fork server, so its pid may be
   * another process's by the time EXITED comes: its pidfd is not. */
  if (w->forked)
    {
      if (w->pid_fd < 0 || (pidfd_signal (w->pid_fd, sig) != 0 && errno == ENOSYS))
        kill (w->pid, sig);
      return;
    }
  /* The fork server leads a process group: its children get it too. */
  kill (-w->pid, sig);
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

          if (w->pid > 0 && try_reap (w))
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

/* Once all it was sent is written: its parameters too, even when it gets
 * no job, or it would take the end of its input for a broken HELLO. */
static void
close_stdin (Pool   *p,
             Worker *w)
{
  if (!w->stdin_closed && lab_frame_writer_pending (w->writer) == 0 &&
      w->params_sent == g_bytes_get_size (p->params))
    {
      close (w->to_fd);
      w->to_fd = -1;
      w->stdin_closed = TRUE;
    }
}

/* Starts the fork server while jobs are still to hand out (a pool's
 * workers are asked of it as it is fed). Returns FALSE with @error when
 * the first one cannot start at all (nothing can run). */
static gboolean
spawn_more (Pool    *p,
            GError **error)
{
  g_autoptr(GError) local_error = NULL;
  Worker *server = server_of (p);
  guint index;

  if (server->pid != 0 || pending (p) == 0 || spawn_server (p, server, &local_error))
    return TRUE;
  if (p->n_spawned == 0)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* A later spawn failed (e.g. out of processes): fail one job, go on. */
  if (take_job (p, &index))
    fail_index (p, index, local_error->message);
  return TRUE;
}

static guint
build_pollfds (Pool          *p,
               struct pollfd *fds,
               Worker       **owners)
{
  guint n = 0;

  fds[n++] = (struct pollfd) { .fd = p->wake_fds[0], .events = POLLIN };
  owners[0] = NULL;

  for (guint i = 0; i < p->n_slots; i++)
    {
      Worker *w = &p->workers[i];

      if (w->pid == 0)
        continue;
      if (!w->eof)
        {
          if (p->pool && is_server (p, w))
            feed_server (p, w);
          else
            feed_worker (p, w);
          lab_frame_writer_flush (w->writer, FALSE, NULL);
          if (w->jobs_left == 0)
            close_stdin (p, w);

          owners[n] = w;
          fds[n++] = (struct pollfd) { .fd = w->from_fd, .events = POLLIN };
          if (!w->stdin_closed && lab_frame_writer_pending (w->writer) > 0)
            {
              owners[n] = w;
              fds[n++] = (struct pollfd) { .fd = w->to_fd, .events = POLLOUT };
            }
        }
      /* A pool's worker is not ours to reap: EXITED says when it is gone. */
      if (w->pid_fd >= 0 && !w->forked)
        {
          owners[n] = w;
          fds[n++] = (struct pollfd) { .fd = w->pid_fd, .events = POLLIN };
        }
    }

  return n;
}

/* Milliseconds until the first deadline (READY, or the end of a
 * lingering worker's grace period), or -1 when there is none. */
static int
poll_timeout (Pool *p)
{
  gint64 now = g_get_monotonic_time ();
  gint64 first = G_MAXINT64;
  gboolean no_pidfd = FALSE;

  for (guint i = 0; i < p->n_slots; i++)
    {
      Worker *w = &p->workers[i];

      if (w->pid == 0)
        continue;
      /* Once its output is closed, only its exit is awaited. */
      if (!w->ready && !w->eof)
        first = MIN (first, w->ready_deadline);
      if (w->eof && !w->killed)
        first = MIN (first, w->linger_deadline);
      no_pidfd |= w->pid_fd < 0 && !w->forked;
    }

  if (no_pidfd)
    first = MIN (first, now + REAP_POLL_MS * 1000);
  if (first == G_MAXINT64)
    return -1;
  return (int) CLAMP ((first - now + 999) / 1000, 0, MAX (p->ready_timeout_us / 1000, GRACE_MS));
}

static void
kill_hung (Pool *p)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < p->n_slots; i++)
    {
      Worker *w = &p->workers[i];

      if (w->pid == 0 || w->ready || w->eof || now < w->ready_deadline)
        continue;
      g_free (w->fatal);
      w->fatal = g_strdup_printf (_("it did not answer within %.0f s"), ready_timeout (p) / 1e6);
      kill_worker (p, w, SIGKILL);
      stop_reading (w);
      w->killed = TRUE;
    }
}

/* Reaps the workers that have exited, and kills those that outstayed
 * their grace period after their output closed. Never waits. */
static void
reap_exited (Pool *p)
{
  gint64 now = g_get_monotonic_time ();

  /* The fork server first: a pool's workers are gone when it is. */
  for (guint k = 0; k < p->n_slots; k++)
    {
      Worker *w = &p->workers[(p->n_slots - 1 + k) % p->n_slots];

      if (w->pid == 0)
        continue;
      /* With a pidfd, only those that poll() said had exited, and those
       * whose output has closed (pidfd and EOF come in either order). */
      if ((w->pid_fd < 0 || w->eof || w->exited) && try_reap (w))
        {
          /* Results it wrote before it went are still in the pipe. */
          if (!w->eof && !read_worker (p, w))
            stop_reading (w);
          reap_worker (p, w);
          continue;
        }
      if (w->eof && !w->killed && now >= w->linger_deadline)
        {
          if (w->fatal == NULL && (w->n_inflight > 0 || is_server (p, w)))
            w->fatal = g_strdup (_("it closed its output but did not exit"));
          kill_worker (p, w, SIGKILL);
          w->killed = TRUE;
        }
    }
}

static gboolean
loop (Pool    *p,
      GError **error)
{
  g_autofree struct pollfd *fds = g_new (struct pollfd, 3 * p->n_slots + 1);
  g_autofree Worker **owners = g_new (Worker *, 3 * p->n_slots + 1);

  for (;;)
    {
      guint n;

      if (is_cancelled (p))
        {
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

          if (fds[k].revents == 0)
            continue;
          if (fds[k].fd == w->pid_fd)
            try_reap (w);
          else if (fds[k].fd == w->to_fd)
            {
              if (!lab_frame_writer_flush (w->writer, FALSE, NULL))
                w->jobs_left = 0;   /* it went away; its EOF comes next */
            }
          else if (!w->eof && !read_worker (p, w))
            {
              kill_worker (p, w, SIGKILL);
              stop_reading (w);
              w->killed = TRUE;
            }
        }
      kill_hung (p);
      reap_exited (p);
    }
}

/* A worker that dies leaves a broken pipe: that must be an error from
 * write(), not a signal that ends the app. */
static void
ignore_sigpipe (void)
{
  static gsize ignored;

  if (g_once_init_enter (&ignored))
    {
      signal (SIGPIPE, SIG_IGN);
      g_once_init_leave (&ignored, 1);
    }
}

static gpointer
pool_new (LabRunner  *runner,
          gboolean    pool,
          GError    **error)
{
  g_autofree char *parent = g_strdup_printf ("%d", (int) getpid ());
  Pool *p = g_new0 (Pool, 1);

  ignore_sigpipe ();
  if (pipe2 (p->wake_fds, O_CLOEXEC | O_NONBLOCK) != 0)
    {
      int saved = errno;
      g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER, _("Could not create a pipe: %s"), g_strerror (saved));
      g_free (p);
      return NULL;
    }

  p->runner = runner;
  p->n_jobs = lab_runner_get_n_jobs (runner);
  p->n_workers = lab_runner_get_workers (runner);
  p->pool = pool;
  p->forking = !pool;
  p->n_slots = pool ? p->n_workers + 1 : 1;
  p->workers = g_new0 (Worker, p->n_slots);
  p->requeue = g_array_new (FALSE, FALSE, sizeof (guint));
  p->free_lanes = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint lane = p->forking ? p->n_workers : 0; lane > 0; lane--)
    g_array_append_val (p->free_lanes, (guint) { lane - 1 });
  p->envp = g_environ_setenv (g_get_environ (), LAB_WORKER_PARENT_ENV, parent, TRUE);
  p->params = lab_protocol_serialize_params (g_variant_ref (lab_runner_get_worker_params (runner)));
  /* $LAB_WORKER_TIMEOUT_MS shortens the wait for a hung worker (tests). */
  p->ready_timeout_us = READY_TIMEOUT_MS * 1000;
  if (g_getenv ("LAB_WORKER_TIMEOUT_MS") != NULL)
    p->ready_timeout_us = CLAMP (g_ascii_strtoll (g_getenv ("LAB_WORKER_TIMEOUT_MS"), NULL, 10), 1, READY_TIMEOUT_MS) * 1000;
  return p;
}

static gpointer
processes_start (LabRunner  *runner,
                 GError    **error)
{
  return pool_new (runner, FALSE, error);
}

static gpointer
process_pool_start (LabRunner  *runner,
                    GError    **error)
{
  return pool_new (runner, TRUE, error);
}

/* From any thread: wakes the poll loop, which then sees the cancel. */
static void
process_cancel (gpointer data)
{
  Pool *p = data;
  int unused G_GNUC_UNUSED;

  unused = write (p->wake_fds[1], "x", 1);
}

static gboolean
process_collect (gpointer   data,
                 GError   **error)
{
  return loop (data, error);
}

static void
process_free (gpointer data)
{
  Pool *p = data;

  close (p->wake_fds[0]);
  close (p->wake_fds[1]);
  g_bytes_unref (p->params);
  g_strfreev (p->envp);
  g_array_unref (p->requeue);
  g_array_unref (p->free_lanes);
  g_free (p->workers);
  g_free (p);
}

const LabStrategyClass _lab_strategy_processes = {
  .start = processes_start,
  .cancel = process_cancel,
  .collect = process_collect,
  .free = process_free,
};

const LabStrategyClass _lab_strategy_process_pool = {
  .start = process_pool_start,
  .cancel = process_cancel,
  .collect = process_collect,
  .free = process_free,
};
