/// The agent's version, reported in `User-Agent`, status and `--version`.
public enum WaystationVersion {
    public static let current = "0.1.0"
}
