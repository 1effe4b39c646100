#ifndef SEALDROP_CFASTCGI_SHIM_H
#define SEALDROP_CFASTCGI_SHIM_H
#include <fcgiapp.h>
/* Glibc's Swift module leaves epoll out; the workers wait for connections with it. */
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <signal.h>
/* Glibc's Swift module leaves malloc.h out too; a worker hands freed pages back with malloc_trim. */
#include <malloc.h>

/* prctl is variadic, which Swift cannot call: a worker process asks to be sent
   SIGTERM when its supervisor dies, so it drains instead of serving unsupervised. */
static inline int sealdrop_terminate_with_parent(void) {
    return prctl(PR_SET_PDEATHSIG, SIGTERM);
}
#endif
