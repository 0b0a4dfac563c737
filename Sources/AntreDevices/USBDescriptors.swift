import AntrePosix
import CLibUSB
import Foundation

// Shared libusb plumbing for the USB printer transport and discovery: reading the
// printer interface and its bulk endpoints from the descriptors, and error texts.

/// The printer-class interface of a device and its bulk endpoints, as the
/// descriptors of the active configuration describe them.
struct USBPrinterInterface: Sendable, Equatable {
    var number: Int
    var alternateSetting: Int
    var interfaceClass: UInt8
    /// Bulk OUT endpoint address (bit 7 clear).
    var outEndpoint: UInt8
    var outMaxPacket: Int
    /// Bulk IN endpoint address (bit 7 set); nil for a one-way printer.
    var inEndpoint: UInt8?
    var inMaxPacket: Int
}

enum USBDescriptors {
    static let printerClass: UInt8 = 0x07
    static let vendorSpecificClass: UInt8 = 0xFF

    /// The interface to print on: `requested` when given, else the first
    /// printer-class (07) interface, else the first vendor-specific one with a
    /// bulk OUT endpoint (cheap clones often declare class FF). Nil when none fits.
    static func printerInterface(of device: OpaquePointer, requested: Int?) -> USBPrinterInterface? {
        var configPointer: UnsafeMutablePointer<libusb_config_descriptor>?
        var rc = libusb_get_active_config_descriptor(device, &configPointer)
        if rc != 0 || configPointer == nil {
            // Not configured yet (or no cached active config): the first one will do.
            rc = libusb_get_config_descriptor(device, 0, &configPointer)
        }
        guard rc == 0, let config = configPointer else { return nil }
        defer { libusb_free_config_descriptor(config) }
        var candidates: [USBPrinterInterface] = []
        // Descriptor arrays are optional pointers: a malformed device must not crash us.
        let interfaceArray: UnsafePointer<libusb_interface>? = config.pointee.interface
        guard let interfaces = interfaceArray else { return nil }
        for i in 0..<Int(config.pointee.bNumInterfaces) {
            let interface = interfaces[i]
            let altArray: UnsafePointer<libusb_interface_descriptor>? = interface.altsetting
            guard let altsettings = altArray else { continue }
            for a in 0..<Int(max(interface.num_altsetting, 0)) {
                let alt = altsettings[a]
                let endpointArray: UnsafePointer<libusb_endpoint_descriptor>? = alt.endpoint
                guard let endpoints = endpointArray else { continue }
                var found = USBPrinterInterface(number: Int(alt.bInterfaceNumber), alternateSetting: Int(alt.bAlternateSetting),
                                                interfaceClass: alt.bInterfaceClass, outEndpoint: 0, outMaxPacket: 0,
                                                inEndpoint: nil, inMaxPacket: 0)
                var hasOut = false
                for e in 0..<Int(alt.bNumEndpoints) {
                    let endpoint = endpoints[e]
                    // Transfer type bits 1..0 = 2: bulk.
                    guard endpoint.bmAttributes & 0x03 == 0x02 else { continue }
                    let packet = Int(endpoint.wMaxPacketSize & 0x07FF)
                    if endpoint.bEndpointAddress & 0x80 != 0 {
                        if found.inEndpoint == nil {
                            found.inEndpoint = endpoint.bEndpointAddress
                            found.inMaxPacket = max(packet, 1)
                        }
                    } else if !hasOut {
                        hasOut = true
                        found.outEndpoint = endpoint.bEndpointAddress
                        found.outMaxPacket = max(packet, 1)
                    }
                }
                if hasOut { candidates.append(found) }
            }
        }
        if let requested {
            return candidates.first { $0.number == requested }
        }
        return candidates.first { $0.interfaceClass == printerClass }
            ?? candidates.first { $0.interfaceClass == vendorSpecificClass }
    }

    /// Whether any interface of the device is printer class (07).
    static func hasPrinterClassInterface(_ device: OpaquePointer) -> Bool {
        printerInterface(of: device, requested: nil)?.interfaceClass == printerClass
    }

    /// The libusb error name and a plain explanation.
    static func errorText(_ rc: Int32) -> String {
        let name = String(cString: libusb_error_name(rc))
        switch rc {
        case LIBUSB_ERROR_ACCESS.rawValue:
            return "permission denied (\(name)): install systemd/60-antre.rules, run "
                + "`udevadm control --reload && udevadm trigger`, and put the antre user in group antre"
        case LIBUSB_ERROR_BUSY.rawValue:
            return "the printer is busy (\(name)): another program (CUPS, ipp-usb, a second antred) has claimed it"
        case LIBUSB_ERROR_NO_DEVICE.rawValue:
            return "the printer was unplugged (\(name))"
        case LIBUSB_ERROR_TIMEOUT.rawValue:
            return "no answer in time (\(name))"
        case LIBUSB_ERROR_PIPE.rawValue:
            return "the printer stalled the endpoint (\(name))"
        default:
            return name
        }
    }

    /// Whether an error means the device is gone or unusable until reopened.
    static func isFatal(_ rc: Int32) -> Bool {
        rc == LIBUSB_ERROR_NO_DEVICE.rawValue || rc == LIBUSB_ERROR_IO.rawValue
            || rc == LIBUSB_ERROR_NOT_FOUND.rawValue || rc == LIBUSB_ERROR_OTHER.rawValue
    }
}

/// libusb timeouts are unsigned milliseconds where 0 means "forever": never pass 0.
func libusbMilliseconds(until deadline: Deadline) -> UInt32 {
    UInt32(max(pollMilliseconds(until: deadline), 1))
}

/// "0416:5011" from numeric ids.
func usbID(_ vendor: UInt16, _ product: UInt16) -> String {
    String(format: "%04x:%04x", vendor, product)
}
