# k8sq: one image for every role (web, scheduler, Socket Mode, migrations, operators' commands).
# Small (python slim, no compilers in the final stage), a non-root user, the time zone database,
# and the question bank built in and checked at build time.

FROM python:3.11-slim AS build
# gcc: the grader is compiled with mypyc (setup.py); only this stage has a compiler.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# The dependencies first, in a layer of their own: they change less often than the code.
# setup.py reads what to compile from bot/domain/__init__.py; nothing is compiled yet.
COPY pyproject.toml README.md setup.py ./
COPY bot/domain/__init__.py ./bot/domain/
RUN touch bot/__init__.py && K8SQ_PURE_PYTHON=1 pip install . && pip uninstall -y k8sq \
    && rm -rf bot build
COPY alembic.ini ./
COPY alembic ./alembic
COPY bot ./bot
COPY questions ./questions
# Installed in place: the migrations and the bank are found next to the code, in /app, and so are
# the compiled grader's extension modules. mypy compiles them in pip's build environment, so
# neither it nor the C build stays in /opt/venv; the build fails if the grader is not compiled.
RUN pip install --no-deps -e . \
    && rm -rf build \
    && python -c 'import bot.domain, sys; sys.exit(not bot.domain.COMPILED)' \
    && python -m compileall -q bot alembic \
    && k8sq questions check

FROM python:3.11-slim
# tzdata: each workspace's round runs in its own time zone (zoneinfo reads the system's database).
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin k8sq \
    && mkdir -p /data /tmp/k8sq \
    && chown k8sq:k8sq /data /tmp/k8sq
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
# /app is read-only for k8sq: the SQLite fallback lives in /data, the heartbeats and gunicorn's
# control socket (XDG_RUNTIME_DIR) in /tmp/k8sq.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    K8SQ_DATA_DIR=/data \
    K8SQ_HEARTBEAT_DIR=/tmp/k8sq \
    XDG_RUNTIME_DIR=/tmp/k8sq \
    PORT=3000
WORKDIR /app
USER k8sq
EXPOSE 3000
ENTRYPOINT ["k8sq"]
CMD ["run"]
