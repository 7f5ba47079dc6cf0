/// Replaces personal data in text with placeholders, as Dapr's `scrubPII` does: e-mail
/// addresses, IPv4 addresses and phone numbers become `<EMAIL_ADDRESS>`, `<IP>` and
/// `<PHONE_NUMBER>`. A pattern-based net, not a guarantee: it catches the common shapes.
public enum PIIScrubber {
    nonisolated(unsafe) private static let email = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/
    nonisolated(unsafe) private static let ip = /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/
    nonisolated(unsafe) private static let phone = /(?:\+?\d{1,3}[ .-])?\(?\b\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}\b/

    public static func scrub(_ text: String) -> String {
        text.replacing(email, with: "<EMAIL_ADDRESS>")
            .replacing(ip, with: "<IP>")
            .replacing(phone, with: "<PHONE_NUMBER>")
    }
}
