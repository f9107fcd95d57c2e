import Testing

@testable import Syslog

/// What real senders put on the wire (received 2026-11-23T12:00:00Z), written from their
/// documented formats: Cisco IOS and ASA, Juniper Junos, systemd-netlogd (journald forwarding),
/// nginx `error_log`/`access_log syslog:`, HAProxy, and Docker's syslog log driver.
@Suite struct DeviceFormatTests {
    static let cisco: [GoldenCase] = [
        // IOS puts a sequence number and its own "*Mmm d hh:mm:ss.mmm:" (the * marks an unsynced clock)
        // where RFC 3164 wants a header: a valid PRI with no usable header, so §4.3.2 keeps it all.
        GoldenCase("Cisco IOS, sequence number and msec timestamp",
                   "<189>123: *Mar  1 18:46:11.123: %SYS-5-CONFIG_I: Configured from console by vty0 (10.0.0.1)",
                   entry(23, 5, message: "123: *Mar  1 18:46:11.123: %SYS-5-CONFIG_I: Configured from console by vty0 (10.0.0.1)",
                         repaired: true)),
        GoldenCase("Cisco IOS, origin-id hostname",
                   "<187>45: router1: Nov 23 10:00:00.456 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
                   entry(23, 3, message: "45: router1: Nov 23 10:00:00.456 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
                         repaired: true)),
        GoldenCase("Cisco IOS, no sequence numbers, synced clock",
                   "<189>Nov 23 10:00:00: %SYS-5-CONFIG_I: Configured from console by admin on vty0",
                   entry(23, 5, message: "Nov 23 10:00:00: %SYS-5-CONFIG_I: Configured from console by admin on vty0", repaired: true)),
        GoldenCase("Cisco ASA without timestamp",
                   "<166>%ASA-6-302013: Built outbound TCP connection 42 for outside:93.184.216.34/443 (93.184.216.34/443) to inside:10.0.0.5/51000 (192.0.2.1/51000)",
                   entry(20, 6, message: "%ASA-6-302013: Built outbound TCP connection 42 for outside:93.184.216.34/443 (93.184.216.34/443) to inside:10.0.0.5/51000 (192.0.2.1/51000)",
                         repaired: true)),
        // The message id ends in ":" where a TAG would: read as the TAG, as rsyslog reads it too.
        GoldenCase("Cisco ASA with hostname and timestamp", "<164>Nov 23 10:00:00 asa1 %ASA-4-106023: Deny tcp src outside:198.51.100.7/4444 dst inside:10.0.0.5/22",
                   entry(20, 4, timestamp: "2026-11-23T10:00:00Z", hostname: "asa1", appName: "%ASA-4-106023",
                         message: "Deny tcp src outside:198.51.100.7/4444 dst inside:10.0.0.5/22")),
    ]

    static let juniper: [GoldenCase] = [
        GoldenCase("Junos structured-data (RFC 5424)",
                   #"<165>1 2026-11-23T10:00:00.123+01:00 mx480-re0 mgd 3470 UI_COMMIT [junos@2636.1.1.1.2.18 username="admin" client-mode="cli"] User 'admin' requested 'commit' operation (comment: none)"#,
                   entry(20, 5, timestamp: "2026-11-23T10:00:00.123+01:00", hostname: "mx480-re0", appName: "mgd", procID: "3470",
                         msgID: "UI_COMMIT", structuredData: [element("junos@2636.1.1.1.2.18", ["username": "admin", "client-mode": "cli"])],
                         message: "User 'admin' requested 'commit' operation (comment: none)")),
        GoldenCase("Junos BSD format",
                   "<28>Nov 23 10:00:00 mx480-re0 mib2d[1412]: SNMP_TRAP_LINK_DOWN: ifIndex 526, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/1",
                   entry(3, 4, timestamp: "2026-11-23T10:00:00Z", hostname: "mx480-re0", appName: "mib2d", procID: "1412",
                         message: "SNMP_TRAP_LINK_DOWN: ifIndex 526, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/1")),
    ]

    static let systemd: [GoldenCase] = [
        GoldenCase("systemd-netlogd RFC 5424, microseconds",
                   "<30>1 2026-11-23T10:00:00.123456+00:00 web1 systemd 1 - - Started Session 3 of User root.",
                   entry(3, 6, timestamp: "2026-11-23T10:00:00.123456+00:00", hostname: "web1", appName: "systemd", procID: "1",
                         message: "Started Session 3 of User root.")),
        GoldenCase("systemd-netlogd RFC 3339 (3164 with an RFC 3339 timestamp)",
                   "<86>2026-11-23T10:00:00.123456+00:00 web1 sshd[812]: Accepted publickey for deploy from 10.0.0.9 port 50022 ssh2",
                   entry(10, 6, timestamp: "2026-11-23T10:00:00.123456+00:00", hostname: "web1", appName: "sshd", procID: "812",
                         message: "Accepted publickey for deploy from 10.0.0.9 port 50022 ssh2")),
    ]

    static let nginx: [GoldenCase] = [
        GoldenCase("nginx error_log syslog:",
                   #"<187>Nov 23 10:00:00 web1 nginx: 2026/11/23 10:00:00 [error] 1234#1234: *5 open() "/var/www/x" failed (2: No such file or directory), client: 10.0.0.1, server: example.org, request: "GET /x HTTP/1.1", host: "example.org""#,
                   entry(23, 3, timestamp: "2026-11-23T10:00:00Z", hostname: "web1", appName: "nginx",
                         message: #"2026/11/23 10:00:00 [error] 1234#1234: *5 open() "/var/www/x" failed (2: No such file or directory), client: 10.0.0.1, server: example.org, request: "GET /x HTTP/1.1", host: "example.org""#)),
        GoldenCase("nginx access_log syslog:",
                   #"<190>Nov 23 10:00:00 web1 nginx: 10.0.0.1 - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0""#,
                   entry(23, 6, timestamp: "2026-11-23T10:00:00Z", hostname: "web1", appName: "nginx",
                         message: #"10.0.0.1 - - [23/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0""#)),
        GoldenCase("nginx access_log syslog:nohostname,tag=api",
                   #"<190>Nov  3 09:08:07 api: 10.0.0.2 - - [03/Nov/2026:09:08:07 +0000] "POST /v1 HTTP/2.0" 201 17 "-" "-""#,
                   entry(23, 6, timestamp: "2026-11-03T09:08:07Z", appName: "api",
                         message: #"10.0.0.2 - - [03/Nov/2026:09:08:07 +0000] "POST /v1 HTTP/2.0" 201 17 "-" "-""#)),
    ]

    static let haproxy: [GoldenCase] = [
        GoldenCase("HAProxy default (no hostname)",
                   #"<134>Nov 23 10:00:00 haproxy[2345]: 10.0.0.1:51234 [23/Nov/2026:10:00:00.123] fe_http be_app/srv1 0/0/1/2/3 200 512 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1""#,
                   entry(16, 6, timestamp: "2026-11-23T10:00:00Z", appName: "haproxy", procID: "2345",
                         message: #"10.0.0.1:51234 [23/Nov/2026:10:00:00.123] fe_http be_app/srv1 0/0/1/2/3 200 512 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1""#)),
        GoldenCase("HAProxy log-send-hostname",
                   "<133>Nov 23 10:00:00 lb1 haproxy[2345]: Server be_app/srv2 is DOWN, reason: Layer4 connection problem",
                   entry(16, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "lb1", appName: "haproxy", procID: "2345",
                         message: "Server be_app/srv2 is DOWN, reason: Layer4 connection problem")),
        GoldenCase("HAProxy format rfc5424",
                   "<134>1 2026-11-23T10:00:00.123456+00:00 lb1 haproxy 2345 - - 10.0.0.1:51234 [23/Nov/2026:10:00:00.123] fe_http be_app/srv1 200",
                   entry(16, 6, timestamp: "2026-11-23T10:00:00.123456+00:00", hostname: "lb1", appName: "haproxy", procID: "2345",
                         message: "10.0.0.1:51234 [23/Nov/2026:10:00:00.123] fe_http be_app/srv1 200")),
    ]

    // Docker's syslog log driver (tag: the container's short id; procid: dockerd's pid).
    static let docker: [GoldenCase] = [
        GoldenCase("Docker syslog-format=rfc3164", "<30>Nov 23 10:00:00 dockerhost 7d3a3c2b1f0e[1234]: hello from a container",
                   entry(3, 6, timestamp: "2026-11-23T10:00:00Z", hostname: "dockerhost", appName: "7d3a3c2b1f0e", procID: "1234",
                         message: "hello from a container")),
        GoldenCase("Docker syslog-format=rfc5424", "<30>1 2026-11-23T10:00:00+01:00 dockerhost 7d3a3c2b1f0e 1234 7d3a3c2b1f0e - hello from a container",
                   entry(3, 6, timestamp: "2026-11-23T10:00:00+01:00", hostname: "dockerhost", appName: "7d3a3c2b1f0e", procID: "1234",
                         msgID: "7d3a3c2b1f0e", message: "hello from a container")),
        GoldenCase("Docker syslog-format=rfc5424micro", "<27>1 2026-11-23T10:00:00.123456Z dockerhost web 1234 web - panic: nil map",
                   entry(3, 3, timestamp: "2026-11-23T10:00:00.123456Z", hostname: "dockerhost", appName: "web", procID: "1234",
                         msgID: "web", message: "panic: nil map")),
    ]

    @Test(arguments: cisco + juniper + systemd + nginx + haproxy + docker)
    func golden(_ testCase: GoldenCase) {
        #expect(parse(bytes: testCase.frame) == testCase.expected)
    }
}
