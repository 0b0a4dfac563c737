import AntreCore
import Foundation

/// Generated announcements kept as WAV files (`<cache>/<key>.wav`), so a number
/// called again (recall, or the same number tomorrow) is not rendered twice.
public struct VoiceCache: Sendable {
    public let directory: String
    public let renderer: VoiceRenderer

    public init(settings: VoiceSettings) {
        directory = settings.cache
        renderer = VoiceRenderer(settings: settings)
    }

    /// Creates the folder if needed; throws when it cannot be used.
    public func prepare() throws(VoiceError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw VoiceError("cannot create the voice cache \(directory): \(error.localizedDescription); "
                + "set [board.voice] cache to a writable folder")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw VoiceError("the voice cache \(directory) is not writable; set [board.voice] cache to a writable folder")
        }
    }

    /// Whether the folder exists (or can be made) and is writable, without creating it.
    public var isUsable: Bool {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            return isDirectory.boolValue && FileManager.default.isWritableFile(atPath: directory)
        }
        var parent = (directory as NSString).deletingLastPathComponent
        while !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
            parent = (parent as NSString).deletingLastPathComponent
        }
        return FileManager.default.isWritableFile(atPath: parent.isEmpty ? "." : parent)
    }

    public func path(for announcement: Announcement) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + renderer.cacheKey(announcement) + ".wav"
    }

    /// The announcement's WAV file, rendered now unless a valid one is cached.
    public func audioFile(for announcement: Announcement) throws(VoiceError) -> String {
        let path = path(for: announcement)
        if (try? WAVAudio(contentsOf: path)).map({ !$0.frames.isEmpty }) == true { return path }
        try prepare()
        let audio = try renderer.render(announcement, workDirectory: directory)
        do {
            try audio.write(to: path)
        } catch {
            throw VoiceError("voice cache: \(error.message)")
        }
        return path
    }
}
