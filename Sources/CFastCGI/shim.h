#ifndef SEALDROP_CFASTCGI_SHIM_H
#define SEALDROP_CFASTCGI_SHIM_H
#include <fcgiapp.h>
#endif
