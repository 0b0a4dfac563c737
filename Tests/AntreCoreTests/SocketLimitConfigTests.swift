import Testing
@testable import AntreCore

/// `[socket]` connection limits: defaults that scale with max_connections,
/// and FILE:LINE: KEY errors for values that would lock readers out.
@Suite struct SocketLimitConfigTests {
    static func toml(_ socketLines: String) -> String {
        """
        [office]
        name = "Kantor Desa Uji"
        [socket]
        \(socketLines)
        [[service]]
        id = "ktp"
        name = "KTP-el"
        prefix = "T"
        """
    }

    @Test func defaultsScaleWithMaxConnections() throws {
        let plain = try ConfigLoader.parse(Self.toml(""), file: "t.toml").socket
        #expect(plain.effectiveMaxConnectionsPerUID == 16)
        #expect(plain.effectiveReservedConnections == 8)
        let small = try ConfigLoader.parse(Self.toml("max_connections = 3"), file: "t.toml").socket
        #expect(small.effectiveMaxConnectionsPerUID == 1)
        #expect(small.effectiveReservedConnections == 0)
    }

    @Test func explicitValuesAreKept() throws {
        let socket = try ConfigLoader.parse(Self.toml("""
            max_connections = 20
            max_connections_per_uid = 5
            reserved_connections = 4
            """), file: "t.toml").socket
        #expect(socket.effectiveMaxConnectionsPerUID == 5)
        #expect(socket.effectiveReservedConnections == 4)
    }

    @Test func badValuesNameFileLineAndKey() {
        do {
            _ = try ConfigLoader.parse(Self.toml("""
                max_connections = 8
                max_connections_per_uid = 0
                reserved_connections = 8
                """), file: "t.toml")
            Issue.record("accepted")
        } catch {
            #expect(error.issues.map(\.description) == [
                "t.toml:5: socket.max_connections_per_uid: 0 is out of range 1-10000",
                "t.toml:6: socket.reserved_connections: 8 must be less than max_connections (8)",
            ])
        }
    }
}
