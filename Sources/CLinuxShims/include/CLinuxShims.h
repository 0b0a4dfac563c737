// Linux facilities Swift's Glibc module does not import: openpty, struct ucred,
// ioctl request macros (EVIOCGRAB) that are function-like macros in C, and malloc_trim.
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

/// EVIOCGNAME: the device's name into `name` (NUL-terminated). Returns ioctl's result.
int antre_evdev_name(int fd, char *name, size_t name_len);

/// malloc_trim(0): returns the heap's free pages to the kernel. Returns 1 if any were.
int antre_trim_heap(void);

/// sizeof(struct input_event) on this platform (24 on 64-bit Linux).
size_t antre_input_event_size(void);

/// Decodes one `struct input_event` at `bytes` (antre_input_event_size() bytes).
void antre_input_event_decode(const void *bytes, unsigned short *type, unsigned short *code, int *value);

/// Encodes one `struct input_event` (time zero) into `bytes`, for tests and tools.
void antre_input_event_encode(void *bytes, unsigned short type, unsigned short code, int value);

/// termios speed constant for a baud rate (9600 -> B9600), 0 when unsupported.
speed_t antre_baud_constant(unsigned int baud);

#endif
