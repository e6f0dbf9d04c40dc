# syntax=docker/dockerfile:1
#
# The `plumbline` command in a small image, for the portfolio runs of deploy/k8s and for CI.
#   docker build -t plumbline:0.1.0 .
#   docker run --rm -v "$PWD:/data" plumbline:0.1.0 batch portfolio.toml --dry-run
# crates/cli/tests/deploy.rs checks this file against the Kubernetes manifests (same uid, same
# binary) and against Cargo.toml (the `dist` profile, the binary's name).

# Build stage. The tag is pinned to the toolchain CI builds and tests with (at least the
# workspace's rust-version), on Debian 12 so that the binary links the same glibc (2.36) as the
# runtime stage below.
FROM rust:1.95.0-bookworm AS builder
WORKDIR /src
COPY . .
# Only the CLI package: the viewer (Bevy) is a workspace member but is never compiled here.
# `--locked` builds exactly the Cargo.lock that CI tested. The cache mounts keep the crates.io
# downloads and the target folder between builds (BuildKit); the binary is copied out of the
# cached target folder within the same step, since a cache mount is not part of the image.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --locked --profile dist -p plumbline-cli \
    && install -m 0755 target/dist/plumbline /usr/local/bin/plumbline

# Runtime stage: the binary alone. It links only glibc, libm and libgcc_s (SQLite is compiled
# in; the PostgreSQL client speaks plain TCP without TLS), all in the base image, so no package
# is installed: no CA certificates are needed because nothing is fetched over TLS.
FROM debian:bookworm-slim
# A fixed, numeric, non-root uid and gid: the Kubernetes manifests' runAsUser/runAsGroup/fsGroup
# name the same numbers, and `runAsNonRoot` can only be verified against a numeric USER.
RUN groupadd --gid 10001 plumbline \
    && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/plumbline \
       --shell /usr/sbin/nologin plumbline
COPY --from=builder /usr/local/bin/plumbline /usr/local/bin/plumbline
USER 10001:10001
# Portfolio files, models and reports are mounted here; relative paths start from it.
WORKDIR /data
ENTRYPOINT ["plumbline"]
CMD ["--help"]
