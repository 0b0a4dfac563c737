#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// strerror(3) of `code` as a Swift string ("No such file or directory").
public func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }
