import SwiftletCore
import Foundation
import SwiftletABI

/// The CGI side of the WAGI executor: request -> argv and environment, stdout -> response.
/// Variables follow Spin's WAGI executor (docs/wagi.md lists them).
public enum CGI {
    public static let serverSoftware = "Swiftlet/0.1"
    /// Room for CGI headers on top of a component's response body limit.
    public static let maxHeaderBytes = 64 << 10

    /// `argv`: the script name, the component's own args, then the query's `&`-separated parts.
    public static func arguments(for request: GuestRequest, componentArguments: [String]) -> [String] {
        let scriptName = request.origin.routeBase.isEmpty ? "/" : request.origin.routeBase
        let queryParts = request.query.isEmpty ? [] : request.query.split(separator: "&").map(String.init)
        return [scriptName] + componentArguments + queryParts
    }

    /// The CGI/1.1 meta-variables plus Spin's `X_` extras and `HTTP_*` headers; the
    /// component's configured environment is applied last and may override.
    public static func environment(for request: GuestRequest, componentEnvironment: [String: String]) -> [String] {
        let origin = request.origin
        let rawPathInfo = pathInfo(path: request.path, routeBase: origin.routeBase)
        let decodedPathInfo = rawPathInfo.removingPercentEncoding ?? rawPathInfo
        var fullURL = "\(origin.scheme)://\(origin.serverName):\(origin.serverPort)\(request.path)"
        if !request.query.isEmpty { fullURL += "?\(request.query)" }

        var variables: [(String, String)] = [
            ("AUTH_TYPE", ""),
            ("CONTENT_LENGTH", String(request.body.count)),
            ("CONTENT_TYPE", request.header("content-type") ?? ""),
            ("GATEWAY_INTERFACE", "CGI/1.1"),
            ("PATH_INFO", decodedPathInfo),
            ("PATH_TRANSLATED", decodedPathInfo),
            ("QUERY_STRING", request.query),
            ("REMOTE_ADDR", origin.remoteAddress),
            ("REMOTE_HOST", origin.remoteAddress),
            ("REMOTE_USER", ""),
            ("REQUEST_METHOD", request.method),
            ("SCRIPT_NAME", origin.routeBase),
            ("SERVER_NAME", origin.serverName),
            ("SERVER_PORT", String(origin.serverPort)),
            ("SERVER_PROTOCOL", "HTTP/1.1"),
            ("SERVER_SOFTWARE", serverSoftware),
            ("X_COMPONENT_ROUTE", origin.matchedRoute),
            ("X_FULL_URL", fullURL),
            ("X_MATCHED_ROUTE", origin.matchedRoute),
            ("X_RAW_COMPONENT_ROUTE", origin.matchedRoute),
            ("X_RAW_PATH_INFO", rawPathInfo),
        ]
        for (name, value) in request.headers where name != "authorization" && name != "connection" {
            let key = "HTTP_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
            variables.append((key, value))
        }
        var entries: [String] = []
        entries.reserveCapacity(variables.count + componentEnvironment.count)
        let overridden = Set(componentEnvironment.keys)
        for (name, value) in variables where !overridden.contains(name) {
            entries.append("\(name)=\(value)")
        }
        for (name, value) in componentEnvironment.sorted(by: { $0.key < $1.key }) {
            entries.append("\(name)=\(value)")
        }
        return entries
    }

    /// The part of `path` after the route's fixed prefix (`/static/a.css` under `/static`
    /// gives `/a.css`).
    static func pathInfo(path: String, routeBase: String) -> String {
        guard !routeBase.isEmpty, routeBase != "/", path.hasPrefix(routeBase) else {
            return routeBase == "/" || routeBase.isEmpty ? path : ""
        }
        return String(path.dropFirst(routeBase.count))
    }

    /// Parses a CGI response: header lines, a blank line, the body. At least one of
    /// `content-type`, `location` or `status` must be present; `location` alone is a 302.
    public static func parseResponse(_ output: [UInt8]) throws(GuestFailure) -> GuestResponse {
        guard let (headerEnd, bodyStart) = headerBoundary(output) else {
            throw GuestFailure(
                .badResponse,
                output.isEmpty
                    ? "the guest wrote nothing to stdout; a WAGI guest must print CGI headers"
                    : "the guest's output has no CGI header block (headers, a blank line, then the body)")
        }
        var status: Int?
        var hasContentType = false
        var location: String?
        var headers: HeaderList = []
        let headerText = String(decoding: output[..<headerEnd], as: UTF8.self)
        for rawLine in headerText.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            guard let colon = line.firstIndex(of: ":") else {
                throw GuestFailure(.badResponse, "malformed CGI header line: \(line.prefix(100))")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw GuestFailure(.badResponse, "malformed CGI header line: \(line.prefix(100))")
            }
            switch name {
            case "status":
                guard let code = Int(value.prefix { $0.isNumber }), (100...999).contains(code) else {
                    throw GuestFailure(.badResponse, "invalid CGI status: \(value)")
                }
                status = code
            case "location":
                location = value
                headers.append((name, value))
            case "content-type":
                hasContentType = true
                headers.append((name, value))
            default:
                headers.append((name, value))
            }
        }
        guard status != nil || hasContentType || location != nil else {
            throw GuestFailure(.badResponse, "the guest's CGI headers need a content-type, location or status")
        }
        let code = status ?? (location != nil ? 302 : 200)
        return GuestResponse(status: code, headers: headers, body: Array(output[bodyStart...]))
    }

    /// Index where headers end and where the body starts (after `\n\n` or `\r\n\r\n`).
    static func headerBoundary(_ output: [UInt8]) -> (Int, Int)? {
        let newline = UInt8(ascii: "\n")
        var index = 0
        while let found = output[index...].firstIndex(of: newline) {
            let next = found + 1
            if next < output.count, output[next] == newline { return (found, next + 1) }
            if next + 1 < output.count, output[next] == UInt8(ascii: "\r"), output[next + 1] == newline {
                return (found, next + 2)
            }
            index = next
            if index >= output.count { break }
        }
        return nil
    }
}
