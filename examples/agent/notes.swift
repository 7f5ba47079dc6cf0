// examples/agent: the `notes` tool. The agent's arguments arrive as the JSON body:
//   {"action": "add", "text": "..."}  keeps a note in the state store (ETag-checked, so
//                                    concurrent adds never lose one) and answers the count;
//   {"action": "list"}               answers every note, one per line.

@_expose(wasm, "swiftlet_handle") @_cdecl("swiftlet_handle")
func handle() -> Int32 {
    Response.setHeader("content-type", "text/plain")
    let body = Request.body
    do throws(SwiftletError) {
        switch jsonString("action", in: body) ?? "list" {
        case "add":
            guard let text = jsonString("text", in: body), !text.isEmpty else {
                Response.setStatus(400)
                Response.write("add needs a non-empty \"text\"\n")
                return 0
            }
            Response.write("kept note \(try add(text))\n")
        case "list":
            let notes = try State.get(store: "statestore", key: "notes")?.value ?? []
            Response.write(notes.isEmpty ? "no notes yet\n" : String(decoding: notes, as: UTF8.self))
        default:
            Response.setStatus(400)
            Response.write("action is \"add\" or \"list\"\n")
        }
    } catch {
        Response.setStatus(error.code == SwiftletError.unavailable.code ? 503 : 500)
        Response.write("state store error \(error.code)\n")
    }
    return 0
}

/// Appends a line and returns how many notes there are now.
func add(_ text: String) throws(SwiftletError) -> Int {
    while true {
        let item = try State.get(store: "statestore", key: "notes")
        var notes = item?.value ?? []
        notes += Array(text.utf8.map { $0 == 10 ? 32 : $0 })
        notes.append(10)
        do throws(SwiftletError) {
            try State.set(store: "statestore", key: "notes", value: notes, etag: item?.etag, firstWrite: true)
            return notes.count(where: { $0 == 10 })
        } catch {
            guard error.code == SwiftletError.conflict.code else { throw error }
        }
    }
}

/// The string value of top-level key `key` in a JSON object, with the common escapes
/// decoded; nil when absent or not a string. (Embedded Swift has no JSON decoder; tool
/// arguments are small, flat objects.)
func jsonString(_ key: String, in json: [UInt8]) -> String? {
    let needle = Array("\"\(key)\"".utf8)
    guard json.count >= needle.count else { return nil }
    var index = 0
    while index + needle.count <= json.count {
        if Array(json[index..<index + needle.count]) == needle {
            var cursor = index + needle.count
            while cursor < json.count, json[cursor] == 32 || json[cursor] == 58 { cursor += 1 }  // spaces and ':'
            guard cursor < json.count, json[cursor] == 34 else { return nil }
            cursor += 1
            var value: [UInt8] = []
            while cursor < json.count, json[cursor] != 34 {
                if json[cursor] == 92, cursor + 1 < json.count {  // backslash
                    cursor += 1
                    switch json[cursor] {
                    case 110: value.append(10)  // \n
                    case 116: value.append(9)  // \t
                    default: value.append(json[cursor])  // \" \\ \/
                    }
                } else {
                    value.append(json[cursor])
                }
                cursor += 1
            }
            return String(decoding: value, as: UTF8.self)
        }
        index += 1
    }
    return nil
}
