#!/usr/bin/env bash
# Regenerates the Swift code for Swiftlet's Dapr gRPC subset (proto/ -> Sources/SwiftletDaprProto/):
# messages, the server protocol Swiftlet implements and the client its tests and benchmark use.
# The output is committed, so normal builds need neither protoc nor the plugins.
#
# Needs protoc (apt-get install protobuf-compiler); builds the two Swift plugins from the
# package versions Swiftlet depends on, in a scratch package (about two minutes).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
command -v protoc >/dev/null || { echo "error: protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }

scratch="${SWIFTLET_PLUGIN_BUILD:-/tmp/swiftlet-grpc-plugins}"
mkdir -p "$scratch/Sources/Placeholder"
cat > "$scratch/Package.swift" <<'PACKAGE'
// swift-tools-version:6.1
import PackageDescription
let package = Package(
    name: "plugins",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
        .package(url: "https://github.com/grpc/grpc-swift-2", exact: "2.4.3"),
    ],
    targets: [.target(name: "Placeholder")]
)
PACKAGE
echo "// placeholder" > "$scratch/Sources/Placeholder/Placeholder.swift"
(cd "$scratch" && swift build -c release --product protoc-gen-swift && swift build -c release --product protoc-gen-grpc-swift-2)
bin="$(cd "$scratch" && swift build -c release --show-bin-path)"

out="$root/Sources/SwiftletDaprProto/Generated"
rm -rf "$out"
mkdir -p "$out"
# The well-known types (Any, Empty, Struct, Duration) ship with swift-protobuf's sources.
wkt="$scratch/.build/checkouts/swift-protobuf/Protos/Sources/SwiftProtobuf"
protoc -I "$root/proto" -I "$wkt" \
    --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
    --plugin=protoc-gen-grpc-swift-2="$bin/protoc-gen-grpc-swift-2" \
    --swift_out="$out" --swift_opt=Visibility=Public,FileNaming=DropPath \
    --grpc-swift-2_out="$out" --grpc-swift-2_opt=Visibility=Public,FileNaming=DropPath \
    dapr/proto/common/v1/common.proto dapr/proto/runtime/v1/ai.proto dapr/proto/runtime/v1/dapr.proto \
    swiftlet/v1/conversation.proto
echo "generated into $out"
