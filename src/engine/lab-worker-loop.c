/* lab-worker-loop.c — runs jobs sent over a pipe, in a worker process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-worker"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "lab-clock.h"
#include "lab-error.h"
#include "lab-protocol.h"
#include "lab-task.h"
#include "lab-worker-loop.h"

/* A fork server's child: one job's process, or a process pool's worker.
 * A plain array, not a hash table: the server writes to as few pages as
 * it can between forks, as each one it writes to is then copied (see
 * child_main()). */
typedef struct {
  pid_t    pid;
  guint    index;    /* its job's */
  gboolean worker;   /* a pool's worker: the app hears when it exits */
} Child;

/* What a fork server is asked for: a JOB frame, or a WORKER frame. */
typedef struct {
  LabFrameType type;
  guint        value;   /* the job's index, the worker's tag */
} Request;

typedef struct {
  int                 in_fd;
  int                 out_fd;
  LabFrameReader     *reader;     /* on in_fd */
  LabFrameWriter     *writer;     /* on out_fd */
  const LabTaskClass *klass;
  gpointer            plan;
  gpointer            worker_state;
  guint               n_jobs;
  gint64              pid;
  gboolean            forking;
  GArray             *children;   /* Child, in the order they were forked */
  int                 signal_fd;
  sigset_t            no_signals; /* what a child unblocks: all */
  gint64              cpu_mark;   /* the thread's CPU clock at the last job's end */
} Worker;

static int
fatal (Worker     *w,
       const char *message)
{
  g_printerr ("concurrency-lab-worker: %s\n", message);
  lab_frame_writer_append (w->writer, LAB_FRAME_FATAL, g_variant_new_take_string (g_utf8_make_valid (message, -1)));
  lab_frame_writer_flush (w->writer, TRUE, NULL);
  return LAB_WORKER_EXIT_PROTOCOL;
}

static gboolean
hello (Worker  *w,
       GError **error)
{
  g_autoptr(GVariant) params = NULL;
  g_autofree char *task = NULL;
  guint version;

  if (!lab_protocol_read_hello (w->reader, &version, &task, &params, error))
    return FALSE;
  if (version != LAB_PROTOCOL_VERSION)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   _("Protocol version %u is not supported (this worker speaks %u)"),
                   version, LAB_PROTOCOL_VERSION);
      return FALSE;
    }

  if (!(w->klass = lab_task_lookup (task, error)) ||
      !(w->plan = w->klass->setup (params, NULL, error)))
    return FALSE;

  w->n_jobs = w->klass->get_n_jobs (w->plan);
  /* A fork server sets up per-process state in each child instead. */
  if (!w->forking && w->klass->worker_init != NULL)
    w->worker_state = w->klass->worker_init (w->plan);

  lab_frame_writer_append (w->writer, LAB_FRAME_READY, g_variant_new_int64 (w->pid));
  return lab_frame_writer_flush (w->writer, TRUE, error);
}

/* Reading the thread's CPU clock is a system call (a microsecond or more
 * in a VM), so it is read once per job, as the runner's threads do: one
 * job's end is the next one's start (the first one's, the moment the
 * worker began serving). What the worker does between two jobs (reading
 * the next JOB frame, queuing a RESULT) is counted in the second. */
static void
run_job (Worker *w,
         guint   index)
{
  g_autoptr(GError) error = NULL;
  LabJobResult result = { 0 };
  gint64 cpu;

  result.index = index;
  result.worker = w->pid;
  result.start_ns = lab_clock_now_ns ();

  if (!w->klass->run_job (w->plan, w->worker_state, index, &result, NULL, &error))
    result.error = g_strdup (error ? error->message : _("The job failed"));

  result.end_ns = lab_clock_now_ns ();
  cpu = lab_clock_thread_cpu_ns ();
  result.cpu_ns = cpu - w->cpu_mark;
  w->cpu_mark = cpu;

  lab_frame_writer_append_result (w->writer, &result);
  lab_job_result_clear (&result);
}

/* Takes the next whole JOB frame (in a fork server, JOB or WORKER frame)
 * from what has been read. Returns TRUE with @request; FALSE with @status
 * -1 when more input is needed, or with the exit status after a protocol
 * error. */
static gboolean
next_request (Worker  *w,
              Request *request,
              int     *status)
{
  g_autoptr(GVariant) payload = NULL;
  g_autoptr(GError) error = NULL;

  *status = -1;
  request->type = LAB_FRAME_JOB;
  if (lab_frame_reader_next_job (w->reader, &request->value))
    ;
  else if (!lab_frame_reader_next (w->reader, &request->type, &payload, &error))
    {
      if (error != NULL)
        *status = fatal (w, error->message);
      return FALSE;
    }
  else if (request->type == LAB_FRAME_JOB || (request->type == LAB_FRAME_WORKER && w->forking))
    request->value = g_variant_get_uint32 (payload);
  else
    {
      *status = fatal (w, _("Expected a JOB frame"));
      return FALSE;
    }

  if (request->type == LAB_FRAME_JOB && request->value >= w->n_jobs)
    *status = fatal (w, _("Job index out of range"));
  return *status < 0;
}

/* Jobs run back to back from what is already buffered; results are
 * written in one batch whenever the worker would otherwise wait for
 * input, so a busy pool costs about one pipe write per batch. */
static int
serve_jobs (Worker *w)
{
  w->cpu_mark = lab_clock_thread_cpu_ns ();
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      Request request;
      int status;
      gssize n;

      if (next_request (w, &request, &status))
        {
          run_job (w, request.value);
          continue;
        }
      if (status >= 0)
        return status;

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

/* Fork server: one process per job, forked from this one, which has set
 * the task up once (loaded its module, parsed its parameters). A child
 * writes its RESULT in a single write() of at most PIPE_BUF bytes, which
 * the kernel never interleaves with another child's.
 *
 * Forking is cheap here but page faults are not (tens of µs each in this
 * VM): a child starts with none of its pages mapped, so each page of
 * code or data it touches costs one, and each page it writes a copy. So
 * the child does as little as it can: its result goes out from its stack,
 * built by hand (lab_protocol_encode_result_frame()), with no GVariant,
 * no allocation and no hash table, and the worker is linked with
 * -z now so that no child resolves a symbol lazily. */
#define ATOMIC_FRAME 4096

/* Room for a RESULT without an error text: on the stack page the child
 * already uses, where ATOMIC_FRAME bytes would reach into another. */
#define SMALL_FRAME  128

static void
write_result_atomic (int                 fd,
                     const LabJobResult *result)
{
  guint8 small[SMALL_FRAME];
  guint8 *frame = result->error != NULL ? g_malloc (ATOMIC_FRAME) : small;
  gsize len = lab_protocol_encode_result_frame (result, frame, frame == small ? sizeof small : ATOMIC_FRAME);
  gsize sent = 0;

  g_assert (len > 0);
  while (sent < len)
    {
      gssize n = write (fd, frame + sent, len - sent);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      sent += n;
    }
  if (frame != small)
    g_free (frame);
}

/* The server's signalfd stays open in the child, which never reads it
 * and exits soon: closing it would cost a page of libc. */
G_GNUC_NORETURN static void
child_main (Worker *w,
            guint   index)
{
  GError *error = NULL;
  LabJobResult result = { 0 };

  pthread_sigmask (SIG_SETMASK, &w->no_signals, NULL);

  result.index = index;
  result.worker = getpid ();
  result.start_ns = lab_clock_now_ns ();
  if (w->klass->worker_init != NULL)
    w->worker_state = w->klass->worker_init (w->plan);
  if (!w->klass->run_job (w->plan, w->worker_state, index, &result, NULL, &error))
    result.error = g_strdup (error ? error->message : _("The job failed"));
  result.end_ns = lab_clock_now_ns ();
  /* A new process's CPU clock starts at zero: one reading at the end is
   * the CPU of the job and of the process it had to itself. */
  result.cpu_ns = lab_clock_thread_cpu_ns ();

  write_result_atomic (STDOUT_FILENO, &result);
  _exit (0);
}

static void
report_lost_child (Worker     *w,
                   guint       index,
                   gint64      pid,
                   const char *why)
{
  LabJobResult result = { 0 };

  result.index = index;
  result.worker = pid;
  result.start_ns = result.end_ns = lab_clock_now_ns ();
  result.error = g_strdup (why);
  write_result_atomic (STDOUT_FILENO, &result);
  lab_job_result_clear (&result);
}

/* Returns the child's pid, or 0 when it could not be forked (its job
 * has failed then). */
static pid_t
fork_job (Worker *w,
          guint   index)
{
  pid_t pid = fork ();

  /* A child must not outlive its server: SIGKILL when the server dies,
   * and exit now if it died before the prctl() took effect. */
  if (pid == 0 && (prctl (PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid () != w->pid))
    _exit (LAB_WORKER_EXIT_ORPHANED);
  if (pid == 0)
    child_main (w, index);

  if (pid < 0)
    {
      int saved = errno;
      g_autofree char *why = g_strdup_printf (_("Could not start a process: %s"), g_strerror (saved));
      report_lost_child (w, index, 0, why);
      return 0;
    }
  return pid;
}

/**
 * lab_worker_open_pidfd:
 *
 * A pidfd for child @pid (poll it to learn that the child exited), or -1
 * where the kernel has none; the server and the app's process strategies
 * both watch their children this way.
 */
int
lab_worker_open_pidfd (int pid)
{
#ifdef SYS_pidfd_open
  return (int) syscall (SYS_pidfd_open, (pid_t) pid, 0);
#else
  return -1;
#endif
}

/* A process pool's worker, forked from the server: it has the task set up
 * already, so it begins with READY on pipes of its own (@in_fd, @out_fd;
 * @app_fds are the app's ends, not for it) and serves jobs until its
 * input ends, as a worker started with HELLO does. */
G_GNUC_NORETURN static void
worker_child_main (Worker    *w,
                   int        in_fd,
                   int        out_fd,
                   const int  app_fds[2])
{
  int status;

  pthread_sigmask (SIG_SETMASK, &w->no_signals, NULL);
  close (w->signal_fd);
  close (app_fds[0]);
  close (app_fds[1]);
  if (dup2 (in_fd, w->in_fd) < 0 || dup2 (out_fd, w->out_fd) < 0)
    _exit (LAB_WORKER_EXIT_PROTOCOL);
  close (in_fd);
  close (out_fd);

  /* The server's reader and writer, on the same descriptor numbers, serve
   * the worker, what they held forgotten; its children are left as they
   * are. Freeing or allocating would write to (and so copy) heap pages it
   * shares with the server, a page fault each. */
  lab_frame_reader_discard (w->reader);
  lab_frame_writer_discard (w->writer);
  w->children = NULL;
  w->signal_fd = -1;
  w->forking = FALSE;
  w->pid = getpid ();
  if (w->klass->worker_init != NULL)
    w->worker_state = w->klass->worker_init (w->plan);

  lab_frame_writer_append_ready (w->writer, w->pid);
  status = lab_frame_writer_flush (w->writer, TRUE, NULL) ? serve_jobs (w) : LAB_WORKER_EXIT_PROTOCOL;
  /* Its own state goes (a pipeline's worker removes its folder); the plan
   * is the server's, which frees it once. */
  if (w->worker_state != NULL && w->klass->worker_free != NULL)
    w->klass->worker_free (w->worker_state);
  _exit (status);
}

/* The app asked for a pool worker: it gets the worker's pid and the app's
 * ends of its pipes, and a pidfd of it, over the server's stdout, which
 * is a socket then. Returns the worker's pid, or 0 when none could be
 * started (the app is told so, with pid 0); @error is set when the app
 * could not be told (the server then stops). */
static pid_t
fork_worker (Worker  *w,
             guint    tag,
             GError **error)
{
  int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 }, fds[3];
  guint n_fds = 2;
  pid_t pid = -1;

  if (pipe2 (to_child, O_CLOEXEC) == 0 && pipe2 (from_child, O_CLOEXEC) == 0)
    pid = fork ();
  if (pid == 0 && (prctl (PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid () != w->pid))
    _exit (LAB_WORKER_EXIT_ORPHANED);
  if (pid == 0)
    worker_child_main (w, to_child[0], from_child[1], (int[]) { to_child[1], from_child[0] });

  if (pid < 0)
    {
      int saved = errno;

      g_printerr ("concurrency-lab-worker: %s\n", g_strerror (saved));
      for (guint i = 0; i < 2; i++)
        {
          if (to_child[i] >= 0)
            close (to_child[i]);
          if (from_child[i] >= 0)
            close (from_child[i]);
        }
      lab_frame_writer_append (w->writer, LAB_FRAME_SPAWNED, g_variant_new ("(uxu)", tag, G_GINT64_CONSTANT (0), 0));
      lab_frame_writer_flush (w->writer, TRUE, error);
      return 0;
    }

  close (to_child[0]);
  close (from_child[1]);
  fds[0] = to_child[1];
  fds[1] = from_child[0];
  if ((fds[2] = lab_worker_open_pidfd (pid)) >= 0)
    n_fds = 3;
  /* Not sent, its pipes go nowhere: it reads the end of its input and goes. */
  lab_frame_writer_send_spawned (w->writer, tag, pid, fds, n_fds, error);
  for (guint i = 0; i < n_fds; i++)
    close (fds[i]);
  return pid;
}

/* Forgets the child @pid; returns FALSE when it was not one of ours. */
static gboolean
forget_child (Worker *w,
              pid_t   pid,
              Child  *child)
{
  for (guint i = 0; i < w->children->len; i++)
    if (g_array_index (w->children, Child, i).pid == pid)
      {
        *child = g_array_index (w->children, Child, i);
        g_array_remove_index_fast (w->children, i);
        return TRUE;
      }
  return FALSE;
}

/* Reaps finished children: a job's that died without its result gets
 * one, a pool worker's exit is told to the app (it is not the parent).
 * Returns FALSE when the app could not be told. */
static gboolean
reap_children (Worker *w)
{
  int status;
  pid_t pid;

  while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
    {
      g_autofree char *why = NULL;
      Child child;

      if (!forget_child (w, pid, &child))
        continue;
      if (child.worker)
        lab_frame_writer_append (w->writer, LAB_FRAME_EXITED, g_variant_new ("(xi)", (gint64) pid, status));
      else if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        {
          why = lab_worker_describe_exit (status);
          report_lost_child (w, child.index, pid, why);
        }
    }
  return lab_frame_writer_flush (w->writer, TRUE, NULL);
}

/* SIGTERM (cancel): the children get SIGKILL and are reaped here, so none
 * is left to an init that may not reap. */
static int
stop_children (Worker *w)
{
  for (guint i = 0; i < w->children->len; i++)
    kill (g_array_index (w->children, Child, i).pid, SIGKILL);
  for (;;)
    {
      pid_t reaped = waitpid (-1, NULL, 0);
      if (reaped < 0 && errno != EINTR)
        break;
    }
  g_array_set_size (w->children, 0);
  return 128 + SIGTERM;
}

/* Returns -1 to go on, or the exit status. A signalfd that cannot be
 * read would leave children unreaped and SIGTERM unseen: the server then
 * stops its children and exits. */
static int
handle_signals (Worker *w)
{
  for (;;)
    {
      struct signalfd_siginfo info;
      g_autofree char *why = NULL;
      gssize n = read (w->signal_fd, &info, sizeof info);
      int saved = errno;

      if (n == sizeof info)
        {
          if (info.ssi_signo == SIGTERM)
            return stop_children (w);
          continue;
        }
      if (n < 0 && saved == EINTR)
        continue;
      if (n < 0 && (saved == EAGAIN || saved == EWOULDBLOCK))
        break;

      if (n < 0)
        why = g_strdup_printf (_("Could not read the signals of the fork server: %s"), g_strerror (saved));
      else
        why = g_strdup_printf (_("Short read of %d bytes from the signals of the fork server"), (int) n);
      stop_children (w);
      return fatal (w, why);
    }

  if (!reap_children (w))
    return stop_children (w);
  return -1;
}

/* Every JOB frame read is taken first, then a child forked for each, and
 * the children recorded once they all are: between two forks the server
 * writes to its stack alone, so that it copies no other page (each fork
 * makes every page it has shared with the new child). */
#define FORK_BATCH 64

static int
take_requests (Worker *w)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      Request requests[FORK_BATCH];
      Child forked[FORK_BATCH];
      guint n = 0, n_forked = 0;
      int status = -1;

      while (n < FORK_BATCH && next_request (w, &requests[n], &status))
        n++;
      for (guint i = 0; i < n && error == NULL; i++)
        {
          gboolean worker = requests[i].type == LAB_FRAME_WORKER;
          pid_t pid = worker ? fork_worker (w, requests[i].value, &error) : fork_job (w, requests[i].value);

          if (pid > 0)
            forked[n_forked++] = (Child) { pid, requests[i].value, worker };
        }
      g_array_append_vals (w->children, forked, n_forked);
      if (error != NULL)
        {
          stop_children (w);
          return fatal (w, error->message);
        }
      if (n < FORK_BATCH)
        return status;
    }
}

static int
serve_forking (Worker *w,
               int     in_fd)
{
  gboolean input_open = TRUE;
  sigset_t mask;

  sigemptyset (&w->no_signals);
  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGTERM);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  w->signal_fd = signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  w->children = g_array_sized_new (FALSE, FALSE, sizeof (Child), 256);

  for (;;)
    {
      struct pollfd fds[2] = {
        { .fd = w->signal_fd, .events = POLLIN },
        { .fd = input_open ? in_fd : -1, .events = POLLIN },
      };
      int status;

      if ((status = take_requests (w)) >= 0)
        return status;
      if (!input_open && w->children->len == 0)
        return LAB_WORKER_EXIT_OK;

      if (poll (fds, 2, -1) < 0 && errno != EINTR)
        return fatal (w, g_strerror (errno));
      if ((fds[0].revents & POLLIN) && (status = handle_signals (w)) >= 0)
        return status;
      if (fds[1].revents != 0)
        {
          g_autoptr(GError) error = NULL;
          gssize n = lab_frame_reader_fill (w->reader, &error);

          if (n < 0 && error != NULL)
            return fatal (w, error->message);
          if (n == 0 && lab_frame_reader_get_buffered (w->reader) > 0)
            return fatal (w, _("The pipe closed in the middle of a frame"));
          if (n == 0)
            input_open = FALSE;
        }
    }
}

/**
 * lab_worker_describe_exit:
 * @status: a wait status of a worker process
 *
 * Why a job its worker was running did not finish, for both ends: the app
 * reaping a worker, and a fork server reaping a child.
 *
 * Returns: (transfer full): the message
 */
char *
lab_worker_describe_exit (int status)
{
  if (WIFSIGNALED (status))
    return g_strdup_printf (_("The worker process crashed (%s)"), g_strsignal (WTERMSIG (status)));
  if (WIFEXITED (status) && WEXITSTATUS (status) != 0)
    return g_strdup_printf (_("The worker process exited with status %d"), WEXITSTATUS (status));
  return g_strdup (_("The worker process exited before the job finished"));
}

/**
 * lab_worker_watch_parent:
 *
 * Makes the worker die with the process that started it: the kernel sends
 * SIGKILL when the parent goes (PR_SET_PDEATHSIG; strictly, when the
 * parent's thread that spawned it ends, and the app reaps its workers
 * before that thread returns). A parent that died before this call is
 * caught by comparing getppid() with the pid the app put in
 * %LAB_WORKER_PARENT_ENV; without that variable (a worker started by
 * hand) only the signal is set. Call it first thing in main(), while
 * the process has a single thread.
 *
 * Returns: %FALSE when the worker is already an orphan and must exit
 */
gboolean
lab_worker_watch_parent (void)
{
  const char *text = g_getenv (LAB_WORKER_PARENT_ENV);
  gint64 parent = 0;

  if (prctl (PR_SET_PDEATHSIG, SIGKILL) != 0)
    return FALSE;
  if (text == NULL)
    return TRUE;

  /* Not for the job processes a task may start in its turn. */
  if (!g_ascii_string_to_signed (text, 10, 1, G_MAXINT, &parent, NULL))
    parent = 0;
  g_unsetenv (LAB_WORKER_PARENT_ENV);
  return parent == 0 || getppid () == (pid_t) parent;
}

/**
 * lab_worker_serve:
 * @in_fd: where frames from the app arrive (the worker's stdin)
 * @out_fd: where results go (the worker's stdout)
 *
 * Returns: the worker's exit status
 */
static int
serve (int      in_fd,
       int      out_fd,
       gboolean forking)
{
  g_autoptr(GError) error = NULL;
  Worker w = { 0 };
  int status;

  w.in_fd = in_fd;
  w.out_fd = out_fd;
  w.reader = lab_frame_reader_new (in_fd);
  w.writer = lab_frame_writer_new (out_fd);
  w.pid = getpid ();
  w.forking = forking;
  w.signal_fd = -1;

  if (!hello (&w, &error))
    status = fatal (&w, error ? error->message : _("No HELLO frame before end of input"));
  else if (forking)
    {
      /* The parameters, read and set up, leave free memory all over the
       * heap; a child's first mallocs would write to those pages and copy
       * each of them (a million URLs made every job several times slower).
       * Given back now, a child maps fresh pages instead. */
      malloc_trim (0);
      status = serve_forking (&w, in_fd);
    }
  else
    status = serve_jobs (&w);

  if (w.signal_fd >= 0)
    close (w.signal_fd);
  g_clear_pointer (&w.children, g_array_unref);

  if (w.worker_state != NULL && w.klass->worker_free != NULL)
    w.klass->worker_free (w.worker_state);
  if (w.plan != NULL)
    w.klass->plan_free (w.plan);
  lab_frame_reader_free (w.reader);
  lab_frame_writer_free (w.writer);

  return status;
}

int
lab_worker_serve (int in_fd,
                  int out_fd)
{
  return serve (in_fd, out_fd, FALSE);
}

/**
 * lab_worker_serve_forking:
 *
 * Like lab_worker_serve(), but every job runs in a child forked for it:
 * the `processes` strategy, one process per job, without paying for an
 * executable's start-up each time. The worker must be the only thread of
 * its process (fork() copies only the calling thread).
 *
 * Returns: the worker's exit status
 */
int
lab_worker_serve_forking (int in_fd,
                          int out_fd)
{
  return serve (in_fd, out_fd, TRUE);
}
