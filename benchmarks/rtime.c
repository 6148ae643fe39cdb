/* Runs a command and writes "wall user sys maxrss_kib" for it to a file,
 * times in seconds with microseconds. /usr/bin/time prints hundredths,
 * which left the 100 MiB cut's 10-20 ms floor with one digit; a wrapper in
 * Python would report its own interpreter's 10 MiB as the peak RSS of
 * whatever it runs (the child's high-water mark includes the pages it
 * had before exec), so this stays a small C program, like time(1).
 *
 *   rtime OUT CMD [ARGS...]
 *
 * The command's output goes to /dev/null; its exit status is not an error
 * (tlsdiag exits 1 when a handshake failed). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status, null;
	pid_t pid;
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "usage: rtime OUT CMD [ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("rtime: fork");
		return 1;
	}
	if (pid == 0) {
		null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("rtime: wait4");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	fprintf(out, "%.6f %.6f %.6f %ld\n",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		seconds(ru.ru_utime), seconds(ru.ru_stime), ru.ru_maxrss);
	return fclose(out) == 0 ? 0 : 1;
}
