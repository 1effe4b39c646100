#ifndef SEALDROP_CFASTCGI_SHIM_H
#define SEALDROP_CFASTCGI_SHIM_H
#include <fcgiapp.h>
/* Glibc's Swift module leaves epoll out; the workers wait for connections with it. */
#include <sys/epoll.h>
#endif
