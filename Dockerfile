# The Swiftlet runtime image: one static-stdlib binary on a slim Debian base. Apps are not
# baked in: the container pulls one with `swiftlet up oci://...` (see deploy/).
#
#   docker build -t ghcr.io/swiftlet-dev/swiftlet:0.1.0 .
ARG SWIFT_IMAGE=swift:6.3-bookworm

FROM ${SWIFT_IMAGE} AS build
WORKDIR /src
# SwiftPM checks every target's directory, so the whole tree goes in (.dockerignore keeps
# build products out).
COPY . .
RUN swift build -c release --product swiftlet --static-swift-stdlib \
    && install -D "$(swift build -c release --show-bin-path)/swiftlet" /out/swiftlet

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libstdc++6 \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/cache/swiftlet /var/lib/swiftlet \
    && chown 65532:65532 /var/cache/swiftlet /var/lib/swiftlet
COPY --from=build /out/swiftlet /usr/local/bin/swiftlet
ENV SWIFTLET_CACHE_DIR=/var/cache/swiftlet SWIFTLET_STATE_DIR=/var/lib/swiftlet
USER 65532:65532
EXPOSE 3000 3500 50001
ENTRYPOINT ["/usr/local/bin/swiftlet"]
CMD ["--help"]
