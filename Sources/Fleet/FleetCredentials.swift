import PortsentryCore

/// The secrets of the fleet link: the watcher's login and the bouncer's key, from the config or
/// from their files (each refused when everyone may read it). Never logged or shown.
struct FleetCredentials: Sendable {
    struct Login: Sendable { var machineID: String; var password: String }
    var login: Login?
    var apiKey: String?

    /// Reads what `config` points to; errors name the file and the fix.
    static func load(_ config: CrowdSecConfig) throws(ConfigError) -> FleetCredentials {
        var out = FleetCredentials()
        if config.push {
            if let file = config.credentialsFile {
                let fields = try yamlFields(try secret(file))
                guard let id = fields["login"], let password = fields["password"] else {
                    throw ConfigError(path: file, "no login: and password: lines; write it with cscli machines add NAME -f \(file)")
                }
                out.login = Login(machineID: config.machineID ?? id, password: password)
            } else if let id = config.machineID, let password = config.password {
                out.login = Login(machineID: id, password: password)
            }
        }
        if config.pull {
            if let key = config.apiKey {
                out.apiKey = key
            } else if let file = config.apiKeyFile {
                let key = try secret(file).split(whereSeparator: \.isNewline).first.map { String($0).trimmingBlanks } ?? ""
                guard !key.isEmpty else { throw ConfigError(path: file, "the file holds no key; write the key of cscli bouncers add NAME into it") }
                out.apiKey = key
            }
        }
        return out
    }

    /// The text of a secret file, which only its owner and group may read.
    private static func secret(_ path: String) throws(ConfigError) -> String {
        if let reason = SecretFile.exposure(of: path) {
            throw ConfigError(path: path, "the file holds a CrowdSec secret but \(reason); run chmod o-rwx \(path)")
        }
        switch TextFile.contents(of: path) {
        case .text(let text): return text
        case .missing: throw ConfigError(path: path, "file not found; create it or fix its path in the config")
        case .unreadable(let reason): throw ConfigError(path: path, "cannot read it (\(reason)); check its permissions")
        }
    }

    /// `key: value` lines of cscli's credentials file (quotes around values allowed).
    private static func yamlFields(_ text: String) throws(ConfigError) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix("#") else { continue }
            var value = line[line.index(after: colon)...].trimmingBlanks
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q { value = String(value.dropFirst().dropLast()) }
            fields[line[..<colon].trimmingBlanks] = value
        }
        return fields
    }
}

extension StringProtocol {
    var trimmingBlanks: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
