#!/usr/bin/python3
"""Fake USB button box (evdev) for programs run under a umockdev testbed.

usage: /usr/bin/python3 fakebuttons.py buttons.umockdev buttons.ioctl /dev/input/by-id/NAME -- program args...

The device node (first /dev/input/event7, one more per replug) answers EVIOCGNAME/EVIOCGID from buttons.ioctl (EVIOCGRAB returns 0);
the test writes commands, one per line, to the FIFO named by FAKEBUTTONS_CONTROL:
  press CODE          key-down, SYN, key-up, SYN (CODE decimal, e.g. 2 = KEY_1)
  event TYPE CODE VALUE   one raw struct input_event (e.g. "event 1 2 2" = autorepeat)
  unplug              the device fd closes (the program's read fails with EIO or sees a
                      hang-up), the by-id link goes, the device leaves the testbed
  replug              the device comes back as the next eventN, the by-id link follows
and "ack <command>" lines are appended to FAKEBUTTONS_EVENTS when each is done.
Adapted from docs/hardware/evdev-buttons/evharness.py."""
import os, signal, struct, subprocess, sys, threading, time
import gi
gi.require_version('UMockdev', '1.0')
from gi.repository import UMockdev


def event(typ, code, value):
    t = time.time()
    return struct.pack('llHHi', int(t), int((t % 1) * 1e6), typ, code, value)


class Box:
    """The button box in the testbed. Like the kernel, each plug-in makes a new
    eventN node (event7, event8, ...); the stable name the program opens is the
    /dev/input/by-id symlink, re-pointed on every plug, as udev does."""
    def __init__(self, tb, desc, ioctl, link):
        self.tb, self.ioctl, self.link = tb, ioctl, link
        self.text = open(desc).read()
        self.lock = threading.Lock()
        self.number = 7
        self.fd = -1
        self.plug()

    def plug(self):
        n = self.number
        self.number += 1
        text = (self.text.replace('event7', 'event%d' % n).replace('MINOR=71', 'MINOR=%d' % (64 + n))
                .replace('dev=13:71', 'dev=13:%d' % (64 + n)).replace('input7', 'input%d' % n))
        self.syspaths = ['/sys' + b.strip().split('\n')[0][3:].strip() for b in text.split('\n\n') if b.strip()]
        self.tb.add_from_string(text)
        node = '/dev/input/event%d' % n
        self.tb.load_ioctl(node, self.ioctl)
        self.fd = self.tb.get_dev_fd(node)
        root = self.tb.get_root_dir()
        # The link itself, and (umockdev internals, 0.17) the two entries by which
        # its preload library knows an opened path is an emulated node with ioctls.
        self.relink(root + self.link, '../event%d' % n)
        self.relink(root + '/dev/.node/' + self.link[len('/dev/'):].replace('/', '_'), '13:%d' % (64 + n))
        self.relink(root + '/ioctl' + self.link, '../event%d' % n)
        self.majmin = '13:%d' % (64 + n)

    @staticmethod
    def relink(path, target):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + '.new'
        os.symlink(target, tmp)
        os.replace(tmp, path)

    def write(self, data):
        with self.lock:
            if self.fd >= 0:
                os.write(self.fd, data)

    def unplug(self):
        with self.lock:
            if self.fd >= 0:
                os.close(self.fd)   # the program's read() sees EIO / hang-up
            self.fd = -1
        root = self.tb.get_root_dir()
        try:
            os.unlink(root + self.link)
        except FileNotFoundError:
            pass
        # The closed pty's number will be reused: drop umockdev's stale map entry for it.
        ptymap = root + '/dev/.ptymap'
        for entry in os.listdir(ptymap):
            if os.readlink(os.path.join(ptymap, entry)) == self.majmin:
                os.unlink(os.path.join(ptymap, entry))
        for path in self.syspaths:
            self.tb.remove_device(path)

    def replug(self):
        with self.lock:
            self.plug()


def control_loop(box, fifo, events):
    def ack(line):
        if events:
            with open(events, 'a') as f:
                f.write('ack %s\n' % line)
    while True:
        with open(fifo) as f:
            for line in f:
                line = line.strip()
                parts = line.split()
                if not parts:
                    continue
                if parts[0] == 'press':
                    code = int(parts[1])
                    box.write(event(1, code, 1) + event(0, 0, 0) + event(1, code, 0) + event(0, 0, 0))
                elif parts[0] == 'event':
                    box.write(event(int(parts[1]), int(parts[2]), int(parts[3])) + event(0, 0, 0))
                elif parts[0] == 'unplug':
                    box.unplug()
                elif parts[0] == 'replug':
                    box.replug()
                else:
                    ack('unknown ' + line); continue
                ack(line)


def main():
    desc, ioctl, link = sys.argv[1], sys.argv[2], sys.argv[3]
    cmd = sys.argv[sys.argv.index('--') + 1:]
    tb = UMockdev.Testbed.new()
    box = Box(tb, desc, ioctl, link)
    fifo = os.environ.get('FAKEBUTTONS_CONTROL')
    if fifo:
        threading.Thread(target=control_loop, args=(box, fifo, os.environ.get('FAKEBUTTONS_EVENTS')),
                         daemon=True).start()
    env = dict(os.environ, UMOCKDEV_DIR=tb.get_root_dir(), LD_PRELOAD='libumockdev-preload.so.0')
    for k in ('FAKEBUTTONS_CONTROL', 'FAKEBUTTONS_EVENTS'):
        env.pop(k, None)
    p = subprocess.Popen(cmd, env=env)
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda n, f: p.send_signal(n))
    # A parent may start us with signals blocked (seen under Foundation's Process).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    rc = p.wait()
    return rc if rc >= 0 else 128 - rc


sys.exit(main())
