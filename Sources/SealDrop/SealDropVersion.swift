/// The release this build is, as `sealdrop --version` prints it.
public enum SealDropVersion {
    public static let current = "0.11.0"
}
