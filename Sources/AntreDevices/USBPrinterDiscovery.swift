import AntreCore
import CLibUSB
import Foundation

/// One USB printer seen on the bus, for `antre printers` and for "not found" messages.
public struct USBPrinterInfo: Sendable, Equatable, CustomStringConvertible {
    public var vendor: UInt16
    public var product: UInt16
    public var bus: Int
    public var address: Int
    /// iSerialNumber, when the device has one and it could be read.
    public var serial: String?
    public var manufacturer: String?
    public var productName: String?
    /// The interface Antre would print on, and its bulk endpoints.
    public var interface: Int
    public var outEndpoint: UInt8
    /// Nil: a one-way printer, its status cannot be read.
    public var inEndpoint: UInt8?
    /// Whether a kernel driver (usually usblp) holds the interface; nil when it cannot be told.
    public var kernelDriverAttached: Bool?

    public init(vendor: UInt16, product: UInt16, bus: Int, address: Int, serial: String?, manufacturer: String?,
                productName: String?, interface: Int, outEndpoint: UInt8, inEndpoint: UInt8?, kernelDriverAttached: Bool?) {
        self.vendor = vendor
        self.product = product
        self.bus = bus
        self.address = address
        self.serial = serial
        self.manufacturer = manufacturer
        self.productName = productName
        self.interface = interface
        self.outEndpoint = outEndpoint
        self.inEndpoint = inEndpoint
        self.kernelDriverAttached = kernelDriverAttached
    }

    /// What to write in the config: `usb:0416:5011`, with `?serial=` when there is one.
    public var connectionString: String {
        var text = "usb:" + usbID(vendor, product)
        if let serial, !serial.isEmpty { text += "?serial=\(serial)" }
        return text
    }

    /// One line: ids, where, names, endpoints, driver.
    public var description: String {
        var parts = [usbID(vendor, product), String(format: "bus %03d address %03d", bus, address)]
        let names = [manufacturer, productName].compactMap { $0 }.joined(separator: " ")
        if !names.isEmpty { parts.append("\"\(names)\"") }
        if let serial { parts.append("serial \(serial)") }
        var endpoints = String(format: "interface %d OUT 0x%02x", interface, outEndpoint)
        endpoints += inEndpoint.map { String(format: " IN 0x%02x", $0) } ?? " no IN (status unknown)"
        parts.append(endpoints)
        switch kernelDriverAttached {
        case true?: parts.append("kernel driver attached (antred detaches it)")
        case false?: parts.append("no kernel driver")
        case nil: break
        }
        return parts.joined(separator: ", ")
    }
}

/// Lists the USB printers on the bus through libusb (no device I/O beyond
/// reading descriptors and sysfs attributes).
public enum USBPrinterDiscovery {
    /// Every device with a printer-class (07) interface; empty when libusb cannot start.
    public static func list() -> [USBPrinterInfo] {
        guard let context = USBContext() else { return [] }
        return context.devices().compactMap { device in
            guard USBDescriptors.hasPrinterClassInterface(device) else { return nil }
            return info(for: device)
        }
    }

    /// What is known about one device, or nil when it has no interface with a bulk OUT endpoint.
    static func info(for device: OpaquePointer, requestedInterface: Int? = nil) -> USBPrinterInfo? {
        var descriptor = libusb_device_descriptor()
        guard libusb_get_device_descriptor(device, &descriptor) == 0,
              let interface = USBDescriptors.printerInterface(of: device, requested: requestedInterface) else { return nil }
        let sysfs = USBSysfs(device: device)
        var strings = (manufacturer: sysfs.attribute("manufacturer"), product: sysfs.attribute("product"),
                       serial: sysfs.attribute("serial"))
        var driver = sysfs.kernelDriverAttached(interface: interface.number)
        if strings.manufacturer == nil && strings.product == nil && strings.serial == nil || driver == nil {
            // No sysfs (unusual): ask the device itself, when we may open it.
            var handle: OpaquePointer?
            if libusb_open(device, &handle) == 0, let handle {
                func string(_ index: UInt8) -> String? {
                    guard index != 0 else { return nil }
                    var buffer = [UInt8](repeating: 0, count: 256)
                    let n = libusb_get_string_descriptor_ascii(handle, index, &buffer, Int32(buffer.count))
                    guard n > 0 else { return nil }
                    return String(decoding: buffer[0..<Int(n)], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                }
                if strings.manufacturer == nil { strings.manufacturer = string(descriptor.iManufacturer) }
                if strings.product == nil { strings.product = string(descriptor.iProduct) }
                if strings.serial == nil { strings.serial = string(descriptor.iSerialNumber) }
                if driver == nil {
                    let active = libusb_kernel_driver_active(handle, Int32(interface.number))
                    driver = active == 1 ? true : active == 0 ? false : nil
                }
                libusb_close(handle)
            }
        }
        return USBPrinterInfo(vendor: descriptor.idVendor, product: descriptor.idProduct,
                              bus: Int(libusb_get_bus_number(device)), address: Int(libusb_get_device_address(device)),
                              serial: strings.serial, manufacturer: strings.manufacturer, productName: strings.product,
                              interface: interface.number, outEndpoint: interface.outEndpoint,
                              inEndpoint: interface.inEndpoint, kernelDriverAttached: driver)
    }

    /// For error messages: the printers present, one per line, or a hint when none.
    static func presentPrintersText() -> String {
        let printers = list()
        if printers.isEmpty {
            return "no USB printers are connected (check the cable and power; `lsusb` lists what the system sees)"
        }
        return "USB printers present: " + printers.map { "\($0.connectionString) (\($0))" }.joined(separator: "; ")
    }
}

/// A private libusb context: enumerating in a fresh context always rescans the bus,
/// so a replugged printer (new address) is found without relying on hot-plug events.
final class USBContext {
    let pointer: OpaquePointer

    init?() {
        var context: OpaquePointer?
        guard libusb_init(&context) == 0, let context else { return nil }
        pointer = context
    }

    deinit {
        releaseDevices()
        libusb_exit(pointer)
    }

    /// The devices on the bus (referenced until the context ends).
    func devices() -> [OpaquePointer] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(pointer, &list)
        guard count > 0, let list else { return [] }
        var devices: [OpaquePointer] = []
        for i in 0..<count {
            if let device = list[i] { devices.append(libusb_ref_device(device)) }
        }
        libusb_free_device_list(list, 1)
        retained.append(contentsOf: devices)
        return devices
    }

    private var retained: [OpaquePointer] = []

    /// Drops the references `devices()` took; call before the context goes.
    func releaseDevices() {
        for device in retained { libusb_unref_device(device) }
        retained.removeAll()
    }
}

/// The device's sysfs folder (/sys/bus/usb/devices/1-3), readable without permission on the node.
struct USBSysfs {
    let path: String?

    init(device: OpaquePointer) {
        var ports = [UInt8](repeating: 0, count: 8)
        let n = libusb_get_port_numbers(device, &ports, Int32(ports.count))
        let bus = libusb_get_bus_number(device)
        if n > 0 {
            let chain = ports[0..<Int(n)].map { String($0) }.joined(separator: ".")
            path = "/sys/bus/usb/devices/\(bus)-\(chain)"
        } else {
            path = nil
        }
    }

    func attribute(_ name: String) -> String? {
        guard let path, let text = try? String(contentsOfFile: path + "/" + name, encoding: .utf8) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Whether `interface` (of the active configuration) has a driver bound; nil without sysfs.
    func kernelDriverAttached(interface: Int) -> Bool? {
        guard let path, FileManager.default.fileExists(atPath: path) else { return nil }
        let configuration = attribute("bConfigurationValue") ?? "1"
        let name = (path as NSString).lastPathComponent
        let interfacePath = "\(path)/\(name):\(configuration).\(interface)"
        guard FileManager.default.fileExists(atPath: interfacePath) else { return nil }
        return FileManager.default.fileExists(atPath: interfacePath + "/driver")
    }
}
