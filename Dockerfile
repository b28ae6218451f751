# syntax=docker/dockerfile:1.7
# stowaway in a container: a static (musl) binary on a small Alpine base (the shell is
# there for CI runners such as GitLab's, which run `script:` lines in the job's image).
#   docker build -t stowaway .
#   docker run --rm -v "$PWD:/src:ro" stowaway check .
# It reads git's index itself (no git binary) and never needs the network.

FROM rust:1.88-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /build
COPY . .
# Alpine's Rust targets musl and links statically: the binary needs no library.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/build/target \
    cargo build --release --locked --bin stowaway \
 && cp target/release/stowaway /usr/local/bin/stowaway \
 && /usr/local/bin/stowaway --version

FROM alpine:3.21
COPY --from=build /usr/local/bin/stowaway /usr/local/bin/stowaway
# An unprivileged user; the mounted project only needs to be readable.
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/stowaway"]
CMD ["check", "."]
