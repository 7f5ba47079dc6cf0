import HTTPTypes
import Hummingbird
import SwiftletWasmHost

enum FailureResponse {
    static let errorHeader = HTTPField.Name("x-swiftlet-error")!
    static let requestIDHeader = HTTPField.Name("x-request-id")!

    /// A plain-text error naming the failure kind and reason, e.g.
    /// `swiftlet: timeout: the guest ran longer than 1000 ms`.
    static func make(_ failure: GuestFailure, requestID: String) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        headers[errorHeader] = failure.kind.name
        headers[requestIDHeader] = requestID
        if failure.kind == .overloaded { headers[.retryAfter] = "1" }
        return Response(
            status: HTTPResponse.Status(code: failure.kind.httpStatus), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: "swiftlet: \(failure.kind): \(failure.message)\n")))
    }

    static func plain(_ status: HTTPResponse.Status, _ message: String, requestID: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if let requestID { headers[requestIDHeader] = requestID }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}
