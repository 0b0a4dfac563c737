import AntreCore
import AntrePosix
import CLibUSB
import Foundation
import Logging
import Synchronization

/// A printer on USB through libusb (`usb:0416:5011?serial=S&interface=N`).
///
/// Finds the device by vendor:product (and serial), detaches usblp if it holds the
/// interface, claims the printer interface and uses the bulk endpoints its
/// descriptors name. Every libusb call is bounded by the caller's timeout. The
/// device stays claimed between jobs; after an unplug (or any fatal error) the
/// next job rescans the bus in a fresh libusb context, so a replugged printer
/// (with a new address) is picked up without restarting the daemon.
public final class USBPrinter: PrinterTransport {
    public let connection: PrinterConnection
    public let vendor: UInt16
    public let product: UInt16
    public let serial: String?
    public let interface: Int?
    /// Bytes per bulk transfer: small enough that a timeout is noticed mid-job.
    public static let chunkSize = 4096
    private let logger: Logger
    /// The claimed printer (nil: none). Held for a whole job or query (each bounded by its
    /// timeout) so two never interleave; logging waits until after.
    private let device = Mutex<OpenUSBPrinter?>(nil)

    public init(vendor: UInt16, product: UInt16, serial: String? = nil, interface: Int? = nil,
                logger: Logger = Logger(label: "antre.printer.usb")) {
        self.vendor = vendor
        self.product = product
        self.serial = serial
        self.interface = interface
        self.connection = .usb(vendor: vendor, product: product, serial: serial, interface: interface)
        self.logger = logger
    }

    public func send(_ job: [UInt8], timeout: Duration) throws(PrinterError) {
        let end = deadline(after: timeout)
        let connection = self.connection
        let (result, events) = device.withLock { device -> (Result<Void, PrinterError>, [USBLinkEvent]) in
            var events: [USBLinkEvent] = []
            var retried = false
            while true {
                let printer: OpenUSBPrinter
                switch openedLocked(&device) {
                case let .success((opened, event)):
                    printer = opened
                    if let event { events.append(event) }
                case let .failure(error): return (.failure(error), events)
                }
                switch printer.write(job, until: end) {
                case .done:
                    return (.success(()), events)
                case let .timedOut(sent):
                    device = nil
                    return (.failure(.timedOut(connection: connection.description, sentBytes: sent,
                                               totalBytes: job.count)), events)
                case let .failed(sent, rc):
                    device = nil
                    // A handle kept from before an unplug/replug fails at once: reopen once.
                    if sent == 0 && !retried && USBDescriptors.isFatal(rc) && ContinuousClock.now < end {
                        retried = true
                        events.append(.wentStale)
                        continue
                    }
                    return (.failure(.writeFailed(connection: connection.description, sentBytes: sent,
                                                  reason: USBDescriptors.errorText(rc))), events)
                }
            }
        }
        log(events)
        try result.get()
    }

    /// DLE EOT 1..4 on the bulk OUT endpoint, one reply byte each from bulk IN.
    /// `.unknown` when the printer has no IN endpoint or does not answer in time.
    public func queryStatus(timeout: Duration) -> PrinterStatusReading {
        let end = deadline(after: timeout)
        let (reading, event) = device.withLock { device -> (PrinterStatusReading, USBLinkEvent?) in
            let printer: OpenUSBPrinter
            let event: USBLinkEvent?
            switch openedLocked(&device) {
            case let .success((opened, opening)): (printer, event) = (opened, opening)
            case let .failure(.unreachable(_, reason)): return (.unreachable(reason), nil)
            case let .failure(error): return (.unreachable(error.description), nil)
            }
            guard printer.interface.inEndpoint != nil else { return (.unknown, event) }
            switch printer.queryDLEEOT(until: end) {
            case let .reply(bytes): return (.reply(bytes), event)
            case .noReply: return (.unknown, event)
            case let .failed(rc):
                device = nil
                return (.unreachable(USBDescriptors.errorText(rc)), event)
            }
        }
        log(event.map { [$0] } ?? [])
        return reading
    }

    public func close() {
        device.withLock { $0 = nil }  // deinit releases the interface and the context
    }

    /// Whether the open printer has a bulk IN endpoint (nil when not open).
    public var hasStatusEndpoint: Bool? {
        device.withLock { $0.map { $0.interface.inEndpoint != nil } }
    }

    /// What happened to the device on the way to a job, logged once the lock is released.
    private enum USBLinkEvent: Sendable {
        case opened(Logger.Metadata)
        case wentStale
    }

    private func openedLocked(_ device: inout OpenUSBPrinter?) -> Result<(OpenUSBPrinter, USBLinkEvent?), PrinterError> {
        if let device { return .success((device, nil)) }
        do {
            let opened = try OpenUSBPrinter(vendor: vendor, product: product, serial: serial, interface: interface)
            device = opened
            return .success((opened, .opened([
                "bus": "\(opened.bus)", "address": "\(opened.address)",
                "interface": "\(opened.interface.number)",
                "out": "\(String(format: "0x%02x", opened.interface.outEndpoint))",
                "in": "\(opened.interface.inEndpoint.map { String(format: "0x%02x", $0) } ?? "none (status unknown)")",
            ])))
        } catch {
            return .failure(.unreachable(connection: connection.description, reason: error.reason))
        }
    }

    private func log(_ events: [USBLinkEvent]) {
        for event in events {
            switch event {
            case let .opened(metadata):
                logger.info("opened", metadata: metadata.merging(["printer": "\(connection)"]) { $1 })
            case .wentStale:
                logger.info("USB printer handle went stale; rescanning", metadata: ["printer": "\(connection)"])
            }
        }
    }
}

/// Why a USB printer could not be opened.
struct USBOpenError: Error {
    let reason: String
}

/// A claimed printer interface: the libusb context, the handle, the endpoints.
/// Released (interface, handle, context) when the object goes.
final class OpenUSBPrinter {
    let context: USBContext
    let handle: OpaquePointer
    let interface: USBPrinterInterface
    let bus: Int
    let address: Int

    init(vendor: UInt16, product: UInt16, serial: String?, interface requested: Int?) throws(USBOpenError) {
        let id = usbID(vendor, product)
        let wanted = id + (serial.map { " with serial \($0)" } ?? "")
        guard let context = USBContext() else {
            throw USBOpenError(reason: "libusb cannot start (is /dev/bus/usb there?)")
        }
        defer { context.releaseDevices() }
        let matching = context.devices().filter { device in
            var descriptor = libusb_device_descriptor()
            return libusb_get_device_descriptor(device, &descriptor) == 0
                && descriptor.idVendor == vendor && descriptor.idProduct == product
        }
        var candidates = matching
        if let serial {
            candidates = matching.filter { USBPrinterDiscovery.info(for: $0, requestedInterface: requested)?.serial == serial }
        }
        guard let device = candidates.first else {
            if !matching.isEmpty, serial != nil {
                let seen = matching.compactMap { USBPrinterDiscovery.info(for: $0)?.serial }
                throw USBOpenError(reason: "no USB device \(wanted) found; \(id) is there with serial "
                    + (seen.isEmpty ? "unreadable" : seen.joined(separator: ", ")))
            }
            throw USBOpenError(reason: "no USB device \(wanted) found; \(USBPrinterDiscovery.presentPrintersText())")
        }
        bus = Int(libusb_get_bus_number(device))
        address = Int(libusb_get_device_address(device))
        let node = String(format: "/dev/bus/usb/%03d/%03d", bus, address)
        guard let found = USBDescriptors.printerInterface(of: device, requested: requested) else {
            throw USBOpenError(reason: requested.map { "\(id) has no interface \($0) with a bulk OUT endpoint" }
                ?? "\(id) has no printer interface with a bulk OUT endpoint (set interface=N)")
        }
        var opened: OpaquePointer?
        let rc = libusb_open(device, &opened)
        guard rc == 0, let handle = opened else {
            throw USBOpenError(reason: "cannot open \(id) at \(node): \(USBDescriptors.errorText(rc))")
        }
        // usblp (or another driver) may hold the interface: detach it while we claim
        // it, reattach on release. Not supported off Linux: ignore the result.
        _ = libusb_set_auto_detach_kernel_driver(handle, 1)
        let claim = libusb_claim_interface(handle, Int32(found.number))
        guard claim == 0 else {
            libusb_close(handle)
            throw USBOpenError(reason: "cannot claim interface \(found.number) of \(id) at \(node): "
                + USBDescriptors.errorText(claim))
        }
        if found.alternateSetting != 0 {
            let alt = libusb_set_interface_alt_setting(handle, Int32(found.number), Int32(found.alternateSetting))
            guard alt == 0 else {
                _ = libusb_release_interface(handle, Int32(found.number))
                libusb_close(handle)
                throw USBOpenError(reason: "cannot select alternate setting \(found.alternateSetting) of \(id): "
                    + USBDescriptors.errorText(alt))
            }
        }
        self.context = context
        self.handle = handle
        self.interface = found
    }

    deinit {
        _ = libusb_release_interface(handle, Int32(interface.number))
        libusb_close(handle)
    }

    enum Outcome {
        case done
        case timedOut(sent: Int)
        case failed(sent: Int, rc: Int32)
    }

    /// Bulk OUT in chunks until `end`.
    func write(_ bytes: [UInt8], until end: Deadline) -> Outcome {
        var sent = 0
        var buffer = bytes
        while sent < buffer.count {
            let length = min(USBPrinter.chunkSize, buffer.count - sent)
            var transferred: Int32 = 0
            let rc = buffer.withUnsafeMutableBufferPointer { raw -> Int32 in
                guard let base = raw.baseAddress else { return LIBUSB_ERROR_OTHER.rawValue }
                return libusb_bulk_transfer(handle, interface.outEndpoint, base.advanced(by: sent), Int32(length),
                                            &transferred, libusbMilliseconds(until: end))
            }
            sent += Int(max(transferred, 0))
            if rc == LIBUSB_ERROR_TIMEOUT.rawValue { return .timedOut(sent: sent) }
            if rc != 0 { return .failed(sent: sent, rc: rc) }
            if ContinuousClock.now >= end && sent < buffer.count { return .timedOut(sent: sent) }
        }
        return .done
    }

    enum StatusOutcome {
        case reply([UInt8])
        case noReply
        case failed(Int32)
    }

    /// Reads one IN transfer (a whole packet, so nothing overflows); nil data on timeout.
    private func readIn(_ endpoint: UInt8, until end: Deadline) -> (rc: Int32, data: [UInt8]) {
        var buffer = [UInt8](repeating: 0, count: max(interface.inMaxPacket, 64))
        var transferred: Int32 = 0
        let count = Int32(buffer.count)
        let rc = libusb_bulk_transfer(handle, endpoint, &buffer, count, &transferred, libusbMilliseconds(until: end))
        return (rc, Array(buffer.prefix(Int(max(transferred, 0)))))
    }

    func queryDLEEOT(until end: Deadline) -> StatusOutcome {
        guard let endpoint = interface.inEndpoint else { return .noReply }
        // Drop a stale reply (a late answer to an earlier query), briefly.
        let drainEnd = min(end, deadline(after: .milliseconds(5)))
        for _ in 0..<4 {
            let (rc, data) = readIn(endpoint, until: drainEnd)
            if rc == LIBUSB_ERROR_TIMEOUT.rawValue || data.isEmpty { break }
            if rc != 0 && USBDescriptors.isFatal(rc) { return .failed(rc) }
        }
        var replies: [UInt8] = []
        for n: UInt8 in 1...4 {
            switch write([0x10, 0x04, n], until: end) {
            case .done: break
            case .timedOut: return .noReply
            case let .failed(_, rc): return .failed(rc)
            }
            while true {
                let (rc, data) = readIn(endpoint, until: end)
                if rc == LIBUSB_ERROR_TIMEOUT.rawValue { return .noReply }
                if rc != 0 { return USBDescriptors.isFatal(rc) ? .failed(rc) : .noReply }
                if let byte = data.first {
                    replies.append(byte)
                    break
                }
                if ContinuousClock.now >= end { return .noReply }  // zero-length packets only
            }
        }
        return .reply(replies)
    }
}
