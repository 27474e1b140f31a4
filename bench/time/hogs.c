#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
/* hogs N SECONDS: N CPU-bound threads that each run 3 ms then sleep 1 ms */
static void *h(void *a) { (void)a; for (;;) { volatile unsigned long x = 0; for (long i = 0; i < 3000000; i++) x++; usleep(1000); } return NULL; }
int main(int c, char **v) { int n = c > 1 ? atoi(v[1]) : 2; pthread_t t; for (int i = 0; i < n; i++) pthread_create(&t, NULL, h, NULL); sleep(c > 2 ? atoi(v[2]) : 5); return 0; }
