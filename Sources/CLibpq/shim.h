#ifndef VELOCITY_CLIBPQ_SHIM_H
#define VELOCITY_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
