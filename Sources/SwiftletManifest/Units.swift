import Foundation

/// Sizes and durations as people write them in manifests and on the command line.
public enum Units {
    /// Bytes from `1048576`, `64Mi`, `16MiB`, `512KB` or `1G` (binary units for `K`, `Ki`,
    /// `KiB` and friends; decimal for `KB`, `MB`, `GB`).
    public static func bytes(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber }
        guard let number = Int(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let multipliers: [String: Int] = [
            "": 1, "b": 1,
            "k": 1 << 10, "ki": 1 << 10, "kib": 1 << 10, "kb": 1000,
            "m": 1 << 20, "mi": 1 << 20, "mib": 1 << 20, "mb": 1_000_000,
            "g": 1 << 30, "gi": 1 << 30, "gib": 1 << 30, "gb": 1_000_000_000,
        ]
        guard let multiplier = multipliers[unit] else { return nil }
        let (result, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : result
    }

    /// Milliseconds from `250ms`, `5s`, `1m`; a bare number is `bareUnit` milliseconds each.
    public static func milliseconds(_ text: String, bareUnit: Int = 1) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix { $0.isNumber }
        guard let number = Int(digits) else { return nil }
        switch trimmed.dropFirst(digits.count) {
        case "": return number * bareUnit
        case "ms": return number
        case "s": return number * 1000
        case "m": return number * 60_000
        default: return nil
        }
    }
}
