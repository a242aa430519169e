/* lab-probe-fork.c — the floor under the processes strategy: bare fork + wait
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small C program (libc only, nothing set up) forks N children that
 * exit at once, and reaps them: one at a time (fork, wait, fork, wait…),
 * or all forked first and then reaped, as `--strategy=processes` starts
 * every job's process at once. It prints the wall time per child in
 * microseconds, for bench/overhead to compare a processes run with, in
 * the same run of the benchmark:
 *
 *   lab-probe-fork [--at-once] [N=200]
 *
 * No process does less per job, so a run of empty jobs can only come
 * close to this figure; what it costs above it is the engine's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static pid_t
fork_one (void)
{
  pid_t pid = fork ();

  if (pid == 0)
    _exit (0);
  if (pid < 0)
    {
      fprintf (stderr, "lab-probe-fork: fork: %s\n", strerror (errno));
      exit (1);
    }
  return pid;
}

static void
reap (pid_t pid)
{
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

int
main (int    argc,
      char **argv)
{
  int at_once = argc > 1 && strcmp (argv[1], "--at-once") == 0;
  int n = argc > 1 + at_once ? atoi (argv[1 + at_once]) : 200;
  pid_t *pids;
  long long t0;

  if (n < 1 || (pids = calloc (n, sizeof *pids)) == NULL)
    {
      fprintf (stderr, "usage: lab-probe-fork [--at-once] [N=200]\n");
      return 2;
    }

  t0 = now_ns ();
  if (at_once)
    {
      for (int i = 0; i < n; i++)
        pids[i] = fork_one ();
      for (int i = 0; i < n; i++)
        reap (pids[i]);
    }
  else
    for (int i = 0; i < n; i++)
      reap (fork_one ());

  printf ("%.3f\n", (now_ns () - t0) / 1e3 / n);
  free (pids);
  return 0;
}
