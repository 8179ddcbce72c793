/* Why a JVM lists descriptors slower than the single-threaded C anchor: poll(2) over every slot of a table with
 * N files open, first with no other thread, then with one idle thread sharing the table (as every JVM has).
 * In a process whose table is shared, the kernel takes and drops a reference on each file it polls.
 * Build and run: gcc -O2 -pthread -o /tmp/poll-threads poll-threads.c && /tmp/poll-threads 16000
 * Prints one line per case: median and minimum of 101 polls, in microseconds. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e6 + t.tv_nsec / 1e3; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static void *idle(void *arg) { (void)arg; for (;;) pause(); return NULL; }

static void measure(const char *label, struct pollfd *p, int slots) {
    enum { REPS = 101 };
    static double t[REPS];
    for (int k = 0; k < REPS; k++) {
        for (int i = 0; i < slots; i++) { p[i].fd = i; p[i].events = 0; p[i].revents = 0; }
        double a = now_us(); poll(p, slots, 0); t[k] = now_us() - a;
    }
    qsort(t, REPS, sizeof(double), cmp);
    printf("%-28s slots %d: median %.1f us, min %.1f us\n", label, slots, t[REPS / 2], t[0]);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 16000;
    for (int i = 0; i < n; i++) if (open("/dev/null", O_RDONLY) < 0) { perror("open"); return 1; }
    int slots = 1; while (slots < n + 3) slots *= 2;  /* the table's size: a power of two above the highest fd */
    struct pollfd *p = malloc(sizeof *p * slots);
    measure("single-threaded", p, slots);
    pthread_t th; pthread_create(&th, NULL, idle, NULL);
    measure("one idle thread sharing", p, slots);
    return 0;
}
