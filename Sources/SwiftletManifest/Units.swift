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

    /// Milliseconds from `250ms`, `5s`, `1m`, `2h`; a bare number is `bareUnit` milliseconds each.
    public static func milliseconds(_ text: String, bareUnit: Int = 1) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix { $0.isNumber }
        guard let number = Int(digits) else { return nil }
        let multiplier: Int
        switch trimmed.dropFirst(digits.count) {
        case "": multiplier = bareUnit
        case "ms": multiplier = 1
        case "s": multiplier = 1000
        case "m": multiplier = 60_000
        case "h": multiplier = 3_600_000
        default: return nil
        }
        // Checked: `9999999999999999s` is a typo, not a reason to trap.
        let (result, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : result
    }

    /// Largest linear memory a wasm32 guest can have.
    public static let maxWasmMemory = 4 << 30
    /// Longest duration a limit may name: a day. Longer is a mistake, and every deadline
    /// computed from it must stay far from overflow.
    public static let maxMilliseconds = 86_400_000
}
