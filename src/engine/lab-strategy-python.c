/* lab-strategy-python.c — every strategy in the Python runtime: the harness runs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The run's thread starts python3 on the harness (lab-runtime.c finds
 * both) with the run's parameters, as JSON, on its stdin, and reads one
 * line per event from its stdout (the format is in the harness's own
 * header). The harness leads a process group of its own, so that cancel
 * reaches every thread pool, worker process and fork of it with one
 * kill(); it and its worker processes die with the run's thread
 * (PR_SET_PDEATHSIG). Its lines are untrusted: a line too long, a field
 * that is not a number, a job out of range or a time off the run's axis
 * stop the run with a clear message, as does a harness that dies.
 */
#define G_LOG_DOMAIN "lab-strategy-python"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "lab-breakdown.h"
#include "lab-error.h"
#include "lab-runner.h"
#include "lab-runtime.h"
#include "lab-strategy-private.h"
#include "lab-worker-loop.h"

#define PROTOCOL     1
#define MAX_LINE     4096    /* the harness writes at most 1024 bytes a line */
#define STDERR_TAIL  2048    /* what is kept of its stderr, for a failure */

typedef struct {
  LabRunner    *runner;
  guint         n_jobs;
  guint         workers;

  GMutex        mutex;          /* pid, reaped, cancelled: cancel comes from any thread */
  GPid          pid;
  gboolean      reaped;
  gboolean      cancelled;

  int           out_fd;
  int           err_fd;
  int           pid_fd;         /* -1 without pidfds */
  GString      *line;
  GString      *err_tail;
  gboolean      hello;
  gboolean      done;
  guint         record;         /* the harness's LabWorkerRecord: starting until hello */
  char         *fatal;          /* why the run cannot go on */

  LabJobRecord *started;        /* per job: its start, worker and lane */
  guint8       *job_state;      /* per job: LabJobState */
  gboolean     *lane_busy;      /* per lane */
  guint         n_finished;
} PyState;

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

static void
py_state_free (gpointer data)
{
  PyState *st = data;

  close_fd (&st->out_fd);
  close_fd (&st->err_fd);
  close_fd (&st->pid_fd);
  g_mutex_clear (&st->mutex);
  g_string_free (st->line, TRUE);
  g_string_free (st->err_tail, TRUE);
  g_free (st->fatal);
  g_free (st->started);
  g_free (st->job_state);
  g_free (st->lane_busy);
  g_free (st);
}

/* The parameters as the harness reads them: paths as hex, since JSON
 * strings must be UTF-8 and a path need not be. */
static void
add_path (JsonBuilder *b,
          const char  *name,
          GVariant    *params,
          const char  *key)
{
  const char *path = NULL;
  g_autoptr(GString) hex = g_string_new (NULL);

  if (!g_variant_lookup (params, key, "^&ay", &path) && !g_variant_lookup (params, key, "&s", &path))
    return;
  for (const guchar *p = (const guchar *) path; *p != '\0'; p++)
    g_string_append_printf (hex, "%02x", *p);
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, hex->str);
}

static char *
build_input (LabRunner *runner,
             gsize     *length)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  GVariant *params = lab_runner_get_worker_params (runner);
  g_autoptr(GVariant) seconds = g_variant_lookup_value (params, LAB_PARAM_SECONDS, G_VARIANT_TYPE ("ad"));
  g_autoptr(GVariant) urls = g_variant_lookup_value (params, LAB_PARAM_URLS, G_VARIANT_TYPE ("as"));
  g_autoptr(GVariant) names = g_variant_lookup_value (params, LAB_PARAM_NAMES, G_VARIANT_TYPE ("as"));
  g_autoptr(GVariant) errors = g_variant_lookup_value (params, LAB_PARAM_URL_ERRORS, G_VARIANT_TYPE ("a{us}"));
  guint64 size = 0, max_bytes = 0;
  double timeout = 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "protocol");
  json_builder_add_int_value (b, PROTOCOL);
  json_builder_set_member_name (b, "task");
  json_builder_add_string_value (b, lab_runner_get_task (runner)->name);
  json_builder_set_member_name (b, "strategy");
  json_builder_add_string_value (b, lab_runner_get_strategy (runner)->name);
  json_builder_set_member_name (b, "jobs");
  json_builder_add_int_value (b, lab_runner_get_n_jobs (runner));
  json_builder_set_member_name (b, "workers");
  json_builder_add_int_value (b, lab_runner_get_workers (runner));
  json_builder_set_member_name (b, "seconds");
  json_builder_begin_array (b);
  if (seconds != NULL)
    {
      gsize n;
      const double *values = g_variant_get_fixed_array (seconds, &n, sizeof (double));
      for (gsize i = 0; i < n; i++)
        json_builder_add_double_value (b, values[i]);
    }
  else
    json_builder_add_double_value (b, LAB_SLEEP_DEFAULT_SECONDS);
  json_builder_end_array (b);
  /* The harness gets every parameter, defaults included: it has none of its own. */
  if (!g_variant_lookup (params, LAB_PARAM_SIZE, "t", &size))
    size = LAB_PRIMES_DEFAULT_SIZE;
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, (gint64) size);
  for (guint k = 0; k < 2; k++)
    {
      GVariant *list = k == 0 ? urls : names;
      if (list == NULL)
        continue;
      json_builder_set_member_name (b, k == 0 ? "urls" : "names");
      json_builder_begin_array (b);
      for (gsize i = 0; i < g_variant_n_children (list); i++)
        {
          const char *text;
          g_variant_get_child (list, i, "&s", &text);
          json_builder_add_string_value (b, text);
        }
      json_builder_end_array (b);
    }
  if (errors != NULL)
    {
      GVariantIter iter;
      guint32 index;
      const char *why;

      json_builder_set_member_name (b, "url_errors");
      json_builder_begin_object (b);
      g_variant_iter_init (&iter, errors);
      while (g_variant_iter_next (&iter, "{u&s}", &index, &why))
        {
          char key[16];
          g_snprintf (key, sizeof key, "%u", index);
          json_builder_set_member_name (b, key);
          json_builder_add_string_value (b, why);
        }
      json_builder_end_object (b);
    }
  if (g_variant_lookup (params, LAB_PARAM_TIMEOUT, "d", &timeout))
    {
      json_builder_set_member_name (b, "timeout");
      json_builder_add_double_value (b, timeout);
    }
  if (g_variant_lookup (params, LAB_PARAM_MAX_BYTES, "t", &max_bytes))
    {
      json_builder_set_member_name (b, "max_bytes");
      json_builder_add_int_value (b, (gint64) MIN (max_bytes, (guint64) G_MAXINT64));
    }
  add_path (b, "output", params, LAB_PARAM_OUTPUT);
  add_path (b, "images", params, LAB_PARAM_IMAGES);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, length);
}

/* A memfd (or an unlinked temporary file) holding @data, at offset 0:
 * the harness's stdin, so a long URL list never blocks on a pipe. */
static int
input_fd (const char  *data,
          gsize        length,
          GError     **error)
{
  int fd = memfd_create ("concurrency-lab-python-input", MFD_CLOEXEC);
  gsize done = 0;

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER, _("Could not start Python: %s"), g_strerror (saved));
      return -1;
    }
  while (done < length)
    {
      gssize n = write (fd, data + done, length - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER, _("Could not start Python: %s"), g_strerror (saved));
          return -1;
        }
      done += n;
    }
  lseek (fd, 0, SEEK_SET);
  return fd;
}

/* Forks the harness. Between fork and exec the child calls only
 * async-signal-safe functions: the run's process has other threads. */
static gboolean
spawn_harness (PyState     *st,
               const char  *python,
               int          in_fd,
               GError     **error)
{
  g_autofree char *harness = lab_runtime_dup_harness ();
  char *argv[] = { (char *) python, harness, NULL };
  g_auto(GStrv) envp = g_get_environ ();
  int out_pipe[2], err_pipe[2];
  pid_t parent = getpid ();
  pid_t pid;

  if (!g_unix_open_pipe (out_pipe, FD_CLOEXEC, error))
    return FALSE;
  if (!g_unix_open_pipe (err_pipe, FD_CLOEXEC, error))
    {
      close (out_pipe[0]);
      close (out_pipe[1]);
      return FALSE;
    }

  pid = fork ();
  if (pid == 0)
    {
      sigset_t none;

      /* Its own group, so that one kill() reaches everything it starts;
       * it dies with the thread that started it. */
      setpgid (0, 0);
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (getppid () != parent)
        _exit (127);
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      signal (SIGINT, SIG_DFL);
      signal (SIGTERM, SIG_DFL);
      signal (SIGPIPE, SIG_DFL);
      if (dup2 (in_fd, STDIN_FILENO) < 0 || dup2 (out_pipe[1], STDOUT_FILENO) < 0 ||
          dup2 (err_pipe[1], STDERR_FILENO) < 0)
        _exit (127);
      execve (python, argv, envp);
      _exit (127);
    }
  close (out_pipe[1]);
  close (err_pipe[1]);
  if (pid < 0)
    {
      int saved = errno;
      close (out_pipe[0]);
      close (err_pipe[0]);
      g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER, _("Could not start Python: %s"), g_strerror (saved));
      return FALSE;
    }
  /* Also from here, so that a kill() right after fork finds the group. */
  setpgid (pid, pid);
  st->pid = pid;
  st->out_fd = out_pipe[0];
  st->err_fd = err_pipe[0];
  st->pid_fd = lab_worker_open_pidfd (pid);
  return TRUE;
}

static gpointer
python_start (LabRunner  *runner,
              GError    **error)
{
  g_autofree char *python = NULL;
  g_autofree char *input = NULL;
  PyState *st;
  gsize length = 0;
  int in_fd;

  if (!(python = lab_runtime_dup_python (error)))
    return NULL;

  st = g_new0 (PyState, 1);
  st->runner = runner;
  st->n_jobs = lab_runner_get_n_jobs (runner);
  st->workers = MAX (lab_runner_get_workers (runner), 1);
  st->out_fd = st->err_fd = st->pid_fd = -1;
  g_mutex_init (&st->mutex);
  st->line = g_string_new (NULL);
  st->err_tail = g_string_new (NULL);
  st->started = g_new0 (LabJobRecord, MAX (st->n_jobs, 1));
  st->job_state = g_new0 (guint8, MAX (st->n_jobs, 1));
  st->lane_busy = g_new0 (gboolean, st->workers);

  input = build_input (runner, &length);
  if ((in_fd = input_fd (input, length, error)) < 0)
    {
      py_state_free (st);
      return NULL;
    }
  /* The interpreter's start-up, imports included, is the run's start-up
   * on every lane, as the fork server's is for the process pool. */
  st->record = lab_runner_worker_begin (runner, LAB_LANE_ALL);
  g_mutex_lock (&st->mutex);
  if (!spawn_harness (st, python, in_fd, error))
    {
      g_mutex_unlock (&st->mutex);
      lab_runner_worker_gone (runner, st->record);
      close (in_fd);
      py_state_free (st);
      return NULL;
    }
  g_mutex_unlock (&st->mutex);
  close (in_fd);
  return st;
}

/* Kills the harness's whole group; the harness is not reaped yet, so
 * its pid (the group's id) cannot belong to anyone else. */
static void
kill_group_locked (PyState *st)
{
  if (st->pid > 0 && !st->reaped)
    kill (-st->pid, SIGKILL);
}

static void
python_cancel (gpointer data)
{
  PyState *st = data;

  g_mutex_lock (&st->mutex);
  st->cancelled = TRUE;
  kill_group_locked (st);
  g_mutex_unlock (&st->mutex);
}

static void
set_fatal (PyState    *st,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
set_fatal (PyState    *st,
           const char *format,
           ...)
{
  va_list args;

  if (st->fatal != NULL)
    return;
  va_start (args, format);
  st->fatal = g_strdup_vprintf (format, args);
  va_end (args);
  g_mutex_lock (&st->mutex);
  kill_group_locked (st);
  g_mutex_unlock (&st->mutex);
}

/* Reads a decimal field into [min, max]; FALSE for anything else. */
static gboolean
parse_int (const char *text,
           gint64      min,
           gint64      max,
           gint64     *out)
{
  return text != NULL && g_ascii_string_to_signed (text, 10, min, max, out, NULL);
}

/* A job's time as the harness read CLOCK_MONOTONIC: on the run's axis,
 * after its start and not in the future. */
static gboolean
parse_time (PyState    *st,
            const char *text,
            gint64     *out)
{
  gint64 t0 = lab_runner_get_t0 (st->runner);
  gint64 value;

  if (!parse_int (text, t0, G_MAXINT64, &value) || value - t0 > lab_runner_now (st->runner) + G_GINT64_CONSTANT (1000000))
    return FALSE;
  *out = value - t0;
  return TRUE;
}

static guint16
take_lane (PyState *st)
{
  for (guint i = 0; i < st->workers; i++)
    if (!st->lane_busy[i])
      {
        st->lane_busy[i] = TRUE;
        return i;
      }
  return st->workers - 1;
}

/* One line from the harness; FALSE (with st->fatal) for anything that is
 * not in the protocol. */
static gboolean
handle_line (PyState *st,
             char    *line)
{
  g_auto(GStrv) f = NULL;
  guint n;
  gint64 index, worker, start, end, cpu, bytes, value, status;

  if (g_str_has_prefix (line, "error "))
    {
      g_autofree char *why = g_utf8_make_valid (line + 6, MIN (strlen (line + 6), 400));
      set_fatal (st, _("Python could not run the jobs: %s"), why);
      return FALSE;
    }

  f = g_strsplit (line, " ", 10);
  n = g_strv_length (f);

  if (!st->hello)
    {
      gint64 protocol, pid, ready = -1;
      if ((n == 3 || n == 4) && g_str_equal (f[0], "hello") && parse_int (f[1], 0, 1000, &protocol) &&
          parse_int (f[2], 1, G_MAXINT32, &pid) && (n == 3 || parse_time (st, f[3], &ready)))
        {
          if (protocol != PROTOCOL)
            {
              set_fatal (st, _("The Python harness speaks protocol %d, this app %d: reinstall Concurrency Lab"),
                         (int) protocol, PROTOCOL);
              return FALSE;
            }
          st->hello = TRUE;
          if (ready >= 0)
            lab_runner_worker_ready_at (st->runner, st->record, pid, ready);
          else
            lab_runner_worker_ready (st->runner, st->record, pid);
          return TRUE;
        }
      goto garbage;
    }

  if (n == 1 && g_str_equal (f[0], "done"))
    {
      st->done = TRUE;
      return TRUE;
    }

  if (n == 4 && g_str_equal (f[0], "start"))
    {
      LabJobRecord *record;

      if (!parse_int (f[1], 0, (gint64) st->n_jobs - 1, &index) || !parse_int (f[2], 1, G_MAXINT32, &worker) ||
          !parse_time (st, f[3], &start) || st->job_state[index] != LAB_JOB_PENDING)
        goto garbage;
      record = &st->started[index];
      *record = (LabJobRecord) { .dispatch_ns = start, .start_ns = start, .worker = worker,
                                 .lane = take_lane (st) };
      st->job_state[index] = LAB_JOB_RUNNING;
      lab_runner_job_started (st->runner, index, record);
      return TRUE;
    }

  if ((n == 9 && g_str_equal (f[0], "job")) || (n == 10 && g_str_equal (f[0], "fail")))
    {
      LabJobRecord record;

      if (!parse_int (f[1], 0, (gint64) st->n_jobs - 1, &index) || !parse_int (f[2], 1, G_MAXINT32, &worker) ||
          !parse_time (st, f[3], &start) || !parse_time (st, f[4], &end) || end < start ||
          !parse_int (f[5], 0, G_MAXINT64, &cpu) || !parse_int (f[6], 0, G_MAXINT64, &bytes) ||
          !parse_int (f[7], G_MININT64, G_MAXINT64, &value) || !parse_int (f[8], 0, 999, &status) ||
          st->job_state[index] != LAB_JOB_RUNNING || st->started[index].worker != worker ||
          st->started[index].start_ns != start)
        goto garbage;

      record = st->started[index];
      record.end_ns = end;
      record.back_ns = MAX (lab_runner_now (st->runner), end);
      record.cpu_ns = cpu;
      record.bytes = bytes;
      record.value = (gint32) CLAMP (value, G_MININT32, G_MAXINT32);
      record.status = (gint16) status;
      record.error = n == 10 ? g_utf8_make_valid (f[9], MIN (strlen (f[9]), 400)) : NULL;
      st->job_state[index] = n == 10 ? LAB_JOB_FAILED : LAB_JOB_OK;
      if (record.lane < st->workers)
        st->lane_busy[record.lane] = FALSE;
      st->n_finished++;
      lab_runner_job_done (st->runner, index, &record);
      return TRUE;
    }

garbage:
  {
    g_autofree char *shown = g_utf8_make_valid (line, MIN (strlen (line), 80));
    set_fatal (st, _("The Python harness printed something unexpected: “%s”"), shown);
  }
  return FALSE;
}

/* Takes the complete lines of @data in; keeps a partial one. */
static void
feed_stdout (PyState    *st,
             const char *data,
             gssize      len)
{
  for (gssize i = 0; i < len && st->fatal == NULL; i++)
    {
      if (data[i] != '\n')
        {
          if (st->line->len >= MAX_LINE)
            {
              set_fatal (st, _("The Python harness printed a line longer than %d bytes"), MAX_LINE);
              return;
            }
          if (data[i] == '\0')
            {
              set_fatal (st, _("The Python harness printed something unexpected: “%s”"), "\\0");
              return;
            }
          g_string_append_c (st->line, data[i]);
          continue;
        }
      handle_line (st, st->line->str);
      g_string_truncate (st->line, 0);
    }
}

static void
feed_stderr (PyState    *st,
             const char *data,
             gssize      len)
{
  g_string_append_len (st->err_tail, data, len);
  if (st->err_tail->len > STDERR_TAIL)
    g_string_erase (st->err_tail, 0, st->err_tail->len - STDERR_TAIL);
}

/* The last line Python wrote to stderr (a traceback's last says what). */
static char *
last_stderr_line (PyState *st)
{
  g_auto(GStrv) lines = g_strsplit (st->err_tail->str, "\n", -1);

  for (guint i = g_strv_length (lines); i > 0; i--)
    {
      g_strstrip (lines[i - 1]);
      if (lines[i - 1][0] != '\0')
        return g_utf8_make_valid (lines[i - 1], MIN (strlen (lines[i - 1]), 300));
    }
  return NULL;
}

/* Reads what is there on @fd; FALSE at end of file. */
static gboolean
read_some (PyState *st,
           int     *fd,
           gboolean is_stdout)
{
  char buf[8192];
  gssize n;

  do
    n = read (*fd, buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    {
      close_fd (fd);
      return FALSE;
    }
  if (is_stdout)
    feed_stdout (st, buf, n);
  else
    feed_stderr (st, buf, n);
  return TRUE;
}

/* The harness has exited (not yet reaped): nothing it started may
 * outlive it, so its group goes too. */
static void
sweep_group (PyState *st)
{
  siginfo_t info = { 0 };

  if (waitid (P_PID, st->pid, &info, WEXITED | WNOWAIT | WNOHANG) == 0 && info.si_pid == st->pid)
    {
      g_mutex_lock (&st->mutex);
      kill_group_locked (st);
      g_mutex_unlock (&st->mutex);
    }
}

static gboolean
python_collect (gpointer   data,
                GError   **error)
{
  PyState *st = data;
  g_autofree char *tail = NULL;
  int status = 0;
  gboolean cancelled;

  while (st->out_fd >= 0 || st->err_fd >= 0)
    {
      struct pollfd fds[3];
      nfds_t n = 0;
      int out_i = -1, err_i = -1, pid_i = -1;

      if (st->out_fd >= 0)
        fds[out_i = n++] = (struct pollfd) { st->out_fd, POLLIN };
      if (st->err_fd >= 0)
        fds[err_i = n++] = (struct pollfd) { st->err_fd, POLLIN };
      if (st->pid_fd >= 0)
        fds[pid_i = n++] = (struct pollfd) { st->pid_fd, POLLIN };
      /* Without a pidfd, a look every 100 ms for a harness gone while a
       * process it left holds the pipes. */
      if (poll (fds, n, st->pid_fd >= 0 ? -1 : 100) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (out_i >= 0 && fds[out_i].revents)
        read_some (st, &st->out_fd, TRUE);
      if (err_i >= 0 && fds[err_i].revents)
        read_some (st, &st->err_fd, FALSE);
      if (pid_i >= 0 && fds[pid_i].revents)
        {
          close_fd (&st->pid_fd);
          sweep_group (st);
        }
      else if (st->pid_fd < 0)
        sweep_group (st);
    }

  /* Whatever happened, nothing of the group is left once it is reaped. */
  g_mutex_lock (&st->mutex);
  kill_group_locked (st);
  g_mutex_unlock (&st->mutex);
  while (waitpid (st->pid, &status, 0) < 0 && errno == EINTR)
    ;
  g_mutex_lock (&st->mutex);
  st->reaped = TRUE;
  cancelled = st->cancelled;
  g_mutex_unlock (&st->mutex);
  lab_runner_worker_gone (st->runner, st->record);

  /* Jobs that were running when it all stopped. */
  for (guint i = 0; i < st->n_jobs; i++)
    if (st->job_state[i] == LAB_JOB_RUNNING)
      {
        lab_runner_job_lost (st->runner, i, &st->started[i], cancelled ? _("Cancelled") : _("The Python harness stopped"));
        st->job_state[i] = LAB_JOB_FAILED;
      }

  if (cancelled || lab_runner_is_cancelled (st->runner))
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_CANCELLED, _("The run was cancelled"));
      return FALSE;
    }
  if (st->fatal != NULL)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_WORKER, st->fatal);
      return FALSE;
    }

  tail = last_stderr_line (st);
  if (WIFSIGNALED (status))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER, _("The Python harness was killed by signal %d (%s)%s%s"),
                   WTERMSIG (status), g_strsignal (WTERMSIG (status)), tail ? ": " : "", tail ? tail : "");
      return FALSE;
    }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0 || !st->done)
    {
      if (WIFEXITED (status) && WEXITSTATUS (status) == 127 && !st->hello)
        g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER, _("Could not start Python%s%s"),
                     tail ? ": " : "", tail ? tail : "");
      else
        g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER, _("The Python harness exited with status %d before the jobs were done%s%s"),
                     WIFEXITED (status) ? WEXITSTATUS (status) : -1, tail ? ": " : "", tail ? tail : "");
      return FALSE;
    }
  if (st->n_finished < st->n_jobs)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER, _("The Python harness said it was done after %u of %u jobs"),
                   st->n_finished, st->n_jobs);
      return FALSE;
    }
  return TRUE;
}

const LabStrategyClass _lab_strategy_python = {
  .start = python_start,
  .cancel = python_cancel,
  .collect = python_collect,
  .free = py_state_free,
};
