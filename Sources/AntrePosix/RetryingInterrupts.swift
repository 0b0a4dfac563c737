#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Calls `call` again for as long as it fails with EINTR (a signal arrived before it did
/// anything), and returns its first other result. `errno` is left as the call set it.
/// For system calls that return -1 on failure: read, write, send, recv, sendto, poll, open.
public func retryingInterrupts<T: SignedInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result == -1 && errno == EINTR { continue }
        return result
    }
}
