/* Shared by the two ceiling responders: the bare libfcgi set-up SealDrop's own
 * architecture has (N threads, each looping FCGX_Accept_r on one unix socket),
 * with nothing else, so the pair marks what a request costs at the least. */
#ifndef BENCH_CEILING_H
#define BENCH_CEILING_H

#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The headers every SealDrop response carries, so both sides send the same bytes. */
#define CEILING_HEADERS "Content-Type: application/json\r\nCache-Control: no-store\r\n" \
                        "X-Content-Type-Options: nosniff\r\n"

static int ceiling_listen_fd = -1;

/* libfcgi's own SIGTERM handler only sets a flag that a thread blocked in accept
 * never reads (design.md), so the ceilings leave at once instead. */
static void ceiling_on_term(int sig) {
    (void)sig;
    _exit(0);
}

/* argv: SOCKET_PATH THREADS. Opens the socket (mode 0666, like SealDrop's
 * default), runs THREADS copies of worker and never returns. */
static int ceiling_main(int argc, char **argv, void *(*worker)(void *)) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s SOCKET_PATH THREADS\n", argv[0]);
        return 2;
    }
    int threads = atoi(argv[2]);
    if (threads < 1 || threads > 256) {
        fprintf(stderr, "%s: THREADS must be 1..256\n", argv[0]);
        return 2;
    }
    signal(SIGTERM, ceiling_on_term);
    signal(SIGINT, ceiling_on_term);
    signal(SIGPIPE, SIG_IGN);
    if (FCGX_Init() != 0) {
        fprintf(stderr, "%s: FCGX_Init failed\n", argv[0]);
        return 1;
    }
    unlink(argv[1]);
    /* Same backlog as SealDrop's ListeningSocket. */
    ceiling_listen_fd = FCGX_OpenSocket(argv[1], 1024);
    if (ceiling_listen_fd < 0) {
        fprintf(stderr, "%s: cannot listen on %s\n", argv[0], argv[1]);
        return 1;
    }
    chmod(argv[1], 0666);
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&ids[i], NULL, worker, NULL) != 0) {
            fprintf(stderr, "%s: cannot start thread %d\n", argv[0], i);
            return 1;
        }
    }
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    return 0;
}

#endif
