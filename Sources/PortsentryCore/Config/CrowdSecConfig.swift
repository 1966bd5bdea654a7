/// CROWDSEC_*: how this host joins a fleet through CrowdSec's Local API (docs/crowdsec.md).
/// Off while CROWDSEC_LAPI_URL is unset.
public struct CrowdSecConfig: Sendable, Hashable {
    /// CROWDSEC_LAPI_URL, without a trailing `/`.
    public var url: String? = nil
    /// CROWDSEC_CA_FILE: the CA bundle that signs an https LAPI's certificate.
    public var caFile: String? = nil
    /// CROWDSEC_MACHINE_ID / CROWDSEC_PASSWORD: the watcher's login (push).
    public var machineID: String? = nil
    public var password: String? = nil
    /// CROWDSEC_CREDENTIALS: the login in cscli's file format (`login:` and `password:` lines).
    public var credentialsFile: String? = nil
    /// CROWDSEC_API_KEY / CROWDSEC_API_KEY_FILE: the bouncer's key (pull), one per host.
    public var apiKey: String? = nil
    public var apiKeyFile: String? = nil
    /// CROWDSEC_PUSH / CROWDSEC_PULL: share our bans, apply the fleet's.
    public var push: Bool = true
    public var pull: Bool = true
    /// CROWDSEC_PULL_INTERVAL in seconds.
    public var pullInterval: UInt64 = 10
    /// CROWDSEC_ORIGINS: the decision origins applied; empty = all.
    public var origins: [String] = []
    /// CROWDSEC_ORIGIN: the origin of our decisions, the same on every host of the fleet.
    public var origin: String = "portsentry"
    /// CROWDSEC_PUSH_UNBLOCK: `portsentry-ctl unblock` deletes our decision fleet-wide.
    public var pushUnblock: Bool = false
    /// CROWDSEC_QUEUE_FILE: the push queue kept across restarts and LAPI outages.
    public var queueFile: String = "/var/lib/portsentry/crowdsec.queue"

    public init() {}

    /// Whether the fleet is configured at all.
    public var enabled: Bool { url != nil }
}

extension Config {
    /// CROWDSEC_* between keys: push needs a login, pull needs a key, a password given twice is
    /// an error, and a config file holding a secret must not be readable by everyone.
    func validateCrowdSec() throws(ConfigError) {
        let cs = crowdsec
        guard cs.enabled else { return }
        if cs.push, cs.credentialsFile == nil, cs.machineID == nil || cs.password == nil {
            throw ConfigError(path: path, line: lines[.crowdsecPush] ?? lines[.crowdsecLAPIURL],
                              "CROWDSEC_PUSH is on but no watcher login is set; set CROWDSEC_MACHINE_ID and CROWDSEC_PASSWORD, or CROWDSEC_CREDENTIALS, or CROWDSEC_PUSH=\"0\"")
        }
        if cs.pull, cs.apiKey == nil, cs.apiKeyFile == nil {
            throw ConfigError(path: path, line: lines[.crowdsecPull] ?? lines[.crowdsecLAPIURL],
                              "CROWDSEC_PULL is on but no bouncer key is set; set CROWDSEC_API_KEY or CROWDSEC_API_KEY_FILE (cscli bouncers add), or CROWDSEC_PULL=\"0\"")
        }
        if (cs.password != nil || cs.apiKey != nil), !path.isEmpty, let reason = SecretFile.exposure(of: path) {
            throw ConfigError(path: path, line: lines[.crowdsecPassword] ?? lines[.crowdsecAPIKey],
                              "the config file holds a CrowdSec secret but \(reason); run chmod o-rwx \(path), or move the secret to CROWDSEC_CREDENTIALS / CROWDSEC_API_KEY_FILE")
        }
    }
}
