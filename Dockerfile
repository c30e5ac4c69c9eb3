# linkdoctor: Debian-based Python with Debian's ffmpeg, served by waitress (one process:
# the task manager and its scan threads live in it, so never run several workers).
# Installed as *arr images are: PUID/PGID/UMASK, the data in /config, a healthcheck.
#
# BASE: any Debian bookworm with python3 (3.11); the tests build it from Debian's packages
# (debootstrap) where no image registry is reachable: --build-arg BASE=localhost/linkdoctor-base.
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}

# The version is linkdoctor.__version__: pass it with
#   --build-arg VERSION=$(python3 -c 'import sys; sys.path.insert(0, "src"); import linkdoctor; print(linkdoctor.__version__)')
# the default below is kept equal to it by tests/test_packaging.py.
ARG VERSION=0.9.0
LABEL org.opencontainers.image.title="linkdoctor" \
      org.opencontainers.image.description="Keeps a media library's symlinks healthy" \
      org.opencontainers.image.version="${VERSION}"

# ffprobe, and venv for Debian's own python3, unless the base has them already.
RUN missing=""; \
    command -v ffprobe >/dev/null 2>&1 || missing="ffmpeg"; \
    python3 -c 'import ensurepip, venv' 2>/dev/null || missing="$missing python3-venv"; \
    if [ -n "$missing" ]; then \
        apt-get update && apt-get install -y --no-install-recommends $missing && rm -rf /var/lib/apt/lists/*; \
    fi

# The user the server runs as; the entrypoint gives it the ids PUID and PGID.
RUN groupadd --gid 1000 linkdoctor \
    && useradd --uid 1000 --gid 1000 --home-dir /config --no-create-home --shell /usr/sbin/nologin linkdoctor

# The same two steps as tests/support/installed.py: the pinned requirements into a new virtual
# environment (a layer of its own, rebuilt only when they change), then the package, not editable.
COPY requirements.txt /tmp/linkdoctor/
RUN python3 -m venv /opt/linkdoctor \
    && /opt/linkdoctor/bin/pip install --no-cache-dir -q -r /tmp/linkdoctor/requirements.txt
COPY pyproject.toml README.md /tmp/linkdoctor/
COPY src /tmp/linkdoctor/src
RUN /opt/linkdoctor/bin/pip install --no-cache-dir -q /tmp/linkdoctor && rm -rf /tmp/linkdoctor

ENV PATH=/opt/linkdoctor/bin:$PATH \
    LINKDOCTOR_DATA_DIR=/config \
    LINKDOCTOR_MEDIA_PATH=/app/medias \
    LINKDOCTOR_HOST=0.0.0.0 \
    LINKDOCTOR_PORT=8642 \
    PUID=1000 \
    PGID=1000 \
    UMASK=022
WORKDIR /config
VOLUME ["/config"]
EXPOSE 8642
# No curl in a slim image: Python asks /ping (open to all, no login).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/opt/linkdoctor/bin/python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('LINKDOCTOR_PORT', '8642') + '/api/symlink/health', timeout=4)"]
# As root: become PUID:PGID with UMASK, own /config, then run the command (linkdoctor/container.py).
ENTRYPOINT ["/opt/linkdoctor/bin/python", "-m", "linkdoctor.container"]
CMD ["linkdoctor", "serve"]
