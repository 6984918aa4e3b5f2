# sockward container image: one static binary, nothing else (no shell, no
# libc, no base image to pull, so it builds offline).
#
# Build it with ./scripts/image.sh (make static, then docker build with a
# context holding only sockward-static).  By hand:
#   make static && docker build -t sockward:local -f Dockerfile .
#
# The final stage below must stay identical to the one in
# Dockerfile.multistage; tests/lint-dockerfiles.sh checks that.
FROM scratch

ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="sockward" \
      org.opencontainers.image.description="Docker socket proxy: forwards only the Engine API calls its policy allows, answers the rest with 403" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="ISC"

COPY sockward-static /sockward

# tcp://*:2375 listens dual-stack, or IPv4 only (with a log line) when the
# container has no IPv6.  Mount the Docker socket at /var/run/docker.sock.
ENV SOCKWARD_LISTEN=tcp://*:2375
EXPOSE 2375

# No USER: root on purpose.  sockward opens its listener and then drops to
# uid 65534 by itself.  Healthy means GET /_ping answered 200 through the
# proxy (dockerd reachable and the policy allowing /_ping).
HEALTHCHECK --interval=30s --timeout=10s --start-period=5s --retries=3 \
    CMD ["/sockward", "health"]
ENTRYPOINT ["/sockward"]
