#ifndef WAYSTATION_CSYSTEMCLOCK_SHIM_H
#define WAYSTATION_CSYSTEMCLOCK_SHIM_H
#include <sys/timex.h>
#include <sys/statvfs.h>

/// 1 if the kernel says the system clock is not synchronised (NTP has not set it), 0 if it is, -1 on error.
static inline int waystation_clock_unsynchronised(void) {
    struct timex t = {0};
    int state = adjtimex(&t);
    if (state == -1) return -1;
    return (state == TIME_ERROR || (t.status & STA_UNSYNC)) ? 1 : 0;
}

/// Bytes available to unprivileged users on the file system holding `path`, or -1.
static inline long long waystation_free_bytes(const char *path) {
    struct statvfs s;
    if (statvfs(path, &s) != 0) return -1;
    return (long long)s.f_bavail * (long long)s.f_frsize;
}
#endif
