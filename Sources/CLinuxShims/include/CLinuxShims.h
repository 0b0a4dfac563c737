// Linux facilities Swift's Glibc module does not import: openpty, struct ucred,
// and ioctl request macros (EVIOCGRAB) that are function-like macros in C.
#ifndef ANTRE_CLINUXSHIMS_H
#define ANTRE_CLINUXSHIMS_H

#include <sys/types.h>
#include <sys/socket.h>
#include <termios.h>

/// openpty(3): a new pseudo-terminal pair. Returns 0 or -1 with errno.
int antre_openpty(int *master, int *slave, char *name, size_t name_len);

/// SO_PEERCRED of a connected Unix socket. Returns 0 or -1 with errno.
int antre_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

/// EVIOCGRAB on an evdev node: grab (1) or release (0). Returns ioctl's result.
int antre_evdev_grab(int fd, int grab);

/// termios speed constant for a baud rate (9600 -> B9600), 0 when unsupported.
speed_t antre_baud_constant(unsigned int baud);

#endif
