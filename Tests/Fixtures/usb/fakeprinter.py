#!/usr/bin/python3
"""Fake USB ESC/POS printer for libusb programs, via umockdev's IoctlBase.

usage: /usr/bin/python3 fakeprinter.py DEVICE.umockdev /dev/bus/usb/001/005 -- program args...

Runs the program under a umockdev testbed holding DEVICE.umockdev and answers the
usbdevfs ioctls for NODE like a printer: every bulk OUT byte is captured, DLE EOT n
(10 04 n) is answered on the bulk IN endpoint with status byte n. Environment:
  FAKEPRINTER_CAPTURE  file the OUT bytes are appended to, as they arrive
  FAKEPRINTER_STATUS   replies to DLE EOT 1..4, hex (default "12 12 12 12" = ready;
                       paper out: "1A 32 12 7E")
  FAKEPRINTER_CONTROL  a FIFO the test writes commands to, one per line:
                       unplug   in-flight URBs end with -ESHUTDOWN, every ioctl then
                                fails ENODEV, the device leaves the testbed
                       replug   the device comes back (fresh state, same capture)
                       status XX XX XX XX   new DLE EOT replies
  FAKEPRINTER_EVENTS   file where "ack <command>" lines are appended when done
  UNPLUG_AFTER         unplug by itself once this many OUT bytes arrived (mid-job)
Adapted from docs/hardware/usb-printer/fakeprinter.py (control URBs for string
descriptors, status, capture file, control FIFO and replug added)."""
import errno, os, signal, struct, subprocess, sys, threading
import gi
gi.require_version('UMockdev', '1.0')
from gi.repository import UMockdev

SUBMITURB, DISCARDURB, REAPURB, REAPURBNDELAY = 0x8038550A, 0x550B, 0x4008550C, 0x4008550D
CLAIM, RELEASE, GETCAPS, GETDRIVER, IOCTL = 0x8004550F, 0x80045510, 0x8004551A, 0x41045508, 0xC0105512
CLEAR_HALT, RESET, SETINTF, CONNECTINFO, GET_SPEED, CONTROL = 0x80045515, 0x5514, 0x80085504, 0x40085511, 0x551F, 0xC0185500
DISCONNECT_CLAIM = 0x8108551B   # claim, detaching a kernel driver first (auto-detach)
URB_TYPE_CONTROL = 2


def parse_hex(text):
    return bytes(int(x, 16) for x in text.replace(',', ' ').split())


class Shared:
    """State that outlives one plug session: capture file, status replies, strings."""
    def __init__(self):
        self.lock = threading.Lock()
        self.status = parse_hex(os.environ.get('FAKEPRINTER_STATUS', '12 12 12 12'))
        self.capture_path = os.environ.get('FAKEPRINTER_CAPTURE')
        self.total_out = 0
        self.strings = {1: 'Fake', 2: 'POS58 Printer', 3: 'TEST0001'}

    def capture(self, data):
        self.total_out += len(data)
        if self.capture_path:
            with open(self.capture_path, 'ab') as f:
                f.write(data)


class FakePrinter:
    def __init__(self, shared, unplug_after=None):
        self.shared = shared
        self.lock = shared.lock
        self.out_bytes = bytearray()    # everything the program sent to the bulk OUT endpoint
        self.in_queue = bytearray()     # bytes the "printer" will return on the IN endpoint
        self.pending_in = []            # IN urbs waiting for data
        self.done = []                  # urbs ready to be reaped
        self.log = []
        self.unplugged = False
        self.unplug_after = unplug_after

    def on_out(self, data):
        self.out_bytes += data
        self.shared.capture(data)
        i = data.find(b'\x10\x04')      # DLE EOT n -> real-time status
        while i != -1 and i + 2 < len(data):
            n = data[i + 2]
            if 1 <= n <= len(self.shared.status):
                self.in_queue += self.shared.status[n - 1:n]
            i = data.find(b'\x10\x04', i + 3)

    def pump(self):
        while self.pending_in and self.in_queue:
            urb = self.pending_in.pop(0)
            buf = urb.resolve(16, 0)  # already resolved earlier: returns cached child
            n = min(len(self.in_queue), struct.unpack_from('i', bytes(urb.retrieve()), 24)[0])
            buf.update(0, bytes(self.in_queue[:n])); del self.in_queue[:n]
            urb.update(28, struct.pack('i', n)); urb.update(4, struct.pack('i', 0))
            self.done.append(urb)

    def unplug_locked(self, urb=None):
        """In-flight URBs complete with -ESHUTDOWN; afterwards every ioctl fails ENODEV."""
        self.unplugged = True
        for u in self.pending_in + ([urb] if urb is not None else []):
            u.update(4, struct.pack('i', -errno.ESHUTDOWN)); u.update(28, struct.pack('i', 0))
            self.done.append(u)
        self.pending_in = []

    def control(self, urb, buflen):
        """Control transfer: setup packet in the first 8 bytes of the buffer."""
        buf = urb.resolve(16, buflen)
        data = bytes(buf.retrieve())
        rtype, req, value, index, length = struct.unpack_from('<BBHHH', data, 0)
        reply = None
        if rtype == 0x80 and req == 6 and value >> 8 == 3:      # GET_DESCRIPTOR string
            i = value & 0xFF
            if i == 0:
                reply = bytes([4, 3, 0x09, 0x04])
            elif i in self.shared.strings:
                s = self.shared.strings[i].encode('utf-16-le')
                reply = bytes([2 + len(s), 3]) + s
        if rtype & 0x80:
            if reply is None:
                urb.update(4, struct.pack('i', -errno.EPIPE)); urb.update(28, struct.pack('i', 0))
            else:
                reply = reply[:length]
                buf.update(8, reply)
                urb.update(28, struct.pack('i', len(reply))); urb.update(4, struct.pack('i', 0))
        else:
            urb.update(28, struct.pack('i', 0)); urb.update(4, struct.pack('i', 0))
        self.done.append(urb)

    def handle(self, handler, client):
        req = client.get_request(); arg = client.get_arg()
        with self.lock:
            self.log.append(hex(req))
            if (self.unplug_after is not None and self.shared.total_out >= self.unplug_after
                    and not self.unplugged and req == SUBMITURB):
                self.unplug_locked(arg.resolve(0, 56))
                client.complete(0, 0); return True
            if self.unplugged:
                if req in (REAPURB, REAPURBNDELAY) and self.done:
                    arg.resolve(0, 8).set_ptr(0, self.done.pop(0)); client.complete(0, 0); return True
                client.complete(-1, errno.ENODEV); return True
            if req == SUBMITURB:
                urb = arg.resolve(0, 56)
                typ, ep = urb.retrieve()[0], urb.retrieve()[1]
                buflen = struct.unpack_from('i', bytes(urb.retrieve()), 24)[0]
                if typ == URB_TYPE_CONTROL:
                    self.control(urb, buflen)
                    client.complete(0, 0); return True
                buf = urb.resolve(16, buflen)
                if ep & 0x80:
                    self.pending_in.append(urb)
                else:
                    data = bytes(buf.retrieve()) if buf else b''
                    if self.unplug_after is not None and self.shared.total_out + len(data) > self.unplug_after:
                        # Part of this transfer goes out, then the cable is pulled.
                        keep = self.unplug_after - self.shared.total_out
                        self.on_out(data[:keep])
                        self.unplug_locked(urb)
                        client.complete(0, 0); return True
                    self.on_out(data)
                    urb.update(28, struct.pack('i', buflen)); urb.update(4, struct.pack('i', 0))
                    self.done.append(urb)
                self.pump()
                client.complete(0, 0)
            elif req in (REAPURB, REAPURBNDELAY):
                if not self.done:
                    client.complete(-1, errno.EAGAIN)
                else:
                    urb = self.done.pop(0)
                    arg.resolve(0, 8).set_ptr(0, urb)
                    client.complete(0, 0)
            elif req == DISCARDURB:
                addr = struct.unpack('Q', bytes(arg.retrieve())[:8])[0]
                for u in self.pending_in:
                    if u.client_addr == addr:
                        self.pending_in.remove(u)
                        u.update(4, struct.pack('i', -errno.ENOENT)); u.update(28, struct.pack('i', 0))
                        self.done.append(u); client.complete(0, 0); break
                else:
                    client.complete(-1, errno.EINVAL)
            elif req == GETCAPS:
                arg.resolve(0, 4).update(0, struct.pack('I', 0x0F)); client.complete(0, 0)
            elif req in (CLAIM, DISCONNECT_CLAIM, RELEASE, CLEAR_HALT, RESET, SETINTF):
                client.complete(0, 0)
            elif req == GET_SPEED:
                client.complete(2, 0)   # USB_SPEED_FULL
            elif req in (GETDRIVER, IOCTL):
                client.complete(-1, errno.ENODATA)
            else:
                self.log.append('UNHANDLED ' + hex(req)); client.complete(-1, errno.ENOTTY)
        return True


class Device:
    """The printer in the testbed; unplug/replug swap the ioctl handler."""
    def __init__(self, tb, desc_path, node):
        self.tb, self.node = tb, node
        blocks = [b for b in open(desc_path).read().split('\n\n') if b.strip()]
        self.block = blocks[0]                      # the printer; the rest (root hub) stays
        self.syspath = '/sys' + self.block.split('\n')[0][3:].strip()
        self.shared = Shared()
        for line in self.block.split('\n'):
            if line.startswith('A: serial='):
                self.shared.strings[3] = line[len('A: serial='):].strip()
            if line.startswith('A: product='):
                self.shared.strings[2] = line[len('A: product='):].strip()
        tb.add_from_file(desc_path)
        self.present = True
        unplug_after = int(os.environ['UNPLUG_AFTER']) if 'UNPLUG_AFTER' in os.environ else None
        self.attach(unplug_after)

    def attach(self, unplug_after=None):
        self.fake = FakePrinter(self.shared, unplug_after)
        self.handler = UMockdev.IoctlBase()
        self.handler.connect('handle-ioctl', self.fake.handle)
        self.tb.attach_ioctl(self.node, self.handler)

    def unplug(self):
        with self.shared.lock:
            if not self.fake.unplugged:
                self.fake.unplug_locked()
        self.remove()

    def remove(self):
        if self.present:
            self.present = False
            self.tb.uevent(self.syspath, 'remove')
            self.tb.remove_device(self.syspath)

    def replug(self):
        # An UNPLUG_AFTER unplug leaves the device in the testbed: take it out first.
        self.remove()
        self.tb.detach_ioctl(self.node)
        self.attach()
        self.tb.add_from_string(self.block + '\n')
        self.present = True
        self.tb.uevent(self.syspath, 'add')


def control_loop(device, fifo, events):
    def ack(line):
        if events:
            with open(events, 'a') as f:
                f.write('ack %s\n' % line)
    while True:
        with open(fifo) as f:           # reopened when a writer goes away
            for line in f:
                line = line.strip()
                if line == 'unplug':
                    device.unplug()
                elif line == 'replug':
                    device.replug()
                elif line.startswith('status '):
                    with device.shared.lock:
                        device.shared.status = parse_hex(line[len('status '):])
                elif line:
                    ack('unknown ' + line); continue
                ack(line)


def main():
    desc, node = sys.argv[1], sys.argv[2]
    cmd = sys.argv[sys.argv.index('--') + 1:]
    tb = UMockdev.Testbed.new()
    device = Device(tb, desc, node)
    fifo = os.environ.get('FAKEPRINTER_CONTROL')
    if fifo:
        t = threading.Thread(target=control_loop, args=(device, fifo, os.environ.get('FAKEPRINTER_EVENTS')), daemon=True)
        t.start()
    env = dict(os.environ, UMOCKDEV_DIR=tb.get_root_dir(), LD_PRELOAD='libumockdev-preload.so.0')
    for k in ('FAKEPRINTER_CONTROL', 'FAKEPRINTER_EVENTS', 'FAKEPRINTER_CAPTURE', 'FAKEPRINTER_STATUS', 'UNPLUG_AFTER'):
        env.pop(k, None)
    p = subprocess.Popen(cmd, env=env)
    # Forward SIGTERM/SIGINT so a test stopping "the daemon" stops the program.
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda n, f: p.send_signal(n))
    # A parent may start us with signals blocked (seen under Foundation's Process).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    rc = p.wait()
    print('fakeprinter: program rc =', rc, 'captured OUT bytes:', device.shared.total_out, file=sys.stderr)
    print('fakeprinter: ioctls seen:', sorted(set(device.fake.log)), file=sys.stderr)
    return rc if rc >= 0 else 128 - rc


sys.exit(main())
