#define _GNU_SOURCE
#include <malloc.h>
#include "CLinuxShims.h"
#include <pty.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/input.h>

int antre_openpty(int *master, int *slave, char *name, size_t name_len) {
    char buf[128];
    if (openpty(master, slave, buf, NULL, NULL) != 0) return -1;
    if (name && name_len > 0) {
        strncpy(name, buf, name_len - 1);
        name[name_len - 1] = '\0';
    }
    return 0;
}

int antre_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid) {
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    *pid = cred.pid; *uid = cred.uid; *gid = cred.gid;
    return 0;
}

int antre_evdev_grab(int fd, int grab) {
    return ioctl(fd, EVIOCGRAB, grab);
}

int antre_evdev_name(int fd, char *name, size_t name_len) {
    if (!name || name_len == 0) return -1;
    // Ask for 256 bytes, the size evtest and libevdev use (umockdev's recorded
    // ioctls match on it), then cut to the caller's buffer.
    char buf[257];
    memset(buf, 0, sizeof buf);
    int rc = ioctl(fd, EVIOCGNAME(256), buf);
    strncpy(name, buf, name_len - 1);
    name[name_len - 1] = '\0';
    return rc;
}

size_t antre_input_event_size(void) { return sizeof(struct input_event); }

void antre_input_event_decode(const void *bytes, unsigned short *type, unsigned short *code, int *value) {
    struct input_event ev;
    memcpy(&ev, bytes, sizeof ev);
    *type = ev.type; *code = ev.code; *value = ev.value;
}

void antre_input_event_encode(void *bytes, unsigned short type, unsigned short code, int value) {
    struct input_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type; ev.code = code; ev.value = value;
    memcpy(bytes, &ev, sizeof ev);
}

speed_t antre_baud_constant(unsigned int baud) {
    switch (baud) {
    case 1200: return B1200;
    case 2400: return B2400;
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    default: return 0;
    }
}

int antre_trim_heap(void) {
    return malloc_trim(0);
}
