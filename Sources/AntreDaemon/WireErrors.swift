import AntreStore
import AntreWire

// The daemon's and the store's errors as a client reads them. AntreStore and
// the runtime throw their own errors; the dispatcher asks this conformance
// only when it answers (see VarlinkErrorConvertible). QueueError and
// ConfigError are mapped in AntreWire.

/// A stored row antred cannot read, or a request the store refused: nothing
/// an officer can fix, so InternalError, with the store's one-line message.
extension StoreError: VarlinkErrorConvertible {
    public var varlinkError: VarlinkError {
        VarlinkErrors.internalError("queue database: \(VarlinkErrors.shortMessage(for: self))")
    }
}

/// Start-up failures (socket, database, instance lock); a running antred
/// does not meet them, but if one reaches a client it says what to do.
extension DaemonError: VarlinkErrorConvertible {
    public var varlinkError: VarlinkError {
        VarlinkErrors.internalError(VarlinkErrors.shortMessage(for: self))
    }
}

/// A reload that kept the running configuration: ConfigInvalid with each
/// mistake as FILE:LINE: KEY: message.
extension ReloadRefused: VarlinkErrorConvertible {
    var varlinkError: VarlinkError { VarlinkErrors.configInvalid(issues) }
}
