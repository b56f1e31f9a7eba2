import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

extension ConfigLoader {
    /// One warning per secret file (password, token, private key) that users other than the agent's own can
    /// read: world-readable, or group-readable by a group the agent does not run as. Names the field, the file
    /// and its mode — never the contents.
    static func secretFileWarnings(_ files: [(field: String, path: String?)]) -> [String] {
        files.compactMap { field, path in
            guard let path, let exposure = exposure(of: path) else { return nil }
            return "\(field): \(path) is readable by \(exposure); make it readable by the agent only "
                + "(chmod 0600, or chmod 0640 with group waystation)"
        }
    }

    /// Who besides the owner and the agent's group can read `path`, or nil.
    static func exposure(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let mode = String(info.st_mode & 0o7777, radix: 8)
        if info.st_mode & 0o004 != 0 { return "other users (mode 0\(mode))" }
        if info.st_mode & 0o040 != 0 && info.st_gid != getegid() {
            let group = getgrgid(info.st_gid).map { String(cString: $0.pointee.gr_name) } ?? "\(info.st_gid)"
            return "group \(group) (mode 0\(mode))"
        }
        return nil
    }
}

extension ConfigLoader.Loaded {
    /// Logs `warnings` (file names and modes only, never a secret).
    func logWarnings(_ logger: Logger) {
        for warning in warnings { logger.warning("secret file readable by others", metadata: ["problem": "\(warning)"]) }
    }
}
