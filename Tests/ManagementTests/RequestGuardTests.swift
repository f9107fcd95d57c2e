import Broker
import Testing

@testable import Management

/// Which Host headers the management API answers, and what each tag's views show.
@Suite struct RequestGuardTests {
    let guardian = RequestGuard<ManagementContext>(allowedHosts: ["warren.example.net", "127.0.0.1"])

    @Test func theHostPartLeavesPortsAndBracketsOut() {
        #expect(RequestGuard<ManagementContext>.host(of: "localhost:15672") == "localhost")
        #expect(RequestGuard<ManagementContext>.host(of: "[::1]:15672") == "::1")
        #expect(RequestGuard<ManagementContext>.host(of: "warren.example.net") == "warren.example.net")
    }

    @Test func ipAddressesLocalhostAndConfiguredNamesPass() {
        for host in ["localhost", "LOCALHOST", "127.0.0.1", "10.1.2.3", "::1", "warren.example.net", "Warren.Example.Net"] {
            #expect(guardian.allows(host: host), "\(host)")
        }
    }

    @Test func otherNamesAreRefused() {
        for host in ["rebind.attacker.example", "localhost.attacker.example", "127.0.0.1.nip.io", "", "warren.example.net.evil"] {
            #expect(!guardian.allows(host: host), "\(host)")
        }
    }

    @Test func managementUsersSeeTheirVhostsAndOwnConnectionsOnly() {
        let scope = ViewScope(user: UserAccount(name: "mia", passwordHash: "", tags: ["management"]), visibleVhosts: ["logs"],
                              existing: ["/", "logs"])
        #expect(scope.shows(vhost: "logs") && !scope.shows(vhost: "/"))
        #expect(scope.shows(connectionOf: "mia", vhost: "logs") && !scope.shows(connectionOf: "bob", vhost: "logs"))
        #expect(throws: APIError.self) { try scope.require(vhost: "/") }
        #expect(throws: Never.self) { try scope.require(vhost: "missing") }  // answered 404 by the route
        let monitor = ViewScope(user: UserAccount(name: "mo", passwordHash: "", tags: ["monitoring"]), visibleVhosts: ["/", "logs"],
                                existing: ["/", "logs"])
        #expect(monitor.shows(connectionOf: "bob", vhost: "/"))
    }
}
