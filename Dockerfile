# Baton as an image: `baton serve` on port 3000, its state in the volume /data.
#
#   docker build -t baton .
#   docker run -p 3000:3000 -v baton-data:/data -e BATON_PUBLIC_URL=https://baton.example.com baton
#
# The entry point is `baton`, so the same image runs a worker (`… baton worker`) or any other
# command (`… baton --version`, `… baton runs list`). docs/deployment.md has the details and
# says how this file was checked (scripts/check-image).

# The base is an argument only so that scripts/check-image can build on a stand-in where no
# registry is reachable; every stage must use the same one (the venv is copied between them).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/baton
WORKDIR /src
# Dependencies first, from pyproject.toml and the version alone, so that a change to Baton's
# code rebuilds only the last layer; the full install below replaces this partial one.
COPY pyproject.toml README.md ./
COPY bot/__init__.py bot/__init__.py
RUN /opt/baton/bin/pip install .
COPY bot bot
COPY handlers handlers
RUN /opt/baton/bin/pip install --no-deps --force-reinstall . \
 && /opt/baton/bin/baton --version

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="Baton" \
      org.opencontainers.image.description="Durable, multi-step agent workflows for GitHub" \
      org.opencontainers.image.licenses="Apache-2.0"
# A fixed numeric id, so that `runAsNonRoot` can verify it and volumes can be chowned to it
# (--no-log-init: a high uid would otherwise grow /var/log/lastlog into a huge sparse file).
RUN useradd --no-log-init --uid 10001 --user-group --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin baton \
 && mkdir /data \
 && chown baton:baton /data
COPY --from=build /opt/baton /opt/baton
# /data is the working directory: the SQLite file lives there, and so does the `.env` that the
# set-up page writes, so both survive a new container.
ENV PATH="/opt/baton/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite:////data/baton.sqlite
WORKDIR /data
VOLUME ["/data"]
USER 10001:10001
EXPOSE 3000
# Python's own urllib, so that the image needs no curl; a 503 (database unreachable) fails it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"]
ENTRYPOINT ["baton"]
CMD ["serve", "--host", "0.0.0.0", "--port", "3000"]
