#ifndef SEALDROP_CMARIADB_SHIM_H
#define SEALDROP_CMARIADB_SHIM_H
#include <mysql.h>
#endif
