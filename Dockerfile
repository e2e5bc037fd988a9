# factory in a Debian 12 image: built and tested in a first stage, installed to /usr/local in the
# image, which runs factory-host.
#
#   docker build --shm-size=1g -t factory .
#   docker run --rm --shm-size=1g -v "$PWD/out:/work" factory --duration 5s --workshops 2
#   docker run --rm factory plugins
#
# --shm-size: factory-host keeps its production lines and lanes in /dev/shm, and the default of
# 64 MiB is too small for the test suite's runs (and for large runs of your own). The image also
# holds the compiler and the SDK, so that plugins can be built in it against /usr/local with
# find_package(factory) (see examples/blueprint_sessions).

FROM debian:12 AS build
# Some test packages ship daemons whose post-install scripts would start them: forbid service
# starts during the build (the Debian policy-rc.d convention, exit status 101).
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
WORKDIR /src/factory
COPY . .
RUN bash scripts/test.sh
RUN DESTDIR=/staging cmake --install build --prefix /usr/local

FROM debian:12
COPY scripts/install-deps.sh /tmp/install-deps.sh
RUN bash /tmp/install-deps.sh --run && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh
COPY --from=build /staging/usr/local /usr/local
WORKDIR /work
ENTRYPOINT ["factory-host"]
