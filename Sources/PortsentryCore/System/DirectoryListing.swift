import Glibc

/// The names in a directory, read with `readdir(3)`.
public enum DirectoryListing {
    /// The entries of `path` (`.` and `..` included), in the order the file system gives; nil
    /// when it cannot be opened. A name is read where it lies: a record is only as long as its
    /// name, so copying `d_name` whole (256 bytes) reads past the end of the last one.
    public static func names(in path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        var names: [String] = []
        while let entry = readdir(dir) {
            names.append(String(cString: (UnsafeRawPointer(entry) + offset).assumingMemoryBound(to: CChar.self)))
        }
        return names
    }
}
