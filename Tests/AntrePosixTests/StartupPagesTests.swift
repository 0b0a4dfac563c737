@testable import AntrePosix
import Testing

@Suite struct StartupPagesTests {
    /// The text of an executable just installed is dirty in the page cache (not yet written
    /// back) but holds no copied page: it qualifies; relocated and writable segments do not.
    @Test func onlyReadOnlyPrivateMappingsWithoutCopiedPagesAreReleased() {
        let smaps = """
            55d000000000-55d000400000 r-xp 00000000 fe:00 123    /usr/local/bin/antred
            Rss:                 400 kB
            Private_Dirty:       400 kB
            Anonymous:             0 kB
            55d000400000-55d000500000 r--p 01f48000 fe:00 123    /usr/local/bin/antred
            Rss:                 860 kB
            Private_Dirty:       860 kB
            Anonymous:           860 kB
            55d000500000-55d000900000 rw-p 0201f000 fe:00 123    /usr/local/bin/antred
            Rss:                3024 kB
            Private_Dirty:       400 kB
            Anonymous:           400 kB
            7f0000000000-7f0000001000 r--s 00000000 00:05 9      /dev/shm/a file
            Rss:                   4 kB
            7f0000001000-7f0000002000 r--p 00000000 fe:00 77     /usr/lib/never-touched.so
            Rss:                   0 kB
            """
        let mappings = MemoryMapping.parse(smaps)
        #expect(mappings.map(StartupPages.isReleasable) == [true, false, false, false, false])
        #expect(mappings.first?.start == 0x55d0_0000_0000 && mappings.first?.end == 0x55d0_0040_0000)
        #expect(mappings.first?.residentBytes == 400 * 1024)
        #expect(mappings.map(\.path).contains("/dev/shm/a file"))
    }

    /// On this very process: its executable's read-only pages go, and it runs on.
    @Test func releaseUnmapsTheExecutablesReadOnlyPagesAndTheProcessRunsOn() throws {
        let executable = try #require(MemoryMapping.executable())
        func resident() throws -> Int {
            try #require(MemoryMapping.all()).filter { $0.path == executable && StartupPages.isReleasable($0) }
                .reduce(0) { $0 + $1.residentBytes }
        }
        let before = try resident()
        #expect(before > 0)
        let released = StartupPages.release()
        #expect(released >= before / 2)
        // Running on faults back only what it uses.
        #expect(try resident() < before / 2)
        #expect(String(repeating: "ab", count: 3) == "ababab")
    }
}
