#ifndef WAYSTATION_CMOSQUITTO_SHIM_H
#define WAYSTATION_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <errno.h>

/// errno as seen right after a libmosquitto call returned MOSQ_ERR_ERRNO.
static inline int waystation_mosq_errno(void) { return errno; }
#endif
