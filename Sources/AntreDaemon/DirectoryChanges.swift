import AntrePosix
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// An entry of one directory created, deleted or renamed (or the directory
/// itself moved or deleted): inotify events, read on an event loop, so nothing
/// polls. The bytes are the raw events; watchers only need "something changed".
enum DirectoryChanges {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    static func open(_ directory: String, on eventLoop: any EventLoop) async throws -> NIOAsyncChannel<ByteBuffer, Never> {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw Unavailable(description: "inotify_init1: \(errnoText(errno))") }
        let mask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF)
        guard inotify_add_watch(fd, directory, mask) >= 0 else {
            let error = Unavailable(description: "inotify_add_watch \(directory): \(errnoText(errno))")
            close(fd)
            throw error
        }
        do {
            return try await NIOPipeBootstrap(group: eventLoop)
                // A read shorter than one event (with its name) fails with EINVAL: never let it shrink.
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 4096))
                .takingOwnershipOfDescriptor(input: fd) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, Never>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            // Not taken: the descriptor is still ours.
            close(fd)
            throw error
        }
    }
}
