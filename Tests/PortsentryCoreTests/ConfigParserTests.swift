import Testing
@testable import PortsentryCore

/// The line grammar of docs/configuration.md and what each key stores.
@Suite struct ConfigParserTests {
    let ports = "TCP_PORTS=\"1\"\n"

    func parse(_ text: String, watching: PortWatch = .standard) throws -> Config {
        try ConfigParser.parse(text, path: "test.conf", watching: watching)
    }

    func message(_ text: String, watching: PortWatch = .standard) -> String? {
        do {
            _ = try ConfigParser.parse(text, path: "test.conf", watching: watching)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func defaultsWhenOnlyPortsAreSet() throws {
        var expected = Config()
        expected.tcpPorts = PortSet([1...1])
        expected.path = "test.conf"
        expected.lines = [.tcpPorts: 1]
        #expect(try parse(ports) == expected)
    }

    @Test(arguments: [
        "RESOLVE_HOST=\"1\"", "RESOLVE_HOST = \"1\"", "RESOLVE_HOST\t=\t\"1\"", "  RESOLVE_HOST=\"1\"",
        "RESOLVE_HOST=\"1\"   ", "RESOLVE_HOST=\"1\" # on", "RESOLVE_HOST=\"1\"\r", "RESOLVE_HOST=\"1\"\t#x",
        "RESOLVE_HOST=\" 1 \"",
    ])
    func acceptsSpacingAroundEqualsAndTrailingComments(line: String) throws {
        #expect(try parse(ports + line).resolveHost == true)
    }

    @Test func skipsCommentsAndBlankLines() throws {
        let text = "# a comment\n\n   \n\t# indented comment\n" + ports + "#RESOLVE_HOST=\"1\"\n"
        #expect(try parse(text).resolveHost == false)
    }

    @Test func valueRunsToTheLastQuote() throws {
        let command = #"/sbin/iptables -I INPUT -s $TARGET$ -j DROP && echo "$TARGET$:$PORT$" >> /var/log/portsentry.block.log"#
        let config = try parse(ports + "KILL_ROUTE=\"\(command)\"\n")
        #expect(config.killRoute == command)
    }

    @Test func lastDuplicateWins() throws {
        let config = try parse("TCP_PORTS=\"1\"\nTCP_PORTS=\"2,3\"\nSCAN_TRIGGER=\"4\"\nSCAN_TRIGGER=\"2\"\n")
        #expect(config.tcpPorts.ports == [2, 3])
        #expect(config.scanTrigger == 2)
        #expect(config.lines[.tcpPorts] == 2)
    }

    @Test func emptyValueMeansUnset() throws {
        let config = try parse(ports + "BLOCK_TCP=\"0\"\nBLOCK_TCP=\"\"\nKILL_RUN_CMD=\"x\"\nKILL_RUN_CMD=\"\"\nBAN_TIME=\"\"\n")
        #expect(config.blockTCP == Config().blockTCP)
        #expect(config.killRunCmd == nil)
        #expect(config.banTime == 86_400)
        #expect(config.lines[.blockTCP] == nil)
    }

    @Test func handlesCRLFAndMissingFinalNewline() throws {
        let config = try parse("TCP_PORTS=\"1,2\"\r\nUDP_PORTS=\"7\"")
        #expect(config.tcpPorts.ports == [1, 2])
        #expect(config.udpPorts.ports == [7])
    }

    @Test func skipsAByteOrderMarkAndEscapesInvisibleCharacters() throws {
        #expect(try parse("\u{FEFF}TCP_PORTS=\"1\"\r\n").tcpPorts.ports == [1])
        #expect(message(ports + "TCP\u{200B}PORTS=\"1\"") == "test.conf:2: unknown key \"TCP\\u{200b}PORTS\"; did you mean \"TCP_PORTS\"?")
    }

    @Test func readsEveryKey() throws {
        let text = """
            TCP_PORTS="1,11,15,100-102"
            UDP_PORTS="1,7,9"
            BLOCK_TCP="2"
            BLOCK_UDP="0"
            KILL_ROUTE="/sbin/route add -host $TARGET$ reject"
            KILL_HOSTS_DENY="ALL: $TARGET$ : DENY"
            KILL_RUN_CMD="/usr/local/bin/alert $TARGET$ $PORT$ $MODE$"
            KILL_RUN_CMD_FIRST="1"
            SCAN_TRIGGER="3"
            RESOLVE_HOST="1"
            IGNORE_FILE="/etc/portsentry/portsentry.ignore"
            HISTORY_FILE="/var/lib/portsentry/portsentry.history"
            BLOCKED_FILE="/var/lib/portsentry/portsentry.blocked"
            PORT_BANNER="  ** UNAUTHORIZED ACCESS PROHIBITED **  "
            ADVANCED_PORTS_TCP="2048"
            ADVANCED_PORTS_UDP="512"
            ADVANCED_EXCLUDE_TCP="113,139"
            ADVANCED_EXCLUDE_UDP="520,138,137,67"
            BLOCK_BACKEND="command"
            BAN_TIME="7d"
            NFT_TABLE="ps_test"
            NFT_HOOK="input"
            NFT_SET_SIZE="1000"
            IPV4_BAN_PREFIX="24"
            IPV6_BAN_PREFIX="56"
            CONTROL_SOCKET="/tmp/ps.sock"
            CONTROL_GROUP="adm"
            STATE_FILE="/tmp/bans.state"
            DRY_RUN="1"
            PROTECT="192.0.2.10, 198.51.100.0/24"
            PROTECT_FILE="/etc/portsentry/protect"
            PROTECT_AUTO="0"
            PROTECT_SSH_PORTS="22,2222"
            BAN_RATE_ALARM="250"
            BAN_RATE_LIMIT="5000"
            CROWDSEC_LAPI_URL="https://lapi.example:8080/"
            CROWDSEC_CA_FILE="/etc/portsentry/lapi-ca.pem"
            CROWDSEC_MACHINE_ID="fw1"
            CROWDSEC_PASSWORD="pw"
            CROWDSEC_CREDENTIALS="/etc/portsentry/lapi.yaml"
            CROWDSEC_API_KEY="key"
            CROWDSEC_API_KEY_FILE="/etc/portsentry/lapi.key"
            CROWDSEC_PUSH="0"
            CROWDSEC_PULL="1"
            CROWDSEC_PULL_INTERVAL="1m"
            CROWDSEC_ORIGINS="crowdsec, cscli portsentry"
            CROWDSEC_ORIGIN="fleet-1"
            CROWDSEC_PUSH_UNBLOCK="1"
            CROWDSEC_QUEUE_FILE="/tmp/cs.queue"
            KERNEL_BAN="0"
            BAN_TIME_INCREMENT="1.5"
            BAN_TIME_MAX="30d"
            OFFENCE_MEMORY="7d"
            SCAN_WINDOW="10m"
            SCAN_TRIGGER_PORTS="1"
            EVENT_LOG="/var/lib/portsentry/events.jsonl"
            METRICS_LISTEN="[::1]:9632"
            """
        let c = try parse(text)
        #expect(c.tcpPorts.ports == [1, 11, 15, 100, 101, 102])
        #expect(c.udpPorts.ports == [1, 7, 9])
        #expect(c.blockTCP == .runCommandOnly)
        #expect(c.blockUDP == .logOnly)
        #expect(c.killRoute == "/sbin/route add -host $TARGET$ reject")
        #expect(c.killHostsDeny == "ALL: $TARGET$ : DENY")
        #expect(c.killRunCmd == "/usr/local/bin/alert $TARGET$ $PORT$ $MODE$")
        #expect(c.killRunCmdFirst)
        #expect(c.scanTrigger == 3)
        #expect(c.resolveHost)
        #expect(c.ignoreFile == "/etc/portsentry/portsentry.ignore")
        #expect(c.historyFile == "/var/lib/portsentry/portsentry.history")
        #expect(c.blockedFile == "/var/lib/portsentry/portsentry.blocked")
        #expect(c.portBanner == "  ** UNAUTHORIZED ACCESS PROHIBITED **  ")
        #expect(c.advancedPortsTCP == 2048)
        #expect(c.advancedPortsUDP == 512)
        #expect(c.advancedExcludeTCP.ports == [113, 139])
        #expect(c.advancedExcludeUDP.ports == [67, 137, 138, 520])
        #expect(c.blockBackend == .command)
        #expect(c.banTime == 7 * 86_400)
        #expect(c.nftTable == "ps_test")
        #expect(c.nftHook == .input)
        #expect(c.nftSetSize == 1000)
        #expect(c.banPrefixes == BanPrefixes(v4: 24, v6: 56))
        #expect(c.kernelBan == .off)
        #expect(c.controlSocket == "/tmp/ps.sock")
        #expect(c.controlGroup == "adm")
        #expect(c.stateFile == "/tmp/bans.state")
        #expect(c.lines[.stateFile] == 28)
        #expect(c.dryRun)
        #expect(c.protect.map(\.description) == ["192.0.2.10", "198.51.100.0/24"])
        #expect(c.protectFile == "/etc/portsentry/protect")
        #expect(!c.protectAuto)
        #expect(c.protectSSHPorts.ports == [22, 2222])
        #expect(c.banRateAlarm == 250 && c.banRateLimit == 5000)
        let cs = c.crowdsec
        #expect(cs.url == "https://lapi.example:8080" && cs.caFile == "/etc/portsentry/lapi-ca.pem")
        #expect(cs.machineID == "fw1" && cs.password == "pw" && cs.credentialsFile == "/etc/portsentry/lapi.yaml")
        #expect(cs.apiKey == "key" && cs.apiKeyFile == "/etc/portsentry/lapi.key")
        #expect(!cs.push && cs.pull && cs.pullInterval == 60 && cs.pushUnblock)
        #expect(cs.origins == ["crowdsec", "cscli", "portsentry"] && cs.origin == "fleet-1")
        #expect(cs.queueFile == "/tmp/cs.queue")
        #expect(c.banTimeIncrement == 1.5 && c.banTimeMax == 30 * 86_400 && c.offenceMemory == 7 * 86_400)
        #expect(c.scanWindow == 600 && c.scanTriggerPorts)
        #expect(c.eventLog == "/var/lib/portsentry/events.jsonl")
        #expect(c.metricsListen == MetricsListen(address: IPAddress("::1")!, port: 9632))
        #expect(c.lines.count == ConfigKey.allCases.count)
    }

    @Test func crowdsecNeedsItsSecretsAndValidValues() {
        let url = ports + "CROWDSEC_LAPI_URL=\"http://127.0.0.1:8080\"\n"
        #expect(message(url + "CROWDSEC_API_KEY=\"k\"")?.contains("CROWDSEC_PUSH is on but no watcher login is set") == true)
        #expect(message(url + "CROWDSEC_PUSH=\"0\"")?.contains("CROWDSEC_PULL is on but no bouncer key is set") == true)
        #expect(message(url + "CROWDSEC_PUSH=\"0\"\nCROWDSEC_API_KEY=\"k\"") == nil)
        #expect(message(ports + "CROWDSEC_LAPI_URL=\"ftp://x\"")?.hasPrefix("test.conf:2: CROWDSEC_LAPI_URL: \"ftp://x\" is not an http or https URL") == true)
        #expect(message(ports + "CROWDSEC_PULL_INTERVAL=\"0\"")?.contains("out of range; use 1s to 1h") == true)
        #expect(message(ports + "CROWDSEC_ORIGIN=\"a/b\"")?.contains("is not a name") == true)
    }

    @Test func keysAreExactAndCaseSensitive() {
        #expect(message(ports + "Tcp_Ports=\"1\"") == "test.conf:2: unknown key \"Tcp_Ports\"; did you mean \"TCP_PORTS\"?")
        #expect(message(ports + "TCP=\"1\"") == "test.conf:2: unknown key \"TCP\"; did you mean \"TCP_PORTS\"?")
    }

    @Test func blockModeTwoNeedsRunCommand() throws {
        #expect(message(ports + "BLOCK_TCP=\"2\"")
            == "test.conf:2: BLOCK_TCP=\"2\" runs KILL_RUN_CMD only, but KILL_RUN_CMD is not set; set KILL_RUN_CMD or use BLOCK_TCP=\"1\"")
        #expect(try parse(ports + "BLOCK_TCP=\"2\"\nKILL_RUN_CMD=\"/bin/true\"").blockTCP == .runCommandOnly)
    }

    @Test func killRouteAndHostsDenyNeedTarget() {
        for key in ["KILL_ROUTE", "KILL_HOSTS_DENY"] {
            #expect(message(ports + "\(key)=\"deny $PORT$\"")
                == "test.conf:2: \(key): the command has no $TARGET$; add $TARGET$ where the attacker's address goes")
        }
        #expect(message(ports + "KILL_RUN_CMD=\"/bin/true\"") == nil)
    }

    @Test func portListsDependOnWhatIsWatched() throws {
        let udpOnly = "UDP_PORTS=\"7\"\n"
        #expect(message(udpOnly) == nil)
        #expect(message(udpOnly, watching: PortWatch(protocols: [.tcp]))
            == "test.conf: no ports to watch; set TCP_PORTS")
        #expect(message("", watching: PortWatch(protocols: [.tcp, .udp], advanced: [.udp])) == nil)
        #expect(message("", watching: PortWatch(protocols: [.tcp], advanced: [.udp]))
            == "test.conf: no ports to watch; set TCP_PORTS")
        #expect(message("") == "test.conf: no ports to watch; set TCP_PORTS or UDP_PORTS")
    }

    @Test func advancedPortsCoverOneToTheLimitMinusExcludes() throws {
        let c = try parse("ADVANCED_PORTS_TCP=\"10\"\nADVANCED_EXCLUDE_TCP=\"2-4,9\"\n", watching: PortWatch(protocols: [.tcp], advanced: [.tcp]))
        #expect(c.ports(for: .tcp, advanced: true).ports == [1, 5, 6, 7, 8, 10])
        #expect(c.ports(for: .tcp, advanced: false).isEmpty)
        #expect(c.ports(for: .udp, advanced: true).ports.count == 1024)
    }

    @Test func loadNamesTheFileWhenItCannotBeRead() {
        #expect(throws: ConfigError(path: "/nonexistent/portsentry.conf", "config file not found; create it or give its path with -c")) {
            try ConfigParser.load(path: "/nonexistent/portsentry.conf")
        }
        #expect(throws: ConfigError(path: "/", "cannot read the config file (Is a directory); check its permissions and that it is a regular file")) {
            try ConfigParser.load(path: "/")
        }
    }

    @Test func loadReadsAFile() throws {
        let file = try TemporaryFile("TCP_PORTS=\"22\"\n")
        #expect(try ConfigParser.load(path: file.path).tcpPorts.ports == [22])
    }

    @Test func lenientValueSkipsBadLinesAndHandlesCRLF() throws {
        let file = try TemporaryFile("CONTROL_SOCKET=\"/a.sock\"\r\nBOGUS=\"1\"\r\nCONTROL_SOCKET=\"/b.sock\"\r\nTCP_PORTS=\"x\"\r\n")
        #expect(ConfigParser.lenientValue(of: .controlSocket, path: file.path) == "/b.sock")
        #expect(ConfigParser.lenientValue(of: .stateFile, path: file.path) == nil)
        #expect(ConfigParser.lenientValue(of: .controlSocket, path: "/nonexistent.conf") == nil)
    }

    @Test func messagesStayOnOneLine() {
        let text = ports + "BANNER=\"a\u{7}b\"\n"
        let m = message(text)
        #expect(m?.contains("\n") == false)
        #expect(message(ports + "PORT_BANNER=\"a\u{1b}b\"") == "test.conf:2: PORT_BANNER: the value contains the control character U+001B; remove it")
    }

    @Test func banRatesHaveBoundsAndTheLimitIsUnsetByDefault() throws {
        #expect(Config().banRateAlarm == 1000 && Config().banRateLimit == 0)
        #expect(try parse(ports + "BAN_RATE_ALARM=\"0\"\n").banRateAlarm == 0)
        #expect(try parse(ports + "BAN_RATE_LIMIT=\"100\"\nBAN_RATE_LIMIT=\"\"\n").banRateLimit == 0)
        #expect(message(ports + "BAN_RATE_LIMIT=\"0\"") == "test.conf:2: BAN_RATE_LIMIT: \"0\" is not valid; use a whole number from 1 to 1000000")
        #expect(message(ports + "BAN_RATE_ALARM=\"1000001\"") == "test.conf:2: BAN_RATE_ALARM: \"1000001\" is not valid; use a whole number from 0 to 1000000")
    }
}
