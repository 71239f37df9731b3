#ifndef VELOCITY_CHIREDIS_SHIM_H
#define VELOCITY_CHIREDIS_SHIM_H
// hiredis is used through its Argv entry points only (explicit lengths, binary safe).
#include <hiredis/hiredis.h>
#include <sys/time.h>

static inline struct timeval velocity_timeval_ms(long long ms) {
    struct timeval tv;
    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
    return tv;
}

/// The context's error text, readable from Swift without touching the fixed-size C array.
static inline const char *velocity_redis_errstr(const redisContext *c) {
    return c->errstr;
}
#endif
